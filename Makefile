# Ripple: `make run` starts everything on the embedded defaults; `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Links in e-mails (invitations, password resets, notifications) lead to this address.
export RIPPLE_BASE_URL ?= http://localhost:$(PORT)
export DJANGO_SETTINGS_MODULE ?= backend.settings

.PHONY: install run demo migrate test lint format lock ci clean

$(VENV)/.installed: requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Ripple needs Python 3.11 or newer; set PYTHON=python3.x")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	@touch $@

# axe-core for the browser tests' accessibility checks, where npm is installed.
NPM := $(shell command -v npm 2>/dev/null)
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed $(if $(NPM),node_modules/.package-lock.json)

migrate: install
	@$(PY) manage.py migrate --noinput -v 0

demo: migrate
	@$(PY) manage.py seed_demo

# Web, Celery worker and beat together; Ctrl-C stops all three. A worker or beat that
# dies is started again after a pause, as docker-compose's restart policy does: a loop
# of the shell's own (honcho and foreman stop everything when one process exits).
RESTART = while :; do $(1); echo "[make run] $(2) stopped (exit $$?); restarting in 3 s" >&2; sleep 3; done
run: demo
	@echo ""
	@echo "  Ripple is starting on http://localhost:$(PORT)/"
	@echo "    Phone pages: http://localhost:$(PORT)/ (sign in as nurse@demo.example)"
	@echo "    API docs:  http://localhost:$(PORT)/api/docs/"
	@echo "    Schema:    http://localhost:$(PORT)/api/schema/"
	@echo "    Health:    http://localhost:$(PORT)/healthz"
	@echo "    Admin:     http://localhost:$(PORT)/admin/"
	@echo "    Members:   http://localhost:$(PORT)/organisation/members/ (sign in as admin@demo.example)"
	@echo "  Demo logins (password ripple-demo):"
	@echo "    nurse@demo.example (frontline)   coach@demo.example (coach)"
	@echo "    qi@demo.example (QI team)        board@demo.example (leader)"
	@echo "    partner@demo.example (lived-experience partner)"
	@echo "    admin@demo.example (admin)       coach@other.example (Other Trust)"
	@echo "    operator@ripple.example (platform operator: /admin/)"
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	$(call RESTART,$(PY) -m celery -A backend worker --pool=solo --loglevel=INFO --without-gossip --without-mingle,worker) & \
	$(call RESTART,$(PY) -m celery -A backend beat --loglevel=INFO,beat) & \
	$(PY) manage.py runserver 0.0.0.0:$(PORT)

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Regenerate both hashed lock files from pyproject.toml (the dev lock is constrained by
# the runtime lock, so the Docker image and the test venv run the same versions).
lock: install
	$(PY) -m pip install --quiet uv
	$(PY) -m uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -o requirements.lock
	$(PY) -m uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -c requirements.lock -o requirements-dev.lock

ci:
	.ci/run

clean:
	rm -rf $(VENV) var staticfiles test-output .pytest_cache .ruff_cache

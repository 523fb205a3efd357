# One image for web, worker and beat; settings come from the environment (.env.example).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .
# Static files are collected at build time and served by WhiteNoise.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput -v 0 \
 && useradd --system --home /app ripple \
 && mkdir -p /app/var/media && chown -R ripple /app/var

USER ripple
EXPOSE 8000
CMD ["gunicorn", "backend.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

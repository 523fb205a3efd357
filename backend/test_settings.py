"""Settings for the test suite: the real settings, with services only where configured.

Without ``REDIS_URL`` tasks go to Celery's in-memory broker and the cache is local, so
``make test`` needs no services and leaves nothing behind under ``var/``. With
``DATABASE_URL`` and ``REDIS_URL`` set, the same tests run on PostgreSQL and Redis.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-secret")
if not os.environ.get("REDIS_URL"):
    os.environ.setdefault("CELERY_BROKER_URL", "memory://localhost/")

from backend.settings import *  # noqa: F403
from backend.settings import REDIS_URL, STORAGES

# Hashing passwords slowly is the point in production and a waste in tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if not REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"auth": "1000/min", "password_reset": "1000/min"},
}
# Uploaded files go to a folder of the test run's own, on the file system.
MEDIA_ROOT = tempfile.mkdtemp(prefix="ripple-media-")
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}

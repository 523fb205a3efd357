"""The assessment's tests use the capability tests' small trust."""

from tests.capability.conftest import fresh_cache, trust  # noqa: F401  (the fixtures)

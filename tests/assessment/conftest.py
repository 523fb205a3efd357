"""The assessment's tests use the capability tests' small trust."""

from tests.capability.conftest import trust  # noqa: F401  (the fixture)

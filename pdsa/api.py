"""API for pdsa."""

urlpatterns: list = []

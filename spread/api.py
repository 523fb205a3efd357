"""API for spread."""

urlpatterns: list = []

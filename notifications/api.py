"""API for notifications."""

urlpatterns: list = []

"""API for projects."""

urlpatterns: list = []

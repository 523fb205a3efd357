"""Pages for PDSA cycles, one module per group of pages; this module only routes."""

from django.urls import path

from pdsa.pages import cycles

urlpatterns = [
    path("cycles/new/", cycles.cycle_new, name="cycle-new"),
    path("cycles/<int:pk>/", cycles.cycle_page, name="cycle-page"),
]

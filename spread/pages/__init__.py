"""Spread and learning on pages: the QI team's review queue and candidates, where a change
could go next, adoption and reach, a ward's page, and the learning library for everyone.

- ``review``: the queue, a candidate's page and its decisions, the change package
- ``spreading``: where it could go next (targets, offers), adoption and reach, taking it up
- ``wards``: a unit's page, the person's own unit, the list of units
- ``learning``: the learning library and "Use this in my project"
"""

from django.urls import path

from spread.pages import learning, review, spreading, wards

urlpatterns = [
    path("spread/", review.queue, name="spread-queue"),
    path("spread/<id:pk>/", review.candidate_page, name="spread-candidate"),
    path("spread/<id:pk>/package/", review.package_page, name="spread-package"),
    path("spread/<id:pk>/wards/", spreading.wards_page, name="spread-wards"),
    path("spread/<id:pk>/reach/", spreading.reach_page, name="spread-reach"),
    path("spread/<id:pk>/adopt/", spreading.adopt, name="spread-adopt"),
    path("units/", wards.unit_index, name="unit-list"),
    path("units/mine/", wards.my_unit, name="unit-mine"),
    path("units/<id:pk>/", wards.unit_page, name="unit-page"),
    path("learning/", learning.library, name="learning"),
    path("learning/cycles/<id:pk>/use/", learning.use_cycle, name="learning-use-cycle"),
]

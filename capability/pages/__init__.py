"""Capability's pages (NHS.UK design system, working without JavaScript): the pyramid,
the QI team's records, import, approvals and settings, everyone's own training, the
skills directory, partners' involvement and leaders' visits and stories.

They read through ``capability.selectors`` and write through ``capability.services``,
as the API does.
"""

from django.urls import path

from capability.pages import directory, involvement, mine, pyramid, records, targets

urlpatterns = [
    path("capability/", pyramid.capability_page, name="capability-page"),
    path("capability/me/", mine.my_training, name="my-training"),
    path("capability/me/records/", mine.my_record_add, name="my-record-add"),
    path("capability/me/listing/", mine.my_listing, name="my-listing"),
    path("capability/records/", records.records_page, name="training-records-page"),
    path("capability/records/import/", records.records_import_page, name="records-import-page"),
    path("capability/records/template.csv", records.import_template, name="records-template"),
    path("capability/records/<id:pk>/approve/", records.record_approve, name="record-approve"),
    path("capability/records/<id:pk>/decline/", records.record_decline, name="record-decline"),
    path("capability/approvals/", records.approvals_page, name="approvals-page"),
    path("capability/people/<id:pk>/", records.person_page, name="person-page"),
    path("capability/people/<id:pk>/level/", records.person_level, name="person-level"),
    path("capability/people/<id:pk>/records/", records.person_record_add, name="person-record-add"),
    path("capability/courses/", targets.courses_page, name="courses-page"),
    path("capability/courses/new/", targets.course_edit, name="course-new"),
    path("capability/courses/<id:pk>/", targets.course_edit, name="course-edit"),
    path("capability/targets/", targets.targets_page, name="targets-page"),
    path("capability/targets/ratios/", targets.ratios_save, name="ratios-save"),
    path("capability/targets/headcounts/", targets.headcounts_save, name="headcounts-save"),
    path("capability/directory/", directory.directory_page, name="directory-page"),
    path("capability/partners/", involvement.partners_page, name="partners-page"),
    path("capability/partners/mine/", involvement.my_involvement, name="my-involvement"),
    path("capability/partners/<id:pk>/", involvement.partner_page, name="partner-page"),
    path("capability/engagement/", involvement.engagement_page, name="engagement-page"),
]

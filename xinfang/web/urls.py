from django.urls import path

from . import views, views_import
from .petitions import views as pv

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/export.xlsx", views.unit_export, name="unit_export"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path("units/import/", views_import.unit_import, name="unit_import"),
    path("units/import/template.xlsx", views_import.unit_import_template, name="unit_import_template"),
    # Petitions: list, export, intake, the petition page and its actions.
    path("petitions/", pv.petition_list, name="petition_list"),
    path("petitions/export.xlsx", pv.petition_export, name="petition_export"),
    path("petitions/new/", pv.petition_intake, name="petition_intake"),
    path("petitions/new/duplicates/", pv.intake_duplicates, name="intake_duplicates"),
    path("petitions/<int:pk>/", pv.petition_detail, name="petition_detail"),
    path("petitions/<int:pk>/act/<slug:action>/", pv.petition_act, name="petition_act"),
    path(
        "petitions/<int:pk>/people/<int:petitioner_id>/reveal/",
        pv.petitioner_reveal,
        name="petitioner_reveal",
    ),
    path(
        "petitions/<int:pk>/suggestions/<int:suggestion_id>/<slug:decision>/",
        pv.suggestion_decide,
        name="suggestion_decide",
    ),
    path(
        "petitions/<int:pk>/attachments/<int:attachment_id>/",
        pv.attachment_download,
        name="attachment_download",
    ),
    path(
        "petitions/<int:pk>/documents/<slug:kind>.<slug:fmt>",
        pv.petition_document,
        name="petition_document",
    ),
    path("reminders/<int:reminder_id>/read/", pv.reminder_read, name="reminder_read"),
]

from django.urls import path

from . import checklists, commendations, exports, reviews, views

app_name = "assessment"

urlpatterns = [
    path("", views.home, name="home"),
    path("indicators/", views.definitions, name="definitions"),
    path("schemes/new/", views.scheme_new, name="scheme_new"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("schemes/<int:pk>/publish/", views.scheme_publish, name="scheme_publish"),
    path("schemes/<int:pk>/compute/", views.scheme_compute, name="scheme_compute"),
    path("schemes/<int:pk>/copy/", views.scheme_copy, name="scheme_copy"),
    path("runs/<int:pk>/league.<slug:fmt>", exports.league_export, name="league_export"),
    path("scores/<int:pk>/", views.score_detail, name="score_detail"),
    path("scores/<int:pk>/records/", views.score_drill, name="score_drill"),
    path("scores/<int:pk>/report.<slug:fmt>", exports.report_export, name="report_export"),
    path("reviews/", reviews.reviews, name="reviews"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review_detail"),
    path("reviews/<int:pk>/findings/", reviews.review_finding, name="review_finding"),
    path("reviews/<int:pk>/conclude/", reviews.review_conclude, name="review_conclude"),
    path("checklists/", checklists.checklists, name="checklists"),
    path("checklists/new/", checklists.checklist_new, name="checklist_new"),
    path("checklists/<int:pk>/", checklists.checklist_detail, name="checklist_detail"),
    path("checklists/<int:pk>/items/", checklists.checklist_item_add, name="checklist_item_add"),
    path("items/<int:pk>/evidence/", checklists.item_submit, name="item_submit"),
    path("items/<int:pk>/evidence/file", checklists.item_evidence, name="item_evidence"),
    path("items/<int:pk>/verify/", checklists.item_verify, name="item_verify"),
    path("ledger/", checklists.ledger, name="ledger"),
    path("commendations/", commendations.commendations, name="commendations"),
    path("commendations/new/", commendations.commendation_new, name="commendation_new"),
]

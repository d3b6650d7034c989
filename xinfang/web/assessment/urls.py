from django.urls import path

from . import checklists, commendations, exports, reviews, views
from .access import assessment_users_only as gate

app_name = "assessment"

# Every page is for assessment users (403 for other staff), except the checklist pages an owner unit's
# staff need to give evidence on their items: those check visibility themselves (404 otherwise).

urlpatterns = [
    path("", gate(views.home), name="home"),
    path("indicators/", gate(views.definitions), name="definitions"),
    path("schemes/new/", gate(views.scheme_new), name="scheme_new"),
    path("schemes/<int:pk>/", gate(views.scheme_detail), name="scheme_detail"),
    path("schemes/<int:pk>/edit/", gate(views.scheme_edit), name="scheme_edit"),
    path("schemes/<int:pk>/publish/", gate(views.scheme_publish), name="scheme_publish"),
    path("schemes/<int:pk>/compute/", gate(views.scheme_compute), name="scheme_compute"),
    path("schemes/<int:pk>/copy/", gate(views.scheme_copy), name="scheme_copy"),
    path("runs/<int:pk>/league.<slug:fmt>", gate(exports.league_export), name="league_export"),
    path("scores/<int:pk>/", gate(views.score_detail), name="score_detail"),
    path("scores/<int:pk>/records/", gate(views.score_drill), name="score_drill"),
    path("scores/<int:pk>/report.<slug:fmt>", gate(exports.report_export), name="report_export"),
    path("reviews/", gate(reviews.reviews), name="reviews"),
    path("reviews/<int:pk>/", gate(reviews.review_detail), name="review_detail"),
    path("reviews/<int:pk>/findings/", gate(reviews.review_finding), name="review_finding"),
    path("reviews/<int:pk>/conclude/", gate(reviews.review_conclude), name="review_conclude"),
    path("checklists/", gate(checklists.checklists), name="checklists"),
    path("checklists/new/", gate(checklists.checklist_new), name="checklist_new"),
    path("checklists/<int:pk>/", checklists.checklist_detail, name="checklist_detail"),
    path("checklists/<int:pk>/items/", gate(checklists.checklist_item_add), name="checklist_item_add"),
    path("items/<int:pk>/evidence/", checklists.item_submit, name="item_submit"),
    path("items/<int:pk>/evidence/file", checklists.item_evidence, name="item_evidence"),
    path("items/<int:pk>/verify/", gate(checklists.item_verify), name="item_verify"),
    path("ledger/", gate(checklists.ledger), name="ledger"),
    path("commendations/", gate(commendations.commendations), name="commendations"),
    path("commendations/new/", gate(commendations.commendation_new), name="commendation_new"),
]

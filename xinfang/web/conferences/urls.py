from django.urls import path

from . import views

app_name = "conferences"

urlpatterns = [
    path("", views.conference_list, name="list"),
    path("new/", views.conference_new, name="new"),
    path("decisions/", views.decision_list, name="decisions"),
    path("escalations/", views.escalation_list, name="escalations"),
    path("measures/", views.measure_list, name="measures"),
    path("coverage/", views.coverage, name="coverage"),
    path("<int:pk>/", views.conference_detail, name="conference"),
    path("<int:pk>/propose/", views.item_propose, name="propose"),
    path("<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("<int:pk>/setup/<slug:action>/", views.conference_setup, name="setup"),
    path("key-periods/<int:pk>/end/", views.key_period_end, name="key_period_end"),
    path("participants/<int:pk>/end/", views.participant_end, name="participant_end"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/<slug:action>/", views.item_act, name="item_act"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/<slug:action>/", views.meeting_act, name="meeting_act"),
    path("minutes/<int:pk>/", views.minutes_detail, name="minutes"),
    path("minutes/<int:pk>/approve/", views.minutes_approve, name="minutes_approve"),
    path("minutes/<int:pk>/items/<int:item_id>/", views.decision_record, name="decision_record"),
    path("minutes/<int:pk>/document.<slug:fmt>", views.minutes_document, name="minutes_document"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("decisions/<int:pk>/<slug:action>/", views.decision_act, name="decision_act"),
    path(
        "decisions/<int:pk>/petitions/<int:petition_id>/reply/", views.decision_reply, name="decision_reply"
    ),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation"),
    path("measures/<int:pk>/lift/", views.measure_lift, name="measure_lift"),
    path("notices/<int:pk>/read/", views.notice_read, name="notice_read"),
]

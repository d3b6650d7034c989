from django.urls import path

from . import views

app_name = "agency"

urlpatterns = [
    path("", views.index, name="index"),
    path("agents/", views.agent_list, name="agent_list"),
    path("agents/new/", views.agent_create, name="agent_create"),
    path("agents/<int:agent_id>/", views.agent_detail, name="agent_detail"),
    path("agents/<int:agent_id>/status/", views.agent_status, name="agent_status"),
    path("agents/<int:agent_id>/mandates/new/", views.mandate_create, name="mandate_create"),
    path("agents/<int:agent_id>/file/", views.file_petition, name="file_petition"),
    path("mandates/<int:mandate_id>/", views.mandate_detail, name="mandate_detail"),
    path("mandates/<int:mandate_id>/revoke/", views.mandate_revoke, name="mandate_revoke"),
    path("mandates/<int:mandate_id>/form/", views.mandate_form_download, name="mandate_form"),
    path("matters/<int:petition_id>/", views.matter, name="matter"),
    path("matters/<int:petition_id>/tasks/", views.task_create, name="task_create"),
    path("matters/<int:petition_id>/claims/", views.claim_create, name="claim_create"),
    path("matters/<int:petition_id>/payments/", views.payments_record, name="payments_record"),
    path("tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("payments/<int:payment_id>/correct/", views.payment_correct, name="payment_correct"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export.xlsx", views.ledger_export, name="ledger_export"),
    path("totals/", views.totals, name="totals"),
]

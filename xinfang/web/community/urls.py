from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("", views.index, name="index"),
    path("forces/new/", views.force_create, name="force_create"),
    path("forces/<int:force_id>/", views.force_detail, name="force_detail"),
    path("forces/<int:force_id>/members/", views.member_create, name="member_create"),
    path("forces/<int:force_id>/active/", views.force_active, name="force_active"),
    path("members/<int:member_id>/leave/", views.member_leave, name="member_leave"),
    path("petitions/<int:petition_id>/", views.petition_panel, name="petition_panel"),
    path("petitions/<int:petition_id>/link/", views.link_create, name="link_create"),
    path("petitions/<int:petition_id>/mediation/", views.referral_create, name="referral_create"),
    path("links/<int:link_id>/end/", views.link_end, name="link_end"),
    path("mediation/", views.referral_list, name="referral_list"),
    path("mediation/<int:referral_id>/", views.referral_detail, name="referral_detail"),
    path("mediation/<int:referral_id>/consent/", views.consent_record, name="consent_record"),
    path("mediation/<int:referral_id>/assign/", views.assign, name="assign"),
    path("mediation/<int:referral_id>/contact/", views.contact, name="contact"),
    path("mediation/<int:referral_id>/agree/", views.agree, name="agree"),
    path("mediation/<int:referral_id>/fail/", views.fail, name="fail"),
    path(
        "mediation/<int:referral_id>/agreement.<slug:fmt>",
        views.agreement_document,
        name="agreement_document",
    ),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:campaign_id>/households/", views.households_create, name="households_create"),
    path("campaigns/<int:campaign_id>/record/", views.household_record, name="household_record"),
]

from django.urls import path

from . import views

app_name = "stations"

urlpatterns = [
    path("", views.station_list, name="list"),
    path("new/", views.station_new, name="new"),
    path("<int:pk>/", views.station_detail, name="detail"),
    path("<int:pk>/edit/", views.station_edit, name="edit"),
    path("<int:pk>/pools/", views.pools, name="pools"),
    path("<int:pk>/pools/new/", views.pool_new, name="pool_new"),
    path("pools/<int:pool_id>/edit/", views.pool_edit, name="pool_edit"),
    path("pools/<int:pool_id>/members/new/", views.member_add, name="member_add"),
    path("members/<int:member_id>/leave/", views.member_leave, name="member_leave"),
    path("<int:pk>/figures/", views.station_figures, name="figures"),
    path("<int:pk>/rota/", views.rota_page, name="rota"),
    path("<int:pk>/rota/generate/", views.rota_generate, name="rota_generate"),
    path("<int:pk>/rota/export.xlsx", views.rota_export, name="rota_export"),
    path("<int:pk>/rota/swap/", views.swap_request, name="swap_request"),
    path("swaps/<int:swap_id>/<slug:decision>/", views.swap_decide, name="swap_decide"),
    path("<int:pk>/absences/", views.absences, name="absences"),
    path("<int:pk>/absences/<int:absence_id>/cancel/", views.absence_cancel, name="absence_cancel"),
    path("<int:pk>/visits/", views.visit_list, name="visit_list"),
    path("<int:pk>/visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:visit_id>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:visit_id>/reveal/", views.visit_reveal, name="visit_reveal"),
    path("visits/<int:visit_id>/<slug:action>/", views.visit_act, name="visit_act"),
    path("summons/", views.summons_list, name="summons_list"),
    path("summons/<int:summons_id>/done/", views.summons_done, name="summons_done"),
    path("hotline/", views.hotline_list, name="hotline_list"),
    path("hotline/import/", views.hotline_import, name="hotline_import"),
    path("hotline/<int:signal_id>/", views.hotline_detail, name="hotline_detail"),
]

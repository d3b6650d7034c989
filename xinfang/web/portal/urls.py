from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("submit/done/", views.submitted, name="submitted"),
    path("places/", views.places, name="places"),
    path("track/", views.track, name="track"),
    path("case/", views.case, name="case"),
    path("case/rate/", views.rate, name="rate"),
    path("case/appeal/", views.appeal, name="appeal"),
    path("case/documents/<slug:kind>.pdf", views.document, name="document"),
    path("case/leave/", views.leave, name="leave"),
]

from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("intake/suggest/", views.intake_suggest, name="intake_suggest"),
    path("petitions/<int:pk>/card/", views.petition_card, name="petition_card"),
    path("petitions/<int:pk>/category/", views.category_correct, name="category_correct"),
    path("issues/", views.issue_list, name="issue_list"),
    path("issues/<int:key>/", views.issue_detail, name="issue_detail"),
    path("issues/<int:key>/conference/", views.issue_to_conference, name="issue_to_conference"),
    path("warnings/", views.early_warning, name="early_warning"),
]

from django.urls import path

from parties import views

app_name = "parties"

urlpatterns = [
    path("states/", views.state_list, name="state_list"),
    path("states/<str:iso3>/", views.state_detail, name="state_detail"),
    path("meetings/", views.meeting_list, name="meeting_list"),
]

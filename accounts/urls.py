from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("me/", views.home, name="home"),
    path("me/language/", views.email_language, name="email_language"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("isu/", views.staff_home, name="staff_home"),
    path("isu/invitations/new/", views.invitation_create, name="invitation_create"),
    path("isu/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("isu/invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
]

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("me/", views.home, name="home"),
    path("me/language/", views.email_language, name="email_language"),
    path("me/team/", views.team_page, name="team"),
    path("me/team/invitations/<int:pk>/revoke/", views.team_invitation_revoke, name="team_invitation_revoke"),
    path("me/team/<int:pk>/active/", views.team_member_active, name="team_member_active"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("me/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("me/two-factor/<str:token>/", views.two_factor_confirm, name="two_factor_confirm"),
    # Resolves before allauth's own page of the same address (accounts.urls is included first).
    path("accounts/2fa/totp/activate/", views.activate_totp, name="activate_totp"),
    path("isu/", views.staff_home, name="staff_home"),
    path("isu/invitations/new/", views.invitation_create, name="invitation_create"),
    path("isu/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("isu/invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
]

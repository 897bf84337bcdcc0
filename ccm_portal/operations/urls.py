"""The ISU's background-work page and its Retry buttons (two-factor enforced under /isu/)."""

from django.urls import path

from ccm_portal.operations import views

app_name = "operations"

urlpatterns = [
    path("isu/operations/", views.background_work, name="background_work"),
    path("isu/operations/reminders/<int:pk>/retry/", views.retry_reminder, name="retry_reminder"),
    path("isu/operations/report-pdfs/<int:pk>/retry/", views.retry_report_pdf, name="retry_report_pdf"),
    path("isu/operations/dashboard-pdfs/<int:pk>/retry/", views.retry_dashboard_pdf, name="retry_dashboard_pdf"),
]

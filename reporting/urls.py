from django.urls import path

from reporting.views import archive, documents, editing, entry, my_reports, overview, review, team, team_isu, workbook

app_name = "reporting"

urlpatterns = [
    # Focal points (and anyone allowed to read a report: see reporting.access)
    path("reporting/", my_reports.my_reports, name="my_reports"),
    path("reporting/start/", my_reports.report_start, name="report_start"),
    path("reporting/<int:pk>/", overview.report_detail, name="report_detail"),
    path("reporting/<int:pk>/cover/", editing.report_cover, name="report_cover"),
    path("reporting/<int:pk>/forms/<str:code>/", editing.report_form, name="report_form"),
    path("reporting/<int:pk>/settings/", overview.report_settings, name="report_settings"),
    path("reporting/<int:pk>/nil/", overview.report_nil, name="report_nil"),
    path("reporting/<int:pk>/submit/", overview.report_submit, name="report_submit"),
    path("reporting/<int:pk>/recall/", overview.report_recall, name="report_recall"),
    path("reporting/<int:pk>/correct/", overview.report_correct, name="report_correct"),
    path("reporting/<int:pk>/v<int:number>/", overview.version_detail, name="version_detail"),
    path("reporting/<int:pk>/comments/<int:comment_pk>/reply/", overview.comment_reply, name="comment_reply"),
    # ISU staff (under /isu/, so two-factor is enforced by StaffTwoFactorMiddleware)
    path("isu/reviews/", review.review_queue, name="review_queue"),
    path("isu/reviews/<int:pk>/", review.review_detail, name="review_detail"),
    path("isu/reviews/<int:pk>/start/", review.review_start, name="review_start"),
    path("isu/reviews/<int:pk>/request-changes/", review.review_request_changes, name="review_request_changes"),
    path("isu/reviews/<int:pk>/accept/", review.review_accept, name="review_accept"),
    path("isu/reviews/<int:pk>/publish/", review.review_publish, name="review_publish"),
    path("isu/reviews/<int:pk>/comments/", review.comment_add, name="comment_add"),
    path("isu/reviews/<int:pk>/comments/<int:comment_pk>/resolve/", review.comment_resolve, name="comment_resolve"),
    # PDFs, the Excel round-trip and the public archive: each module lists its own patterns.
    *documents.urlpatterns,
    *workbook.urlpatterns,
    *archive.urlpatterns,
    # Reports the ISU enters from an original received outside the portal, and the State's confirmation.
    *entry.urlpatterns,
    # The national reporting team: forms given to contributors, with internal due dates.
    *team.urlpatterns,
    *team_isu.urlpatterns,
]

from django.urls import path

from reporting.views import archive, documents, entry, focal, review, workbook

app_name = "reporting"

urlpatterns = [
    # Focal points (and anyone allowed to read a report: see reporting.access)
    path("reporting/", focal.my_reports, name="my_reports"),
    path("reporting/start/", focal.report_start, name="report_start"),
    path("reporting/<int:pk>/", focal.report_detail, name="report_detail"),
    path("reporting/<int:pk>/cover/", focal.report_cover, name="report_cover"),
    path("reporting/<int:pk>/forms/<str:code>/", focal.report_form, name="report_form"),
    path("reporting/<int:pk>/settings/", focal.report_settings, name="report_settings"),
    path("reporting/<int:pk>/nil/", focal.report_nil, name="report_nil"),
    path("reporting/<int:pk>/submit/", focal.report_submit, name="report_submit"),
    path("reporting/<int:pk>/recall/", focal.report_recall, name="report_recall"),
    path("reporting/<int:pk>/correct/", focal.report_correct, name="report_correct"),
    path("reporting/<int:pk>/v<int:number>/", focal.version_detail, name="version_detail"),
    path("reporting/<int:pk>/comments/<int:comment_pk>/reply/", focal.comment_reply, name="comment_reply"),
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
]

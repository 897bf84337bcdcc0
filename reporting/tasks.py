from celery import shared_task

from reporting import notifications


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_reviewers_of_submission(version_id: int) -> int:
    return notifications.submission_received(version_id=version_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_focal_points(report_id: int, event: str) -> int:
    return notifications.review_outcome(report_id=report_id, event=event)

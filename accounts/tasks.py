from celery import shared_task

from accounts import services


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(self, invitation_id: int) -> bool:
    # Idempotent: the service sends only while the invitation has no ``sent_at``.
    return services.send_invitation_email(invitation_id=invitation_id)

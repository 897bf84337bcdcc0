from celery import shared_task

from ccm_portal.core.tasks import redelivered
from progress import exports


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def render_dashboard_pdf(self, pdf_id: int) -> str:
    """Render one ``DashboardPdf``; a duplicate delivery finds it ready (or in hand) and does nothing. A message
    delivered again after its worker died (killed mid-render) takes over the render that worker left."""
    rendered = exports.render(
        pdf_id, final_attempt=self.request.retries >= self.max_retries, redelivered=redelivered(self.request)
    )
    return rendered.status if rendered is not None else "gone"

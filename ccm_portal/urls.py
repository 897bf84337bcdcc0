from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts import views as accounts_views
from api.v1 import api
from ccm_portal import views
from ccm_portal.core import jsi18n, metrics

# The admin signs in through allauth, so its login is rate-limited and asks for the second factor.
admin.site.login = secure_admin_login(admin.site.login)
# ... and opens only to ISU staff whose session gave the second factor (not merely ``is_staff``).
admin.site.has_permission = lambda request: permissions.may_use_admin(request.user)
admin.site.site_header = _("CCM Portal administration")
admin.site.site_title = _("CCM Portal")
admin.site.index_title = _("ISU registry")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("", include("parties.urls")),
    path("", include("accounts.urls")),
    path("", include("reporting.urls")),
    path("", include("deadlines.urls")),
    path("", include("assistance.urls")),
    path("", include("progress.urls")),
    path("", include("ccm_portal.operations.urls")),
    # The open-data API: OpenAPI at /api/v1/openapi.json, browsable at /api/v1/docs/ (api/v1.py).
    path("api/v1/", api.urls),
    # Before allauth's own URLs: users may not change the address their invitation fixed.
    path("accounts/email/", accounts_views.email_fixed, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The scripts' own words and the page's number formats, per language (ccm_portal/core/jsi18n.py).
    path("jsi18n/", jsi18n.javascript_catalog, name="javascript_catalog"),
    # For the Prometheus scraper only (CCM_METRICS_ALLOWED_IPS, CCM_METRICS_TOKEN); 404 for everyone else.
    path("metrics", metrics.scrape, name="metrics"),
    path("admin/", admin.site.urls),
]

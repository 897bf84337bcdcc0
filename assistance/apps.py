from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    """Article 6 assistance requests, offers and their matching."""

    name = "assistance"
    verbose_name = _("Cooperation and assistance")

    def ready(self) -> None:
        from assistance.checks import assistance_against_registry
        from parties import reference
        from reporting import checks

        # The review's cross-checks include Form I against the deliveries recorded here.
        checks.register(assistance_against_registry)

        # Country coalitions and the records of the concept (assistance.resources): one file, two models.
        reference.register(
            60,
            "country_coalitions.csv",
            "assistance.resources.CoalitionResource",
            "Country coalitions with their launch date or a bound, and their source.",
        )
        reference.register(
            61,
            "country_coalitions.csv",
            "assistance.resources.CoalitionEventResource",
            "Events of the country coalition concept, and coalitions only discussed.",
        )

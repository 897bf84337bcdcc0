"""The rules reports follow: the reporting format's versions (its forms, fields and tables as data) and the
rules the public sources leave open (``ReportingRules``, one row the ISU edits in the admin)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from reporting.formats import FormatDefinition
from reporting.formats.messages import translated

SOURCE_LANGUAGE = "en"


class FormatVersion(models.Model):
    """One version of the reporting format (forms, fields, tables) as data, with its texts' translations
    (``translations``: ``{language: {english text: translation}}``, from ``reporting/formats/locale``)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    definition = models.JSONField(_("definition"))
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    is_current = models.BooleanField(_("used for new reports"), default=False)
    adopted_at = models.CharField(_("adopted at"), max_length=100, blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("reporting format version")
        verbose_name_plural = _("reporting format versions")
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_format")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def spec(self) -> FormatDefinition:
        """The definition in the reader's language (the active one): what pages, the PDF and the API show."""
        return self.spec_in(translation.get_language())

    @property
    def source_spec(self) -> FormatDefinition:
        """The definition in English, its source language: for machine use (open data, stable labels)."""
        return self.spec_in(SOURCE_LANGUAGE)

    def language_of(self, language: str | None) -> str:
        """The language of ``translations`` that ``language`` reads ("fr-ch" reads "fr"), or English."""
        code = (language or SOURCE_LANGUAGE).lower().replace("_", "-")
        for candidate in (code, code.split("-")[0]):
            if candidate in (self.translations or {}):
                return candidate
        return SOURCE_LANGUAGE

    def spec_in(self, language: str | None) -> FormatDefinition:
        """The definition in ``language``, each text without a translation in English; built once per
        language and instance."""
        code = self.language_of(language)
        cache: dict[str, FormatDefinition] = self.__dict__.setdefault("_specs", {})
        if code not in cache:
            catalogue: dict[str, Any] = (self.translations or {}).get(code) or {}
            # The qualifiers' labels are the portal's catalogue strings, read in the same language.
            with translation.override(code):
                cache[code] = FormatDefinition.from_dict(translated(self.definition, catalogue))
        return cache[code]


class ReportingRules(models.Model):
    """Rules the public sources leave open, kept as one row the ISU edits in the admin."""

    class FirstAnnual(models.TextChoices):
        # Domain brief, section 5: when the first annual update falls due is UNVERIFIED.
        YEAR_OF_ENTRY_INTO_FORCE = "eif_year", _("The first annual update covers the year of entry into force")
        YEAR_AFTER_INITIAL_DUE = (
            "after_initial",
            _("The first annual update covers the first full calendar year after the initial report was due"),
        )

    first_annual_period = models.CharField(
        _("first annual update"),
        max_length=20,
        choices=FirstAnnual.choices,
        default=FirstAnnual.YEAR_OF_ENTRY_INTO_FORCE,
    )
    year_on_year_warning_percent = models.DecimalField(
        _("warn when a total changes by more than (%)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("25.0"),
        help_text=_("Year-on-year checks are warnings that ask for an explanation, never rejections."),
    )
    records_complete_from = models.DateField(
        _("the portal is the complete record of reports due from"),
        default=dt.date(2026, 1, 1),
        help_text=_(
            "A report due on or after this day and not in the portal counts as not submitted. For reports due "
            "before it, only a source can say a report was not sent: without one the portal shows “no record”."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reporting rules")
        verbose_name_plural = _("reporting rules")

    def __str__(self) -> str:
        return str(_("Reporting rules"))

    @classmethod
    def current(cls) -> ReportingRules:
        rules, _created = cls.objects.get_or_create(pk=1)
        return rules

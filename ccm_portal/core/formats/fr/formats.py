"""fr numbers from CLDR (see ccm_portal.core.formats); dates stay Django's."""

from ccm_portal.core.formats import cldr_numbers

DECIMAL_SEPARATOR, THOUSAND_SEPARATOR, NUMBER_GROUPING = cldr_numbers("fr")

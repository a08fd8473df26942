"""What people see for each facet value, in every language: the one source of facet
labels (their Dutch wording here, every other language's in its catalog). Keys are
`<facet field>.<value as the API names it>` (`route.B1`, `price_band.FROM_2500_TO_5000`);
the API answers each label in the request's language with its key beside it, for clients
that keep their own wording.

Values without an entry are shown as the backend names them: regions by their own name
and levels by their CEFR code, the same in every language.
"""

from __future__ import annotations

from market.kernel import catalogs
from market.kernel.i18n import Language

# Label key -> its Dutch wording: the source text, translated into every other language
# in the `labels` catalogs (market/locale/<language>/LC_MESSAGES/labels.po, the key as
# msgctxt).
FACET_LABELS: dict[str, str] = {
    "route.B1": "B1-route",
    "route.ONDERWIJS": "Onderwijsroute",
    "route.Z": "Z-route",
    "schedule_kind.DAYTIME": "Overdag",
    "schedule_kind.EVENING": "Avond",
    "schedule_kind.WEEKEND": "Weekend",
    "format.CLASSROOM": "Klassikaal",
    "format.ONLINE": "Online",
    "format.BLENDED": "Blended",
    "certification.CERTIFIED": "Blik op Werk keurmerk",
    "certification.UNCERTIFIED": "Zonder keurmerk",
    "price_band.UNDER_2500": "tot € 2.500",
    "price_band.FROM_2500_TO_5000": "€ 2.500 tot 5.000",
    "price_band.FROM_5000_TO_7500": "€ 5.000 tot 7.500",
    "price_band.FROM_7500_TO_10000": "€ 7.500 tot 10.000",
    "price_band.FROM_10000": "€ 10.000 of meer",
}


def label_key(field: str, value: str) -> str:
    return f"{field}.{value}"


def facet_label(key: str, language: Language, *, named: str) -> str:
    """The label of the value under `key` in `language`; `named` (the backend's name for
    it) for a value that has no entry."""
    dutch = FACET_LABELS.get(key)
    if dutch is None:
        return named
    return str(catalogs.translations("labels", language).pgettext(key, dutch))

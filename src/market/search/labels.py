"""What people see for each facet value, in every language: the one source of facet
labels (their Dutch wording here, every other language's in its catalog). Keys are
`<facet field>.<value as the API names it>` (`route.B1`, `price_band.FROM_2500_TO_5000`);
the API answers each label in the request's language with its key beside it, for clients
that keep their own wording.

Values without an entry are shown as the backend names them: regions by their own name
and levels by their CEFR code, the same in every language.

Support languages (`support_language.<code>`, the codes of
market.catalog.policies.SUPPORT_LANGUAGES) are named here too: `support_language_options`
lists them for a page's language choice.
"""

from __future__ import annotations

from market.catalog.policies import SUPPORT_LANGUAGES
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
    "support_language.am": "Amhaars",
    "support_language.ar": "Arabisch",
    "support_language.bg": "Bulgaars",
    "support_language.en": "Engels",
    "support_language.es": "Spaans",
    "support_language.fa": "Perzisch (Farsi)",
    "support_language.fr": "Frans",
    "support_language.hi": "Hindi",
    "support_language.ku": "Koerdisch",
    "support_language.pl": "Pools",
    "support_language.prs": "Dari",
    "support_language.ps": "Pasjtoe",
    "support_language.pt": "Portugees",
    "support_language.rif": "Tarifit (Riffijns)",
    "support_language.ro": "Roemeens",
    "support_language.ru": "Russisch",
    "support_language.so": "Somalisch",
    "support_language.ti": "Tigrinya",
    "support_language.tr": "Turks",
    "support_language.uk": "Oekraïens",
    "support_language.ur": "Urdu",
    "support_language.zh": "Chinees",
}
# The facet field of the support languages (criteria.FacetField.SUPPORT_LANGUAGE).
SUPPORT_LANGUAGE = "support_language"


def label_key(field: str, value: str) -> str:
    return f"{field}.{value}"


def facet_label(key: str, language: Language, *, named: str) -> str:
    """The label of the value under `key` in `language`; `named` (the backend's name for
    it) for a value that has no entry."""
    dutch = FACET_LABELS.get(key)
    if dutch is None:
        return named
    return str(catalogs.translations("labels", language).pgettext(key, dutch))


def support_language_label(code: str, language: Language) -> str:
    return facet_label(label_key(SUPPORT_LANGUAGE, code), language, named=code)


def support_language_options(language: Language) -> list[tuple[str, str]]:
    """Every support language a course may declare, as (code, label in `language`), in
    the alphabetical order of the labels: a page's choice of languages."""
    options = [(code, support_language_label(code, language)) for code in SUPPORT_LANGUAGES]
    return sorted(options, key=lambda option: option[1].casefold())

"""What people see for each facet value, in every language: the one source of facet
labels. Keys are `<facet field>.<value as the API names it>` (`route.B1`,
`price_band.FROM_2500_TO_5000`); the API answers each label in the request's language
with its key beside it, for clients that keep their own wording.

Values without an entry are shown as the backend names them: regions by their own name
and levels by their CEFR code, the same in every language.

Support languages (`support_language.<code>`, the codes of
market.catalog.policies.SUPPORT_LANGUAGES) are named here too: `support_language_options`
lists them for a page's language choice.
"""

from __future__ import annotations

from market.catalog.policies import SUPPORT_LANGUAGES
from market.kernel.i18n import Language, Texts

NL, EN = Language.NL, Language.EN

FACET_LABELS: Texts = {
    "route.B1": {NL: "B1-route", EN: "B1 route"},
    "route.ONDERWIJS": {NL: "Onderwijsroute", EN: "Education route"},
    "route.Z": {NL: "Z-route", EN: "Z route"},
    "schedule_kind.DAYTIME": {NL: "Overdag", EN: "Daytime"},
    "schedule_kind.EVENING": {NL: "Avond", EN: "Evening"},
    "schedule_kind.WEEKEND": {NL: "Weekend", EN: "Weekend"},
    "format.CLASSROOM": {NL: "Klassikaal", EN: "In a classroom"},
    "format.ONLINE": {NL: "Online", EN: "Online"},
    "format.BLENDED": {NL: "Blended", EN: "Blended"},
    "certification.CERTIFIED": {NL: "Blik op Werk keurmerk", EN: "Blik op Werk quality mark"},
    "certification.UNCERTIFIED": {NL: "Zonder keurmerk", EN: "Without quality mark"},
    "price_band.UNDER_2500": {NL: "tot € 2.500", EN: "up to € 2,500"},
    "price_band.FROM_2500_TO_5000": {NL: "€ 2.500 tot 5.000", EN: "€ 2,500 to 5,000"},
    "price_band.FROM_5000_TO_7500": {NL: "€ 5.000 tot 7.500", EN: "€ 5,000 to 7,500"},
    "price_band.FROM_7500_TO_10000": {NL: "€ 7.500 tot 10.000", EN: "€ 7,500 to 10,000"},
    "price_band.FROM_10000": {NL: "€ 10.000 of meer", EN: "€ 10,000 or more"},
    "support_language.am": {NL: "Amhaars", EN: "Amharic"},
    "support_language.ar": {NL: "Arabisch", EN: "Arabic"},
    "support_language.bg": {NL: "Bulgaars", EN: "Bulgarian"},
    "support_language.en": {NL: "Engels", EN: "English"},
    "support_language.es": {NL: "Spaans", EN: "Spanish"},
    "support_language.fa": {NL: "Perzisch (Farsi)", EN: "Persian (Farsi)"},
    "support_language.fr": {NL: "Frans", EN: "French"},
    "support_language.hi": {NL: "Hindi", EN: "Hindi"},
    "support_language.ku": {NL: "Koerdisch", EN: "Kurdish"},
    "support_language.pl": {NL: "Pools", EN: "Polish"},
    "support_language.prs": {NL: "Dari", EN: "Dari"},
    "support_language.ps": {NL: "Pasjtoe", EN: "Pashto"},
    "support_language.pt": {NL: "Portugees", EN: "Portuguese"},
    "support_language.rif": {NL: "Tarifit (Riffijns)", EN: "Tarifit (Riffian)"},
    "support_language.ro": {NL: "Roemeens", EN: "Romanian"},
    "support_language.ru": {NL: "Russisch", EN: "Russian"},
    "support_language.so": {NL: "Somalisch", EN: "Somali"},
    "support_language.ti": {NL: "Tigrinya", EN: "Tigrinya"},
    "support_language.tr": {NL: "Turks", EN: "Turkish"},
    "support_language.uk": {NL: "Oekraïens", EN: "Ukrainian"},
    "support_language.ur": {NL: "Urdu", EN: "Urdu"},
    "support_language.zh": {NL: "Chinees", EN: "Chinese"},
}
# The facet field of the support languages (criteria.FacetField.SUPPORT_LANGUAGE).
SUPPORT_LANGUAGE = "support_language"


def label_key(field: str, value: str) -> str:
    return f"{field}.{value}"


def facet_label(key: str, language: Language, *, named: str) -> str:
    """The label of the value under `key` in `language`; `named` (the backend's name for
    it) for a value that has no entry."""
    texts = FACET_LABELS.get(key)
    return named if texts is None else texts[language]


def support_language_label(code: str, language: Language) -> str:
    return facet_label(label_key(SUPPORT_LANGUAGE, code), language, named=code)


def support_language_options(language: Language) -> list[tuple[str, str]]:
    """Every support language a course may declare, as (code, label in `language`), in
    the alphabetical order of the labels: a page's choice of languages."""
    options = [(code, support_language_label(code, language)) for code in SUPPORT_LANGUAGES]
    return sorted(options, key=lambda option: option[1].casefold())

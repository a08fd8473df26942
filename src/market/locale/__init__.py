"""The catalogs' folder, and what each domain's texts are: where they come from and the
header of their template. `python -m market.locale` (after changing a source text, an error
fact, a facet label or a page) writes every domain's template (`<domain>.pot`) anew and
brings every catalog in step; then translate what it marks new or fuzzy, and the catalog
test passes again. Reading the catalogs is market.kernel.catalogs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from market.kernel import catalogs
from market.kernel.catalogs import Message

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
# Templates are read as the pages' Jinja2 environment reads them: `{% trans %}` blocks
# trimmed of their line breaks and indentation, and a broken template is an error rather
# than a page whose texts go missing.
WEB_SOURCES = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
WEB_OPTIONS = {"templates/**.html": {"trimmed": "true", "silent": "false"}}


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    messages: Callable[[], list[Message]]
    header: str


def mail_messages() -> list[Message]:
    from market.notifications import messages

    return list(messages.ALL)


def error_messages() -> list[Message]:
    """Every error fact's English message, under its reason."""
    from market.api.graphql.reasons import facts

    return [Message(fact.message, context=fact.reason) for fact in facts()]


def label_messages() -> list[Message]:
    from market.search.labels import FACET_LABELS

    return [Message(dutch, context=key) for key, dutch in FACET_LABELS.items()]


def web_messages(web_dir: Path = WEB_DIR) -> list[Message]:
    """Every text of the pages: `_()`, `gettext` and their kin in the templates and the
    web code, in the order they are first met."""
    if not web_dir.is_dir():
        return []
    found: dict[tuple[object, str | None], Message] = {}
    extracted = extract_from_dir(
        web_dir, WEB_SOURCES, WEB_OPTIONS, DEFAULT_KEYWORDS, strip_comment_tags=True
    )
    for _, _, text, _, context in extracted:
        if isinstance(text, tuple):
            message = Message(text[0], context=context, plural=text[1])
        else:
            message = Message(text, context=context)
        found.setdefault((message.key, context), message)
    return list(found.values())


def _header(what: str, source: str, language: str) -> str:
    return (
        f"# {what}, to translate (the template of every catalog of the domain).\n"
        f"# Source texts ({language}): {source}; written by `python -m market.locale`.\n"
        "# A catalog per language: locale/<language>/LC_MESSAGES/<domain>.po; fill in every\n"
        "# msgstr, keeping exactly the {placeholders} and %(placeholders)s of its msgid."
    )


DOMAINS = {
    domain.name: domain
    for domain in (
        Domain(
            "mails",
            mail_messages,
            _header("The texts of market's mails", "market/notifications/messages.py", "en"),
        ),
        Domain(
            "errors",
            error_messages,
            _header(
                "The message of every error reason (msgctxt: the reason)",
                "each DomainError fact's message",
                "en",
            ),
        ),
        Domain(
            "labels",
            label_messages,
            _header(
                "The search's facet labels (msgctxt: the label key)",
                "market/search/labels.py",
                "nl",
            ),
        ),
        Domain(
            "web",
            web_messages,
            _header(
                "The texts of the learners' pages",
                "market/web/templates and market/web/**.py",
                "nl",
            ),
        ),
    )
}


def update() -> None:
    for domain in DOMAINS.values():
        catalogs.update(domain.name, domain.messages(), domain.header)

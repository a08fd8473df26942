"""Dutch synonyms for the free-text search, read from synonyms.txt in the search
configuration folder (MARKET_SEARCH_CONFIG_DIR; by default the one the package ships,
`market/search/config`, which is the repository's top-level search/ folder).

The file is shared with the Meilisearch index settings: one group of equivalent terms per
line, separated by commas; `#` starts a comment. A term may be several words. Matching
ignores case and accents.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FILE_NAME = "synonyms.txt"
# The configuration the package ships: a link to the repository's search/ folder in a
# checkout, its copy in an installed package.
PACKAGED_CONFIG_DIR = Path(__file__).resolve().parent / "config"


def config_dir(configured: Path | None) -> Path:
    """The search configuration folder: the configured one, else the packaged one."""
    return configured or PACKAGED_CONFIG_DIR


_WORD = re.compile(r"[0-9a-z]+(?:-[0-9a-z]+)*")


def normalise(text: str) -> str:
    """Lower-case, accents removed: 'Oriëntatie' -> 'orientatie'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


@dataclass(frozen=True, eq=False)
class Thesaurus:
    """The groups of one synonyms file, by each term's words. Read once and compared by
    identity: statements are cached per search with it among their keys."""

    by_term: Mapping[tuple[str, ...], tuple[str, ...]]
    longest: int  # the most words a term has


@cache
def load(path: Path) -> Thesaurus:
    """Every group of equivalent terms, normalised (each term's words joined by a space)."""
    by_term: dict[tuple[str, ...], tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        group = tuple(
            dict.fromkeys(" ".join(words(term)) for term in line.split(",") if words(term))
        )
        if len(group) < 2:
            continue
        for term in group:
            key = tuple(term.split())
            by_term[key] = tuple(dict.fromkeys((*by_term.get(key, ()), *group)))
    return Thesaurus(by_term, max((len(key) for key in by_term), default=1))


def expand(query: str, thesaurus: Thesaurus) -> list[tuple[str, ...]]:
    """The query as a list of clauses that must all match; each clause is one or more
    alternative phrases. At every position the longest synonym term wins:
    'avondles in Utrecht' -> [('avondles', 'avondlessen', ...), ('in',), ('utrecht',)]."""
    tokens = words(query)
    clauses: list[tuple[str, ...]] = []
    position = 0
    while position < len(tokens):
        for size in range(min(thesaurus.longest, len(tokens) - position), 0, -1):
            key = tuple(tokens[position : position + size])
            if key in thesaurus.by_term:
                clauses.append(thesaurus.by_term[key])
                position += size
                break
        else:
            clauses.append((tokens[position],))
            position += 1
    return clauses

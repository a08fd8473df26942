"""Dutch synonyms for the free-text search, read from the top-level search/synonyms.txt.

The file is shared with the Meilisearch index settings: one group of equivalent terms per
line, separated by commas; `#` starts a comment. A term may be several words. Matching
ignores case and accents.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

# src/market/search/synonyms.py -> the repository's search/ folder (plain files, not a
# package). An installation without it searches without synonyms.
SYNONYMS_FILE = Path(__file__).resolve().parents[3] / "search" / "synonyms.txt"

_WORD = re.compile(r"[0-9a-z]+(?:-[0-9a-z]+)*")


def normalise(text: str) -> str:
    """Lower-case, accents removed: 'Oriëntatie' -> 'orientatie'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


@cache
def groups(path: Path = SYNONYMS_FILE) -> tuple[tuple[str, ...], ...]:
    """Every group as its normalised terms (each term's words joined by one space)."""
    if not path.is_file():
        return ()
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        terms = tuple(
            dict.fromkeys(" ".join(words(term)) for term in line.split(",") if words(term))
        )
        if len(terms) > 1:
            found.append(terms)
    return tuple(found)


def expand(query: str, path: Path = SYNONYMS_FILE) -> list[tuple[str, ...]]:
    """The query as a list of clauses that must all match; each clause is one or more
    alternative phrases. At every position the longest synonym term wins:
    'avondles in Utrecht' -> [('avondles', 'avondlessen', ...), ('in',), ('utrecht',)]."""
    by_term: dict[tuple[str, ...], tuple[str, ...]] = {}
    for group in groups(path):
        for term in group:
            key = tuple(term.split())
            by_term[key] = tuple(dict.fromkeys((*by_term.get(key, ()), *group)))
    longest = max((len(key) for key in by_term), default=1)
    tokens = words(query)
    clauses: list[tuple[str, ...]] = []
    position = 0
    while position < len(tokens):
        for size in range(min(longest, len(tokens) - position), 0, -1):
            key = tuple(tokens[position : position + size])
            if key in by_term:
                clauses.append(by_term[key])
                position += size
                break
        else:
            clauses.append((tokens[position],))
            position += 1
    return clauses

"""The package as a deployment installs it (a wheel, no source tree beside it) carries what
it reads at run time: the search settings as data and the migrations, which live in the
repository's top-level search/ and migrations/ folders (linked into the package), and the
message catalogs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".data",
    ".bench",
    "build",
    "dist",
    "*.egg-info",
    ".*_cache",
    ".hypothesis",
    "__pycache__",
)

# Run by the installed package, from a folder that has no search/ of its own.
PROBE = """
import json, market
from market.db import migrate
from market.search import synonyms
from market.search.meilisearch import load_settings
from market.kernel import catalogs
from market.kernel.catalogs import error_text
from market.notifications import messages
from market.notifications.render import Words
from market.search.errors import RadiusOutOfRange
config = synonyms.config_dir(None)
thesaurus = synonyms.load(config / synonyms.FILE_NAME)
print(json.dumps({
    "package": market.__file__,
    "config": str(config),
    "avondles": list(thesaurus.by_term.get(("avondles",), ())),
    "stop_words": len(load_settings(config).stop_words or []),
    "heads": sorted(migrate.head_revisions()),
    "catalogs": str(catalogs.LOCALE_DIR),
    "dutch": Words("nl").write(messages.CANCELLED.subject, {"course": "B1"}),
    "error": error_text(RadiusOutOfRange(1, 250), "nl"),
}))
"""


def test_an_installed_wheel_searches_with_its_own_settings_and_migrates() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        # Built from a copy: setuptools leaves build/ in the tree it builds, and a stale one
        # would put files since removed into the next wheel.
        source = work / "source"
        shutil.copytree(ROOT, source, symlinks=True, ignore=_NOT_SOURCE)
        subprocess.run(  # noqa: S603 (the test's own interpreter)
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work), str(source)],
            check=True,
            timeout=300,
        )
        (wheel,) = work.glob("market-*.whl")
        names = zipfile.ZipFile(wheel).namelist()
        assert "market/search/config/synonyms.txt" in names
        assert "market/search/config/index-settings.json" in names
        assert "market/db/migrations/env.py" in names
        assert "market/search/sql/refresh.sql" in names
        assert "market/locale/nl/LC_MESSAGES/mails.po" in names
        assert "market/locale/nl/LC_MESSAGES/errors.po" in names
        assert "market/locale/ti/LC_MESSAGES/labels.po" in names
        assert "market/locale/errors.pot" in names
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
             str(work / "site"), str(wheel)],
            check=True,
            timeout=300,
        )  # fmt: skip
        probe = subprocess.run(  # noqa: S603
            [sys.executable, "-c", PROBE],
            cwd=work,
            env={"PYTHONPATH": str(work / "site"), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    found = json.loads(probe.stdout)
    assert found["package"].startswith(str(work / "site"))
    assert found["config"].startswith(str(work / "site"))
    assert "avondlessen" in found["avondles"]
    assert found["stop_words"] > 0
    assert found["heads"]
    assert found["catalogs"].startswith(str(work / "site"))
    assert found["dutch"] == "Uw boeking is geannuleerd: B1"
    assert found["error"] == "Zoek binnen 1 tot 250 km."

"""The key the pages' CSRF tokens are signed with: the configured one, or one made once per
installation and then read by every process (and after every restart)."""

from __future__ import annotations

from pathlib import Path

from market.settings import Settings
from market.web.routes import secret_key


def test_the_configured_key_is_used(tmp_path: Path) -> None:
    assert secret_key(Settings(secret_key="configured", data_dir=tmp_path)) == "configured"
    assert not (tmp_path / "secret_key").exists()


def test_without_one_a_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    made = secret_key(settings)
    assert len(made) >= 48
    assert secret_key(settings) == made  # another process, or a restart, reads the same
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [path.name for path in (tmp_path / "data").iterdir()] == ["secret_key"]

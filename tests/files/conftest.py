from __future__ import annotations

from pathlib import Path

import pytest

from market.files import FolderStore


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "files"


@pytest.fixture
def store(root: Path) -> FolderStore:
    return FolderStore(root)

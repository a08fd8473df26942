from __future__ import annotations

from pathlib import Path

from market.settings import Settings


def test_documents_go_under_the_data_folder_up_to_25_mib_by_default() -> None:
    settings = Settings.from_env({})

    assert settings.files_dir == Path(".data/files")
    assert settings.max_document_bytes == 25 * 1024 * 1024


def test_the_folder_and_the_limit_are_set_from_the_environment() -> None:
    settings = Settings.from_env(
        {"MARKET_FILES_DIR": "/srv/market/files", "MARKET_MAX_DOCUMENT_BYTES": "1048576"}
    )

    assert settings.files_dir == Path("/srv/market/files")
    assert settings.max_document_bytes == 1_048_576

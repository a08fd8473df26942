"""The deployment descriptors in infra/ agree with the code: every MARKET_* variable they
set is a real setting, the example environment file lists them all with their defaults,
and every command they run is a `market` command. (Docker can't run here; this is the
check.)"""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import pytest
import yaml

from market import cli
from market.settings import PREFIX, Settings, setting_names

INFRA = Path(__file__).resolve().parents[2] / "infra"
UNITS = ["market.service", "market-worker.service"]


def is_market_command(argv: list[str]) -> bool:
    """`market <group> ... <command>` names a command of the CLI (options aside)."""
    if not argv or Path(argv[0]).name != "market":
        return False
    command: click.Command = cli.main
    for word in argv[1:]:
        if word.startswith("-"):
            break
        if not isinstance(command, click.Group) or word not in command.commands:
            return False
        command = command.commands[word]
    return not isinstance(command, click.Group)


def read_env_file(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, sep, value = line.partition("=")
            assert sep, f"not NAME=value: {line!r}"
            assert name not in pairs, f"{name} listed twice"
            pairs[name] = value
    return pairs


def compose() -> dict[str, Any]:
    return yaml.safe_load((INFRA / "compose.yaml").read_text(encoding="utf-8"))


def unit(name: str) -> configparser.ConfigParser:
    # systemd allows repeated keys; interpolation would trip over `%` specifiers.
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(INFRA / name, encoding="utf-8")
    return parser


def test_the_example_env_file_lists_every_setting_with_its_default() -> None:
    example = read_env_file(INFRA / "market.env.example")
    assert sorted(example) == sorted(setting_names())
    assert Settings.from_env(example) == Settings()


def test_every_setting_in_the_example_env_file_is_explained() -> None:
    lines = (INFRA / "market.env.example").read_text(encoding="utf-8").splitlines()
    # Each setting sits in a block of NAME=value lines introduced by a comment.
    for number, line in enumerate(lines):
        if line.startswith(PREFIX):
            block_start = number
            while block_start > 0 and lines[block_start - 1].startswith(PREFIX):
                block_start -= 1
            assert lines[block_start - 1].startswith("#") if block_start else False, line


@pytest.mark.parametrize("service", ["app", "worker"])
def test_compose_app_and_worker_share_one_image_and_real_settings(service: str) -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "meilisearch", "app", "worker"}
    config = services[service]
    assert config["image"] == services["app"]["image"]
    assert config["build"] == {"context": "..", "dockerfile": "infra/Dockerfile"}
    assert (INFRA / ".." / config["build"]["dockerfile"]).is_file()

    environment = config["environment"]
    assert set(environment) <= set(setting_names())
    assert urlsplit(environment["MARKET_DATABASE_URL"]).hostname == "postgres"
    assert urlsplit(environment["MARKET_MEILISEARCH_URL"]).hostname == "meilisearch"
    assert environment["MARKET_EMBEDDED_WORKER"] == "false"


def test_compose_runs_serve_and_worker() -> None:
    services = compose()["services"]
    assert services["app"]["command"] == ["market", "serve"]
    assert services["worker"]["command"] == ["market", "worker"]
    assert all(is_market_command(services[name]["command"]) for name in ("app", "worker"))


def test_the_image_serves_by_default() -> None:
    lines = (INFRA / "Dockerfile").read_text(encoding="utf-8").splitlines()
    [cmd] = [line for line in lines if line.startswith("CMD ")]
    assert yaml.safe_load(cmd.removeprefix("CMD ")) == ["market", "serve"]


@pytest.mark.parametrize(
    ("name", "subcommand"), [("market.service", "serve"), ("market-worker.service", "worker")]
)
def test_systemd_units_run_market_commands_with_the_env_file(name: str, subcommand: str) -> None:
    service = unit(name)["Service"]
    argv = shlex.split(service["ExecStart"])
    assert is_market_command(argv)
    assert argv[1:] == [subcommand]
    assert service["EnvironmentFile"] == "/etc/market/market.env"
    for assignment in shlex.split(service.get("Environment", "")):
        assert assignment.partition("=")[0] in setting_names()


def test_the_command_check_itself_rejects_what_is_not_a_command() -> None:
    assert is_market_command(["market", "db", "upgrade"])
    assert not is_market_command(["market", "db"])
    assert not is_market_command(["market", "work"])
    assert not is_market_command(["uvicorn", "serve"])

"""The deploy files agree with the code: fly.toml, the Dockerfile and the lock files."""

from __future__ import annotations

import os
import pwd
import re
import subprocess
import tempfile
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.config import Settings
from bot.transport.http import HEALTH_PATH

ROOT = Path(__file__).resolve().parents[1]


def _fly() -> dict[str, object]:
    return tomllib.loads((ROOT / "fly.toml").read_text(encoding="utf-8"))


def test_fly_toml_runs_one_webhook_machine_with_sqlite_on_the_volume() -> None:
    fly = _fly()
    env = fly["env"]
    service = fly["http_service"]
    assert isinstance(env, dict)
    assert isinstance(service, dict)
    assert service["internal_port"] == int(env["PORT"]) == Settings.model_fields["port"].default
    [check] = service["checks"]
    assert check["path"] == HEALTH_PATH
    assert check["method"] == "GET"
    mounts = fly["mounts"]
    assert isinstance(mounts, dict)
    database_path = env["DATABASE_URL"].removeprefix("sqlite+aiosqlite:///")
    assert database_path.startswith(mounts["destination"] + "/")
    assert int(str(fly["kill_timeout"]).removesuffix("s")) >= 30
    assert urlsplit(env["WEBHOOK_URL"]).scheme == "https"
    assert service["min_machines_running"] == 1
    assert service["auto_stop_machines"] in ("off", False)


def test_fly_toml_holds_no_secrets() -> None:
    env = _fly()["env"]
    assert isinstance(env, dict)
    assert not {"TELEGRAM_BOT_TOKEN", "OPENAI_API_KEY", "WEBHOOK_SECRET"} & set(env)


def test_dockerfile_installs_from_the_lock_and_copies_no_secrets() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    copies = [line for line in dockerfile.splitlines() if line.startswith("COPY")]
    assert not any(re.search(r"COPY\s+\.\s", line) for line in copies), "copy named paths only"
    assert not any(".env" in line for line in copies)
    assert 'ENTRYPOINT ["fitcoach-entrypoint"]' in dockerfile  # drops root before the bot runs
    assert "deploy/entrypoint.sh /usr/local/bin/fitcoach-entrypoint" in dockerfile
    assert 'CMD ["python", "-m", "bot"]' in dockerfile
    assert re.search(r"^FROM python:3\.1[1-9]-slim", dockerfile, re.MULTILINE)
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored
    assert ".venv" in ignored


def _locked(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)", line)
        if match:
            pins[match[1].lower().replace("_", "-")] = match[2]
    return pins


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_lock_files_cover_pyproject_and_agree() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = _locked("requirements.lock")
    dev = _locked("requirements-dev.lock")
    for requirement in project["dependencies"]:
        assert _requirement_name(requirement) in runtime, requirement
    for requirement in project["optional-dependencies"]["dev"]:
        assert _requirement_name(requirement) in dev, requirement
    assert {name: dev[name] for name in runtime} == runtime


def test_readme_documents_every_setting_and_command() -> None:
    from bot.handlers.commands import COMMANDS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for field in Settings.model_fields:
        assert f"`{field.upper()}`" in readme, field
    for command in COMMANDS:
        assert f"/{command.name}" in readme, command.name
    assert "make run" in readme
    assert "make test" in readme


ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"


@pytest.mark.skipif(os.geteuid() != 0, reason="changing owners and users needs root")
def test_entrypoint_hands_a_root_owned_volume_to_the_user_and_drops_root() -> None:
    # Outside pytest's tmp_path, whose parents only root may enter, like a volume's mount point.
    with tempfile.TemporaryDirectory() as mount:
        Path(mount).chmod(0o755)
        _check_entrypoint_on(Path(mount) / "data")


def _check_entrypoint_on(volume: Path) -> None:
    volume.mkdir()
    (volume / "fitcoach.db").write_bytes(b"")
    nobody = pwd.getpwnam("nobody")
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "sh", "-c", 'id -u; touch "$FITCOACH_DATA_DIR/written"'],
        env={**os.environ, "FITCOACH_DATA_DIR": str(volume), "FITCOACH_USER": "nobody"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == [str(nobody.pw_uid)]  # the command ran unprivileged
    assert volume.stat().st_uid == nobody.pw_uid
    assert (volume / "fitcoach.db").stat().st_uid == nobody.pw_uid
    assert (volume / "written").stat().st_uid == nobody.pw_uid


def test_entrypoint_runs_the_command_as_is_when_not_root(tmp_path: Path) -> None:
    script = ENTRYPOINT.read_text(encoding="utf-8")
    assert script.startswith("#!/bin/sh")
    assert 'exec setpriv --reuid="$uid" --regid="$gid" --init-groups -- "$@"' in script
    # With `id -u` answering non-zero the script only execs its arguments.
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "id").write_text("#!/bin/sh\necho 1000\n", encoding="utf-8")
    (fake_bin / "id").chmod(0o755)
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "echo", "ran"],
        env={**os.environ, "PATH": f"{fake_bin}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "ran"

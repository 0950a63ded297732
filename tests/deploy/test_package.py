"""deploy.package's parts that need no build: the settings Zappa packages from, the trimming of the
packaging environment, the budget. The build itself is exercised by test_rehearsal.py."""

from __future__ import annotations

import compileall
import json
import sys
import zipfile
from pathlib import Path

import pytest

from deploy import package
from deploy.package import (
    BASE_DIR,
    PackageError,
    PackageResult,
    bytecode_only,
    finish_archive,
    package_settings,
    prune,
    stage_settings,
)

MB = 1024 * 1024


def test_it_packages_each_stage_from_our_settings_without_the_deploy_time_policy() -> None:
    settings = json.loads((BASE_DIR / "zappa_settings.json").read_text())

    packaged = package_settings(settings, stage="prd", arch="x86_64")

    # The policy file is generated per AWS account at deploy time; Zappa would read it to package.
    assert not any("attach_policy" in values for values in packaged.values())
    prd = stage_settings(packaged, "prd")
    assert prd["architecture"] == "x86_64"
    assert prd["use_precompiled_packages"] is False  # Zappa's download would put x86_64 wheels in arm64
    assert prd["events"] == settings["dev"]["events"]  # inherited through "extends"
    assert prd["debug"] is False and prd["log_level"] == "INFO"
    # The stage as deployed is untouched.
    assert stage_settings(settings, "prd")["architecture"] == "arm64"


def test_it_keeps_the_tooling_and_the_repositorys_own_folders_out_but_not_botocores_docs() -> None:
    dev = json.loads((BASE_DIR / "zappa_settings.json").read_text())["dev"]

    # "exclude" names match at every depth, in site-packages too: botocore.client imports botocore.docs.
    assert "docs" not in dev["exclude"]
    assert {"deploy", "docs", "bench", "scripts"} <= set(dev["exclude_glob"])


def test_it_trims_other_languages_and_celerys_shell(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    files = [
        "babel/locale-data/root.dat",
        "babel/locale-data/es_CO.dat",
        "babel/locale-data/en_GB.dat",
        "babel/locale-data/fr.dat",
        "django/conf/locale/__init__.py",
        "django/conf/locale/es/formats.py",
        "django/conf/locale/es_MX/formats.py",
        "django/conf/locale/fr/formats.py",
        "allauth/locale/de/LC_MESSAGES/django.mo",
        "allauth/locale/en/LC_MESSAGES/django.mo",
        "prompt_toolkit/__init__.py",
        "prompt_toolkit-3.0.53.dist-info/METADATA",
        "bin/celery",
        "celery/__init__.py",
    ]
    for name in files:
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("x")

    prune(site)

    left = {str(path.relative_to(site)) for path in site.rglob("*") if path.is_file()}
    assert left == {
        "babel/locale-data/root.dat",
        "babel/locale-data/es_CO.dat",
        "babel/locale-data/en_GB.dat",
        "django/conf/locale/__init__.py",
        "django/conf/locale/es/formats.py",
        "django/conf/locale/es_MX/formats.py",
        "allauth/locale/en/LC_MESSAGES/django.mo",
        "celery/__init__.py",
    }


def test_it_keeps_bytecode_but_the_sources_zappa_needs(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    for name in ("app/__init__.py", "app/models.py", "app/migrations/__init__.py", "app/migrations/0001_initial.py"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("VALUE = 1\n")
    assert compileall.compile_dir(site, legacy=True, quiet=1)

    bytecode_only(site)

    left = {str(path.relative_to(site)) for path in site.rglob("*") if path.is_file()}
    assert left == {
        "app/__init__.py",  # else Zappa writes an empty one that shadows the .pyc
        "app/__init__.pyc",
        "app/models.pyc",
        "app/migrations/__init__.py",  # Zappa drops migrations' .pyc
        "app/migrations/0001_initial.py",
    }


@pytest.mark.parametrize(
    ("zipped", "unzipped", "problem"),
    [(51 * MB, 100 * MB, "zipped 51.0 MB > 50 MB"), (40 * MB, 251 * MB, "unzipped 251.0 MB > 250 MB")],
)
def test_the_cli_fails_over_budget(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    zipped: int,
    unzipped: int,
    problem: str,
) -> None:
    def build(stage: str, **kwargs: object) -> PackageResult:
        return PackageResult(
            path=tmp_path / f"{stage}.zip", zipped_bytes=zipped, unzipped_bytes=unzipped, arch="arm64", stage=stage
        )

    monkeypatch.setattr(package, "build_package", build)

    assert package.main(["--stage", "prd"]) == 1
    assert f"prd: over budget: {problem}" in capsys.readouterr().err


def test_the_cli_passes_within_budget(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    built: list[str] = []

    def build(stage: str, **kwargs: object) -> PackageResult:
        built.append(stage)
        return PackageResult(
            path=tmp_path / f"{stage}.zip", zipped_bytes=45 * MB, unzipped_bytes=90 * MB, arch="arm64", stage=stage
        )

    monkeypatch.setattr(package, "build_package", build)

    assert package.main(["--all"]) == 0
    assert built == ["dev", "qas", "prd"]
    assert "prd (arm64)" in capsys.readouterr().out


def elf(machine: int) -> bytes:
    """The start of a 64-bit little-endian ELF shared object for ``machine``."""
    return b"\x7fELF\x02\x01\x01" + bytes(9) + (3).to_bytes(2, "little") + machine.to_bytes(2, "little") + bytes(40)


def test_it_refuses_an_archive_with_a_library_built_for_another_machine(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    archive = tmp_path / "package.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("_cffi_backend.cpython-313-aarch64-linux-gnu.so", elf(0xB7))
        zf.writestr("psycopg_binary/pq.cpython-313-x86_64-linux-gnu.so", elf(0x3E))

    with pytest.raises(
        PackageError, match=r"Not built for arm64: psycopg_binary/pq\.cpython-313-x86_64-linux-gnu\.so$"
    ):
        finish_archive(archive, project_dir=tmp_path / "project", arch="arm64")
    assert archive.exists() and not archive.with_suffix(".tmp.zip").exists()


def test_it_compiles_the_projects_modules_beside_their_source(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "app").mkdir(parents=True)
    (project / "app" / "__init__.py").write_text("")
    (project / "app" / "views.py").write_text("ANSWER = 42\n")
    archive = tmp_path / "package.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("app/__init__.py", "")
        zf.writestr("app/views.py", "ANSWER = 42\n")
        zf.writestr("lib/__init__.py", "")
        zf.writestr("lib/__init__.pyc", b"compiled")
        zf.writestr("lib/core.py", "source")
        zf.writestr("lib/core.pyc", b"compiled")
        zf.writestr("lib/native.so", elf(0x3E))

    finish_archive(archive, project_dir=project, arch="x86_64")

    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        compiled = zf.read(f"app/__pycache__/views.{tag}.pyc")
    # Hash-based and unchecked (flags 0b01): read as is, whatever the timestamps the zip gives the source.
    assert int.from_bytes(compiled[4:8], "little") == 0b01
    assert names == {
        "app/__init__.py",
        f"app/__pycache__/__init__.{tag}.pyc",
        "app/views.py",
        f"app/__pycache__/views.{tag}.pyc",
        "lib/__init__.pyc",
        "lib/core.pyc",
        "lib/native.so",
    }

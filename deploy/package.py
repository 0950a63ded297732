"""The Lambda package of a stage: ``python -m deploy.package --stage prd`` (``make package``).

``zappa package`` zips the project and the site-packages of the virtualenv it is given. The
virtualenv here is not the dev one (518 MB of test tools) but a packaging environment per target
architecture, ``var/package/<arch>``, with ``requirements.txt`` installed as wheels for the Lambda
platform (``pip --platform manylinux... --only-binary=:all:``) plus ``requirements-lambda.txt``
(Zappa's handler) without their dependencies. Zappa's own ``use_precompiled_packages`` is off: it
downloads from pypi.python.org and swallows the error, so an arm64 package would silently carry the
build machine's x86_64 binaries.

The environment is compiled to legacy ``.pyc`` files (next to the ``.py``): Lambda's file system is
read-only, so without them every cold start would compile every module it imports. The archive
keeps the ``.pyc`` only, and the project's own modules get an unchecked-hash ``.pyc`` in their
``__pycache__`` beside their source (tracebacks keep their lines). Static files are collected
first (hashed names, compressed), so whitenoise serves them from the package.

Budget: 250 MB unzipped (Lambda's limit) and 50 MB zipped (direct upload, no slim handler).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STAGES = ("dev", "qas", "prd")
MB = 1024 * 1024
BUDGET_UNZIPPED = 250 * MB
BUDGET_ZIPPED = 50 * MB

# Lambda's architecture names -> the wheel platform tags pip may pick for it. The python3.13 runtime
# runs on Amazon Linux 2023 (glibc 2.34); psycopg-binary's wheels need manylinux_2_28.
PLATFORMS = {
    "arm64": ("manylinux2014_aarch64", "manylinux_2_28_aarch64", "manylinux_2_34_aarch64"),
    "x86_64": ("manylinux2014_x86_64", "manylinux_2_28_x86_64", "manylinux_2_34_x86_64"),
}

# ELF's e_machine of each architecture, to check every shared library in the archive.
ELF_MACHINES = {"arm64": 0xB7, "x86_64": 0x3E}

# What the packaging environment does not carry, beside what zappa_settings.json excludes. Part of
# the environment's stamp: changing it rebuilds the environment.
KEEP_LANGUAGES = ("es", "en")  # settings.LANGUAGES
# celery's interactive shell (`celery shell`, click-repl and what it draws with): a Lambda runs no CLI.
DROP_DISTRIBUTIONS = ("prompt_toolkit", "wcwidth", "click_repl")
# Everything else a --target install leaves beside the packages: console scripts, vendored tests.
DROP_TOP_LEVEL = ("bin",)
PRUNE_RULES = json.dumps({"keep": KEEP_LANGUAGES, "drop": DROP_DISTRIBUTIONS, "top": DROP_TOP_LEVEL, "v": 2})

# Built by `make` (tailwind, the calendar's vendored libraries); collectstatic would miss them silently.
NEXIOQ_REQUIRED_STATIC = ("static/css/app.css", "static/vendor")
# Sources under static/ that are built, not served: tailwind's input (its @import would fail the manifest).
STATIC_IGNORE = ("src/*",)


class PackageError(Exception):
    """The package cannot be built; the message says what to do."""


@dataclass(frozen=True)
class PackageResult:
    path: Path
    zipped_bytes: int
    unzipped_bytes: int
    arch: str
    stage: str

    @property
    def over_budget(self) -> list[str]:
        problems = []
        if self.unzipped_bytes > BUDGET_UNZIPPED:
            problems.append(f"unzipped {self.unzipped_bytes / MB:.1f} MB > {BUDGET_UNZIPPED / MB:.0f} MB")
        if self.zipped_bytes > BUDGET_ZIPPED:
            problems.append(f"zipped {self.zipped_bytes / MB:.1f} MB > {BUDGET_ZIPPED / MB:.0f} MB")
        return problems

    def summary(self) -> str:
        return (
            f"{self.stage} ({self.arch}): {self.path}  zipped {self.zipped_bytes / MB:.1f} MB, "
            f"unzipped {self.unzipped_bytes / MB:.1f} MB"
        )


def host_arch() -> str:
    """This machine's architecture in Lambda's names (the rehearsal runs the package here)."""
    machine = os.uname().machine
    return {"aarch64": "arm64", "arm64": "arm64", "x86_64": "x86_64", "amd64": "x86_64"}[machine.lower()]


def stage_settings(settings: dict[str, dict[str, object]], stage: str) -> dict[str, object]:
    """A stage's settings with what it ``extends`` merged in, as Zappa reads them."""
    if stage not in settings:
        raise PackageError(f"No stage {stage!r} in the Zappa settings (stages: {', '.join(settings)}).")
    own = dict(settings[stage])
    parent = own.pop("extends", None)
    if parent is None:
        return own
    return {**stage_settings(settings, str(parent)), **own}


def build_package(
    stage: str,
    *,
    arch: str | None = None,
    output: Path | None = None,
    project_dir: Path = BASE_DIR,
    requirements: Sequence[Path] = (BASE_DIR / "requirements.txt",),
    handler_requirements: Sequence[Path] = (BASE_DIR / "requirements-lambda.txt",),
    settings_file: Path = BASE_DIR / "zappa_settings.json",
    collectstatic: bool | None = None,
    env_dir: Path | None = None,
    log: bool = True,
) -> PackageResult:
    """Build ``stage``'s Lambda zip for ``arch`` (default: the stage's ``architecture``) and measure it.

    ``project_dir`` is what Zappa zips (its cwd), with ``manage.py``. ``collectstatic`` (default: when
    the project has a ``static/`` folder) collects static files and compiles ``locale/`` first.
    ``env_dir`` holds the packaging environments, one per architecture (default:
    ``project_dir/var/package``); each is rebuilt only when its requirements change.
    """
    project_dir = project_dir.resolve()
    all_settings = json.loads(settings_file.read_text())
    config = stage_settings(all_settings, stage)
    arch = arch or str(config.get("architecture", "x86_64"))
    if arch not in PLATFORMS:
        raise PackageError(f"Unknown architecture {arch!r}: one of {', '.join(PLATFORMS)}.")
    python_version = str(config.get("runtime", "python3.13")).removeprefix("python")
    if f"{sys.version_info.major}.{sys.version_info.minor}" != python_version:
        # The .pyc files are this interpreter's bytecode, and the archive keeps no source beside them.
        raise PackageError(
            f"Build with Python {python_version} (the Lambda runtime), not {sys.version.split()[0]}: "
            "the package carries compiled bytecode only."
        )
    project_name = str(config.get("project_name", project_dir.name))
    output = (output or project_dir / "dist" / f"{project_name}-{stage}.zip").resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.unlink(missing_ok=True)

    # One build at a time per project: collectstatic --clear and a rebuilt environment would pull the
    # floor from under a build running beside it (make package while the suite rehearses, the benchmark).
    with _build_lock(project_dir):
        if collectstatic is None:
            collectstatic = (project_dir / "static").is_dir()
        if collectstatic:
            collect_static(project_dir, say=log)
        venv = packaging_env(
            arch,
            python_version=python_version,
            project_dir=project_dir,
            env_dir=env_dir or project_dir / "var" / "package",
            requirements=requirements,
            handler_requirements=handler_requirements,
            say=log,
        )
        with tempfile.TemporaryDirectory(prefix="zappa-settings-") as tmp:
            zappa_file = Path(tmp) / "zappa_settings.json"
            zappa_file.write_text(json.dumps(package_settings(all_settings, stage=stage, arch=arch), indent=2))
            run_zappa(stage, settings_file=zappa_file, output=output, venv=venv, project_dir=project_dir, say=log)
        finish_archive(output, project_dir=project_dir, arch=arch)
    with zipfile.ZipFile(output) as archive:
        unzipped = sum(info.file_size for info in archive.infolist())
    return PackageResult(
        path=output, zipped_bytes=output.stat().st_size, unzipped_bytes=unzipped, arch=arch, stage=stage
    )


@contextlib.contextmanager
def _build_lock(project_dir: Path) -> Iterator[None]:
    lock_path = project_dir / "var" / "package.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def package_settings(settings: dict[str, dict[str, object]], *, stage: str, arch: str) -> dict[str, dict[str, object]]:
    """The Zappa settings the package is built from: ours, for ``stage`` on ``arch``, built from our environment.

    ``attach_policy`` names a file generated per AWS account at deploy time (``manage.py
    iam_policy``); Zappa reads it when it loads the settings, and a package does not need it.
    """
    result: dict[str, dict[str, object]] = {}
    for name, values in settings.items():
        values = {key: value for key, value in values.items() if key != "attach_policy"}
        if name == stage:
            values.update(use_precompiled_packages=False, architecture=arch)
        result[name] = values
    return result


# ---------------------------------------------------------------- static files and messages


def collect_static(project_dir: Path, *, say: bool = True) -> None:
    """Compiled messages and collected static files (hashed, gzipped), for whitenoise to serve from the package."""
    if project_dir == BASE_DIR:
        missing = [name for name in NEXIOQ_REQUIRED_STATIC if not (project_dir / name).exists()]
        if missing:
            raise PackageError(f"Missing {', '.join(missing)}: run `make setup` first (it builds them).")
    env = {**os.environ, "STATIC_MANIFEST": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the project's own settings (not the suite's)
    env.pop("NEXIOQ_ENV", None)
    manage = [sys.executable, "manage.py"]
    if (project_dir / "locale").is_dir():
        ignore = ["--ignore", ".venv", "--ignore", "node_modules", "--ignore", "var"]
        _run([*manage, "compilemessages", *ignore, "-v", "0"], cwd=project_dir, env=env, what="compilemessages")
    ignore_static = [arg for pattern in STATIC_IGNORE for arg in ("--ignore", pattern)]
    collect = [*manage, "collectstatic", "--noinput", "--clear", "-v", "0", *ignore_static]
    _run(collect, cwd=project_dir, env=env, what="collectstatic")
    if say:
        print(f"Static files collected into {project_dir / 'staticfiles'}", file=sys.stderr)


# ---------------------------------------------------------------- the packaging environment


def packaging_env(
    arch: str,
    *,
    python_version: str,
    project_dir: Path,
    env_dir: Path,
    requirements: Sequence[Path],
    handler_requirements: Sequence[Path],
    say: bool = True,
) -> Path:
    """``<env_dir>/<arch>``, a virtualenv layout Zappa zips: built once per requirements and architecture."""
    venv = env_dir / arch
    site = venv / "lib" / f"python{python_version}" / "site-packages"
    digest = hashlib.sha256()
    for path in (*requirements, *handler_requirements):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(f"{arch}\0{python_version}\0{PRUNE_RULES}".encode())
    stamp = venv / ".stamp"
    if stamp.exists() and stamp.read_text() == digest.hexdigest() and site.is_dir():
        return venv
    if say:
        print(f"Building the packaging environment {venv} ({arch})", file=sys.stderr)
    shutil.rmtree(venv, ignore_errors=True)
    site.mkdir(parents=True)
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
    pip += ["--target", str(site), "--only-binary=:all:", "--implementation", "cp"]
    pip += ["--python-version", python_version, "--upgrade"]
    for platform in PLATFORMS[arch]:
        pip += ["--platform", platform]
    requirement_args = [arg for path in requirements for arg in ("-r", str(path))]
    _run([*pip, *requirement_args], cwd=project_dir, what="pip install (requirements)")
    # The handler's own packages, without the Zappa CLI's dependencies (troposphere, pip-tools, ...).
    handler_args = [arg for path in handler_requirements for arg in ("-r", str(path))]
    _run([*pip, "--no-deps", *handler_args], cwd=project_dir, what="pip install (handler requirements)")
    prune(site)
    _run([sys.executable, "-m", "compileall", "-b", "-q", "-j", "0", str(site)], cwd=project_dir, what="compileall")
    for cache in list(site.rglob("__pycache__")):
        shutil.rmtree(cache)
    bytecode_only(site)
    stamp.write_text(digest.hexdigest())
    return venv


def bytecode_only(site: Path) -> None:
    """Drop each module's source beside its ``.pyc``, but for two kinds Zappa needs as source.

    A package's ``__init__.py`` stays: Zappa writes an empty one into every folder of the zip
    without it, which would shadow the ``__init__.pyc`` (``finish_archive`` drops the source).
    ``migrations/`` keep their sources: Zappa leaves migrations' ``.pyc`` out. Zappa also scans the
    project's sources for ``zappa.websocket`` imports; with its own handler's source gone from
    here, it no longer finds that one and names it the package's WebSocket handler.
    """
    for compiled in list(site.rglob("*.pyc")):
        source = compiled.with_suffix(".py")
        if compiled.parent.name == "migrations":
            compiled.unlink()
        elif source.name != "__init__.py" and source.exists():
            source.unlink()


def prune(site: Path) -> None:
    """Drop what NexioQ never loads on Lambda: other languages' catalogues and locale data, the celery shell."""
    for name in DROP_TOP_LEVEL:
        shutil.rmtree(site / name, ignore_errors=True)
    for distribution in DROP_DISTRIBUTIONS:
        shutil.rmtree(site / distribution, ignore_errors=True)
        for meta in site.glob(f"{distribution}-*.dist-info"):
            shutil.rmtree(meta)
    # Babel's CLDR data, one file per locale (34 MB): the root and our languages'.
    locale_data = site / "babel" / "locale-data"
    if locale_data.is_dir():
        for data in locale_data.glob("*.dat"):
            if data.stem != "root" and not _kept_language(data.stem):
                data.unlink()
    # Django's, allauth's (and any other app's) translations and Django's per-language formats.
    for locale in list(site.rglob("locale")):
        if not locale.is_dir():
            continue
        for language in locale.iterdir():
            if language.is_dir() and language.name != "__pycache__" and not _kept_language(language.name):
                shutil.rmtree(language)


def _kept_language(code: str) -> bool:
    return code.split("_")[0].split("-")[0].lower() in KEEP_LANGUAGES


# ---------------------------------------------------------------- Zappa and the archive


def run_zappa(stage: str, *, settings_file: Path, output: Path, venv: Path, project_dir: Path, say: bool) -> None:
    env = {**os.environ, "VIRTUAL_ENV": str(venv)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-m", "zappa.cli", "package", stage, "-s", str(settings_file), "-o", str(output)]
    _run(command, cwd=project_dir, env=env, what="zappa package", quiet=not say)
    if not output.exists():
        raise PackageError(f"zappa package did not write {output}.")


def finish_archive(path: Path, *, project_dir: Path, arch: str) -> None:
    """Rewrite Zappa's zip: bytecode only for the environment, bytecode beside the source for the project.

    Zappa leaves a ``.py`` out when its ``.pyc`` is newer, but it compares the modification times
    of its own copies, made in directory order: which sources ride along is chance. Here every
    ``.py`` with a ``.pyc`` beside it goes (except in ``migrations/``, where Zappa drops the
    ``.pyc``), and the project's modules get an unchecked-hash ``.pyc`` in ``__pycache__``: the
    zip's 1980 timestamps would fail a timestamp check, and its sources stay for tracebacks.

    Every shared library must be built for ``arch``: one for another machine fails only on Lambda.
    """
    project_modules = {
        entry.name
        for entry in project_dir.iterdir()
        if (entry.is_dir() and (entry / "__init__.py").exists()) or entry.suffix == ".py"
    }
    tag = sys.implementation.cache_tag
    temporary = path.with_suffix(".tmp.zip")
    with (
        zipfile.ZipFile(path) as source,
        zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target,
        tempfile.TemporaryDirectory(prefix="nexioq-pyc-") as tmp,
    ):
        names = set(source.namelist())
        foreign = []
        for info in source.infolist():
            name = info.filename
            parts = name.split("/")
            if name.endswith(".py") and f"{name}c" in names and "migrations" not in parts[:-1]:
                continue
            data = source.read(info)
            if data[:4] == b"\x7fELF" and int.from_bytes(data[18:20], "little") != ELF_MACHINES[arch]:
                foreign.append(name)
            target.writestr(info, data, zipfile.ZIP_DEFLATED)
            if name.endswith(".py") and parts[0] in project_modules and (project_dir / name).is_file():
                compiled = Path(tmp) / "module.pyc"
                py_compile.compile(
                    str(project_dir / name),
                    cfile=str(compiled),
                    dfile=f"/var/task/{name}",
                    doraise=True,
                    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
                )
                folder, _, filename = name.rpartition("/")
                pyc = zipfile.ZipInfo(
                    f"{folder}/__pycache__/{filename[:-3]}.{tag}.pyc"
                    if folder
                    else f"__pycache__/{filename[:-3]}.{tag}.pyc"
                )
                pyc.create_system = 3
                pyc.external_attr = 0o755 << 16
                target.writestr(pyc, compiled.read_bytes(), zipfile.ZIP_DEFLATED)
    if foreign:
        temporary.unlink()
        raise PackageError(f"Not built for {arch}: {', '.join(sorted(foreign))}")
    temporary.replace(path)


def _run(
    command: Sequence[str],
    *,
    cwd: Path,
    what: str,
    env: dict[str, str] | None = None,
    quiet: bool = True,
) -> None:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if not quiet and result.stdout:
        print(result.stdout, end="", file=sys.stderr)
    if result.returncode != 0:
        raise PackageError(f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}".rstrip())


# ---------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.package", description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--stage", choices=STAGES)
    which.add_argument("--all", action="store_true", help="dev, qas and prd")
    parser.add_argument("--arch", choices=sorted(PLATFORMS), help="default: the stage's architecture")
    parser.add_argument("--output", type=Path, help="default: dist/nexioq-<stage>.zip")
    args = parser.parse_args(argv)
    if args.all and args.output:
        parser.error("--output names one archive: use it with --stage")
    stages = STAGES if args.all else (args.stage,)
    failed = False
    for index, stage in enumerate(stages):
        try:
            # The static files are the same for every stage: collected once.
            result = build_package(stage, arch=args.arch, output=args.output, collectstatic=index == 0)
        except PackageError as error:
            print(f"{stage}: {error}", file=sys.stderr)
            return 1
        print(result.summary())
        if result.over_budget:
            print(f"{stage}: over budget: {'; '.join(result.over_budget)}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

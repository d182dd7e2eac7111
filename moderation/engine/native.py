"""The engine compiled to C with mypyc, used when its build matches the sources.

Every chat message passes through ``Engine.review``, so the engine's hot modules (``COMPILED``)
are compiled by mypyc (the compiler that ships with mypy and compiles mypy itself) from the
very same typed sources. ``make install`` runs ``python -m moderation.engine.build``, which
builds them into ``.build/engine/<python tag>/`` (outside the source tree, so a build can
never shadow a source that changed) and writes ``stamp.json`` with each source's SHA-256.

On import, ``moderation.engine`` calls ``activate``: only when the stamp names exactly the
sources on disk (and this Python) is the build put first on the package's ``__path__``;
otherwise the package runs as plain Python, which gives the same verdicts, only slower
(``tests/moderation/test_native.py`` checks both on the same messages). ``BUILD`` in
``moderation.engine`` says which, and why; ``manage.py check --deploy`` warns when it is not
compiled. ``MINIMENTORS_ENGINE=pure`` forces plain Python (the equivalence test uses it).

``C_MODULES`` are hand-written C (``_glance.c``: the first look every message gets), compiled
with the same compiler and flags this Python was built with, into the same build and stamp;
the modules that import them fall back to Python definitions of the same functions.

This module, ``build.py``, ``paths.py``, ``verdict.py``, ``conversation.py`` and
``__init__.py`` are never compiled: they are cheap, or they rely on what compiled code
forbids (``object.__new__`` on a frozen dataclass in ``verdict.py``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from .paths import ENGINE_DIR

__all__ = ["BUILD_ROOT", "COMPILED", "activate", "build", "build_dir", "digest"]

# In import order (a module after the ones it imports), though mypyc needs none.
COMPILED = (
    "tokens",
    "normalise",
    "spam",
    "lexicon",
    "allowed",
    "patterns",
    "contact_pieces",
    "contact",
    "gate",
    "scan",
    # "risk" stays plain Python: compiled, its float weights would be unboxed and boxed again,
    # one float object each instead of one per distinct value (twice the memory).
    "risk_tier",
    "engine",
)
# Hand-written C (the first look every message gets: ``_glance.c``), built beside them; the
# modules that use it fall back to their Python versions when it is not there.
C_MODULES = ("_glance",)
BUILD_ROOT = ENGINE_DIR.parents[1] / ".build" / "engine"
STAMP = "stamp.json"
PACKAGE = ("moderation", "engine")
# mypyc reads the sources with mypy; the project's own settings load the Django plugin,
# which the engine (no Django) does not need.
_MYPY_CONFIG = "[mypy]\nignore_missing_imports = True\nfollow_imports = silent\n"


def build_dir(root: Path = BUILD_ROOT) -> Path:
    """The build for this interpreter (a build is only good for the Python that made it)."""
    return root / sys.implementation.cache_tag


def digest(source_dir: Path = ENGINE_DIR) -> dict[str, str]:
    """SHA-256 of each compiled module's source, by module name (C sources by file name)."""
    sources = {
        name: hashlib.sha256((source_dir / f"{name}.py").read_bytes()).hexdigest()
        for name in COMPILED
    }
    for name in C_MODULES:
        sources[f"{name}.c"] = hashlib.sha256((source_dir / f"{name}.c").read_bytes()).hexdigest()
    return sources


def _built_sources(where: Path) -> dict[str, str] | None:
    """The source digests a build's stamp names, or None when there is no readable stamp."""
    try:
        stamp = json.loads((where / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    sources = stamp.get("sources") if isinstance(stamp, dict) else None
    return sources if isinstance(sources, dict) else None


def activate(package_path: list[str], root: Path = BUILD_ROOT) -> str:
    """Put the compiled modules first on ``package_path`` when their build matches the
    sources; return "compiled", or "pure (<why>)". Never raises: any doubt means pure."""
    if os.environ.get("MINIMENTORS_ENGINE", "").strip().lower() == "pure":
        return "pure (MINIMENTORS_ENGINE=pure)"
    where = build_dir(root)
    built = _built_sources(where)
    if built is None:
        return "pure (not built: run make install)"
    try:
        if built != digest():
            return "pure (the sources changed since the build: run make install)"
    except OSError:
        return "pure (a source could not be read)"
    modules = where.joinpath(*PACKAGE)
    if not all(list(modules.glob(f"{name}.*.so")) for name in (*COMPILED, *C_MODULES)):
        return "pure (the build is incomplete: run make install)"
    # mypyc puts the code of all modules in one shared library at the top of the build.
    if str(where) not in sys.path:
        sys.path.append(str(where))
    package_path.insert(0, str(modules))
    return "compiled"


def build(root: Path = BUILD_ROOT, *, force: bool = False) -> str:
    """Compile ``COMPILED`` into ``build_dir(root)`` unless its stamp already matches.

    mypyc writes its output beside the sources it is given, so it runs on a copy in a
    temporary folder; the finished build replaces the old one in a single rename."""
    where = build_dir(root)
    sources = digest()
    if not force and _built_sources(where) == sources:
        return f"engine build is up to date ({where})"
    where.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="engine-", dir=where.parent) as scratch:
        work = Path(scratch) / "src"
        package = work.joinpath(*PACKAGE)
        package.mkdir(parents=True)
        (work / PACKAGE[0] / "__init__.py").write_text("", encoding="utf-8")
        for source in [*ENGINE_DIR.glob("*.py"), *ENGINE_DIR.glob("*.pyi")]:
            shutil.copy2(source, package / source.name)
        (work / "mypy.ini").write_text(_MYPY_CONFIG, encoding="utf-8")
        files = [str(Path(*PACKAGE, f"{name}.py")) for name in COMPILED]
        subprocess.run(
            [sys.executable, "-m", "mypyc", "--config-file", "mypy.ini", *files],
            cwd=work,
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "MYPYC_OPT_LEVEL": "3"},
        )
        done = Path(scratch) / "done"
        (done.joinpath(*PACKAGE)).mkdir(parents=True)
        for name in C_MODULES:
            _compile_c(ENGINE_DIR / f"{name}.c", done.joinpath(*PACKAGE, name + _EXTENSION))
        for library in work.glob("*.so"):
            shutil.move(library, done / library.name)
        for name in COMPILED:
            for library in package.glob(f"{name}.*.so"):
                shutil.move(library, done.joinpath(*PACKAGE, library.name))
        (done / STAMP).write_text(
            json.dumps({"sources": sources, "python": sys.version}, indent=1), encoding="utf-8"
        )
        old = Path(scratch) / "old"
        if where.exists():
            where.rename(old)
        done.rename(where)
    return (
        f"engine compiled with mypyc ({len(COMPILED)} modules) and C ({len(C_MODULES)}) "
        f"into {where}"
    )


_EXTENSION = str(sysconfig.get_config_var("EXT_SUFFIX") or ".so")


def _compile_c(source: Path, target: Path) -> None:
    """One C file into an extension module, with the compiler and flags this Python was
    built with (what setuptools would run for it)."""
    compiler = shlex.split(str(sysconfig.get_config_var("CC") or "cc"))
    flags = shlex.split(str(sysconfig.get_config_var("CCSHARED") or "-fPIC"))
    include = sysconfig.get_paths()["include"]
    subprocess.run(
        [*compiler, *flags, "-O2", "-shared", "-I", include, str(source), "-o", str(target)],
        check=True,
    )

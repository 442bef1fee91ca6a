"""The wheel holds every module and data file of the three packages.

An editable install (``make install``) imports from the checkout, so a package left out
of the build configuration goes unnoticed there; ``pip install .`` would then give a
``tone`` without it (``service.api`` was missing this way).
"""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("classifier", "training", "service")
SHIPPED = {".py", ".tsv", ".html", ".css", ".js", ".png"}


def _tracked(*paths: str) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", *paths], cwd=ROOT, capture_output=True, text=True
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    return listed.stdout.splitlines()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    # Built from a copy of the tracked files: in the checkout, a stale build/ from an
    # earlier build would fill in whatever the configuration leaves out.
    source = tmp_path_factory.mktemp("source")
    for name in _tracked("pyproject.toml", "README.md", "LICENSE", *PACKAGES):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("tone-*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_holds_every_tracked_module_and_data_file(
    wheel: zipfile.ZipFile,
) -> None:
    shipped = {n for n in _tracked(*PACKAGES) if Path(n).suffix in SHIPPED}
    missing = shipped - set(wheel.namelist())
    assert not missing, f"left out of the wheel: {sorted(missing)}"


def test_the_wheel_declares_the_console_script_and_licence(
    wheel: zipfile.ZipFile,
) -> None:
    names = wheel.namelist()
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "tone = service.cli:app" in wheel.read(entry_points).decode()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)

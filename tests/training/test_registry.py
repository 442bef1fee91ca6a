import json
import shutil
from pathlib import Path

import pytest
import skops.io as sio

from classifier import ModelFileError
from training.exceptions import RegistryError, RetrainBusyError
from training.registry import (
    FILES_STAMP,
    Registry,
    current_version,
    load_served_model,
    resolve_model_dir,
    served_stamp,
)


def _add_version(root: Path, name: str, source: Path) -> None:
    shutil.copytree(source, root / name)
    meta = json.loads((root / name / "metadata.json").read_text())
    meta["version"] = name
    (root / name / "metadata.json").write_text(json.dumps(meta))


def test_registry_and_plain_directory_both_load(
    registry_dir: Path, small_model_dir: Path
) -> None:
    assert resolve_model_dir(registry_dir) == registry_dir / "test-model"
    assert resolve_model_dir(small_model_dir) == small_model_dir
    assert load_served_model(registry_dir).version == "test-model"
    assert load_served_model(small_model_dir).version == "test-model"


def test_promote_and_rollback_walk_the_history(
    registry_dir: Path, small_model_dir: Path
) -> None:
    registry = Registry(registry_dir)
    _add_version(registry_dir, "v2", small_model_dir)
    _add_version(registry_dir, "v3", small_model_dir)
    assert registry.promote("v2").version == "v2"
    registry.promote("v3")
    assert current_version(registry_dir) == "v3"
    assert registry.rollback() == "v2"
    assert registry.rollback() == "test-model"
    with pytest.raises(RegistryError, match="Nothing to roll back to"):
        registry.rollback()
    assert [row["current"] for row in registry.summary()] == [True, False, False]
    assert [e["action"] for e in registry.history()][-2:] == ["rollback", "rollback"]


def test_no_temporary_file_is_left_beside_current(registry_dir: Path) -> None:
    Registry(registry_dir).promote("test-model")
    assert sorted(p.name for p in registry_dir.iterdir() if p.is_file()) == [
        "CURRENT",
        "HISTORY.jsonl",
    ]


def test_unknown_version_is_refused(registry_dir: Path) -> None:
    with pytest.raises(RegistryError, match=r"No version 'nope'.*known: test-model"):
        Registry(registry_dir).promote("nope")
    with pytest.raises(RegistryError, match=r"No version '\.\./x'"):
        Registry(registry_dir).show("../x")


def test_half_written_versions_are_never_listed(registry_dir: Path) -> None:
    registry = Registry(registry_dir)
    staging = registry.new_staging()
    (staging / "model.skops").write_bytes(b"partial")
    (staging / "metadata.json").write_text("{}")
    assert registry.versions() == ["test-model"]
    with registry.lock():
        assert registry.clean_staging() == [staging.name]
    assert not staging.exists()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        pytest.param("truncate", "damaged", id="corrupted"),
        pytest.param("untrusted", "types tone does not trust: pathlib", id="untrusted"),
    ],
)
def test_broken_version_is_never_promoted(
    registry_dir: Path, small_model_dir: Path, damage: str, message: str
) -> None:
    _add_version(registry_dir, "bad", small_model_dir)
    target = registry_dir / "bad" / "model.skops"
    if damage == "truncate":
        target.write_bytes(target.read_bytes()[:1000])
    else:
        sio.dump({"payload": Path("/etc/passwd")}, target)
    with pytest.raises(ModelFileError, match=message):
        Registry(registry_dir).promote("bad")
    assert current_version(registry_dir) == "test-model"


def test_plain_model_directory_is_adopted(
    small_model_dir: Path, tmp_path: Path
) -> None:
    plain = shutil.copytree(small_model_dir, tmp_path / "plain")
    registry = Registry(plain)
    assert registry.adopt_plain_model() == "test-model"
    assert current_version(plain) == "test-model"
    assert not (plain / "model.skops").exists()
    assert load_served_model(plain).version == "test-model"
    assert registry.adopt_plain_model() is None


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(lambda m: m.pop("version"), "names the version None", id="none"),
        pytest.param(
            lambda m: m.update(version="my model v1"),
            "names the version 'my model v1', which cannot name a folder",
            id="spaces",
        ),
        pytest.param(
            lambda m: m.update(version="CURRENT"),
            "names the version 'CURRENT'",
            id="reserved",
        ),
    ],
)
def test_a_plain_model_that_names_no_valid_version_is_left_as_it_was(
    small_model_dir: Path, tmp_path: Path, edit, message: str
) -> None:
    plain = shutil.copytree(small_model_dir, tmp_path / "plain")
    meta = json.loads((plain / "metadata.json").read_text())
    edit(meta)
    (plain / "metadata.json").write_text(json.dumps(meta))
    before = _tree(plain)
    with pytest.raises(RegistryError, match=message):
        Registry(plain).adopt_plain_model()
    assert _tree(plain) == before  # no staging copy left, no CURRENT written


def test_damaged_json_is_named_and_hides_no_other_version(
    registry_dir: Path, small_model_dir: Path, tmp_path: Path
) -> None:
    registry = Registry(registry_dir)
    _add_version(registry_dir, "v2", small_model_dir)
    (registry_dir / "v2" / "metadata.json").write_text('{"trunc')
    rows = {row["version"]: row for row in registry.summary()}
    assert rows["test-model"]["current"] and "error" not in rows["test-model"]
    assert "v2/metadata.json is damaged" in rows["v2"]["error"]
    with pytest.raises(RegistryError, match=r"metadata\.json is damaged"):
        registry.show("v2")
    plain = shutil.copytree(small_model_dir, tmp_path / "plain")
    (plain / "metadata.json").write_text('{"version": "x", ')
    with pytest.raises(RegistryError, match="is damaged"):
        Registry(plain).adopt_plain_model()


def test_a_history_line_cut_short_is_skipped(
    registry_dir: Path, small_model_dir: Path
) -> None:
    registry = Registry(registry_dir)
    _add_version(registry_dir, "v2", small_model_dir)
    registry.promote("v2")
    with open(registry_dir / "HISTORY.jsonl", "a") as history:
        history.write('{"action": "promote", "at": "2026')  # a crash mid-write
    assert registry.rollback() == "test-model"


def test_a_file_or_a_directory_named_current_is_no_registry(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    assert current_version(tmp_path / "afile") is None
    (tmp_path / "odd" / "CURRENT").mkdir(parents=True)
    assert current_version(tmp_path / "odd") is None


def test_one_retrain_lock_at_a_time(registry_dir: Path) -> None:
    registry = Registry(registry_dir)
    with registry.lock():
        assert registry.is_locked()
        with (
            pytest.raises(RetrainBusyError, match="Another retrain is running"),
            Registry(registry_dir).lock(),
        ):
            pass
    assert not registry.is_locked()


def test_served_stamp_names_the_version_or_the_files(
    registry_dir: Path, small_model_dir: Path, tmp_path: Path
) -> None:
    assert served_stamp(registry_dir) == "test-model"
    assert served_stamp(tmp_path / "nothing-here") is None
    plain = shutil.copytree(small_model_dir, tmp_path / "plain")
    before = served_stamp(plain)
    assert before is not None and before.startswith(FILES_STAMP)
    assert served_stamp(plain) == before
    # A model trained over the old one in place: a new stamp.
    _add_version(tmp_path, "plain-v2", plain)
    shutil.copy(tmp_path / "plain-v2" / "metadata.json", plain / "metadata.json")
    assert served_stamp(plain) not in (None, before)

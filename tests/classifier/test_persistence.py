import json
import shutil
import zipfile
from pathlib import Path

import pytest
import skops.io as sio

from classifier import ModelFileError, ToneModel, load_model, save_model
from tests.conftest import OPINION_TEXT


def test_round_trip(model: ToneModel, model_dir: Path) -> None:
    loaded = load_model(model_dir)
    assert loaded.version == model.version
    assert loaded.opinion_probability([OPINION_TEXT])[0] == pytest.approx(
        model.opinion_probability([OPINION_TEXT])[0]
    )
    assert (
        json.loads((model_dir / "metadata.json").read_text())["version"] == "test-model"
    )


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(
        ModelFileError, match=r"model\.skops is missing\. Build one with `tone train`"
    ):
        load_model(tmp_path / "nowhere")


def test_truncated_file_is_refused(model_dir: Path, tmp_path: Path) -> None:
    broken = shutil.copytree(model_dir, tmp_path / "broken")
    data = (broken / "model.skops").read_bytes()
    (broken / "model.skops").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="damaged"):
        load_model(broken)


def test_garbage_file_is_refused(model_dir: Path, tmp_path: Path) -> None:
    broken = shutil.copytree(model_dir, tmp_path / "garbage")
    (broken / "model.skops").write_bytes(b"\x00not a model at all")
    with pytest.raises(ModelFileError):
        load_model(broken)


def test_untrusted_type_is_refused(model_dir: Path, tmp_path: Path) -> None:
    """A model file holding a type outside the allow-list is never loaded."""
    hostile = shutil.copytree(model_dir, tmp_path / "hostile")
    sio.dump({"payload": Path("/etc/passwd")}, hostile / "model.skops")
    with pytest.raises(ModelFileError, match="types tone does not trust: pathlib"):
        load_model(hostile)


def test_saved_file_is_a_skops_zip(model_dir: Path) -> None:
    assert zipfile.is_zipfile(model_dir / "model.skops")


def test_save_creates_directory(model: ToneModel, tmp_path: Path) -> None:
    target = save_model(model, tmp_path / "a" / "b")
    assert (target / "model.skops").is_file()


def test_vocabularies_are_stored_in_the_schema_not_one_file_per_term(
    model: ToneModel, model_dir: Path
) -> None:
    """A NumPy integer per vocabulary term was a file per term: 21,000, 4 s to load."""
    terms = sum(
        len(part.vocabulary_)
        for pipeline in (model.pipeline, *model.sentence_pipelines)
        for part in pipeline.get_params(deep=True).values()
        if hasattr(part, "vocabulary_")
    )
    assert terms > 1_000
    with zipfile.ZipFile(model_dir / "model.skops") as archive:
        assert len(archive.namelist()) < 200
    loaded = load_model(model_dir)
    for fitted, restored in zip(
        (model.pipeline, *model.sentence_pipelines),
        (loaded.pipeline, *loaded.sentence_pipelines),
        strict=True,
    ):
        fitted_parts = fitted.get_params(deep=True)
        for name, part in restored.get_params(deep=True).items():
            if hasattr(part, "vocabulary_"):
                assert part.vocabulary_ == fitted_parts[name].vocabulary_


def test_a_model_file_for_its_directory_says_so(model_dir: Path) -> None:
    with pytest.raises(
        ModelFileError, match=r"model\.skops is a file: give the directory"
    ):
        load_model(model_dir / "model.skops")


def test_a_missing_relative_directory_names_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelFileError) as caught:
        load_model("models/default")
    assert str(caught.value).startswith(f"No model at models/default (in {tmp_path}): ")
    assert "(--model, TONE_MODEL_DIR)" in str(caught.value)

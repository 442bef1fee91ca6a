"""The collector's threshold while scoring: raised inside, the caller's after."""

import gc
import threading
from collections.abc import Iterator

import pandas as pd
import pytest

from classifier import ToneModel, score_frame
from classifier.collection import YOUNG_THRESHOLD, fewer_collections


@pytest.fixture
def threshold() -> Iterator[tuple[int, ...]]:
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*saved)


def test_raised_inside_and_restored_after_an_error(threshold) -> None:
    with pytest.raises(RuntimeError), fewer_collections():
        assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
        raise RuntimeError("scoring failed")
    assert gc.get_threshold() == threshold


def test_nested_uses_restore_once_the_last_leaves(threshold) -> None:
    with fewer_collections():
        with fewer_collections():
            pass
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    assert gc.get_threshold() == threshold


def test_concurrent_threads_leave_the_callers_threshold(threshold) -> None:
    inside = threading.Barrier(4)

    def score() -> None:
        with fewer_collections():
            inside.wait(timeout=10)

    threads = [threading.Thread(target=score) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gc.get_threshold() == threshold


@pytest.mark.parametrize("young", [0, 50_000], ids=["collector-off", "higher"])
def test_an_applications_own_setting_is_not_lowered(threshold, young: int) -> None:
    gc.set_threshold(young, 10, 10)
    with fewer_collections():
        assert gc.get_threshold() == (young, 10, 10)
    assert gc.get_threshold() == (young, 10, 10)


def test_score_frame_runs_with_fewer_collections(threshold, model: ToneModel) -> None:
    seen: list[int] = []
    original = model.score_articles

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.get_threshold()[0])
        return original(*args, **kwargs)

    model.score_articles = spy  # type: ignore[method-assign]
    try:
        score_frame(pd.DataFrame({"text": ["We must act now."]}), model)
    finally:
        del model.score_articles
    assert seen == [YOUNG_THRESHOLD]
    assert gc.get_threshold() == threshold

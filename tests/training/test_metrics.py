import pytest

from training.metrics import classification_metrics, hedging_metrics, metrics_markdown


def test_classification_metrics_match_hand_counts() -> None:
    m = classification_metrics(
        ["opinion", "opinion", "reporting", "reporting"], [0.9, 0.4, 0.6, 0.1]
    )
    assert m["confusion"] == [[1, 1], [1, 1]]
    assert m["macro_f1"] == pytest.approx(0.5)
    assert m["roc_auc"] == pytest.approx(0.75)
    assert m["brier"] == pytest.approx((0.01 + 0.36 + 0.36 + 0.01) / 4, abs=1e-4)


def test_single_class_has_no_auc() -> None:
    assert classification_metrics(["opinion"], [0.7])["roc_auc"] is None


@pytest.mark.parametrize(
    ("probabilities", "macro", "f1", "row"),
    [
        # Perfect on a file of one label: 1.0, not 0.5 with the absent label as 0.
        pytest.param(
            [0.9, 0.8, 0.7],
            1.0,
            {"opinion": 1.0, "reporting": None},
            "| 3 | 1.000 | 1.000 | n/a | n/a |",
            id="perfect",
        ),
        # A wrong call is a false positive of the absent label: its F1 is 0.
        pytest.param(
            [0.9, 0.8, 0.1],
            0.4,
            {"opinion": 0.8, "reporting": 0.0},
            "| 3 | 0.400 | 0.800 | 0.000 | n/a |",
            id="one-wrong",
        ),
    ],
)
def test_a_label_never_seen_has_no_f1(
    probabilities: list[float], macro: float, f1: dict[str, float | None], row: str
) -> None:
    m = classification_metrics(["opinion"] * 3, probabilities)
    assert (m["macro_f1"], m["f1"]) == (macro, f1)
    assert row in metrics_markdown("x", m)


def test_markdown_tables() -> None:
    assert "macro-F1" in metrics_markdown(
        "x", classification_metrics(["opinion", "reporting"], [1, 0])
    )
    assert "F1 (hedged)" in metrics_markdown("h", hedging_metrics([True], [True]))


def test_labels_from_a_numpy_array_are_known() -> None:
    """NumPy strings are labels too (a retrain's frame gives them)."""
    import numpy as np

    metrics = classification_metrics(np.array(["opinion", "reporting"]), [0.9, 0.1])
    assert metrics["macro_f1"] == 1.0

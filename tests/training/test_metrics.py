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


def test_markdown_tables() -> None:
    assert "macro-F1" in metrics_markdown(
        "x", classification_metrics(["opinion", "reporting"], [1, 0])
    )
    assert "F1 (hedged)" in metrics_markdown("h", hedging_metrics([True], [True]))

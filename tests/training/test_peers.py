import numpy as np
import pytest

from training.peers import (
    PEERS,
    fit_peer,
    stance_rate,
    textblob_subjectivity,
    vader_abs_compound,
)

OPINION = "This is a terrible, shameful idea and I think we must stop it."
REPORTING = "The council met on Tuesday and voted to close the library."


@pytest.mark.parametrize(
    "peer",
    [
        pytest.param(textblob_subjectivity, id="textblob"),
        pytest.param(vader_abs_compound, id="vader"),
        pytest.param(stance_rate, id="stance-rate"),
    ],
)
def test_peers_rank_an_obvious_pair(peer) -> None:
    opinion, reporting = peer([OPINION, REPORTING])
    assert opinion > reporting


def test_every_peer_scores_every_text() -> None:
    for name, peer in PEERS.items():
        assert peer([OPINION, REPORTING, "x"]).shape == (3,), name


def test_threshold_comes_from_the_training_side() -> None:
    labels = ["opinion"] * 10 + ["reporting"] * 10
    scores = np.r_[np.linspace(0.6, 0.9, 10), np.linspace(0.1, 0.4, 10)]
    peer = fit_peer(labels, scores)
    assert 0.4 < peer.probability(np.array([0.5]))[0] < 0.6
    assert peer.metrics(["opinion", "reporting"], np.array([0.7, 0.3]))[
        "macro_f1"
    ] == pytest.approx(1.0)


def test_majority_predicts_the_training_prior() -> None:
    peer = fit_peer(["reporting"] * 3 + ["opinion"], np.zeros(4))
    metrics = peer.metrics(["opinion", "reporting"], np.zeros(2))
    assert metrics["confusion"] == [[0, 1], [0, 1]]
    assert peer.probability(np.zeros(1))[0] == pytest.approx(0.25)
    assert metrics["roc_auc"] == 0.5


def test_a_backwards_score_decides_flipped_but_shows_its_own_auc() -> None:
    labels = ["opinion"] * 5 + ["reporting"] * 5
    peer = fit_peer(labels, np.r_[np.zeros(5), np.ones(5)] + np.arange(10) * 0.01)
    assert peer.slope < 0
    metrics = peer.metrics(["opinion", "reporting"], np.array([0.0, 1.0]))
    assert metrics["macro_f1"] == 1.0 and metrics["roc_auc"] == 0.0

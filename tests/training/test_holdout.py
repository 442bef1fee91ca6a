"""The frozen hold-out: grouped by event, order-free, about a fifth, and stable."""

import pandas as pd

from training.holdout import HOLDOUT_SHARE, held_out


def test_holdout_is_frozen_grouped_and_about_a_fifth(articles: pd.DataFrame) -> None:
    is_held = held_out(articles["event"])
    held = set(articles.loc[is_held, "event"])
    reversed_events = articles["event"].iloc[::-1]
    assert held == set(reversed_events[held_out(reversed_events)])
    share = len(held) / articles["event"].nunique()
    assert 0.1 < share < 0.3
    # grouping: both pieces of an event fall on the same side
    sides = articles.assign(held=is_held).groupby("event")["held"]
    assert sides.nunique().eq(1).all()


def test_adding_events_never_moves_an_old_one_across() -> None:
    old = pd.Series([f"event-{i}" for i in range(500)])
    grown = pd.concat([old, pd.Series([f"new-{i}" for i in range(500)])])
    assert held_out(grown).iloc[: len(old)].tolist() == held_out(old).tolist()


def test_a_larger_share_holds_out_a_superset() -> None:
    events = pd.Series([f"event-{i}" for i in range(1000)])
    assert (held_out(events) <= held_out(events, HOLDOUT_SHARE * 2)).all()

"""Retraining with stored labels, behind an evaluation gate.

A candidate is trained on the base corpus plus the stored labels, minus a frozen
evaluation split. The candidate and the current model are then scored on that
same split (and on the published corpora configured and present), and the
candidate is promoted only if its macro-F1 on each is no worse than the current
model's by more than ``tolerance``.

The split is frozen by hashing each article's event (:mod:`training.holdout`, the
split ``tone evaluate --all`` reports on too): an event is held out when its hash
falls below ``holdout``, so the same events are held out on every run and a new
label can never move an old one across. A stored label without an event is
its own group, keyed by its text.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from classifier import ToneError, ToneModel, load_model
from classifier.persistence import METADATA_FILE
from training.corpora import GATE_CORPORA
from training.corpus import corpus_hash, text_key
from training.evaluate import evaluate_corpus, evaluate_frame
from training.exceptions import CorpusError, CorpusNotFoundError
from training.holdout import HOLDOUT_SALT, HOLDOUT_SHARE, held_out
from training.labelstore import LabelStore
from training.metrics import metrics_markdown
from training.registry import REPORT_FILE, Registry
from training.train import default_version, load_training_frame, train_and_save

__all__ = [
    "RetrainOptions",
    "gate",
    "retrain",
    "retraining_frame",
]

Progress = Callable[[str, float], None]


@dataclass
class RetrainOptions:
    """What a retrain uses and how strict its gate is."""

    labels_path: Path | None = None
    folds: int = 5
    holdout: float = HOLDOUT_SHARE
    tolerance: float = 0.01
    corpora: Path | None = None
    gate_corpora: Sequence[str] = GATE_CORPORA
    force: bool = False
    pipeline_options: dict[str, Any] = field(default_factory=dict)


def retraining_frame(
    store: LabelStore, labels_path: Path | None = None
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The base corpus plus the stored labels, with what was dropped and why.

    A stored label whose text is already in the base corpus is dropped: the base
    corpus is the reviewed one.
    """
    base = load_training_frame(labels_path)
    stored = store.frame()
    keys = set(base["text"].map(text_key))
    overlap = stored["text_key"].isin(keys)
    stored = stored[~overlap]
    events = [
        event if isinstance(event, str) and event else f"label:{key}"
        for event, key in zip(stored["event"], stored["text_key"], strict=True)
    ]
    extra = pd.DataFrame(
        {
            "text": stored["text"],
            "label": stored["label"],
            "event": events,
            "source": "store:" + stored["source"].astype(str),
        }
    )
    frame = pd.concat([base, extra], ignore_index=True)
    return frame, {
        "base": len(base),
        "stored_labels": len(extra),
        "stored_in_base": int(overlap.sum()),
    }


def gate(
    candidate: dict[str, dict[str, Any]],
    current: dict[str, dict[str, Any]] | None,
    tolerance: float,
    comparable: Sequence[str] | None = None,
) -> tuple[bool, list[dict[str, Any]]]:
    """Compare macro-F1 figure by figure; pass if none drops by more than tolerance.

    ``comparable`` names the evaluations both models can fairly be judged on
    (default: all). With no current model, the candidate passes.

    Examples
    --------
    >>> ok, rows = gate({"holdout": {"macro_f1": 0.90}},
    ...                 {"holdout": {"macro_f1": 0.92}}, tolerance=0.01)
    >>> ok, rows[0]["delta"], rows[0]["passed"]
    (False, -0.02, False)
    """
    if current is None:
        return True, []
    names = [n for n in candidate if n in current]
    if comparable is not None:
        names = [n for n in names if n in comparable]
    rows = []
    for name in names:
        new = float(candidate[name]["macro_f1"])
        old = float(current[name]["macro_f1"])
        delta = round(new - old, 4)
        rows.append(
            {
                "evaluation": name,
                "n": candidate[name].get("n"),
                "candidate": new,
                "current": old,
                "delta": delta,
                "passed": delta >= -tolerance,
            }
        )
    return bool(rows) and all(r["passed"] for r in rows), rows


def _evaluate(
    model: ToneModel, holdout: pd.DataFrame, options: RetrainOptions
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {"holdout": evaluate_frame(model, holdout)}
    for name in options.gate_corpora:
        try:
            results[name] = evaluate_corpus(model, name, options.corpora)
        except CorpusNotFoundError:
            continue
    return results


def _reasons(
    rows: list[dict[str, Any]],
    tolerance: float,
    passed: bool,
    notes: list[str],
    force: bool,
    has_current: bool,
) -> list[str]:
    lines = list(notes)
    if not has_current:
        lines.append("no current model: the candidate is promoted")
    for r in rows:
        verdict = "ok" if r["passed"] else f"worse by more than {tolerance}"
        lines.append(
            f"{r['evaluation']} (n={r['n']}): macro-F1 {r['candidate']:.4f} against "
            f"{r['current']:.4f} ({r['delta']:+.4f}): {verdict}"
        )
    if has_current and not rows:
        lines.append("no evaluation both models can fairly be compared on")
    if force and not passed:
        lines.append("--force: promoted although the gate did not pass")
    return lines


def _markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Retrain {report['candidate']}",
        "",
        f"Current model: {report['current'] or 'none'}. Verdict: "
        f"**{report['verdict']}** (tolerance {report['tolerance']}).",
        "",
        *[f"- {reason}" for reason in report["reasons"]],
        "",
    ]
    for who in ("candidate", "current"):
        for name, metrics in (report["evaluations"].get(who) or {}).items():
            lines.append(metrics_markdown(f"{who}: {name}", metrics))
    return "\n".join(lines) + "\n"


def retrain(
    registry: Registry,
    store: LabelStore,
    options: RetrainOptions,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Train, evaluate and (if the gate passes) promote a candidate.

    Returns the report, which is also saved as ``evaluation.json`` and
    ``evaluation.md`` in the candidate's folder.

    Raises
    ------
    RetrainBusyError
        If another retrain holds the registry's lock.
    CorpusError
        If the training or evaluation part lacks one of the labels.
    """
    report_progress = progress or (lambda stage, fraction: None)
    with registry.lock():
        registry.clean_staging()
        registry.adopt_plain_model()
        report_progress("loading labels", 0.05)
        frame, counts = retraining_frame(store, options.labels_path)
        mask = held_out(frame["event"], options.holdout)
        train, holdout = frame[~mask], frame[mask]
        for part, subset in (("training", train), ("evaluation", holdout)):
            if set(subset["label"]) != {"opinion", "reporting"}:
                raise CorpusError(
                    f"The {part} part of the split needs both labels; it has "
                    f"{len(subset)} rows ({sorted(set(subset['label']))}). "
                    "Add labels or change TONE_RETRAIN_HOLDOUT."
                )
        created = datetime.now(UTC).replace(microsecond=0)
        version = registry.free_version(default_version(corpus_hash(train), created))
        # A failed or interrupted candidate leaves no half-written folder.
        with registry.staging() as staging:
            report_progress("training candidate", 0.1)
            candidate = train_and_save(
                staging,
                train.reset_index(drop=True),
                folds=options.folds,
                version=version,
                **options.pipeline_options,
            )
            split = {
                "salt": HOLDOUT_SALT,
                "fraction": options.holdout,
                "held_out": len(holdout),
                "held_out_events": int(holdout["event"].nunique()),
            }
            candidate.metadata["training"] = {**counts, "evaluation_split": split}
            metadata = json.loads((staging / METADATA_FILE).read_text("utf-8"))
            metadata["training"] = candidate.metadata["training"]
            (staging / METADATA_FILE).write_text(
                json.dumps(metadata, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
            report_progress("evaluating candidate", 0.6)
            holdout = holdout.reset_index(drop=True)
            evaluations: dict[str, Any] = {
                "candidate": _evaluate(candidate, holdout, options),
                "current": None,
            }
            notes: list[str] = []
            current_name = registry.current()
            comparable: list[str] | None = None
            if current_name is not None:
                report_progress("evaluating current model", 0.75)
                try:
                    current = load_model(registry.path(current_name))
                except ToneError as error:
                    notes.append(
                        f"current model {current_name} cannot be loaded: {error}"
                    )
                    current_name = None
                else:
                    evaluations["current"] = _evaluate(current, holdout, options)
                    split_seen = current.metadata.get("training", {}).get(
                        "evaluation_split"
                    )
                    if (
                        split_seen is None
                        or split_seen.get("salt") != HOLDOUT_SALT
                        or (split_seen.get("fraction") != options.holdout)
                    ):
                        comparable = [
                            n for n in evaluations["candidate"] if n != "holdout"
                        ]
                        notes.append(
                            f"holdout not compared: the current model {current_name} "
                            "was not trained with this frozen split, so it may have "
                            "seen the held-out events"
                        )
            report_progress("gate", 0.9)
            passed, rows = gate(
                evaluations["candidate"],
                evaluations["current"],
                options.tolerance,
                comparable,
            )
            promote = passed or options.force
            report = {
                "candidate": version,
                "current": current_name,
                "created": created.isoformat(),
                "tolerance": options.tolerance,
                "passed": passed,
                "forced": options.force and not passed,
                "verdict": "promoted" if promote else "kept current",
                "promoted": promote,
                "reasons": _reasons(
                    rows,
                    options.tolerance,
                    passed,
                    notes,
                    options.force,
                    current_name is not None,
                ),
                "figures": rows,
                "training": candidate.metadata["training"],
                "evaluations": evaluations,
            }
            (staging / REPORT_FILE).write_text(
                json.dumps(report, indent=2) + "\n", encoding="utf-8"
            )
            (staging / "evaluation.md").write_text(_markdown(report), encoding="utf-8")
            # Loaded from its files before the commit, so that the promotion right
            # after it is one atomic write: an interrupted retrain cannot leave a
            # version whose report says promoted while CURRENT names another.
            saved = load_model(staging) if promote else None
            registry.commit(staging, version)
        if promote:
            registry.promote(version, reason="retrain", model=saved)
        report_progress("done", 1.0)
        return report


__all__ += ["GATE_CORPORA"]

"""Hedging accuracy: the lexicon and the learned layer, in domain and on CoNLL-2010.

Usage: python benchmarks/hedging_eval.py [--corpora DIR] [--skip-layer]

Prints precision, recall and F1 of the hedged class for

- the lexicon, every category counting (our guidelines) and without approximators
  (``UNCERTAINTY_CATEGORIES``, how CoNLL-2010 Wikipedia annotates), on CoNLL train,
  CoNLL test and ``labels/hedging.jsonl``;
- the learned layer (``classifier.hedge_model.HedgeModel``) trained on CoNLL train
  alone and on CoNLL train + ``labels/hedging.jsonl``: its cross-validated F1 on the
  training sentences, CoNLL test (held out: trained on train, tested on test),
  threshold-free ROC-AUC and average precision on test, and in domain (never seen
  for the first; grouped 5-fold CV by event for the second).

Every threshold and every choice was made on CoNLL train; test is only reported.
Takes about 1.5 minutes on 2 cores.
"""

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import GroupKFold

from classifier.hedge_model import HedgeModel
from classifier.hedging import ALL_CATEGORIES, UNCERTAINTY_CATEGORIES
from training.corpus import load_hedging
from training.evaluate import evaluate_hedging
from training.external import load_conll_hedging
from training.metrics import hedging_metrics


def _row(name: str, metrics: dict[str, object], extra: str = "") -> str:
    return (
        f"| {name} | {metrics['n']} | {metrics['precision']:.3f} | "
        f"{metrics['recall']:.3f} | {metrics['f1']:.3f} | {extra} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=None)
    parser.add_argument("--skip-layer", action="store_true")
    args = parser.parse_args()

    train = load_conll_hedging("train", args.corpora)
    test = load_conll_hedging("test", args.corpora)
    own = load_hedging().rename(columns={"sentence": "text"})
    print("| evaluation | n | precision | recall | F1 | note |")
    print("|---|---|---|---|---|---|")
    for label, categories in (
        ("all categories", ALL_CATEGORIES),
        ("uncertainty", UNCERTAINTY_CATEGORIES),
    ):
        for name, frame in (("CoNLL train", train), ("CoNLL test", test)):
            metrics = evaluate_hedging(frame, categories=categories)
            print(_row(f"lexicon, {label}: {name}", metrics))
        print(
            _row(
                f"lexicon, {label}: labels/",
                evaluate_hedging(own, categories=categories),
            )
        )
    if args.skip_layer:
        return

    texts, truth = list(train["text"]), list(train["hedged"])
    own_texts, own_truth = list(own["text"]), list(own["hedged"])
    events = own["article_id"].str.rsplit("-", n=1).str[0]
    for label, extra_texts, extra_truth in (
        ("CoNLL train", [], []),
        ("CoNLL train + labels/", own_texts, own_truth),
    ):
        start = time.perf_counter()
        layer = HedgeModel().fit(texts + extra_texts, truth + extra_truth)
        fit_s = time.perf_counter() - start
        probability = layer.predict_proba(list(test["text"]))
        metrics = hedging_metrics(test["hedged"], probability >= layer.threshold_)
        ranking = (
            f"threshold {layer.threshold_:.2f} (CV F1 {layer.cv_f1_:.3f}); "
            f"ROC-AUC {roc_auc_score(test['hedged'], probability):.3f}, "
            f"AP {average_precision_score(test['hedged'], probability):.3f}; "
            f"fit {fit_s:.0f} s"
        )
        print(_row(f"layer on {label}: CoNLL test", metrics, ranking))
        if not extra_texts:
            in_domain = hedging_metrics(own_truth, layer.predict(own_texts))
            print(_row(f"layer on {label}: labels/ (never seen)", in_domain))
            continue
        predicted = np.zeros(len(own), dtype=bool)
        for fit_idx, held in GroupKFold(5).split(own, groups=events):
            fold = HedgeModel().fit(
                texts + [own_texts[i] for i in fit_idx],
                truth + [own_truth[i] for i in fit_idx],
            )
            predicted[held] = fold.predict([own_texts[i] for i in held])
        in_domain = hedging_metrics(own_truth, list(predicted))
        print(_row(f"layer on {label}: labels/ grouped 5-fold CV", in_domain))


if __name__ == "__main__":
    main()

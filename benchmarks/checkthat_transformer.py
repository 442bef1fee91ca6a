"""Experiment: a small transformer on CheckThat! sentence subjectivity (not shipped).

Usage (in an environment of its own; tone does not depend on torch):

    python -m venv /tmp/exp
    /tmp/exp/bin/pip install -e . torch==2.13.0 sentence-transformers
    /tmp/exp/bin/python benchmarks/checkthat_transformer.py --model DIR frozen
    /tmp/exp/bin/python benchmarks/checkthat_transformer.py --model DIR finetune

``DIR`` is a local copy of sentence-transformers' ``all-MiniLM-L6-v2`` (any
sentence-transformers model directory works); nothing is downloaded, as
``HF_HUB_OFFLINE`` is set.

- ``frozen``: mean-pooled, normalised sentence embeddings and a balanced logistic
  regression, for each ``C`` in ``--C``; fit on train, scored on dev.
- ``finetune``: the encoder with a linear head on mean pooling, fine-tuned with
  class-weighted cross-entropy, AdamW, 10% linear warm-up then linear decay, batches
  of 16; fit on train, scored on dev after every epoch.

Choices are made on dev. ``--final`` refits the chosen setting (one ``C``, or the
``--epochs`` given) on train+dev and scores dev_test once, at the last epoch only.
Decisions at probability 0.5; ``--save`` keeps the fine-tuned model's last scores
(for combining with tone's own sentence model). The CheckThat! files are read from
the corpora path (``--corpora`` or ``TONE_CORPORA``), never copied.
"""

import argparse
import os
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score

from training.external import load_checkthat

Split = tuple[list[str], np.ndarray]


def _split(name: str, corpora: Path | None) -> Split:
    frame = load_checkthat(name, corpora)
    return list(frame["text"]), (frame["label"] == "opinion").to_numpy(int)


def _report(name: str, truth: np.ndarray, probability: np.ndarray) -> None:
    f1 = f1_score(truth, probability >= 0.5, average="macro")
    auc = roc_auc_score(truth, probability)
    print(f"{name}: macro-F1 {f1:.3f}, ROC-AUC {auc:.3f}", flush=True)


def frozen(
    model_dir: str, data: dict[str, Split], cs: list[float], final: bool
) -> None:
    from sentence_transformers import SentenceTransformer

    encoder = SentenceTransformer(model_dir, device="cpu")
    encoder.encode(data["train"][0][:64])  # warm up before timing
    start = time.perf_counter()
    vectors = {
        name: encoder.encode(texts, batch_size=64, normalize_embeddings=True)
        for name, (texts, _) in data.items()
    }
    count = sum(len(texts) for texts, _ in data.values())
    seconds = time.perf_counter() - start
    print(f"encoded {count} sentences in {seconds:.1f} s ({count / seconds:.0f}/s)")
    fit, scored = ("train", "dev") if not final else ("train+dev", "dev_test")
    x = vectors["train"] if not final else np.vstack([vectors["train"], vectors["dev"]])
    y = data["train"][1] if not final else np.r_[data["train"][1], data["dev"][1]]
    for c in cs:
        model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
        model.fit(x, y)
        probability = model.predict_proba(vectors[scored])[:, 1]
        _report(f"frozen, C={c}, fit on {fit}: {scored}", data[scored][1], probability)


def finetune(
    model_dir: str,
    data: dict[str, Split],
    *,
    rate: float,
    epochs: int,
    final: bool,
) -> np.ndarray:
    """Fine-tune and return the probabilities of the last epoch's scoring."""
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(0)
    tokenizer: Any = AutoTokenizer.from_pretrained(model_dir)
    encoder: Any = AutoModel.from_pretrained(model_dir)
    head = torch.nn.Linear(encoder.config.hidden_size, 2)
    texts, truth = data["train"]
    if final:
        texts, truth = texts + data["dev"][0], np.r_[truth, data["dev"][1]]
    scored = "dev_test" if final else "dev"
    params = [*encoder.parameters(), *head.parameters()]
    optimiser = torch.optim.AdamW(params, lr=rate, weight_decay=0.01)
    batch = 16
    steps = epochs * -(-len(texts) // batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda step: min(1.0, (step + 1) / (0.1 * steps)) * max(0.0, 1 - step / steps),
    )
    weight = torch.tensor([1.0, (truth == 0).sum() / (truth == 1).sum()])
    loss_of = torch.nn.CrossEntropyLoss(weight=weight.float())

    def logits(sentences: list[str]) -> torch.Tensor:
        tokens = tokenizer(
            sentences,
            padding=True,
            truncation=True,
            max_length=96,
            return_tensors="pt",
        )
        hidden = encoder(**tokens).last_hidden_state
        mask = tokens["attention_mask"].unsqueeze(-1).float()
        return head((hidden * mask).sum(1) / mask.sum(1))

    probability = np.zeros(0)
    for epoch in range(epochs):
        encoder.train()
        start = time.perf_counter()
        order = np.random.RandomState(epoch).permutation(len(texts))
        for i in range(0, len(texts), batch):
            chosen = order[i : i + batch]
            loss = loss_of(
                logits([texts[j] for j in chosen]), torch.tensor(truth[chosen])
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
        if final and epoch < epochs - 1:
            continue
        encoder.eval()
        sentences, expected = data[scored]
        with torch.no_grad():
            probability = np.concatenate(
                [
                    torch.softmax(logits(sentences[i : i + 64]), -1)[:, 1].numpy()
                    for i in range(0, len(sentences), 64)
                ]
            )
        took = time.perf_counter() - start
        _report(
            f"fine-tuned, lr {rate}, epoch {epoch + 1} ({took:.0f} s): {scored}",
            expected,
            probability,
        )
    return probability


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["frozen", "finetune"])
    parser.add_argument(
        "--model", required=True, help="sentence-transformers model dir"
    )
    parser.add_argument("--corpora", type=Path, default=None)
    parser.add_argument("--C", type=float, nargs="+", default=[0.3, 1.0, 3.0, 10.0])
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--final", action="store_true", help="score dev_test once")
    parser.add_argument(
        "--save", type=Path, default=None, help="write the last scores here (.npy)"
    )
    args = parser.parse_args()
    torch.set_num_threads(2)
    np.random.seed(0)
    names = ("train", "dev", "dev_test") if args.final else ("train", "dev")
    data = {name: _split(name, args.corpora) for name in names}
    if args.mode == "frozen":
        frozen(args.model, data, args.C, args.final)
    else:
        probability = finetune(
            args.model, data, rate=args.lr, epochs=args.epochs, final=args.final
        )
        if args.save is not None:
            np.save(args.save, probability)


if __name__ == "__main__":
    main()

"""Side-by-side dev-set figures of eval runs that differ only in embeddings, in questions, not ratios.

    python -m bench.embed_compare fp32=/tmp/a/report.json int8=/tmp/b/report.json mixed=/tmp/c/report.json

The first report is the reference. Every metric is turned back into a count of questions (hit@k,
answer hit, refusals, false refusals) or a per-question sum (MRR@10, citation precision), so "within one
question of the reference" is a plain comparison: |difference| ≤ 1. That is the bar for making int8
the default (issue 14); the script says which metrics, by retriever and question kind, miss it, and how
many questions' answers changed text. Worse and better are listed apart: the bar is about losing questions.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

COUNTED = ("hit@1", "hit@5", "hit@10", "mrr@10", "answer_hit", "citation_precision", "refused_right", "refused_wrong")
LOWER_IS_BETTER = {"refused_wrong"}


def question_figures(item: dict[str, Any]) -> dict[str, float]:
    """One question's contribution to each metric (0 where the metric does not apply to it)."""
    if not item["answerable"]:
        return {"refused_right": float(not item["found"])}
    refused = not item["found"]  # bot.evaluate.run: an answer that says the coverage does not say
    return {
        "hit@1": float(item["hits"]["1"]),
        "hit@5": float(item["hits"]["5"]),
        "hit@10": float(item["hits"]["10"]),
        "mrr@10": float(item.get("reciprocal_rank") or 0.0),
        "answer_hit": float(bool(item.get("answer_hit"))),
        "citation_precision": float(item.get("citation_precision") or 0.0),
        "refused_wrong": float(refused),
    }


def totals(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, float]]:
    """(retriever, kind or 'all') → metric → count."""
    found: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: dict.fromkeys(COUNTED, 0.0))
    for item in report["items"]:
        for kind in (item["kind"], "all"):
            bucket = found[(item["retriever"], kind)]
            for metric, value in question_figures(item).items():
                bucket[metric] += value
    return dict(found)


def main() -> None:
    named = [argument.split("=", 1) for argument in sys.argv[1:]]
    reports = {name: json.loads(Path(path).read_text()) for name, path in named}
    figures = {name: totals(report) for name, report in reports.items()}
    reference = named[0][0]
    worse: list[str] = []
    better: list[str] = []
    keys = sorted(figures[reference], key=lambda key: (key[0], key[1] != "all", key[1]))
    print("| retriever | kind | metric | " + " | ".join(reports) + " |")
    print("|---|---|---|" + "---|" * len(reports))
    for key in keys:
        for metric in COUNTED:
            values = [figures[name].get(key, {}).get(metric, 0.0) for name in reports]
            if not any(values):
                continue
            sign = -1.0 if metric in LOWER_IS_BETTER else 1.0
            shown = f"{key[0]}/{key[1]}/{metric}: " + ", ".join(f"{v:g}" for v in values)
            if any(sign * (value - values[0]) < -1.0 - 1e-9 for value in values):
                worse.append(shown)
            elif any(sign * (value - values[0]) > 1.0 + 1e-9 for value in values):
                better.append(shown)
            print(f"| {key[0]} | {key[1]} | {metric} | " + " | ".join(f"{value:g}" for value in values) + " |")
    answers = {
        name: {(i["retriever"], i["id"]): i.get("answer", "") for i in report["items"]}
        for name, report in reports.items()
    }
    for name in list(reports)[1:]:
        changed = sum(answers[name].get(key) != text for key, text in answers[reference].items())
        total = len(answers[reference])
        print(f"\n{name}: {changed} of {total} (retriever, question) answers differ in text from {reference}")
    for label, found in (("worse", worse), ("better", better)):
        print(f"\nmore than one question {label} than {reference}:" + ("" if found else " none"))
        for line in found:
            print("  " + line)


if __name__ == "__main__":
    main()

"""report.json, report.md (tables) and PNG plots from an eval run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

HEADLINE = [
    "hit@1",
    "hit@5",
    "hit@10",
    "mrr@10",
    "answer_hit",
    "citation_precision",
    "refusal_accuracy",
    "false_refusal_rate",
    "latency_p50_s",
    "latency_p95_s",
]

# Plots: sizes in inches at PLOT_DPI, so a PNG is 720x480 or 960x480 pixels, legible in a README
# without scaling. The bar chart is wider: it has a group of bars per question kind.
PLOT_DPI = 120
CURVE_SIZE_IN = (6, 4)
BARS_SIZE_IN = (8, 4)
# Headroom above 1.0 so a perfect score's marker or bar is not cut by the frame.
CURVE_TOP = 1.02
BARS_TOP = 1.05
# Share of each kind's slot the bars fill together; the rest is the gap between kinds.
BAR_GROUP_WIDTH = 0.8
GRID_ALPHA = 0.3  # faint: the grid helps read values without competing with the curves
KIND_LABEL_FONT_SIZE = 8  # two-line kind labels under each group must not run into each other


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _table(rows: list[tuple[str, dict[str, Any]]], columns: list[str]) -> str:
    lines = ["| | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, values in rows:
        lines.append(f"| {name} | " + " | ".join(_cell(values.get(c)) for c in columns) + " |")
    return "\n".join(lines)


def markdown(report: dict[str, Any], dataset: str) -> str:
    ks = report["ks"]
    columns = [c for c in HEADLINE if not c.startswith("hit@")]
    columns = [f"hit@{k}" for k in ks] + columns
    retrievers = report["retrievers"]
    parts = [
        f"# Evaluation: {dataset}",
        "",
        "Settings: " + ", ".join(f"{k}={v}" for k, v in report["settings"].items()),
        "",
        "## Overall",
        "",
        _table([(name, data["overall"]) for name, data in retrievers.items()], columns),
        "",
        "![hit@k](hit_at_k.png)",
        "",
    ]
    for name, data in retrievers.items():
        parts += [f"## {name}: by kind", "", _table(list(data["by_kind"].items()), ["questions", *columns]), ""]
    parts += ["![per kind](per_kind.png)", ""]
    misses = [i for i in report["items"] if i["retriever"] == "hybrid" and i["answerable"] and not i["answer_hit"]]
    wrong_refusals = [i for i in report["items"] if i["retriever"] == "hybrid" and not i["answerable"] and i["found"]]
    if misses or wrong_refusals:
        parts += ["## Hybrid: where it went wrong", ""]
        parts += [
            f"- {i['id']} ({i['kind']}): no gold span in the answer" + (" (refused)" if not i["found"] else "")
            for i in misses
        ]
        parts += [f"- {i['id']} (unanswerable): answered instead of refusing" for i in wrong_refusals]
        parts.append("")
    return "\n".join(parts)


def plots(report: dict[str, Any], out: Path) -> list[Path]:
    """The two figures report.md embeds, drawn with matplotlib's Agg backend: eval runs headless
    (CI, ssh) and Agg needs no display."""
    import matplotlib

    matplotlib.use("Agg")
    return [_hit_at_k_plot(report["ks"], report["retrievers"], out), _per_kind_plot(report["retrievers"], out)]


def _hit_at_k_plot(ks: list[int], retrievers: dict[str, Any], out: Path) -> Path:
    """One hit@k curve per retriever, to compare them at every cutoff at once."""
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=CURVE_SIZE_IN)
    for name, data in retrievers.items():
        axis.plot(ks, [data["overall"][f"hit@{k}"] or 0 for k in ks], marker="o", label=name)
    axis.set_xlabel("k (distinct articles)")
    axis.set_ylabel("hit@k")
    axis.set_ylim(0, CURVE_TOP)
    axis.set_xticks(ks)
    axis.set_title("Gold article among the top-k")
    axis.grid(alpha=GRID_ALPHA)
    axis.legend()
    return _save(figure, out / "hit_at_k.png")


def _per_kind_plot(retrievers: dict[str, Any], out: Path) -> Path:
    """Grouped bars per question kind, one bar per retriever. Unanswerable questions are measured by
    refusal accuracy: their answer hit is undefined."""
    import matplotlib.pyplot as plt

    kinds = sorted(next(iter(retrievers.values()))["by_kind"])
    metric_of = {kind: ("refusal_accuracy" if kind == "unanswerable" else "answer_hit") for kind in kinds}
    figure, axis = plt.subplots(figsize=BARS_SIZE_IN)
    width = BAR_GROUP_WIDTH / max(1, len(retrievers))
    for offset, (name, data) in enumerate(retrievers.items()):
        values = [data["by_kind"][kind][metric_of[kind]] or 0 for kind in kinds]
        axis.bar([i + offset * width for i in range(len(kinds))], values, width=width, label=name)
    axis.set_xticks([i + width * (len(retrievers) - 1) / 2 for i in range(len(kinds))])
    axis.set_xticklabels(
        [f"{k}\n({'refusal acc.' if k == 'unanswerable' else 'answer hit'})" for k in kinds],
        fontsize=KIND_LABEL_FONT_SIZE,
    )
    axis.set_ylim(0, BARS_TOP)
    axis.set_title("Per question kind")
    axis.legend()
    return _save(figure, out / "per_kind.png")


def _save(figure: Figure, path: Path) -> Path:
    """Writes and closes the figure: pyplot keeps every open figure alive until closed."""
    import matplotlib.pyplot as plt

    figure.tight_layout()
    figure.savefig(path, dpi=PLOT_DPI)
    plt.close(figure)
    return path


def write_report(report: dict[str, Any], out: Path, dataset: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    (out / "report.md").write_text(markdown(report, dataset))
    return [out / "report.json", out / "report.md", *plots(report, out)]

"""Encode rate of the ONNX MiniLM by precision, batch size and thread count, as ratios within one run.

    python -m bench.embed_batch --corpus ../shared/data/bbc [--articles 60] [--rounds 3]

Why ratios, interleaved: the CPU is shared, so absolute rates drift with whatever else runs. Every
configuration is timed once per round, rounds repeat the same order, and each configuration's rate is
the median of its rounds, reported against the reference (fp32, batch ONNX_BATCH, all cores) measured
in the same rounds. Workloads: ingest chunks (the real chunker and embedding text over BBC articles,
all chunks in one call, as the pipeline calls it) and answer-time sentences (~150 chars).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.embeddings import local_model_dir, verified_weights
from bot.onnx_minilm import ONNX_BATCH, OnnxMiniLM, Precision
from bot.schema import embedding_text
from ingest.chunk import chunk_article
from ingest.identity import to_article
from ingest.loaders import load

BATCHES = (4, 8, 16, 32, 64)


@dataclass(frozen=True)
class Config:
    precision: Precision
    batch: int
    threads: int

    @property
    def label(self) -> str:
        return f"{self.precision} batch {self.batch} threads {self.threads}"


def workloads(corpus: Path, articles: int, settings: Settings) -> dict[str, list[str]]:
    """Chunks as ingest embeds them, and sentences as the answerer embeds them, from evenly spread articles."""
    files = sorted(corpus.glob("*/*.txt"))
    step = max(1, len(files) // articles)
    chunks: list[str] = []
    sentences: list[str] = []
    for path in files[::step][:articles]:
        for raw in load(str(path), settings).articles:
            article = to_article(raw)
            chunks.extend(
                embedding_text(article.title, chunk.text)
                for chunk in chunk_article(article, settings.chunk_size, settings.chunk_overlap)
            )
            sentences.extend(s for s in re.split(r"(?<=[.!?])\s+", article.text) if len(s) > 40)
    return {"chunks": chunks, "sentences": sentences[: len(chunks) * 2]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batches", default=",".join(map(str, BATCHES)), help="Batch sizes, comma-separated.")
    parser.add_argument("--cache", type=Path, default=Path(".newsdesk-bench-models"))
    parser.add_argument("--out", type=Path, default=None, help="Write the figures as JSON here too.")
    args = parser.parse_args()

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    texts = workloads(args.corpus, args.articles, settings)
    model_dir = local_model_dir()
    weights = verified_weights(str(model_dir))
    cores = os.cpu_count() or 1
    thread_counts = sorted({1, cores})
    models = {
        (precision, threads): OnnxMiniLM(model_dir, args.cache, weights, threads=threads, precision=precision)
        for precision in ("fp32", "int8")
        for threads in thread_counts
    }
    batches = [int(size) for size in args.batches.split(",")]
    configs = [Config(p, b, cores) for p in ("fp32", "int8") for b in batches]
    configs += [Config(p, ONNX_BATCH, t) for p in ("fp32", "int8") for t in thread_counts if t != cores]
    for model in models.values():  # first runs allocate; keep them out of the timings
        model.encode(texts["sentences"][:32])

    seconds: dict[tuple[str, str], list[float]] = {}
    for round_number in range(args.rounds):
        for workload, batch_texts in texts.items():
            for config in configs:
                model = models[(config.precision, config.threads)]
                started = time.perf_counter()
                model.encode(batch_texts, config.batch)
                seconds.setdefault((workload, config.label), []).append(time.perf_counter() - started)
        print(f"round {round_number + 1}/{args.rounds} done", flush=True)

    report: dict[str, dict[str, dict[str, float]]] = {}
    for workload, batch_texts in texts.items():
        reference = statistics.median(seconds[(workload, Config("fp32", ONNX_BATCH, cores).label)])
        mean_chars = sum(map(len, batch_texts)) / len(batch_texts)
        print(f"\n{workload}: {len(batch_texts)} texts of ~{mean_chars:.0f} chars; speed vs fp32 batch {ONNX_BATCH}")
        report[workload] = {}
        for config in configs:
            median = statistics.median(seconds[(workload, config.label)])
            rate, ratio = len(batch_texts) / median, reference / median
            report[workload][config.label] = {"per_s": round(rate, 1), "speed_vs_reference": round(ratio, 3)}
            print(f"  {config.label:<28} {rate:7.1f}/s  {ratio:5.2f}x")
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

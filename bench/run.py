"""`make bench`: ingest overhead, scaling of query cost, startup — as ratios measured in one run.

Absolute times depend on the machine; the ratios (pipeline vs raw encode,
p95 at 100k vs 1k chunks) are what this report is for. Writes
docs/BENCHMARKS.md and docs/bench.png.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bot.config import Settings
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.evaluate.metrics import percentile
from bot.schema import article_id_of, with_article
from bot.store import COLLECTION_MODEL_KEY, Meta, embedding_text
from ingest.pipeline import FILES_PER_BATCH, Ingestor

SIZES = (1_000, 10_000, 100_000)
INGEST_FILES = 300
LATENCY_QUESTIONS = 60


def corpus_files(corpus: Path, count: int) -> list[str]:
    files = sorted(str(p) for p in corpus.rglob("*.txt") if p.parent != corpus)
    random.Random(7).shuffle(files)
    return files[:count]


# Stop 8's pipeline (PyTorch, no quotes) ran at this share of PyTorch's raw encode rate, measured
# the same way: the baseline "today" of the who-said-what and ONNX changes.
PREVIOUS_PIPELINE_SHARE_OF_TORCH = 0.94
INGEST_TARGET = 1.7  # issue 14: the ingest pipeline vs the PyTorch one it replaced
INT8_QUOTES = " (quotes on its int8 graph: ingest/quote_vectors.py)"


def ingest_ratio(corpus: Path, work: Path, embedder: LocalMiniLM) -> tuple[dict[str, Any], Newsdesk]:
    """The full pipeline (now with spaCy's quotes and entities, and quote vectors) against raw encode
    rates of the same chunk texts with both runtimes, in one run."""
    desk = Newsdesk(Settings(_env_file=None, data_dir=work / "ingest"), embedder)  # type: ignore[call-arg]
    files = corpus_files(corpus, INGEST_FILES)
    started = time.perf_counter()
    report = Ingestor.for_desk(desk).run(files, progress=True)
    pipeline_s = time.perf_counter() - started
    torch_pipeline_rate = None
    if embedder.backend != "torch":
        # The same files through the same pipeline on PyTorch, second (so it gets the warm file cache).
        torch_model = embedder.with_backend("torch")
        torch_model.embed_query("load the model before timing")
        torch_desk = Newsdesk(
            Settings(_env_file=None, data_dir=work / "ingest-torch", embeddings_backend="torch"),  # type: ignore[call-arg]
            torch_model,
        )
        started = time.perf_counter()
        torch_report = Ingestor.for_desk(torch_desk).run(files, progress=True)
        torch_pipeline_rate = torch_report.chunks_written / (time.perf_counter() - started)
    texts = [embedding_text(str(meta.get(Meta.TITLE, "")), doc) for _cid, doc, meta in desk.store.iter_chunks()]
    rates = {}
    for backend in ("torch", "onnx"):
        model = LocalMiniLM(backend=backend)
        model.embed_query("load the model before timing")
        started = time.perf_counter()
        model.embed_documents(texts)
        rates[backend] = len(texts) / (time.perf_counter() - started)
    chunks = report.chunks_written
    pipeline_rate = chunks / pipeline_s
    vs_today = pipeline_rate / (PREVIOUS_PIPELINE_SHARE_OF_TORCH * rates["torch"])
    return {
        "files": len(files),
        "articles": len(report.added),
        "chunks": chunks,
        "quotes": report.quotes_written,
        "backend": embedder.backend,
        "pipeline_chunks_per_s": pipeline_rate,
        "encode_chunks_per_s": rates[embedder.backend],
        "torch_encode_chunks_per_s": rates["torch"],
        "onnx_encode_chunks_per_s": rates["onnx"],
        "ratio": pipeline_rate / rates[embedder.backend],
        "vs_today": vs_today,
        "torch_pipeline_chunks_per_s": torch_pipeline_rate,
        "stage_share": {stage: seconds / pipeline_s for stage, seconds in report.stage_seconds.items()},
    }, desk


def build_scaled_store(
    base: Newsdesk, size: int, data_dir: Path, start: int = 0, replicate_quotes: bool = True
) -> None:
    """`size` chunks: the base chunks replicated under new article ids, vectors jittered slightly
    so the HNSW graph is not full of exact duplicates. With `start`, a store already built to
    `start` chunks is grown to `size` (bench.scale grows one store through its sizes). Without
    `replicate_quotes` the quotes are stored once, not once per replica (a million-chunk store
    with its ~2M quotes does not build within bench.scale's hour on 2 cores)."""
    import numpy as np

    rows = list(base.store.iter_chunks())
    ids = [cid for cid, _d, _m in rows]
    vectors = base.store.embeddings_of(ids)
    rng = np.random.default_rng(7 + start)
    settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
    target = Newsdesk(settings, base.embedder)
    collection = target.store._collection
    collection.modify(metadata={COLLECTION_MODEL_KEY: target.store.embedding_model, "generation": "bench"})
    batch: list[tuple[str, str, dict[str, Any], list[float]]] = []
    with tqdm(total=size, initial=start, desc=f"Building {size:,} chunks", unit="chunk") as bar:
        for number in range(start, size):
            replica, position = divmod(number, len(rows))
            cid, doc, meta = rows[position]
            new_article = f"{article_id_of(cid)}r{replica}"
            vector = np.asarray(vectors[cid]) + rng.normal(0, 0.01, len(vectors[cid]))
            batch.append(
                (
                    with_article(cid, new_article),
                    doc,
                    {**meta, Meta.ARTICLE_ID: new_article},
                    (vector / np.linalg.norm(vector)).tolist(),
                )
            )
            if len(batch) == 4000 or number == size - 1:
                collection.add(
                    ids=[b[0] for b in batch],
                    documents=[b[1] for b in batch],
                    metadatas=[b[2] for b in batch],
                    embeddings=[b[3] for b in batch],
                )
                bar.update(len(batch))
                batch = []
    quotes = list(base.store.iter_quotes())
    quote_vectors = base.store._guard(
        lambda: base.store._quotes.get(ids=[q[0] for q in quotes], include=["embeddings"])
    )
    by_id = dict(zip(quote_vectors["ids"], quote_vectors["embeddings"], strict=True))
    replicas = max(1, size // max(1, len(rows))) if replicate_quotes else 1
    for replica in range(max(1, start // max(1, len(rows))) if start else 0, replicas):
        for first in range(0, len(quotes), 4000):  # Chroma refuses batches past ~5,461 records
            part = quotes[first : first + 4000]
            target.store._quotes.add(
                ids=[with_article(qid, f"{article_id_of(qid)}r{replica}") for qid, _d, _m in part],
                documents=[doc for _q, doc, _m in part],
                metadatas=[{**meta, Meta.ARTICLE_ID: f"{meta[Meta.ARTICLE_ID]}r{replica}"} for _q, _d, meta in part],
                embeddings=[list(by_id[qid]) for qid, _d, _m in part],
            )
    target.store.bump_generation()


def probe(data_dir: Path, questions_file: Path, backend: str | None = None) -> dict[str, Any]:
    """The ask path's figures in a process of its own; `backend` overrides the embedding runtime
    (the store is searchable with either fp32 one: same vectors)."""
    chosen = {"NEWSDESK_EMBEDDINGS_BACKEND": backend} if backend else {}
    output = subprocess.run(
        [sys.executable, "-m", "bench.probe", str(data_dir), str(questions_file)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "TOKENIZERS_PARALLELISM": "false", **chosen},
    )
    measured: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
    return measured


def startup(data_dir: Path, question: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "newsdesk"), "ask", question, "--json"],
        check=True,
        capture_output=True,
        env={**os.environ, "NEWSDESK_DATA_DIR": str(data_dir)},
    )
    return time.perf_counter() - started


def p(values: list[float], fraction: float) -> float:
    result = percentile(values, fraction)
    return float(result) * 1000 if result is not None else float("nan")


def _lexical_scale_section(out: Path) -> list[str]:
    """The incremental index's own figures, kept across `make bench` runs (they take a 100k build)."""
    saved = out / "lexical_scale.json"
    if not saved.is_file():
        return []
    from bench.lexical_scale import report

    results = {int(size): row for size, row in json.loads(saved.read_text()).items()}
    return ["", "### Lexical index under writes (`python -m bench.lexical_scale`)", "", report(results)]


def _distinct_section(out: Path) -> list[str]:
    """BM25's growth on distinct chunks: whether the replicated stores' figure is their artefact."""
    saved = out / "lexical_profile.json"
    if not saved.is_file():
        return []
    from bench.lexical_profile import distinct_report

    results = {int(size): row for size, row in json.loads(saved.read_text()).items()}
    return [
        "",
        "The growth is not the replicated texts' doing (ties at the top defeating block-max WAND): on stores",
        "of distinct chunks, each 4-7 corpus sentences drawn at random, BM25 grows as much",
        "(`python -m bench.lexical_profile --distinct --out docs/lexical_profile.json`). The time is in",
        "reading the longer postings of the question's terms, which exact BM25 top-k must read; a smaller",
        "pool (`--k 10`) does not shrink it.",
        "",
        distinct_report(results),
    ]


def _archive_scale_section(out: Path) -> list[str]:
    """The million-chunk run's figures (`make bench-scale`: most of an hour, so not part of
    `make bench`), kept across `make bench` runs like the lexical index's."""
    saved = out / "scale.json"
    if not saved.is_file():
        return []
    from bench.scale import report

    return ["", report({int(size): row for size, row in json.loads(saved.read_text()).items()})]


def write_report(
    out: Path,
    ingest: dict[str, Any],
    scale: dict[int, dict[str, Any]],
    cold_s: float,
    warm_ms: float,
    warm_torch_ms: float | None = None,
    warm_int8_ms: float | None = None,
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(scale)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4.6))
    for key, label in (
        ("dense_s", "dense (Chroma HNSW)"),
        ("lexical_s", "lexical (BM25)"),
        ("hybrid_s", "hybrid retrieval (both + fusion)"),
        ("answer_s", "full extractive answer"),
    ):
        left.plot(sizes, [p(scale[s][key], 0.95) for s in sizes], marker="o", label=label)
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("chunks in the store")
    left.set_ylabel("p95 latency (ms)")
    left.set_title("Query cost as the archive grows")
    left.grid(alpha=0.3, which="both")
    left.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    right.bar([f"{s:,}" for s in sizes], [scale[s]["peak_rss_mb"] for s in sizes], color="#457b9d")
    right.set_ylabel("peak RSS of the ask process (MB)")
    right.set_title("Memory of the ask path")
    figure.tight_layout()
    figure.savefig(out / "bench.png", dpi=120)
    plt.close(figure)

    small, large = scale[sizes[0]], scale[sizes[-1]]
    growth = {
        key: p(large[key], 0.95) / p(small[key], 0.95) for key in ("dense_s", "lexical_s", "hybrid_s", "answer_s")
    }
    lines = [
        "# Benchmarks",
        "",
        "Made by `make bench` on this machine (2 CPU cores). Absolute times vary by machine; the ratios",
        "were measured in one run and are what to compare.",
        "",
        "## Ingest: pipeline vs raw model throughput",
        "",
        f"{ingest['files']} BBC files ({ingest['articles']} articles, {ingest['chunks']} chunks, "
        f"{ingest['quotes']} quotes)",
        "through the full pipeline (load, clean, parse with spaCy for quotes and entities, chunk, embed chunks and",
        f"quotes with the {ingest['backend']} runtime{INT8_QUOTES if ingest['backend'] == 'onnx' else ''}, write to",
        "Chroma) vs. encoding the same chunk texts raw.",
        "",
        "| pipeline chunks/s | raw encode chunks/s, PyTorch | raw, ONNX Runtime | pipeline ÷ raw (same runtime) "
        f"| vs the previous PyTorch pipeline (target ≥ {INGEST_TARGET}) |",
        "|---|---|---|---|---|",
        f"| {ingest['pipeline_chunks_per_s']:.1f} | {ingest['torch_encode_chunks_per_s']:.1f} "
        f"| {ingest['onnx_encode_chunks_per_s']:.1f} | {ingest['ratio']:.2f} | **{ingest['vs_today']:.2f}** |",
        "",
        *_same_pipeline_on_torch(ingest),
        "Where the pipeline's time went: "
        + ", ".join(f"{stage} {share:.0%}" for stage, share in ingest["stage_share"].items())
        + " (parse = spaCy's quote attribution and named entities).",
        f'"vs the previous pipeline" divides by {PREVIOUS_PIPELINE_SHARE_OF_TORCH} × PyTorch\'s raw rate measured',
        "in this run: the previous pipeline ran at that share of it (stop 8), so both sides share this run's",
        "machine speed. It did less: no spaCy parse (its share is above) and no quote vectors (in the embed",
        "share). Issue 14's target, 1.7x that pipeline, is "
        + (
            "met."
            if ingest["vs_today"] >= INGEST_TARGET
            else "not met: the faster runtime's gain on the chunks is spent on that added work."
        ),
        "",
        "Earlier (stop 8, PyTorch, before spaCy and quotes), two changes took the pipeline from 0.79 to 0.94",
        "of the raw rate. Chroma's cost is mostly per call, so each batch of",
        f"{FILES_PER_BATCH} files is written in one upsert instead of one per article (300 upserts of ~4 chunks took",
        "5.4 s, one upsert of the same 1,322 chunks 0.7 s). And the model encodes in batches of 8 chunks",
        "(16 for sentences) instead of 64, which on these 2 cores is 0.80x the time: that speeds up both",
        "sides of the ratio and the ingest itself (the whole BBC set: 27 → 49 chunks/s).",
        "",
        "## Scale: query latency and memory by store size",
        "",
        "Stores of 1k, 10k and 100k chunks are the BBC chunks above **replicated under new article ids**",
        "(vectors jittered by N(0, 0.01) and re-normalised; texts identical, so BM25 sees repeated documents).",
        f"Latencies over the {LATENCY_QUESTIONS} dev-set questions, after one warm-up question; each retrieval",
        "timing is the median of 5 runs of that question (scheduler noise otherwise decides a sub-ms p95),",
        "each answer is timed once. The lexical index's first build (once per data dir: later writes are",
        "applied to it incrementally, see `python -m bench.lexical_scale`) is reported separately.",
        "",
        "| chunks | dense p50 / p95 ms | lexical p50 / p95 ms | hybrid retrieval p50 / p95 ms "
        "| answer p50 / p95 ms | BM25 first build s | peak RSS MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for size in sizes:
        row = scale[size]
        lines.append(
            f"| {row['chunks']:,} | {p(row['dense_s'], 0.5):.2f} / {p(row['dense_s'], 0.95):.2f} "
            f"| {p(row['lexical_s'], 0.5):.2f} / {p(row['lexical_s'], 0.95):.2f} "
            f"| {p(row['hybrid_s'], 0.5):.2f} / {p(row['hybrid_s'], 0.95):.2f} "
            f"| {p(row['answer_s'], 0.5):.0f} / {p(row['answer_s'], 0.95):.0f} "
            f"| {row['lexical_build_s']:.1f} | {row['peak_rss_mb']:.0f} |"
        )
    lines += [
        "",
        f"p95 at {sizes[-1]:,} ÷ p95 at {sizes[0]:,} chunks (target ≤ 2): dense **{growth['dense_s']:.2f}**, "
        f"lexical **{growth['lexical_s']:.2f}**, hybrid retrieval **{growth['hybrid_s']:.2f}**, "
        f"full answer **{growth['answer_s']:.2f}**.",
        "",
        "Read the full-answer row with care: most of an answer's cost is encoding the sentences of the top",
        "three articles, which does not depend on the store's size; in the replicated stores the top",
        "articles are often copies of one another, whose identical sentences are encoded once, so the",
        "answer looks cheaper at 10k and 100k than a store of 100k distinct articles would be. The",
        "hybrid-retrieval row is the part that grows with the store.",
        "",
        f"Lexical search (tantivy: BM25 with block-max WAND top-k over on-disk segments) grows "
        f"{growth['lexical_s']:.1f}x for 100x the chunks;",
        f"in absolute terms it is {p(large['lexical_s'], 0.95):.2f} ms at the p95 at {sizes[-1]:,} chunks.",
        "The index is not rebuilt when the archive changes: each write is applied as its own chunks",
        "(write-to-found latency and sync cost: `python -m bench.lexical_scale --out docs/lexical_scale.json`,",
        "whose last figures follow when that file is present).",
        *_distinct_section(out),
        *_lexical_scale_section(out),
        "",
        "![latency and memory](bench.png)",
        "",
        "## Startup",
        "",
        f"- `newsdesk ask` from process start to first answer (model load included), 1k store: **{cold_s:.1f} s**",
        f"- a warm answer in a running process (p50, 1k store): **{warm_ms:.0f} ms**",
        f"- ratio cold / warm: **{cold_s * 1000 / warm_ms:.0f}×** — why the bot keeps one process and one model",
        *_runtime_line(ingest["backend"], warm_ms, warm_torch_ms, warm_int8_ms),
        *_archive_scale_section(out),
        "",
    ]
    (out / "BENCHMARKS.md").write_text("\n".join(lines))
    raw = {
        "ingest": ingest,
        "scale": scale,
        "startup_cold_s": cold_s,
        "warm_answer_ms": warm_ms,
        "warm_answer_torch_ms": warm_torch_ms,
        "warm_answer_int8_ms": warm_int8_ms,
    }
    (out / "bench.json").write_text(json.dumps(raw, indent=1))
    print("\n".join(lines))


def _same_pipeline_on_torch(ingest: dict[str, Any]) -> list[str]:
    """Today's pipeline, all its work included, run on PyTorch beside the default runtime."""
    torch_rate = ingest.get("torch_pipeline_chunks_per_s")
    if not torch_rate or ingest["backend"] == "torch":
        return []
    return [
        f"The same {ingest['files']} files through today's whole pipeline (spaCy parse and quote vectors",
        f"included) on PyTorch, right after, in this run: **{torch_rate:.1f}** chunks/s; the {ingest['backend']} "
        f"pipeline is **{ingest['pipeline_chunks_per_s'] / torch_rate:.2f}x** that: the runtime's gain on",
        "equal work. The target column above compares with the smaller PyTorch pipeline the issue measured.",
        f"Both follow how much faster ONNX Runtime encodes than PyTorch on the machine of the run: "
        f"{ingest['onnx_encode_chunks_per_s'] / ingest['torch_encode_chunks_per_s']:.2f}x here (raw columns"
        " above; 2.2x in stop 23's run on the same code, 1.8x when the issue was filed).",
        "",
    ]


def _runtime_line(
    backend: str, warm_ms: float, warm_torch_ms: float | None, warm_int8_ms: float | None = None
) -> list[str]:
    """The same warm answers on PyTorch, from the same store in the same run: the answer's side of
    the runtime change (issue 14's target: ONNX Runtime at most 0.6x PyTorch); and on the int8 graph,
    the option docs/EVAL.md measures against fp32 (not the default: it misses the one-question bar)."""
    if warm_torch_ms is None or backend == "torch":
        return []
    lines = [
        f"- the same warm answers on PyTorch (p50, same store, probed right after): **{warm_torch_ms:.0f} ms**; "
        f"{backend} ÷ PyTorch: **{warm_ms / warm_torch_ms:.2f}** (target ≤ 0.6)"
    ]
    if warm_int8_ms is not None:
        lines.append(
            f"- and with `NEWSDESK_EMBEDDINGS_BACKEND=onnx-int8` (questions and answer sentences on the int8 graph, "
            f"same store; not the default, see docs/EVAL.md): **{warm_int8_ms:.0f} ms**; int8 ÷ PyTorch: "
            f"**{warm_int8_ms / warm_torch_ms:.2f}**"
        )
    return lines


SHARED = Path(__file__).resolve().parents[2] / "shared"  # ../shared beside the repo, as the Makefile has it


def add_inputs(parser: argparse.ArgumentParser) -> None:
    """--corpus and --questions, the same for every benchmark: the BBC set and its dev questions."""
    parser.add_argument("--corpus", type=Path, default=SHARED / "data" / "bbc", help="the BBC corpus folder")
    parser.add_argument(
        "--questions", type=Path, default=SHARED / "data" / "eval" / "bbc_dev.jsonl", help="the dev questions file"
    )


def check_inputs(parser: argparse.ArgumentParser, corpus: Path, questions: Path) -> None:
    """A missing corpus or question file is one line naming it, before any work starts."""
    for path, what in ((corpus, "BBC corpus folder"), (questions, "dev questions file")):
        if not path.exists():
            parser.error(f"{path}: the {what} is missing; pass --corpus/--questions")


def main() -> None:
    parser = argparse.ArgumentParser()
    add_inputs(parser)
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite BENCHMARKS.md from the saved bench.json (and scale.json, lexical_scale.json) without measuring",
    )
    args = parser.parse_args()
    if args.report_only:
        raw = json.loads((args.out / "bench.json").read_text())
        saved = {int(size): row for size, row in raw["scale"].items()}
        write_report(
            args.out,
            raw["ingest"],
            saved,
            raw["startup_cold_s"],
            raw["warm_answer_ms"],
            raw.get("warm_answer_torch_ms"),
            raw.get("warm_answer_int8_ms"),
        )
        return
    check_inputs(parser, args.corpus, args.questions)
    sizes = [int(s) for s in args.sizes.split(",")]
    questions = [json.loads(line)["question"] for line in args.questions.read_text().splitlines() if line.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as temp:
        work = Path(temp)
        questions_file = work / "questions.json"
        questions_file.write_text(json.dumps(questions[:LATENCY_QUESTIONS]))
        embedder = LocalMiniLM()
        embedder.embed_query("load the model before timing")
        ingest, base = ingest_ratio(args.corpus, work, embedder)
        print(f"ingest ratio {ingest['ratio']:.2f}", file=sys.stderr)
        scale: dict[int, dict[str, Any]] = {}
        warm_torch: float | None = None
        warm_int8: float | None = None
        for size in sizes:
            build_scaled_store(base, size, work / f"s{size}")
            scale[size] = probe(work / f"s{size}", questions_file)
            if size == sizes[0] and embedder.backend != "torch":  # right after, on the same store
                warm_torch = p(probe(work / f"s{size}", questions_file, "torch")["answer_s"], 0.5)
            if size == sizes[0] and embedder.backend == "onnx":  # int8 questions on the fp32 store
                warm_int8 = p(probe(work / f"s{size}", questions_file, "onnx-int8")["answer_s"], 0.5)
            print(
                f"{size}: answer p95 {p(scale[size]['answer_s'], 0.95):.0f} ms, rss {scale[size]['peak_rss_mb']:.0f} MB"
            )
        cold = startup(work / f"s{sizes[0]}", questions[0])
        warm = p(scale[sizes[0]]["answer_s"], 0.5)
        write_report(args.out, ingest, scale, cold, warm, warm_torch, warm_int8)


if __name__ == "__main__":
    main()

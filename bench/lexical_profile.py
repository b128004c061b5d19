"""`python -m bench.lexical_profile`: where a BM25 question's time goes as the archive grows.

The stores are made as `bench.lexical_scale` makes them, the chunks of its BASE_FILES BBC articles
replicated under new article ids up to each size, but the chunks are cut straight from the corpus
files (`ingest.chunk`, no cleaning, no Chroma) into a tantivy index as `LexicalCache` builds one,
so a 100,000-chunk profile takes a minute and needs no model.

For each dev question `LexicalIndex._top` is replayed step by step: the tantivy searches (how many,
how long), the stored-document reads of chunk ids, and the sort; `before` replays the steps of
`_top` before issue 14 (a first search of k hits, so always a second, and an id read for every hit
fetched), `now` the current ones. Each figure is the median of REPEATS runs, as the bench's own.

Then the replication itself is checked: every chunk of the corpus (distinct texts) against the
same number of chunks replicated from the base, timing one tantivy search and `search()` in each.
The corpus has fewer distinct chunks than the largest store, so the growth is also measured on
stores of distinct chunks made up of corpus sentences drawn at random (`--distinct`): no two chunks
and no two scores alike, while the words keep the corpus's frequencies. If replication were what
makes BM25 slower at 100,000 chunks (ties defeat block-max WAND's pruning), these stores would
grow less.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

from bench.lexical_scale import BASE_FILES, QUESTIONS
from bench.probe import REPEATS, timed
from bench.run import add_inputs, check_inputs, corpus_files, p
from bot.lexical import BUILD_HEAP, SCHEMA, LexicalIndex, _document
from bot.models import Article
from bot.retrieve import CANDIDATES
from bot.schema import Meta
from bot.text import query_terms, sentences
from ingest.chunk import chunk_article

Row = tuple[str, str, dict[str, Any]]


def corpus_chunks(files: list[str]) -> list[Row]:
    """Each file's chunks as (chunk id, text, metadata): the first line is the headline."""
    rows: list[Row] = []
    for number, file in enumerate(files):
        title, _, body = Path(file).read_text(errors="replace").strip().partition("\n")
        article_id = f"a{number:05d}"
        article = Article(article_id, title.strip(), body.strip(), hashlib.sha256(body.encode()).hexdigest(), "BBC")
        meta = {Meta.TITLE: article.title, Meta.ARTICLE_ID: article_id, Meta.SOURCE: "BBC"}
        rows += [(f"{article_id}:{chunk.index}", chunk.text, meta) for chunk in chunk_article(article, 800, 200)]
    return rows


def replicated(rows: list[Row], size: int) -> Iterable[Row]:
    """`size` chunks: `rows` again and again under new article ids, as `build_scaled_store` does."""
    for number in range(size):
        replica, position = divmod(number, len(rows))
        chunk_id, text, meta = rows[position]
        article_id = f"{meta[Meta.ARTICLE_ID]}r{replica}"
        yield f"{article_id}:{chunk_id.split(':', 1)[1]}", text, {**meta, Meta.ARTICLE_ID: article_id}


def drawn(rows: list[Row], size: int, seed: int = 7) -> Iterable[Row]:
    """`size` distinct chunks of 4 to 7 sentences drawn at random from `rows`' sentences."""
    pool = [text[start:end] for _cid, text, _meta in rows for start, end in sentences(text) if end - start > 20]
    rng = random.Random(seed)
    for number in range(size):
        article_id = f"d{number:07d}"
        text = " ".join(rng.choice(pool) for _ in range(rng.randint(4, 7)))
        yield f"{article_id}:0", text, {Meta.TITLE: "", Meta.ARTICLE_ID: article_id, Meta.SOURCE: "BBC"}


def build(rows: Iterable[Row], folder: Path) -> LexicalIndex:
    folder.mkdir()
    index = tantivy.Index(SCHEMA, path=str(folder), reuse=False)
    writer = index.writer(heap_size=BUILD_HEAP, num_threads=1)
    for chunk_id, text, meta in rows:
        writer.add_document(_document(chunk_id, text, meta))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return LexicalIndex(index.searcher())


def _query(wanted: list[str]) -> tantivy.Query:
    return tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Should, tantivy.Query.term_query(SCHEMA, "terms", term, index_option="freq"))
            for term in wanted
        ]
    )


def replay(view: LexicalIndex, question: str, k: int, before: bool) -> dict[str, Any]:
    """One question through `_top`'s steps, timed apart (each the median of REPEATS runs)."""
    wanted = [term for term in query_terms(question) if term]
    query = _query(wanted)
    runs: dict[str, list[float]] = {"total": [], "searches": [], "reads": [], "sort": []}
    for _ in range(REPEATS):
        begun = time.perf_counter()
        limit, searches = (k if before else 2 * k), 0
        while True:
            searches += 1
            hits = view.searcher.search(query, limit=limit, count=False).hits
            if len(hits) < limit or hits[-1][0] < hits[k - 1][0]:
                break
            limit *= 2
        fetched = len(hits)
        searched = time.perf_counter()
        if not before and len(hits) > k:
            hits = [hit for hit in hits if hit[0] >= hits[k - 1][0]]
        found = [(str(view.searcher.doc(address).get_first("id")), float(score)) for score, address in hits]
        read = time.perf_counter()
        sorted(found, key=lambda hit: (-hit[1], hit[0]))[:k]
        ended = time.perf_counter()
        for name, seconds in (
            ("total", ended - begun),
            ("searches", searched - begun),
            ("reads", read - searched),
            ("sort", ended - read),
        ):
            runs[name].append(seconds)
    scores = [score for _cid, score in found]
    return {
        **{name: statistics.median(values) for name, values in runs.items()},
        "search()": timed(lambda: view.search(wanted, k)),
        "searches_n": searches,
        "fetched_n": fetched,
        "reads_n": len(found),
        "ties_n": scores.count(scores[k - 1]) if len(scores) >= k else 0,
    }


def _spread(rows: list[dict[str, Any]], name: str) -> str:
    values = [row[name] for row in rows]
    return f"{p(values, 0.5):.3f} / {p(values, 0.95):.3f}"


def _counts(rows: list[dict[str, Any]], name: str) -> str:
    values = [row[name] for row in rows]
    return f"{statistics.median(values):g} / {max(values)}"


def profile(view: LexicalIndex, questions: list[str], k: int) -> list[str]:
    lines = []
    for before in (True, False):
        rows = [replay(view, question, k, before) for question in questions]
        lines.append(
            f"| {len(view):,} | {'before' if before else 'now'} | {_spread(rows, 'total')} "
            f"| {_spread(rows, 'searches')} | {_spread(rows, 'reads')} | {_spread(rows, 'sort')} "
            f"| {_counts(rows, 'searches_n')} | {_counts(rows, 'fetched_n')} | {_counts(rows, 'reads_n')} "
            f"| {_counts(rows, 'ties_n')} | {_spread(rows, 'search()')} |"
        )
    return lines


def one_search(view: LexicalIndex, questions: list[str], k: int) -> list[float]:
    """One tantivy search of 2k hits per question (no id reads, no repeats for ties)."""
    timings = []
    for question in questions:
        query = _query([term for term in query_terms(question) if term])
        timings.append(timed(lambda: view.searcher.search(query, limit=2 * k, count=False)))  # noqa: B023
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add_inputs(parser)
    parser.add_argument("--sizes", default="1000,100000", help="replicated store sizes to profile")
    parser.add_argument("--k", type=int, default=CANDIDATES, help="hits per question (the retriever's pool)")
    parser.add_argument(
        "--distinct", action="store_true", help="also time stores of distinct drawn chunks at each size"
    )
    parser.add_argument("--out", type=Path, help="with --distinct: write the distinct stores' timings here as JSON")
    args = parser.parse_args()
    check_inputs(parser, args.corpus, args.questions)
    lines = [json.loads(line)["question"] for line in args.questions.read_text().splitlines() if line.strip()]
    questions = lines[:QUESTIONS]
    every = corpus_chunks(corpus_files(args.corpus, 10**9))
    base = every[: sum(1 for row in every if int(str(row[2][Meta.ARTICLE_ID])[1:]) < BASE_FILES)]
    table = [
        f"{len(base):,} base chunks from {BASE_FILES} articles; k = {args.k}; ms p50 / p95 over {len(questions)} "
        "questions; counts median / max.",
        "",
        "| chunks | _top | steps ms | searches ms | id reads ms | sort ms | searches | hits fetched | ids read "
        "| ties at k-th | search() ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="newsdesk-lexical-profile-") as temp:
        for size in sizes:
            table += profile(build(replicated(base, size), Path(temp) / f"r{size}"), questions, args.k)
        table += [
            "",
            f"Replication check at {len(every):,} chunks (the whole corpus): ms p50 / p95.",
            "",
            "| store | one search of 2k hits | search() | ties at k-th, median / max |",
            "|---|---|---|---|",
        ]
        for name, rows in (("distinct (every corpus chunk)", every), ("base replicated", replicated(base, len(every)))):
            view = build(rows, Path(temp) / name.split()[0])
            timings = one_search(view, questions, args.k)
            measured = [replay(view, question, args.k, before=False) for question in questions]
            table.append(
                f"| {name} | {p(timings, 0.5):.3f} / {p(timings, 0.95):.3f} | {_spread(measured, 'search()')} "
                f"| {_counts(measured, 'ties_n')} |"
            )
        if args.distinct:
            distinct = distinct_growth(every, sizes, questions, args.k, Path(temp))
            table += ["", distinct_report(distinct)]
            if args.out:
                args.out.write_text(json.dumps({str(size): row for size, row in distinct.items()}, indent=1))
    print("\n".join(table))


def distinct_growth(every: list[Row], sizes: list[int], questions: list[str], k: int, temp: Path) -> dict[int, Any]:
    """Per size: one tantivy search's and search()'s timings (s) on a store of distinct drawn chunks."""
    results: dict[int, Any] = {}
    for size in sizes:
        view = build(drawn(every, size), temp / f"d{size}")
        measured = [replay(view, question, k, before=False) for question in questions]
        results[size] = {
            "one_search_s": one_search(view, questions, k),
            "search_s": [row["search()"] for row in measured],
            "ties": [row["ties_n"] for row in measured],
        }
    return results


def distinct_report(results: dict[int, Any]) -> str:
    """The distinct stores' table, and search()'s p95 growth from the smallest to the largest."""
    sizes = sorted(results)
    growth = p(results[sizes[-1]]["search_s"], 0.95) / p(results[sizes[0]]["search_s"], 0.95)
    lines = [
        "Distinct stores (chunks of 4-7 corpus sentences drawn at random): ms p50 / p95.",
        "",
        "| chunks | one search of 2k hits | search() | ties at k-th, median / max |",
        "|---|---|---|---|",
    ]
    for size in sizes:
        row = results[size]
        timings, measured = row["one_search_s"], row["search_s"]
        lines.append(
            f"| {size:,} | {p(timings, 0.5):.3f} / {p(timings, 0.95):.3f} "
            f"| {p(measured, 0.5):.3f} / {p(measured, 0.95):.3f} "
            f"| {statistics.median(row['ties']):g} / {max(row['ties'])} |"
        )
    lines += ["", f"search() p95 at {sizes[-1]:,} ÷ at {sizes[0]:,} distinct chunks: **{growth:.2f}**."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

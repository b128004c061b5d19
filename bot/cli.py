"""The `newsdesk` command: parses, calls the core, prints. No logic of its own."""

from __future__ import annotations

import json
import logging
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from bot.answer.citations import answer_dict, source_line
from bot.config import Settings
from bot.errors import NewsdeskError
from bot.models import Answer
from bot.retrieve import Filters

log = logging.getLogger("newsdesk")


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic's ValidationError lists every bad field
        raise NewsdeskError(f"invalid settings: {exc}".splitlines()[0] + " (check your environment or .env)") from exc


def _core(check_model: bool = True) -> Any:
    from bot.core import Newsdesk

    return Newsdesk(_settings(), check_model=check_model)


class NewsdeskGroup(click.Group):
    """Turns domain errors into one line on stderr and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsdeskError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=NewsdeskGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log what happens (to stderr).")
def main(verbose: bool) -> None:
    """Newsdesk: ask your news coverage questions, get cited answers."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@main.command()
@click.argument("inputs", nargs=-1)
@click.option("--feed", "feeds", multiple=True, help="An RSS/Atom feed URL whose linked articles to ingest.")
@click.option("--source", default=None, help="Source name to record for every article (e.g. BBC).")
@click.option("--dry-run", is_flag=True, help="Load and check everything, store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def ingest(inputs: tuple[str, ...], feeds: tuple[str, ...], source: str | None, dry_run: bool, as_json: bool) -> None:
    """Add articles from files, folders, globs, URLs (txt, md, html, json, jsonl) or --feed URLs."""
    if not inputs and not feeds:
        raise NewsdeskError("nothing to ingest; give files, folders, URLs or --feed URL")
    core = _core()
    progress = not as_json and sys.stderr.isatty()
    report = core.ingestor().run(inputs, source=source, dry_run=dry_run, progress=progress) if inputs else None
    if feeds:
        from ingest.watch import ingest_feeds

        from_feeds = ingest_feeds(core.ingestor(), feeds, None, progress=progress)
        report = from_feeds if report is None else report.merge(from_feeds)
    assert report is not None
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        for reason in report.failed:
            click.echo(f"failed: {reason}", err=True)
        for label in report.repaired:
            click.echo(f"repaired a half-written article: {label}", err=True)
        click.echo(report.summary())
    sys.exit(0 if report.ok else 1)


def _parse_date(value: str | None, flag: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise NewsdeskError(f"{flag} {value!r} is not a date; use YYYY-MM-DD") from exc


def print_answer(answer: Answer) -> None:
    click.echo(answer.text)
    if answer.notice:
        click.echo(f"\n({answer.notice})")
    if answer.citations:
        click.echo("\nSources")
        for citation in answer.citations:
            click.echo(source_line(citation))


@main.command()
@click.argument("question")
@click.option("--k", "k", type=click.IntRange(1, 50), default=None, help="Passages to retrieve.")
@click.option("--since", default=None, help="Only articles published on or after YYYY-MM-DD.")
@click.option("--until", default=None, help="Only articles published on or before YYYY-MM-DD.")
@click.option("--source", default=None, help="Only articles from this source.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def ask(question: str, k: int | None, since: str | None, until: str | None, source: str | None, as_json: bool) -> None:
    """Answer a question from the coverage, with citations."""
    if not question.strip():
        raise NewsdeskError('the question is empty; ask something, e.g. newsdesk ask "What did Churkin say?"')
    filters = Filters(_parse_date(since, "--since"), _parse_date(until, "--until"), source)
    answer = _core().ask(question, k=k, filters=filters)
    if as_json:
        click.echo(json.dumps(answer_dict(answer), ensure_ascii=False))
    else:
        print_answer(answer)


@main.command()
@click.option("--json", "as_json", is_flag=True)
def sources(as_json: bool) -> None:
    """List the stored articles: id, title, source, date, chunks."""
    articles = _core().sources()
    if as_json:
        rows = [
            {
                "id": a.ref.article_id,
                "title": a.ref.title,
                "source": a.ref.source,
                "published": a.ref.published,
                "url": a.ref.url,
                "chunks": a.chunks,
            }
            for a in articles
        ]
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for a in articles:
        published = a.ref.published or "-" * 10
        click.echo(f"{a.ref.article_id}  {published:10}  {a.chunks:3}  {a.ref.source or '-'}  {a.ref.title}")
    click.echo(f"{len(articles)} articles")


@main.command()
@click.argument("id_or_url")
def remove(id_or_url: str) -> None:
    """Remove one article (id from `newsdesk sources`, or its URL)."""
    from ingest.identity import article_id_from_user

    article_id = article_id_from_user(id_or_url)
    removed = _core().remove(article_id)
    if not removed:
        raise NewsdeskError(f"no article {id_or_url!r} in the store; `newsdesk sources` lists the ids")
    click.echo(f"removed {article_id} ({removed} chunks)")


@main.command()
@click.option("--json", "as_json", is_flag=True)
def stats(as_json: bool) -> None:
    """Counts of articles and chunks, sources, date range, embedding model."""
    result = _core().stats()
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    click.echo(f"articles: {result.articles}\nchunks: {result.chunks}\nstore: {result.store}")
    click.echo(f"embeddings: {result.embedding_model}")
    if result.oldest:
        click.echo(f"dates: {result.oldest} .. {result.newest}")
    for name, count in result.sources.items():
        click.echo(f"  {name}: {count}")


@main.command()
def reindex() -> None:
    """Re-embed every chunk with the configured embedding model (after changing NEWSDESK_EMBEDDINGS)."""
    from tqdm import tqdm

    core = _core(check_model=False)
    total = core.store.count()
    with tqdm(total=total, desc="Re-embedding", unit="chunk", disable=not sys.stderr.isatty()) as bar:
        count = core.store.recreate_with(core.store.embedding_model, core.embedder.embed_documents, progress=bar.update)
    click.echo(f"re-embedded {count} chunks with {core.store.embedding_model}")


@main.command()
@click.option("--feed", "feeds", multiple=True, help="Feed URL to watch (also NEWSDESK_FEEDS).")
@click.option("--interval", type=float, default=None, help="Seconds between runs (NEWSDESK_WATCH_INTERVAL_S).")
@click.option("--runs", type=click.IntRange(1), default=None, help="Stop after this many runs (default: forever).")
def watch(feeds: tuple[str, ...], interval: float | None, runs: int | None) -> None:
    """Re-read feeds on an interval and ingest what is new or changed; one summary line per run."""
    from ingest.feeds import FeedState
    from ingest.watch import watch as watch_feeds

    settings = _settings()
    core = _core()
    watch_feeds(
        core.ingestor(),
        list(feeds) or settings.feed_urls,
        interval or settings.watch_interval_s,
        FeedState(settings.data_dir),
        runs=runs,
        echo=click.echo,
    )


@main.command()
@click.option("--http", "use_http", is_flag=True, help="Serve the Events API over HTTP instead of Socket Mode.")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on with --http.")
@click.option("--port", default=3000, show_default=True, type=click.IntRange(1, 65535), help="Port for --http.")
def slack(use_http: bool, host: str, port: int) -> None:
    """Run the Slack bot (Socket Mode by default; --http for the Events API at /slack/events)."""
    from bot.slack.app import check_token, create_app, web_client
    from bot.slack.server import run_http, socket_mode_handler

    settings = _settings()
    client = web_client(settings)
    identity = check_token(client)
    core = _core()
    app = create_app(settings, core, socket_mode=not use_http, client=client)
    click.echo(
        f"Newsdesk is connected to Slack as {identity.get('user', '?')} in {identity.get('team', '?')}", err=True
    )
    if use_http:
        run_http(app, host, port)
    else:
        socket_mode_handler(app, settings).start()


@main.command()
def doctor() -> None:
    """Check the settings, the store, the embedding model, the LLM and Slack; one line each."""
    from bot.doctor import run_checks

    failures = 0
    for check in run_checks(_settings()):
        click.echo(f"{'ok ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
        failures += 0 if check.ok else 1
    sys.exit(1 if failures else 0)


@main.command()
@click.option("--json", "as_json", is_flag=True)
def feedback(as_json: bool) -> None:
    """List the 👍/👎 votes from Slack and summarise them."""
    from bot.feedback import FeedbackStore

    votes = FeedbackStore(_settings().data_dir).votes()
    up = sum(1 for v in votes if v.vote > 0)
    if as_json:
        rows = [v.__dict__ for v in votes]
        click.echo(json.dumps({"votes": rows, "up": up, "down": len(votes) - up}, ensure_ascii=False))
        return
    for v in votes:
        when = datetime.fromtimestamp(v.created_at).strftime("%Y-%m-%d %H:%M")
        click.echo(f"{when}  {'+1' if v.vote > 0 else '-1'}  {v.user_id}  {v.question}")
    share = f" ({100 * up / len(votes):.0f}% helpful)" if votes else ""
    click.echo(f"{len(votes)} votes: {up} up, {len(votes) - up} down{share}")


@main.command(name="eval")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--corpus",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="Folder the dataset's article paths are relative to; ingested into the eval store.",
)
@click.option("--k", "ks", default="1,5,10", show_default=True, help="Cut-offs for hit@k.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("eval-out"), show_default=True)
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Data dir of the store to evaluate (default: a fresh one under --out).",
)
@click.option("--retrievers", default="dense,lexical,hybrid", show_default=True)
def eval_command(dataset: Path, corpus: Path, ks: str, out: Path, store: Path | None, retrievers: str) -> None:
    """Measure retrieval and answers on a question set: hit@k, MRR, answer hit, refusals, latency."""
    from bot.core import Newsdesk
    from bot.evaluate.report import write_report
    from bot.evaluate.run import load_dataset, run_eval

    try:
        cutoffs = sorted({int(k) for k in ks.split(",") if k.strip()})
    except ValueError as exc:
        raise NewsdeskError(f"--k {ks!r} must be numbers separated by commas, e.g. 1,5,10") from exc
    chosen = [r.strip() for r in retrievers.split(",") if r.strip()]
    if not chosen or any(r not in ("dense", "lexical", "hybrid") for r in chosen):
        raise NewsdeskError(f"--retrievers {retrievers!r}: use dense, lexical and/or hybrid")
    items = load_dataset(dataset)
    settings = _settings().model_copy(update={"data_dir": store or out / "store"})
    desk = Newsdesk(settings)
    report = desk.ingestor().run([str(corpus)], source=None, progress=sys.stderr.isatty())
    click.echo(f"corpus: {report.summary()}", err=True)
    result = run_eval(desk, items, corpus, cutoffs, chosen, progress=sys.stderr.isatty())  # type: ignore[arg-type]
    for path in write_report(result, out, dataset.name):
        click.echo(f"wrote {path}")
    for name, data in result["retrievers"].items():
        overall = data["overall"]
        shown = ", ".join(
            f"{key} {overall[key]:.3f}"
            for key in (f"hit@{cutoffs[-1]}", "answer_hit", "refusal_accuracy", "false_refusal_rate")
            if overall.get(key) is not None
        )
        click.echo(f"{name}: {shown}")


if __name__ == "__main__":
    main()

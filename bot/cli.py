"""The `newsdesk` command: parses, calls the core, prints. No logic of its own."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import click

from bot.answer.citations import answer_dict, source_line
from bot.config import Settings, load_settings, unknown_setting_warnings
from bot.errors import EmptyArchiveError, NewsdeskError, QuestionTooLongError
from bot.models import Answer
from bot.question_filters import read_filters, with_flags
from bot.retrieve import MODES, Filters, Mode
from ingest.loaders import SUPPORTED_LIST

log = logging.getLogger("newsdesk")

# Loggers of the libraries underneath: their warnings ("discarding data", retries, telemetry) are noise
# to a user; -v shows them.
LIBRARY_LOGGERS = (
    "trafilatura",
    "htmldate",
    "courlan",
    "justext",
    "langchain",
    "langchain_core",
    "langchain_openai",
    "langchain_text_splitters",
    "openai",
    "httpx",
    "httpcore",
    "urllib3",
    "chromadb",
    "posthog",
    "sentence_transformers",
    "transformers",
    "huggingface_hub",
    "torch",
    "tantivy",
    "py.warnings",
)
INTERRUPTED_INGEST = "interrupted: re-run the same command to continue (stored articles are skipped)"
_SETTINGS_KEY = "newsdesk.settings"
_VERBOSE_KEY = "newsdesk.verbose"
_VERBOSE_HELP = "Log what happens, including the libraries' warnings (to stderr)."


class CliError(click.ClickException):
    """A problem the user can fix: `error: <message>` on stderr (one line per line of it), exit status 2.

    Raised by the commands themselves, and for every `NewsdeskError` (see `_user_errors`)."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        for line in self.format_message().splitlines():
            click.echo(f"error: {line}", file=file, err=file is None)


class Interrupted(click.ClickException):
    """Ctrl-C: one line on stderr and exit status 130 (128 + SIGINT), as shells expect."""

    exit_code = 130

    def __init__(self, message: str = "interrupted") -> None:
        super().__init__(message)

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), file=file, err=file is None)


@contextmanager
def _user_errors() -> Iterator[None]:
    """The CLI's one edge: a domain error (its message is safe to show) becomes `CliError`, Ctrl-C `Interrupted`."""
    try:
        yield
    except NewsdeskError as exc:
        raise CliError(str(exc)) from exc
    except KeyboardInterrupt:
        raise Interrupted() from None


class IsoDate(click.ParamType[date | None]):
    """A day as `date.fromisoformat` reads it: 2024-05-01, also 20240501 and ISO weeks (2024-W18-3).

    Not `click.DateTime`: its strptime formats cannot read ISO weeks and would let 2024-5-1 through."""

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date | None:
        if isinstance(value, date):
            return value
        if not value:
            return None  # --since "" sets no bound
        try:
            return date.fromisoformat(value)
        except ValueError:
            # One line naming the option, like every other input error, not click's usage block.
            flag = param.opts[0] if param is not None and param.opts else "date"
            raise CliError(f"{flag} {value!r} is not a date; use YYYY-MM-DD") from None


class CommaSeparated(click.ParamType[tuple[Any, ...]]):
    """`1,5,10` as (1, 5, 10), each part checked by `each`; with multiple=True the option may also be repeated."""

    def __init__(self, each: click.ParamType[Any]) -> None:
        self.each = each
        self.name = f"{each.name} list"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return f"{self.each.get_metavar(param, ctx) or self.each.name.upper()}[,...]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[Any, ...]:
        if isinstance(value, tuple):
            return value
        parts = [part.strip() for part in str(value).split(",") if part.strip()]
        if not parts:
            self.fail("give at least one value", param, ctx)
        return tuple(self.each.convert(part, param, ctx) for part in parts)


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger().setLevel(logging.INFO if verbose else logging.WARNING)
    logging.captureWarnings(True)  # library warnings.warn(...) go through "py.warnings", quiet unless -v
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if verbose else logging.ERROR)


def _verbose(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """-v works before the command (`newsdesk -v ask`) and after it (`newsdesk ask ... -v`)."""
    root = ctx.find_root()
    root.meta[_VERBOSE_KEY] = root.meta.get(_VERBOSE_KEY, False) or value
    configure_logging(root.meta[_VERBOSE_KEY])


def _verbose_option() -> click.Option:
    return click.Option(["-v", "--verbose"], is_flag=True, expose_value=False, callback=_verbose, help=_VERBOSE_HELP)


class NewsdeskCommand(click.Command):
    """Every command takes -v."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(_verbose_option())


class NewsdeskGroup(click.Group):
    """Its commands take -v."""

    command_class = NewsdeskCommand


def _settings() -> Settings:
    """Settings for this invocation, built once; unknown NEWSDESK_* names (typos) are warned about first."""
    meta = click.get_current_context().find_root().meta
    if _SETTINGS_KEY not in meta:
        for warning in unknown_setting_warnings():
            click.echo(f"warning: {warning}", err=True)
        meta[_SETTINGS_KEY] = load_settings()
    settings: Settings = meta[_SETTINGS_KEY]
    return settings


def _core(settings: Settings, check_model: bool = True) -> Any:
    from bot.core import Newsdesk

    return Newsdesk(settings, check_model=check_model)


def _missing_store(settings: Settings) -> EmptyArchiveError:
    return EmptyArchiveError(f"no store in {settings.data_dir}")


@click.group(cls=NewsdeskGroup)
@click.option("-v", "--verbose", is_flag=True, expose_value=False, callback=_verbose, help=_VERBOSE_HELP)
@click.pass_context
def main(ctx: click.Context) -> None:
    """Newsdesk: ask your news coverage questions, get cited answers."""
    ctx.with_resource(_user_errors())  # sees the exception the command raised when the context closes


@main.command(help=f"Add articles from files, folders, globs, URLs ({SUPPORTED_LIST}) or --feed URLs.")
@click.argument("inputs", nargs=-1, metavar="[PATH_OR_URL]...")
@click.option(
    "--feed", "feeds", multiple=True, metavar="URL", help="An RSS/Atom feed URL whose linked articles to ingest."
)
@click.option("--source", metavar="NAME", default=None, help="Source name to record for every article (e.g. BBC).")
@click.option("--dry-run", is_flag=True, help="Load and check everything, store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def ingest(inputs: tuple[str, ...], feeds: tuple[str, ...], source: str | None, dry_run: bool, as_json: bool) -> None:
    if not inputs and not feeds:
        raise CliError("nothing to ingest; give files, folders, URLs or --feed URL")
    from ingest.pipeline import Ingestor

    core = _core(_settings())
    progress = not as_json and sys.stderr.isatty()
    report = None
    interrupted = False  # Ctrl-C: the run returns what it stored so far, marked interrupted
    if inputs:
        report = Ingestor.for_desk(core).run(inputs, source=source, dry_run=dry_run, progress=progress)
        interrupted = report.interrupted
    if feeds and not interrupted:
        from ingest.watch import ingest_feeds

        try:
            from_feeds = ingest_feeds(Ingestor.for_desk(core), feeds, None, progress=progress)
        except KeyboardInterrupt:
            if report is None:
                raise Interrupted(INTERRUPTED_INGEST) from None
            interrupted = True
        else:
            interrupted = from_feeds.interrupted
            report = from_feeds if report is None else report.merge(from_feeds)
    assert report is not None
    report.interrupted = interrupted
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        for reason in report.failed:
            click.echo(f"failed: {reason}", err=True)
        for label in report.repaired:
            click.echo(f"repaired a half-written article: {label}", err=True)
        click.echo(report.summary())
    if report.interrupted:
        raise Interrupted(INTERRUPTED_INGEST)
    click.get_current_context().exit(0 if report.ok else 1)


def _date_range(since: date | None, until: date | None) -> tuple[date | None, date | None]:
    """--since after --until is an error naming both."""
    if since and until and since > until:
        raise CliError(f"--since {since} is after --until {until}; swap them or drop one")
    return since, until


def print_answer(answer: Answer) -> None:
    click.echo(answer.text)
    if answer.notice:
        click.echo(f"\n({answer.notice})")
    if answer.filters:
        click.echo("\n(filters: " + ", ".join(f"{name} {value}" for name, value in answer.filters.items()) + ")")
    if answer.citations:
        click.echo("\nSources")
        for citation in answer.citations:
            click.echo(source_line(citation))


@main.command()
@click.argument("question")
@click.option("--k", "k", type=click.IntRange(1, 50), metavar="N", default=None, help="Passages to retrieve.")
@click.option("--since", type=IsoDate(), default=None, help="Only articles published on or after this day.")
@click.option("--until", type=IsoDate(), default=None, help="Only articles published on or before this day.")
@click.option("--source", metavar="NAME", default=None, help="Only articles from this source.")
@click.option(
    "--as-of",
    "as_of",
    type=IsoDate(),
    default=None,
    help='The day "last week" and "this year" in the question are read against (default: today).',
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object: the answer, its citations and quotes (see README)."
)
def ask(
    question: str,
    k: int | None,
    since: date | None,
    until: date | None,
    source: str | None,
    as_of: date | None,
    as_json: bool,
) -> None:
    """Answer a question from the coverage, with citations."""
    if not question.strip():
        raise CliError('the question is empty; ask something, e.g. newsdesk ask "What did Churkin say?"')
    settings = _settings()
    QuestionTooLongError.check(question, settings.max_question_chars)
    filters = Filters(*_date_range(since, until), source)
    if settings.store_missing:
        raise _missing_store(settings)
    core = _core(settings)
    if core.store.count() == 0:
        raise EmptyArchiveError()
    typed = read_filters(question, known_sources=lambda: {a.ref.source for a in core.sources()})  # since:/source:
    filters = with_flags(typed.filters, filters)
    answer = core.ask(typed.question, k=k, filters=filters, as_of=as_of)
    if as_json:
        click.echo(json.dumps(answer_dict(answer), ensure_ascii=False))
    else:
        print_answer(answer)


@main.command()
@click.argument("speaker")
@click.option("--about", metavar="TOPIC", default="", help="Only quotes on this topic.")
@click.option("--since", type=IsoDate(), default=None, help="Only quotes published on or after this day.")
@click.option("--until", type=IsoDate(), default=None, help="Only quotes published on or before this day.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: the speaker and their quotes.")
def quotes(speaker: str, about: str, since: date | None, until: date | None, as_json: bool) -> None:
    """Everything the coverage quotes a person as saying, newest first, each with date and article."""
    from bot.answer.citations import quote_dict, quote_listing
    from bot.answer.speakers import quotes_by

    settings = _settings()
    first, last = _date_range(since, until)
    if settings.store_missing:
        raise _missing_store(settings)
    core = _core(settings)
    name, found = quotes_by(
        core.store,
        core.embedder,
        core.speakers,
        speaker,
        about,
        first,
        last,
        core.lexical.get().idf,
        core.speaker_params,
        core.retriever.lexical_articles,
    )
    if as_json:
        click.echo(json.dumps({"speaker": name, "quotes": [quote_dict(q) for q in found]}, ensure_ascii=False))
        return
    if not found:
        if about and core.speakers.match(speaker):
            click.echo(f"The coverage has no remark by {name} about {about}.")
        else:
            click.echo(f"The coverage quotes no one called {speaker}.")
        return
    for line in quote_listing(name, found, about):
        click.echo(line)


def _terminal_width() -> int | None:
    """Cut to the terminal's width; piped output keeps whole lines unless COLUMNS asks otherwise."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return shutil.get_terminal_size().columns
    return None


def sources_table(rows: Sequence[tuple[str, str, int, str, str]], width: int | None) -> list[str]:
    """(id, date, chunks, source, headline) rows as aligned columns; headlines cut to `width` with an ellipsis."""
    cells = [("id", "date", "chunks", "source", "headline")]
    cells += [
        (aid, published or "-", str(chunks), source or "-", title) for aid, published, chunks, source, title in rows
    ]
    id_width, date_width, chunks_width, source_width = (max(len(row[i]) for row in cells) for i in range(4))
    lines = []
    for aid, published, chunks, source, title in cells:
        start = f"{aid:<{id_width}}  {published:<{date_width}}  {chunks:>{chunks_width}}  {source:<{source_width}}  "
        if width is not None and len(start) + len(title) > width:
            room = max(width - len(start), 10)
            title = title[: room - 1].rstrip() + "…"
        lines.append(start + title)
    return lines


@main.command()
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON list of {id, title, source, published, url, chunks}."
)
def sources(as_json: bool) -> None:
    """List the stored articles: id, date, chunks, source, headline."""
    settings = _settings()
    articles = [] if settings.store_missing else _core(settings).sources()
    if as_json:
        listed = [
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
        click.echo(json.dumps(listed, ensure_ascii=False))
        return
    if not articles:
        click.echo(str(_missing_store(settings) if settings.store_missing else EmptyArchiveError()))
        return
    table = [(a.ref.article_id, a.ref.published, a.chunks, a.ref.source, a.ref.title) for a in articles]
    for line in sources_table(table, _terminal_width()):
        click.echo(line)
    click.echo(f"{len(articles)} articles")


@main.command()
@click.argument("id_or_url", metavar="ID_OR_URL")
def remove(id_or_url: str) -> None:
    """Remove one article (id from `newsdesk sources`, or its URL)."""
    from ingest.identity import article_id_from_user

    settings = _settings()
    if settings.store_missing:
        raise _missing_store(settings)
    article_id = article_id_from_user(id_or_url)
    removed = _core(settings).remove(article_id)
    if not removed:
        raise CliError(f"no article {id_or_url!r} in the store; `newsdesk sources` lists the ids")
    click.echo(f"removed {article_id} ({removed} chunks)")


@main.command()
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object: articles, chunks, sources, embedding_model, store, oldest, newest.",
)
def stats(as_json: bool) -> None:
    """Counts of articles and chunks, sources, date range, embedding model."""
    from bot.core import Stats

    settings = _settings()
    if settings.store_missing:
        result = Stats(0, 0, {}, "", f"embedded {settings.chroma_path} (not created yet)", "", "")
    else:
        result = _core(settings).stats()
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    if settings.store_missing:
        click.echo(str(_missing_store(settings)))
        return
    click.echo(f"articles: {result.articles}\nchunks: {result.chunks}\nstore: {result.store}")
    click.echo(f"embeddings: {result.embedding_model}")
    if result.oldest:
        click.echo(f"dates: {result.oldest} .. {result.newest}")
    for name, count in result.sources.items():
        click.echo(f"  {name}: {count}")
    if not result.articles:
        click.echo(str(EmptyArchiveError()))


@main.command()
def reindex() -> None:
    """Re-embed every chunk with the configured embedding model (after changing NEWSDESK_EMBEDDINGS)."""
    from tqdm import tqdm

    from bot.embeddings import quote_embedder

    settings = _settings()
    if settings.store_missing:
        raise _missing_store(settings)
    core = _core(settings, check_model=False)
    total = core.store.count()
    with tqdm(total=total, desc="Re-embedding", unit="chunk", disable=not sys.stderr.isatty()) as bar:
        count = core.store.recreate_with(
            core.store.embedding_model,
            core.embedder.embed_documents,
            progress=bar.update,
            embed_quotes=quote_embedder(core.embedder).embed_documents,
        )
    click.echo(f"re-embedded {count} chunks with {core.store.embedding_model}")


@main.command()
@click.option("--feed", "feeds", multiple=True, metavar="URL", help="Feed URL to watch (also NEWSDESK_FEEDS).")
@click.option(
    "--interval", type=float, metavar="SECONDS", default=None, help="Seconds between runs (NEWSDESK_WATCH_INTERVAL_S)."
)
@click.option(
    "--runs", type=click.IntRange(1), metavar="N", default=None, help="Stop after this many runs (default: forever)."
)
def watch(feeds: tuple[str, ...], interval: float | None, runs: int | None) -> None:
    """Re-read feeds on an interval and ingest what is new or changed; one summary line per run."""
    from ingest.feeds import FeedState
    from ingest.pipeline import Ingestor
    from ingest.watch import watch as watch_feeds

    settings = _settings()
    core = _core(settings)
    watch_feeds(
        Ingestor.for_desk(core),
        list(feeds) or settings.feed_urls,
        interval or settings.watch_interval_s,
        FeedState(settings),
        runs=runs,
        echo=click.echo,
    )


@main.command()
@click.option("--http", "use_http", is_flag=True, help="Serve the Events API over HTTP instead of Socket Mode.")
@click.option("--host", default="0.0.0.0", show_default=True, metavar="HOST", help="Address to listen on with --http.")
@click.option(
    "--port", default=3000, show_default=True, type=click.IntRange(1, 65535), metavar="PORT", help="Port for --http."
)
def slack(use_http: bool, host: str, port: int) -> None:
    """Run the Slack bot (Socket Mode by default; --http for the Events API at /slack/events)."""
    from bot.slack.app import check_token, create_app, web_client
    from bot.slack.server import check_app_token, check_tokens, quiet_slack_logs, run_http, socket_mode_handler

    settings = _settings()
    check_tokens(settings, socket_mode=not use_http)  # every malformed or missing token, before any network call
    client = web_client(settings)
    with quiet_slack_logs():
        identity = check_token(client)
    if not use_http:
        check_app_token(settings)
    core = _core(settings)
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
    click.get_current_context().exit(1 if failures else 0)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: {votes: [...], up, down}.")
def feedback(as_json: bool) -> None:
    """List the 👍/👎 votes from Slack and summarise them."""
    from bot.state import SharedState

    votes = SharedState.open(_settings()).votes()
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
@click.argument("datasets", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--corpus",
    "corpora",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="Folder the datasets' article paths are relative to; ingested into the eval store (repeatable).",
)
@click.option(
    "--quotes",
    "quote_labels",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Labelled quotes (JSONL) to measure speaker accuracy and quote recall on.",
)
@click.option(
    "--k",
    "ks",
    type=CommaSeparated(click.IntRange(1)),
    multiple=True,
    default=["1,5,10"],
    show_default=True,
    metavar="N[,N...]",
    help="Cut-offs for hit@k (comma-separated or repeated).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("eval-out"),
    show_default=True,
    help="Folder for report.json, report.md and the plots.",
)
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Data dir of the store to evaluate (default: a fresh one under --out).",
)
@click.option(
    "--retrievers",
    type=CommaSeparated(click.Choice(MODES)),
    multiple=True,
    default=[",".join(MODES)],
    show_default=True,
    help="Retrievers to compare (comma-separated or repeated).",
)
def eval_command(
    datasets: tuple[Path, ...],
    corpora: tuple[Path, ...],
    quote_labels: Path | None,
    ks: tuple[tuple[int, ...], ...],
    out: Path,
    store: Path | None,
    retrievers: tuple[tuple[Mode, ...], ...],
) -> None:
    """Measure retrieval and answers on a question set: hit@k, MRR, answer hit, refusals, latency."""
    from bot.core import Newsdesk
    from bot.evaluate.report import write_report
    from bot.evaluate.run import load_dataset, run_eval
    from ingest.pipeline import Ingestor

    cutoffs = sorted({k for given in ks for k in given})
    chosen = list(dict.fromkeys(mode for given in retrievers for mode in given))
    items = [item for dataset in datasets for item in load_dataset(dataset)]
    settings = _settings().model_copy(update={"data_dir": store or out / "store"})
    desk = Newsdesk(settings)
    report = Ingestor.for_desk(desk).run([str(corpus) for corpus in corpora], source=None, progress=sys.stderr.isatty())
    click.echo(f"corpus: {report.summary()}", err=True)
    result = run_eval(desk, items, list(corpora), cutoffs, chosen, progress=sys.stderr.isatty())
    if quote_labels is not None:
        from bot.evaluate.quotes import evaluate_quotes

        result["quotes"] = evaluate_quotes(quote_labels, corpora[0], settings, progress=sys.stderr.isatty())
        quotes = result["quotes"]
        measured = {key: quotes[key] for key in ("speaker_accuracy", "quote_recall", "precision", "role_agreement")}
        shown = ", ".join(f"{key} {value:.3f}" for key, value in measured.items() if value is not None)
        click.echo(f"quotes: {shown}, roles wrong {len(quotes['roles_wrong'])}")
    for path in write_report(result, out, ", ".join(d.name for d in datasets)):
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

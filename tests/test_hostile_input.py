"""Hostile input: random bytes, deep HTML, odd JSON and front matter; malformed Slack payloads.

Each either ingests or fails with a clean one-line error — no crash, no hang, no partial article.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from bot.store import Meta
from ingest.loaders import load
from ingest.pipeline import Ingestor
from tests.conftest import CHURKIN_QUOTE, SEED_DIR, make_settings
from tests.fakes.slack_api import SIGNING_SECRET, event_body, post_event, serve_slack, signed_headers
from tests.slack_harness import run_http_app, slack_settings

SUFFIXES = [".txt", ".md", ".html", ".json", ".jsonl"]
FAST = settings(
    max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)
record = st.fixed_dictionaries(
    {},
    optional={
        "title": st.one_of(st.text(max_size=60), json_values),
        "text": st.one_of(st.text(max_size=300), json_values),
        "url": st.one_of(st.text(max_size=60), st.just("https://example.com/a"), json_values),
        "date": st.one_of(st.text(max_size=30), st.integers(), st.just("2024-02-30"), json_values),
        "author": json_values,
        "source": json_values,
    },
)


def _check(loaded, name: str) -> None:  # type: ignore[no-untyped-def]
    for error in loaded.errors:
        assert "\n" not in error and error.startswith(name), error
    for article in loaded.articles:
        assert isinstance(article.title, str) and isinstance(article.text, str)


@FAST
@given(data=st.binary(max_size=4000), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_load_or_fail_cleanly(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    _check(load(str(path), make_settings(tmp_path)), str(path))


def _nest(depth: int, tags: list[str], text: str) -> str:
    opening = "".join(f"<{tags[i % len(tags)]}>" for i in range(depth))
    closing = "".join(f"</{tags[i % len(tags)]}>" for i in reversed(range(depth)))
    return f"<html><head><title>{text[:20]}</title></head><body>{opening}<p>{text}</p>{closing}</body></html>"


@FAST
@given(
    depth=st.integers(min_value=0, max_value=3000),
    tags=st.lists(
        st.sampled_from(["div", "span", "p", "table", "article", "section", "b", "x-y", "li"]), min_size=1, max_size=4
    ),
    text=st.text(max_size=400),
)
def test_deeply_nested_html_loads_or_fails_cleanly(tmp_path: Path, depth: int, tags: list[str], text: str) -> None:
    path = tmp_path / "page.html"
    path.write_text(_nest(depth, tags, text), encoding="utf-8", errors="surrogatepass" if False else "strict")
    _check(load(str(path), make_settings(tmp_path)), str(path))


@FAST
@given(records=st.lists(st.one_of(record, json_values), max_size=6), as_lines=st.booleans())
def test_odd_json_records_load_or_fail_cleanly(tmp_path: Path, records: list[object], as_lines: bool) -> None:
    path = tmp_path / ("feed.jsonl" if as_lines else "feed.json")
    body = "\n".join(json.dumps(r) for r in records) if as_lines else json.dumps(records)
    path.write_text(body)
    _check(load(str(path), make_settings(tmp_path)), str(path))


@FAST
@given(header=st.text(max_size=300), body=st.text(max_size=300))
def test_front_matter_of_any_shape_loads_or_fails_cleanly(tmp_path: Path, header: str, body: str) -> None:
    path = tmp_path / "story.md"
    path.write_text(f"---\n{header}\n---\n{body}", encoding="utf-8", errors="replace")
    _check(load(str(path), make_settings(tmp_path)), str(path))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    batch=st.lists(
        st.tuples(st.sampled_from(SUFFIXES), st.binary(max_size=1500) | st.text(max_size=1500).map(str.encode)),
        min_size=1,
        max_size=4,
    )
)
def test_hostile_batches_never_leave_a_partial_article(
    tmp_path_factory: pytest.TempPathFactory, embedder: LocalMiniLM, batch: list[tuple[str, bytes]]
) -> None:
    folder = tmp_path_factory.mktemp("hostile")
    for number, (suffix, data) in enumerate(batch):
        (folder / f"f{number}{suffix}").write_bytes(data)
    desk = Newsdesk(make_settings(folder / "data"), embedder)
    report = Ingestor.for_desk(desk).run([str(folder / f"f{n}{s}") for n, (s, _d) in enumerate(batch)])
    assert all("\n" not in reason for reason in report.failed)
    present: dict[str, set[int]] = {}
    expected: dict[str, int] = {}
    for _cid, _doc, meta in desk.store.iter_chunks(include_documents=False):
        present.setdefault(str(meta[Meta.ARTICLE_ID]), set()).add(int(meta[Meta.CHUNK_INDEX]))
        expected[str(meta[Meta.ARTICLE_ID])] = int(meta[Meta.CHUNK_COUNT])
    assert all(indexes == set(range(expected[aid])) for aid, indexes in present.items())
    assert len(present) == len(report.added) + len(report.updated)


@pytest.fixture(scope="module")
def slack_bot(tmp_path_factory: pytest.TempPathFactory, embedder: LocalMiniLM):  # type: ignore[no-untyped-def]
    """A bot with the seed article in its archive, so hostile requests meet a real retrieval path."""
    with serve_slack() as fake:
        settings_: Settings = slack_settings(tmp_path_factory.mktemp("hostile-slack"), fake)
        desk = Newsdesk(settings_, embedder)
        assert Ingestor.for_desk(desk).run([str(SEED_DIR)]).ok
        with run_http_app(settings_, desk) as running:
            yield running, fake


payloads = st.one_of(
    json_values.map(json.dumps),
    st.text(max_size=2000),
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["event_callback", "url_verification", "block_actions", "x"]),
            "event": json_values,
            "event_id": json_values,
            "challenge": json_values,
        }
    ).map(json.dumps),
    st.builds(
        lambda text: json.dumps(
            {
                "type": "event_callback",
                "event_id": "EvBIG",
                "event": {"type": "app_mention", "text": text, "ts": "1.1", "channel": "C1", "user": "U1"},
            }
        ),
        st.text(min_size=0, max_size=50).map(lambda t: t * 2000),
    ),
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(body=payloads, form=st.booleans())
def test_malformed_slack_requests_get_4xx_or_a_polite_reply(slack_bot, body: str, form: bool) -> None:  # type: ignore[no-untyped-def]
    running, _fake = slack_bot
    content_type = "application/x-www-form-urlencoded" if form else "application/json"
    headers = {"Content-Type": content_type, **signed_headers(body, SIGNING_SECRET)}
    response = httpx.post(running.url, content=body.encode("utf-8", "surrogatepass"), headers=headers, timeout=30)
    assert response.status_code in (200, 400, 401, 404), response.text
    assert "Traceback" not in response.text


def test_bot_still_answers_after_the_hostile_requests(slack_bot) -> None:  # type: ignore[no-untyped-def]
    """Runs after the hostile requests (same module-scoped bot): a real question still gets a real answer."""
    running, fake = slack_bot
    question = "<@UBOT0001> What did Churkin say about sanctions?"
    ts = fake.add_user_message("C0AFTER01", question)
    event = {"type": "app_mention", "user": "UHUMAN01", "text": question, "ts": ts, "channel": "C0AFTER01"}
    assert post_event(running.url, event_body({**event, "event_ts": ts})).status_code == 200
    fake.wait_for(lambda: bool(fake.final_answers("C0AFTER01")))
    (answer,) = fake.final_answers("C0AFTER01")
    assert answer["thread_ts"] == ts
    assert CHURKIN_QUOTE in answer["text"]
    blocks = json.dumps(answer["blocks"], ensure_ascii=False)
    assert CHURKIN_QUOTE in blocks and "Russia digs in its heels against Syria intervention" in blocks
    running.listeners.wait_idle()
    posted = [c.args.get("text", "") for c in fake.calls if c.method in ("chat.postMessage", "chat.update")]
    assert not [text for text in posted if "something went wrong" in text]  # no listener crashed on the way
    assert threading.active_count() < 200

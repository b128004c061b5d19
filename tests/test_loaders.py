"""Each input kind becomes an article; each bad input fails alone with a one-line reason naming it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import LoadError
from ingest.clean import clean_text
from ingest.identity import to_article
from ingest.loaders import SUPPORTED_LIST, expand_inputs, load, parse_date
from tests.conftest import SEED_DIR
from tests.fakes.web import ARTICLE_HTML, serve_pages, unused_port


def test_text_file_headline_is_first_line(settings: Settings) -> None:
    loaded = load(str(SEED_DIR / "russia-syria-intervention.txt"), settings)
    assert not loaded.errors
    (article,) = loaded.articles
    assert article.title == "Russia digs in its heels against Syria intervention"
    assert article.text.lstrip().startswith("Any hope in Western capitals")


def test_seed_page_furniture_is_not_kept() -> None:
    text = clean_text((SEED_DIR / "russia-syria-intervention.txt").read_text())
    for furniture in ("Join the Discussion", "Disqus", "You Might Also Like"):
        assert furniture not in text
    assert text.endswith("He also shot down suggestions of arming the opposition.")


def test_markdown_front_matter_gives_metadata(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "a.md"
    path.write_text(
        "---\ntitle: Budget passes\nsource: Gazette\nauthor: A. Writer\ndate: 2024-03-05\n"
        "url: https://example.com/budget\n---\n# Ignored heading\n\nThe budget passed on Tuesday.\n"
    )
    (article,) = load(str(path), settings).articles
    assert (article.title, article.source, article.author) == ("Budget passes", "Gazette", "A. Writer")
    assert article.published == date(2024, 3, 5)
    assert article.url == "https://example.com/budget"
    assert "The budget passed on Tuesday." in article.text


def test_json_and_jsonl_records(tmp_path: Path, settings: Settings) -> None:
    records = [
        {"title": "One", "body": "First body text here.", "published": "2020-01-02", "author": "X"},
        {"title": "Two", "content": "Second body text here.", "url": "https://example.com/two", "source": "Wire"},
    ]
    (tmp_path / "a.json").write_text(json.dumps(records))
    (tmp_path / "b.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    for name in ("a.json", "b.jsonl"):
        loaded = load(str(tmp_path / name), settings)
        assert not loaded.errors
        assert [a.title for a in loaded.articles] == ["One", "Two"]
        assert loaded.articles[0].published == date(2020, 1, 2)
        assert loaded.articles[1].source == "Wire"


def test_malformed_jsonl_line_fails_alone(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"title": "Good", "text": "Good text."}\n{"title": broken\n{"title": "Also good", "text": "More."}\n'
    )
    loaded = load(str(path), settings)
    assert [a.title for a in loaded.articles] == ["Good", "Also good"]
    assert len(loaded.errors) == 1
    assert loaded.errors[0].startswith(f"{path} line 2: invalid JSON")
    assert "\n" not in loaded.errors[0]


def test_bad_files_each_give_one_line_naming_the_file(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "d", max_file_mb=50)  # type: ignore[call-arg]
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    big = tmp_path / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    expected = {
        "empty.txt": "empty file",
        "binary.txt": "binary file",
        "huge.txt": "over the 50 MB limit",
        "notes.pdf": "not a supported format",
    }
    for name, reason in expected.items():
        loaded = load(str(tmp_path / name), settings)
        assert not loaded.articles, name
        (error,) = loaded.errors
        assert error.startswith(str(tmp_path / name)), error
        assert reason in error, error
        assert "\n" not in error


def test_folders_recurse_and_globs_expand(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text("One\n\nText.")
    (tmp_path / "a" / "b" / "two.md").write_text("Two\n\nText.")
    (tmp_path / "a" / "b" / "skip.png").write_bytes(b"\x00")
    (tmp_path / "a" / ".hidden").mkdir()
    (tmp_path / "a" / ".hidden" / "three.txt").write_text("Three\n\nText.")
    found = expand_inputs([str(tmp_path / "a"), str(tmp_path / "a" / "**" / "*.md"), str(tmp_path / "nope")])
    assert sorted(Path(i).name for i in found.items) == ["one.txt", "two.md"]
    assert found.errors == [f"{tmp_path / 'nope'}: no such file, folder or URL"]
    assert found.skipped == [f"{tmp_path / 'a' / 'b' / 'skip.png'}: PNG is not a supported format ({SUPPORTED_LIST})"]


def test_html_page_by_url_extracts_text_and_metadata(settings: Settings) -> None:
    with serve_pages() as pages:
        url = pages.add("/world/lavrov", ARTICLE_HTML.format(canonical=pages.base_url + "/world/lavrov"))
        loaded = load(url, settings)
    assert not loaded.errors, loaded.errors
    (article,) = loaded.articles
    assert article.title == "Lavrov meets Annan in Moscow"
    assert article.author == "Jane Reporter"
    assert article.published == date(2012, 6, 2)
    assert "the Annan plan has no alternative" in article.text
    assert "celebrity diets" not in article.text
    assert "Home | World" not in article.text


def test_url_404_and_unreachable_fail_with_reason(settings: Settings) -> None:
    with serve_pages() as pages:
        missing = pages.base_url + "/gone"
        loaded = load(missing, settings)
    assert loaded.errors == [f"{missing}: the server answered HTTP 404 Not Found; check the URL"]
    dead = f"http://127.0.0.1:{unused_port()}/story"
    (error,) = load(dead, settings).errors
    assert error.startswith(f"{dead}: cannot connect")


def test_private_addresses_are_refused_by_default(tmp_path: Path) -> None:
    strict = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    (error,) = load("http://127.0.0.1:9/secret", strict).errors
    assert "private network" in error and "NEWSDESK_ALLOW_PRIVATE_URLS" in error
    (error,) = load("http://169.254.169.254/latest/meta-data", strict).errors
    assert "private network" in error


# --- formats and inputs ------------------------------------------------


def test_supported_list_names_every_supported_suffix() -> None:
    assert SUPPORTED_LIST == "txt, md, markdown, html, htm, json, jsonl, ndjson"


def test_markdown_and_ndjson_suffixes_load(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "a.markdown").write_text("# Harbour reopens\n\nThe harbour reopened on Monday.")
    (tmp_path / "b.ndjson").write_text('{"title": "One", "text": "First."}\n{"title": "Two", "text": "Second."}\n')
    assert [a.title for a in load(str(tmp_path / "a.markdown"), settings).articles] == ["Harbour reopens"]
    assert [a.title for a in load(str(tmp_path / "b.ndjson"), settings).articles] == ["One", "Two"]


def test_unsupported_file_gives_the_same_line_named_or_found_in_a_folder(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    (folder / "README").write_text("read me")
    (folder / "story.txt").write_text("Story\n\nText.")
    line = f"{folder / 'notes.pdf'}: PDF is not a supported format ({SUPPORTED_LIST})"
    assert load(str(folder / "notes.pdf"), settings).errors == [line]
    found = expand_inputs([str(folder)])
    assert found.items == [str(folder / "story.txt")]
    assert found.errors == []
    assert found.skipped == [
        f"{folder / 'README'}: a file without an extension is not a supported format ({SUPPORTED_LIST})",
        line,
    ]
    named = expand_inputs([str(folder / "notes.pdf")])
    assert (named.items, named.skipped) == ([str(folder / "notes.pdf")], [])  # named: load() fails it


@pytest.mark.parametrize("url", ["ftp://x", "file:///etc/passwd", "s3://bucket/story.html", "FTP://example.com/a.txt"])
def test_non_http_urls_cannot_be_fetched(url: str, settings: Settings) -> None:
    message = f"{url}: only http and https URLs can be fetched"
    assert load(url, settings).errors == [message]
    found = expand_inputs([url])
    assert found.items == [url] and found.errors == []


# --- dates -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", date(2024, 3, 5)),
        ("2024-03-05T23:30:00Z", date(2024, 3, 5)),
        ("2012-06-02T10:00:00+02:00", date(2012, 6, 2)),
        ("20240305", date(2024, 3, 5)),
        (20240305, date(2024, 3, 5)),  # YAML front matter `date: 20240305` is an int
        ("20240305120000", date(2024, 3, 5)),
        ("199912311200", date(1999, 12, 31)),  # not 1976 in milliseconds
        ("Sat, 02 Jun 2012 10:00:00 +0000", date(2012, 6, 2)),
        ("Sat, 02 Jun 2012 10:00:00 GMT", date(2012, 6, 2)),
        ("12 May 2012", date(2012, 5, 12)),
        ("May 12, 2012", date(2012, 5, 12)),
        (date(2020, 1, 2), date(2020, 1, 2)),
        (datetime(2020, 1, 2, 23, 59), date(2020, 1, 2)),
    ],
)
def test_parse_date_reads_common_formats(value: object, expected: date) -> None:
    assert parse_date(value, "x") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("March 2024", date(2024, 3, 1)), ("2024-03", date(2024, 3, 1)), ("Feb 2023", date(2023, 2, 1))],
)
def test_month_only_date_is_the_first_of_the_month(value: str, expected: date) -> None:
    assert parse_date(value, "x") == expected


def test_year_only_date_is_the_first_of_january() -> None:
    assert parse_date("2019", "x") == date(2019, 1, 1)


@pytest.mark.parametrize("value", [1338631200, 1338631200.5, "1338631200", 1338631200000])
def test_timestamps_are_seconds_or_milliseconds_since_1970_utc(value: object) -> None:
    assert parse_date(value, "x") == date(2012, 6, 2)


def test_empty_date_is_none() -> None:
    assert parse_date(None, "x") is None
    assert parse_date("", "x") is None


@pytest.mark.parametrize("value", ["not a date", "2024-02-30", "12 May", True, 10**20, 10**400, float("nan"), [1]])
def test_unreadable_date_is_a_one_line_error_naming_the_input(value: object) -> None:
    with pytest.raises(LoadError) as caught:
        parse_date(value, "feed.json record 3")
    message = str(caught.value)
    assert message.startswith("feed.json record 3: ") and "\n" not in message


def test_date_without_a_year_says_so() -> None:
    with pytest.raises(LoadError, match="has no year"):
        parse_date("12 May", "x")


def test_far_future_date_is_refused_but_tomorrow_is_not() -> None:
    today = datetime.now(UTC).date()
    assert parse_date((today + timedelta(days=1)).isoformat(), "x") == today + timedelta(days=1)
    with pytest.raises(LoadError, match="in the future"):
        parse_date((today + timedelta(days=30)).isoformat(), "x")
    with pytest.raises(LoadError, match="in the future"):
        parse_date("2999-01-01", "x")


# --- markdown ----------------------------------------------------------


def test_markdown_atx_headings_lose_their_hashes(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "story.md"
    path.write_text(
        "# Harbour reopens\n\nThe harbour reopened on Monday.\n\n## Repairs cost more\n"
        "The repairs cost twice the estimate.\n\n   ### Who pays ###\n\nThe council pays. #harbour #1 story\n"
    )
    (raw,) = load(str(path), settings).articles
    article = to_article(raw)
    assert article.title == "Harbour reopens"
    assert article.text == (
        "The harbour reopened on Monday.\n\nRepairs cost more\n\nThe repairs cost twice the estimate."
        "\n\nWho pays\n\nThe council pays. #harbour #1 story"
    )


def test_markdown_setext_underlines_are_removed(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "story.markdown"
    path.write_text(
        "Harbour reopens\n===============\n\nThe harbour reopened on Monday.\n\n"
        "Repairs cost more\n-----------------\n\nThe repairs cost twice the estimate.\n"
    )
    (raw,) = load(str(path), settings).articles
    article = to_article(raw)
    assert article.title == "Harbour reopens"
    assert "=" not in article.text and "-" not in article.text
    assert article.text == (
        "The harbour reopened on Monday.\n\nRepairs cost more\n\nThe repairs cost twice the estimate."
    )


def test_markdown_heading_repeating_the_front_matter_title_is_dropped(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "story.md"
    path.write_text("---\ntitle: Harbour reopens\n---\n# Harbour reopens\n\nThe harbour reopened on Monday.\n")
    (raw,) = load(str(path), settings).articles
    assert (raw.title, raw.text.strip()) == ("Harbour reopens", "The harbour reopened on Monday.")


def test_hashes_in_code_blocks_and_txt_files_are_kept(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "code.md").write_text("# Release notes\n\nRun this:\n\n```\n# not a heading\n```\n")
    (raw,) = load(str(tmp_path / "code.md"), settings).articles
    assert "# not a heading" in raw.text
    (tmp_path / "plain.txt").write_text("Release notes\n\n# kept as written in a text file\n")
    (raw,) = load(str(tmp_path / "plain.txt"), settings).articles
    assert "# kept as written in a text file" in raw.text

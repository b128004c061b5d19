"""Each input kind becomes an article; each bad input fails alone with a one-line reason naming it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from bot.config import Settings
from ingest.clean import clean_text
from ingest.loaders import expand_inputs, load
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
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 society\n\nUn caf\xe9 cr\xe8me.".encode("latin-1"))
    big = tmp_path / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    expected = {
        "empty.txt": "empty file",
        "binary.txt": "binary file",
        "latin1.txt": "not UTF-8 text",
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
    items, errors = expand_inputs([str(tmp_path / "a"), str(tmp_path / "a" / "**" / "*.md"), str(tmp_path / "nope")])
    assert sorted(Path(i).name for i in items) == ["one.txt", "two.md"]
    assert errors == [f"{tmp_path / 'nope'}: no such file, folder or URL"]


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

"""HTML pages: headings and paragraphs stay apart, the headline is not repeated, the source is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from ingest.identity import to_article
from ingest.loaders import RawArticle, load
from tests.fakes.web import ARTICLE_HTML, serve_pages

PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<title>{title}</title>
{meta}
</head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a></nav>
<article>
<h1>Rail fares to rise 4 percent in March</h1>
<p>Rail fares across the country will rise by 4 percent in March, the operators said on Tuesday, the largest
increase for a decade.</p>
<h2>Commuters hit hardest</h2>
<p>Season tickets for commuters will rise the most, with some routes going up by more than 200 pounds a year,
campaigners said.</p>
<p>The government said the rise was needed to pay for new trains and better stations across the network over
the next five years.</p>
</article>
</body></html>
"""
HEADLINE = "Rail fares to rise 4 percent in March"


def _page(tmp_path: Path, title: str = HEADLINE, meta: str = "") -> Path:
    path = tmp_path / "page.html"
    path.write_text(PAGE.format(title=title, meta=meta))
    return path


def _load_article(path: Path | str, settings: Settings) -> RawArticle:
    loaded = load(str(path), settings)
    assert not loaded.errors, loaded.errors
    (article,) = loaded.articles
    return article


def test_heading_does_not_run_into_the_first_sentence(tmp_path: Path, settings: Settings) -> None:
    article = _load_article(_page(tmp_path), settings)
    cleaned = to_article(article)
    paragraphs = cleaned.text.split("\n\n")
    assert paragraphs == [
        "Rail fares across the country will rise by 4 percent in March, the operators said on Tuesday, the largest "
        "increase for a decade.",
        "Commuters hit hardest",
        "Season tickets for commuters will rise the most, with some routes going up by more than 200 pounds a year, "
        "campaigners said.",
        "The government said the rise was needed to pay for new trains and better stations across the network over "
        "the next five years.",
    ]


def test_headline_is_not_repeated_as_the_first_line_of_the_body(tmp_path: Path, settings: Settings) -> None:
    article = _load_article(_page(tmp_path, title=f"{HEADLINE} | Farm Weekly"), settings)
    assert article.title == HEADLINE
    assert not article.text.lstrip().startswith(HEADLINE)
    assert article.text.lstrip().startswith("Rail fares across the country")


def test_source_from_og_site_name(tmp_path: Path, settings: Settings) -> None:
    meta = '<meta property="og:site_name" content="Farm Weekly">'
    article = _load_article(_page(tmp_path, title=f"{HEADLINE} | Farm Weekly", meta=meta), settings)
    assert (article.title, article.source) == (HEADLINE, "Farm Weekly")


def test_og_site_name_wins_over_the_title_suffix(tmp_path: Path, settings: Settings) -> None:
    meta = '<meta property="og:site_name" content="The Farm Weekly Group">'
    article = _load_article(_page(tmp_path, title=f"{HEADLINE} | Farm Weekly", meta=meta), settings)
    assert (article.title, article.source) == (HEADLINE, "The Farm Weekly Group")


@pytest.mark.parametrize("separator", [" | ", " - ", " – ", " — "])
def test_source_from_the_title_suffix(tmp_path: Path, settings: Settings, separator: str) -> None:
    article = _load_article(_page(tmp_path, title=f"{HEADLINE}{separator}Farm Weekly"), settings)
    assert (article.title, article.source) == (HEADLINE, "Farm Weekly")


@pytest.mark.parametrize(
    "title",
    [
        "Brexit - what happens next",  # lower case: part of the headline
        "Rail fares to rise - and keep rising, say campaigners",  # a clause, not a name
        "Rail fares to rise – 4 percent in March",
    ],
)
def test_a_dash_clause_is_not_taken_for_a_site_name(tmp_path: Path, settings: Settings, title: str) -> None:
    page = PAGE.replace(f"<h1>{HEADLINE}</h1>", f"<h1>{title}</h1>")
    path = tmp_path / "page.html"
    path.write_text(page.format(title=title, meta=""))
    article = _load_article(path, settings)
    assert article.title == title
    assert article.source == ""  # a local file without a URL has no host name to fall back on


def test_source_falls_back_to_the_host_name(tmp_path: Path, settings: Settings) -> None:
    meta = '<link rel="canonical" href="https://www.farmweekly.example/news/rail-fares">'
    article = _load_article(_page(tmp_path, meta=meta), settings)
    assert article.source == "farmweekly.example"
    with serve_pages() as pages:
        url = pages.add("/news/rail-fares", PAGE.format(title=HEADLINE, meta=""))
        by_url = _load_article(url, settings)
    assert by_url.source == "127.0.0.1"


def test_page_by_url_takes_its_source_from_the_title(settings: Settings) -> None:
    with serve_pages() as pages:
        url = pages.add("/world/lavrov", ARTICLE_HTML.format(canonical=pages.base_url + "/world/lavrov"))
        article = _load_article(url, settings)
    assert (article.title, article.source) == ("Lavrov meets Annan in Moscow", "World News")
    assert not article.text.startswith("Lavrov meets Annan in Moscow")


def test_source_given_by_the_user_still_wins(tmp_path: Path, settings: Settings) -> None:
    meta = '<meta property="og:site_name" content="Farm Weekly">'
    raw = _load_article(_page(tmp_path, title=f"{HEADLINE} | Farm Weekly", meta=meta), settings)
    assert to_article(raw, source_override="Wire copy").source == "Wire copy"
    assert to_article(raw).source == "Farm Weekly"


def test_list_items_and_line_breaks_keep_their_lines(tmp_path: Path, settings: Settings) -> None:
    page = PAGE.replace(
        "<h2>Commuters hit hardest</h2>",
        "<h2>Commuters hit hardest</h2>"
        "<ul><li>Season tickets up 5 percent.</li><li>Day returns up 3 percent.</li></ul>",
    )
    path = tmp_path / "page.html"
    path.write_text(page.format(title=HEADLINE, meta=""))
    text = to_article(_load_article(path, settings)).text
    assert "Commuters hit hardest\n\n" in text
    assert "Season tickets up 5 percent.\n" in text and "Day returns up 3 percent." in text

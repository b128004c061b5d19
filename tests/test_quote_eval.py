"""The quote-attribution evaluation (eval/quotes_dev.jsonl's scorer) on a labelled set small enough
to check by hand, through the real spaCy pipeline."""

from __future__ import annotations

import json
from pathlib import Path

from bot.config import Settings
from bot.evaluate.quotes import evaluate_quotes, role_agrees, role_wrong

ARTICLES = {
    "straw.txt": (
        "Straw warns on talks\n\nForeign Secretary Jack Straw visited Moscow on Monday.\n\n"
        '"We will not accept any delay to the talks," Mr Straw said after the meeting.\n'
    ),
    "blair.txt": (
        "Blair firm on rebate\n\nTony Blair was in Brussels on Monday.\n\n"
        '"We will not give up the rebate," Mr Blair said.\n'
    ),
}
LABELS = [
    # The role the article gives: agrees.
    {"article": "straw.txt", "quote": "We will not accept any delay to the talks", "speaker": "Jack Straw",
     "role": "Foreign Secretary"},
    # No role in the article: none shown, which disagrees with the label but is not wrong.
    {"article": "blair.txt", "quote": "We will not give up the rebate", "speaker": "Tony Blair",
     "role": "prime minister"},
]  # fmt: skip


def _evaluate(tmp_path: Path, labels: list[dict[str, str]]) -> dict[str, object]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text)
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(label) + "\n" for label in labels))
    return evaluate_quotes(path, corpus, Settings(_env_file=None, data_dir=tmp_path / "data"), progress=False)


def test_speaker_and_role_figures(tmp_path: Path) -> None:
    result = _evaluate(tmp_path, LABELS)
    assert result["quote_recall"] == 1.0
    assert result["speaker_accuracy"] == 1.0
    assert result["role_agreement"] == 0.5
    assert result["roles_wrong"] == []


def test_a_courtesy_title_shown_as_a_role_is_wrong() -> None:
    assert role_wrong("Mr", "prime minister")
    assert not role_wrong("", "prime minister")
    assert role_agrees("Lib Dem leader", "Liberal Democrat leader") is False
    assert role_agrees("Tory leader", "the Tory leader")


def test_a_role_the_label_does_not_support_is_counted_wrong(tmp_path: Path) -> None:
    labels = [{**LABELS[0], "role": "Chancellor"}, LABELS[1]]
    result = _evaluate(tmp_path, labels)
    assert [(row["gold_role"], row["role"]) for row in result["roles_wrong"]] == [("Chancellor", "Foreign Secretary")]

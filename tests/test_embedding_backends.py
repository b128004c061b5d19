"""ONNX Runtime and PyTorch run the same weights into the same vector space: no reindex between them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM
from tests.conftest import CHURKIN_QUOTE, SEED_DIR, make_settings

TEXTS = [
    "What did Churkin say about sanctions?",
    CHURKIN_QUOTE,
    "Profits at China's biggest lender rose by 18% in 2004. " * 12,  # long enough to be truncated
    "Ünïcödé, quotes “like these” and numbers 2.5% …",
]


def test_onnx_and_torch_vectors_agree(embedder: LocalMiniLM) -> None:
    torch_model = LocalMiniLM(backend="torch")
    onnx_vectors = np.array(embedder.embed_documents(TEXTS))
    torch_vectors = np.array(torch_model.embed_documents(TEXTS))
    assert embedder.backend == "onnx" and embedder.name == torch_model.name
    cosines = (onnx_vectors * torch_vectors).sum(axis=1)
    assert cosines.min() > 0.9999, cosines


def test_a_store_built_with_torch_is_searched_with_onnx_without_reindexing(
    tmp_path: Path, embedder: LocalMiniLM
) -> None:
    settings = make_settings(tmp_path / "data")
    built = Newsdesk(settings, LocalMiniLM(backend="torch"))
    assert built.ingestor().run([str(SEED_DIR)]).ok
    question = "What is Russia's attitude to sanctions against Syria?"
    before = [p.chunk_id for p in built.retriever.search(question, 4, mode="dense")]
    searched = Newsdesk(settings, embedder)  # the model check passes: same model name, same vectors
    after = [p.chunk_id for p in searched.retriever.search(question, 4, mode="dense")]
    assert after == before
    assert CHURKIN_QUOTE in searched.ask(question).text

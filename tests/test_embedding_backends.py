"""ONNX Runtime and PyTorch run the same weights into the same vector space: no reindex between them.

int8 (dynamic quantisation of the ONNX graph) is approximately the same space: close enough that a store
built with fp32 is searched with int8 questions (docs/EVAL.md, "int8 embeddings"), and its cached graph is
built once and rebuilt when damaged.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from bot import onnx_minilm
from bot.core import Newsdesk
from bot.embeddings import LocalMiniLM, local_model_dir, same_vector_space, sha256_of, verified_weights
from ingest.pipeline import Ingestor
from tests.conftest import BBC_DIR, CHURKIN_QUOTE, SEED_DIR, make_settings

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
    assert Ingestor.for_desk(built).run([str(SEED_DIR)]).ok
    question = "What is Russia's attitude to sanctions against Syria?"
    before = [p.chunk_id for p in built.retriever.search(question, 4, mode="dense")]
    searched = Newsdesk(settings, embedder)  # the model check passes: same model name, same vectors
    after = [p.chunk_id for p in searched.retriever.search(question, 4, mode="dense")]
    assert after == before
    assert CHURKIN_QUOTE in searched.ask(question).text


# --- int8 (dynamic quantisation of the fp32 graph) -------------------------------------------------
# Measured on this suite's texts plus 40 BBC openings: mean cosine to fp32 0.994, min 0.99 (dev
# questions: mean 0.994, min 0.991). The bars leave room for other CPUs' int8 kernels, and would
# catch per-tensor quantisation (mean 0.95-0.97) or u8s8 saturation.
INT8_MEAN_COSINE = 0.99
INT8_MIN_COSINE = 0.98


@pytest.fixture(scope="session")
def int8_embedder(model_cache: Path) -> LocalMiniLM:
    return LocalMiniLM(backend="onnx-int8", cache_dir=model_cache)


def _bbc_openings(count: int) -> list[str]:
    if not BBC_DIR.is_dir():
        return []
    files = sorted(BBC_DIR.glob("*/*.txt"))[:: max(1, len(list(BBC_DIR.glob("*/*.txt"))) // count)][:count]
    return [path.read_bytes().decode("utf-8", errors="replace")[:800] for path in files]


def test_int8_vectors_are_close_to_fp32(embedder: LocalMiniLM, int8_embedder: LocalMiniLM) -> None:
    texts = TEXTS + _bbc_openings(40)
    fp32 = np.array(embedder.embed_documents(texts))
    int8 = np.array(int8_embedder.embed_documents(texts))
    cosines = (fp32 * int8).sum(axis=1)
    assert cosines.mean() >= INT8_MEAN_COSINE and cosines.min() >= INT8_MIN_COSINE, cosines
    assert not np.allclose(fp32, int8, atol=1e-4)  # the int8 graph really is a different graph
    assert np.allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-5)


def test_int8_records_its_own_model_name_in_the_same_vector_space(
    embedder: LocalMiniLM, int8_embedder: LocalMiniLM
) -> None:
    assert int8_embedder.name == "local:all-MiniLM-L6-v2+int8" != embedder.name
    assert same_vector_space(embedder.name, int8_embedder.name)
    assert same_vector_space(int8_embedder.name, embedder.name)
    assert not same_vector_space("openai:text-embedding-3-small", int8_embedder.name)
    assert not same_vector_space(embedder.name, "local:all-mpnet-base-v2+int8")


def test_a_store_built_with_fp32_is_searched_with_int8_questions_without_reindexing(
    tmp_path: Path, embedder: LocalMiniLM, int8_embedder: LocalMiniLM
) -> None:
    settings = make_settings(tmp_path / "data")
    built = Newsdesk(settings, embedder)
    assert Ingestor.for_desk(built).run([str(SEED_DIR)]).ok
    question = "What is Russia's attitude to sanctions against Syria?"
    before = [p.chunk_id for p in built.retriever.search(question, 4, mode="dense")]
    searched = Newsdesk(settings, int8_embedder)  # the model check passes: same vector space
    assert searched.store.built_with() == embedder.name
    after = [p.chunk_id for p in searched.retriever.search(question, 4, mode="dense")]
    assert after == before
    assert CHURKIN_QUOTE in searched.ask(question).text


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every int8 build (the real quantisation still runs)."""
    built: list[Path] = []
    real = onnx_minilm._quantize

    def quantize(source: Path, graph: Path, partial: Path) -> None:
        built.append(graph)
        real(source, graph, partial)

    monkeypatch.setattr(onnx_minilm, "_quantize", quantize)
    return built


@pytest.fixture()
def fresh_cache(tmp_path: Path, model_cache: Path, embedder: LocalMiniLM) -> Path:
    """A cache holding only the fp32 export (copied, to skip torch's ~3 s export), no int8 graph yet."""
    embedder.embed_query("warm up: makes sure the session's fp32 export exists")
    cache = tmp_path / "models"
    cache.mkdir()
    for path in model_cache.glob("*-fp32.onnx*"):
        shutil.copy2(path, cache / path.name)
    return cache


def _load_int8(cache: Path) -> onnx_minilm.OnnxMiniLM:
    model_dir = local_model_dir()
    return onnx_minilm.OnnxMiniLM(model_dir, cache, verified_weights(str(model_dir)), precision="int8")


def test_the_cached_int8_graph_is_built_once_and_reused(fresh_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = _counting(monkeypatch)
    first = _load_int8(fresh_cache)
    assert built == [first.graph] and first.graph.name.endswith("-int8.onnx")
    stamp = first.graph.stat().st_mtime_ns
    second = _load_int8(fresh_cache)
    assert built == [first.graph] and second.graph == first.graph  # not rebuilt
    assert second.graph.stat().st_mtime_ns == stamp
    checksum = first.graph.with_suffix(".onnx.sha256").read_text().strip()
    assert checksum == sha256_of(first.graph)
    assert np.array_equal(first.encode(TEXTS), second.encode(TEXTS))


def test_a_corrupt_cached_int8_graph_fails_its_checksum_and_is_rebuilt(
    fresh_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _counting(monkeypatch)
    original = _load_int8(fresh_cache)
    expected = original.encode(TEXTS)
    graph = original.graph
    data = bytearray(graph.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)  # a damaged weight block: still a loadable protobuf, wrong numbers
    graph.write_bytes(bytes(data))
    assert sha256_of(graph) != graph.with_suffix(".onnx.sha256").read_text().strip()
    rebuilt = _load_int8(fresh_cache)
    assert built == [graph, graph]
    assert sha256_of(graph) == graph.with_suffix(".onnx.sha256").read_text().strip()
    assert np.allclose(rebuilt.encode(TEXTS), expected, atol=1e-6)
    assert not list(fresh_cache.glob("*.part"))


def test_graphs_of_an_older_export_are_removed_once_the_current_one_is_cached(fresh_cache: Path) -> None:
    """A changed export (the graph's cache name says how it was traced) replaces the older graphs of the
    same weights instead of leaving ~110 MB behind per data dir; the current graphs, other weights'
    and exports this release does not know stay."""
    weights = verified_weights(str(local_model_dir()))
    older = {
        precision: fresh_cache / f"all-MiniLM-L6-v2-{weights[:12]}-{precision}.onnx" for precision in ("fp32", "int8")
    }
    for graph in older.values():
        graph.write_bytes(b"an older export")
        graph.with_suffix(".onnx.sha256").write_text(sha256_of(graph) + "\n")
    other_weights = fresh_cache / "all-MiniLM-L6-v2-000000000000-int8.onnx"
    other_weights.write_bytes(b"another model's graph")
    later_export = fresh_cache / f"all-MiniLM-L6-v2-{weights[:12]}-later-int8.onnx"
    later_export.write_bytes(b"a later release's export, in a cache two releases share")
    loaded = _load_int8(fresh_cache)
    for graph in older.values():
        assert not graph.exists() and not graph.with_suffix(".onnx.sha256").exists()
    kept = {other_weights.name, later_export.name}
    current = {path.name for path in fresh_cache.glob("*.onnx")}
    assert current == {loaded.graph.name, onnx_minilm.graph_path(fresh_cache, weights, "fp32").name, *kept}
    assert f"-{onnx_minilm.EXPORT}-" in loaded.graph.name

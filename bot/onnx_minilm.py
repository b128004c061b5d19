"""all-MiniLM-L6-v2 on ONNX Runtime: the same weights, ~2x the encode rate of PyTorch on 2 cores.

The ONNX graph is exported from the installed, checksum-verified weights on
first use (~3 s, torch's exporter; nothing is downloaded) and cached in the data
dir beside a sha256 of the graph, which is checked on every load. Inference
then needs only onnxruntime and the `tokenizers` library: tokenisation, mean
pooling and normalisation follow the model's sentence-transformers config, so
the vectors match the PyTorch path's (cosine 1.0000 on the dev questions) and a
store built with one is searched with the other without reindexing.

The int8 graph (`NEWSDESK_EMBEDDINGS_BACKEND=onnx-int8`) is ONNX Runtime's
dynamic quantisation of that fp32 graph, made on first use (~2 s) and cached
beside it with its own sha256. Weights are quantised *per channel*: one scale
per output column keeps MiniLM's few large-magnitude columns from crushing the
rest, which per-tensor scales do — measured against fp32 on the 60 dev
questions, per-tensor gives mean cosine 0.968 (min 0.952), per-channel 0.994
(min 0.991), at the same speed. `reduce_range` (7-bit weights, ONNX Runtime's
remedy for u8s8 saturation on x86 CPUs without VNNI) measured the same here
(cosine 0.993, 0.98x the speed on this AVX-512 VNNI machine) but is off because
the dev-set eval was run without it; on a CPU without VNNI the tolerance test
in tests/test_embedding_backends.py is what would catch saturation.

Why not sentence-transformers' own `backend="onnx"`: its extra pulls
optimum-onnx, which pins transformers < 4.58 and would downgrade
sentence-transformers 6 → 5 and transformers 5 → 4 (about 106 MB more); the
export below needs only `onnx` (~17 MB) at export time.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from bot.embeddings import sha256_of
from bot.errors import ConfigError

log = logging.getLogger(__name__)

# Inputs and output of the exported graph, in the order BERT's forward takes them.
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OPSET = 17
# How the graph is traced, part of its cache name so a changed export replaces older caches. "eager":
# BERT's attention written out as matmuls and a softmax. The graph torch exports from its default
# fused attention (SDPA) ran at 0.83x the rate on ONNX Runtime here (interleaved, same vectors:
# chunks 85 vs 102/s fp32, 139 vs 181/s int8; sentences 363 vs 384/s fp32) because the CPU provider
# runs the SDPA pattern as many small ops.
EXPORT = "eager"
# Sorted-by-length batches: short texts (questions, answer sentences) in 16s, long ones (ingest chunks of
# ~700 chars) in 4s. `python -m bench.embed_batch`, 2 shared cores, interleaved medians, re-measured on the
# eager graph: chunks at batch 4 ran 1.03x the rate of batch 16 in fp32 and 1.07x in int8 (1.16-1.25x
# and 1.36-1.39x on the SDPA graph), 64 ran 0.75x; sentences are fastest at 16-32 (batch 4: 0.76x).
ONNX_BATCH = 16
ONNX_BATCH_LONG = 4
LONG_TEXT_CHARS = 400

Precision = Literal["fp32", "int8"]


def graph_path(cache_dir: Path, weights_sha: str, precision: Precision) -> Path:
    """Where the graph of these weights at this precision is cached (its sha256 sits beside it)."""
    return cache_dir / f"all-MiniLM-L6-v2-{weights_sha[:12]}-{EXPORT}-{precision}.onnx"


# Cache names of earlier exports ("" = before EXPORT was part of the name: torch's SDPA trace).
SUPERSEDED_EXPORTS = ("",)


def _drop_superseded(graph: Path, weights_sha: str, precision: Precision) -> None:
    """Removes the graphs earlier exports made of the same weights at the same precision (90 MB fp32,
    23 MB int8 per data dir) once `graph` is in place. Only the names listed in SUPERSEDED_EXPORTS
    go, never a pattern: a newer export in a shared cache (a later release on the same machine) is
    not this version's to delete. A process of the earlier release that starts meanwhile re-exports
    its graph, and a file that cannot be removed stays: neither stops this process."""
    for export in SUPERSEDED_EXPORTS:
        old = graph.with_name(f"all-MiniLM-L6-v2-{weights_sha[:12]}-{export + '-' if export else ''}{precision}.onnx")
        if old == graph:
            continue
        for path in (old, old.with_suffix(".onnx.sha256")):
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("could not remove the superseded model graph %s: %s", path, exc)


def _cached(graph: Path, build: Callable[[Path], None]) -> Path:
    """`graph` if it passes its checksum, else rebuilt by `build(partial)` and swapped in atomically.

    A missing, truncated or altered file fails the checksum and is rebuilt rather than loaded, so a
    damaged cache can never silently change every vector.
    """
    checksum = graph.with_suffix(".onnx.sha256")
    if graph.is_file() and checksum.is_file() and checksum.read_text().strip() == sha256_of(graph):
        return graph
    graph.parent.mkdir(parents=True, exist_ok=True)
    partial = graph.with_suffix(f".onnx.{os.getpid()}.part")
    try:
        build(partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    checksum_value = sha256_of(partial)
    os.replace(partial, graph)  # atomic: another process never reads a half-written graph
    checksum.write_text(checksum_value + "\n")
    return graph


def export_graph(model_dir: Path, cache_dir: Path, weights_sha: str) -> Path:
    """The cached fp32 graph for these weights, exported first if missing or failing its checksum."""
    graph = graph_path(cache_dir, weights_sha, "fp32")
    _cached(graph, lambda partial: _export(model_dir, graph, partial))
    _drop_superseded(graph, weights_sha, "fp32")
    return graph


def quantized_graph(model_dir: Path, cache_dir: Path, weights_sha: str) -> Path:
    """The cached int8 graph, quantised first from the (checksum-verified) fp32 graph if missing or damaged."""
    source = export_graph(model_dir, cache_dir, weights_sha)
    graph = graph_path(cache_dir, weights_sha, "int8")
    _cached(graph, lambda partial: _quantize(source, graph, partial))
    _drop_superseded(graph, weights_sha, "int8")
    return graph


class _QuietPreprocessHint(logging.Filter):
    """quantize_dynamic advises shape pre-processing on the root logger every time; it changes nothing
    measurable for this graph, and users should not see it on first use."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()


def _quantize(source: Path, graph: Path, partial: Path) -> None:
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:  # pragma: no cover - onnxruntime and onnx are dependencies
        raise ConfigError("quantising the ONNX model needs onnxruntime and onnx; run `make setup`") from exc
    log.info("quantising the embedding model to int8 at %s (once)", graph)
    hint = _QuietPreprocessHint()
    logging.getLogger().addFilter(hint)
    try:
        quantize_dynamic(str(source), str(partial), per_channel=True, weight_type=QuantType.QInt8)
    finally:
        logging.getLogger().removeFilter(hint)


def _export(model_dir: Path, graph: Path, partial: Path) -> None:
    log.info("exporting the embedding model to ONNX at %s (once)", graph)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging
    except ImportError as exc:  # pragma: no cover - both are dependencies
        raise ConfigError("exporting the ONNX model needs torch and transformers; run `make setup`") from exc

    class _LastHiddenState(torch.nn.Module):  # type: ignore[misc]  # torch is not analysed (pyproject.toml)
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True, attn_implementation=EXPORT).eval()
    example = tuple(torch.ones((2, 8), dtype=torch.long) for _ in INPUTS)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _LastHiddenState(model),
            example,
            str(partial),
            input_names=list(INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )


class OnnxMiniLM:
    """Encodes like sentence-transformers' MiniLM (mean pooling, L2 norm), on ONNX Runtime's CPU provider."""

    def __init__(
        self,
        model_dir: Path,
        cache_dir: Path,
        weights_sha: str,
        threads: int | None = None,
        precision: Precision = "fp32",
    ) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        if precision == "int8":
            graph = quantized_graph(model_dir, cache_dir, weights_sha)
        else:
            graph = export_graph(model_dir, cache_dir, weights_sha)
        self.graph = graph
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # No busy-waiting between runs: the same process parses with spaCy and serves Chroma meanwhile.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # CPU only: onnxruntime lists other providers first where their libraries are present.
        self._session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        config = json.loads((model_dir / "sentence_bert_config.json").read_text())
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(int(config.get("max_seq_length", 256)))
        self._tokenizer.no_padding()
        self._lock = threading.Lock()

    def encode(self, texts: list[str], batch_size: int | None = None) -> Any:
        import numpy as np

        if batch_size is None:
            mean_chars = sum(map(len, texts)) / max(1, len(texts))
            batch_size = ONNX_BATCH_LONG if mean_chars > LONG_TEXT_CHARS else ONNX_BATCH

        encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        vectors = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in chosen)
            feeds = {name: np.zeros((len(chosen), width), dtype=np.int64) for name in INPUTS}
            for row, index in enumerate(chosen):
                encoding = encodings[index]
                size = len(encoding.ids)
                feeds["input_ids"][row, :size] = encoding.ids
                feeds["attention_mask"][row, :size] = encoding.attention_mask
                feeds["token_type_ids"][row, :size] = encoding.type_ids
            with self._lock:
                (hidden,) = self._session.run(None, feeds)
            mask = feeds["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            vectors[chosen] = pooled
        return vectors

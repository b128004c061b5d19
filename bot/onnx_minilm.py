"""all-MiniLM-L6-v2 on ONNX Runtime: the same weights, ~1.8x the encode rate of PyTorch on 2 cores.

The ONNX graph is exported from the installed, checksum-verified weights on
first use (~3 s, torch's exporter; nothing is downloaded) and cached in the data
dir beside a sha256 of the graph, which is checked on every load. Inference
then needs only onnxruntime and the `tokenizers` library: tokenisation, mean
pooling and normalisation follow the model's sentence-transformers config, so
the vectors match the PyTorch path's (cosine 1.0000 on the dev questions) and a
store built with one is searched with the other without reindexing.

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
from pathlib import Path
from typing import Any

from bot.embeddings import sha256_of
from bot.errors import ConfigError

log = logging.getLogger(__name__)

# Inputs and output of the exported graph, in the order BERT's forward takes them.
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OPSET = 17
# Sorted-by-length batches of this many texts: re-measured for ONNX Runtime on 2 cores (bench/).
ONNX_BATCH = 16


def export_graph(model_dir: Path, cache_dir: Path, weights_sha: str) -> Path:
    """The cached graph for these weights, exported first if missing or failing its checksum."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    graph = cache_dir / f"all-MiniLM-L6-v2-{weights_sha[:12]}-fp32.onnx"
    checksum = graph.with_suffix(".onnx.sha256")
    if graph.is_file() and checksum.is_file() and checksum.read_text().strip() == sha256_of(graph):
        return graph
    log.info("exporting the embedding model to ONNX at %s (once)", graph)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging
    except ImportError as exc:  # pragma: no cover - both are dependencies
        raise ConfigError("exporting the ONNX model needs torch and transformers; run `make setup`") from exc

    class _LastHiddenState(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()
    example = tuple(torch.ones((2, 8), dtype=torch.long) for _ in INPUTS)
    partial = graph.with_suffix(f".onnx.{os.getpid()}.part")
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
    checksum_value = sha256_of(partial)
    os.replace(partial, graph)  # atomic: another process never reads a half-written graph
    checksum.write_text(checksum_value + "\n")
    return graph


class OnnxMiniLM:
    """Encodes like sentence-transformers' MiniLM (mean pooling, L2 norm), on ONNX Runtime's CPU provider."""

    def __init__(self, model_dir: Path, cache_dir: Path, weights_sha: str, threads: int | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        graph = export_graph(model_dir, cache_dir, weights_sha)
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

    def encode(self, texts: list[str], batch_size: int = ONNX_BATCH) -> Any:
        import numpy as np

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

"""Parsing the next batch while this one is embedded: spaCy in a worker process beside the model.

An ingest's time goes to two CPU-bound stages of about equal size: spaCy's parse (quotes and
entities, single-threaded) and the embedding model. Run one after the other, each leaves cores
idle that the other could use (the parse uses one, and ONNX Runtime's threads do not keep two
busy). A large ingest therefore parses batch n+1 in one worker process while the main process
embeds and stores batch n. Small ingests parse inline: a worker costs a second or two to start.
The worker gets a batch as pieces of a few articles; when the main process finishes embedding before
the worker finishes parsing, it parses the pieces not yet started itself instead of waiting.

If the worker dies (killed, out of memory) the batch is parsed inline instead, so the ingest
never depends on it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingest.quotes import Analysis

log = logging.getLogger(__name__)
PARENT_CHECK_SECONDS = 1.0  # how long a worker outlives a killed ingest
# Articles per task sent to the worker: small enough that the main process can take over the tail of
# a batch when it has nothing else to do, large enough that sending texts and analyses costs little.
PIECE_ARTICLES = 8


def _start_worker() -> None:
    """Runs first in the worker: it ends itself when the ingest does (a SIGKILLed ingest cannot stop
    it), uses one thread for numerical libraries (the main process's model has the other core), and
    loads the parse model once."""
    parent = os.getppid()
    threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="parse-worker-watch").start()
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"
    from bot.nlp import parse_pipeline

    parse_pipeline()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def _analyse(texts: list[str]) -> list[Analysis]:
    from ingest.quotes import analyse

    return analyse(texts)


class ParseAhead:
    """`submit(texts)` starts parsing and returns a function that waits for the analyses."""

    def __init__(self, use_worker: bool) -> None:
        self._pool: ProcessPoolExecutor | None = None
        if use_worker:
            # spawn, not fork: the main process already runs the model's threads.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_start_worker)

    def submit(self, texts: Sequence[str]) -> Callable[[], list[Analysis]]:
        batch = list(texts)
        if self._pool is None or not batch:
            return lambda: _analyse(batch)
        pieces = [batch[start : start + PIECE_ARTICLES] for start in range(0, len(batch), PIECE_ARTICLES)]
        try:
            futures: list[Future[list[Analysis]]] = [self._pool.submit(_analyse, piece) for piece in pieces]
        except (BrokenProcessPool, RuntimeError):
            self._lost_worker()
            return lambda: _analyse(batch)
        return lambda: self._gather(pieces, futures)

    def _gather(self, pieces: list[list[str]], futures: list[Future[list[Analysis]]]) -> list[Analysis]:
        """The batch's analyses, in order. Waiting would leave this process's core idle, so it parses
        the pieces the worker has not started, taking them from the end while the worker works from
        the front: the two meet in the middle of the batch."""
        done: dict[int, list[Analysis]] = {}
        for index in reversed(range(len(pieces))):
            if futures[index].cancel():
                done[index] = _analyse(pieces[index])
        analyses: list[Analysis] = []
        for index, piece in enumerate(pieces):
            if index not in done:
                try:
                    done[index] = futures[index].result()
                except BrokenProcessPool:
                    self._lost_worker()
                    done[index] = _analyse(piece)
            analyses.extend(done[index])
        return analyses

    def _lost_worker(self) -> None:
        log.warning("the parse worker stopped; parsing in the main process for the rest of this ingest")
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ParseAhead:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

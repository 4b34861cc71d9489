"""Query embeddings of concurrent requests computed together: one model call for many searches.

Under load, dozens of searches each embed one short query; a transformer forward pass over 16
queries costs a few times one query, not sixteen. One thread owns the model calls: each request
queues its text and waits; the thread takes everything queued (opportunistic batching: no added
wait when the server is idle, larger batches as load grows), embeds it, and hands each caller its
vector.

Failure is per request, never per batch: when the batch's model call raises, each text is embedded
again alone, so only the callers whose own text fails get an exception (one client sending input the
tokenizer refuses must not fail the searches of everyone queued beside it; measured by the fault
suite, tests/faults/test_search_isolation.py). Input is cleaned before it gets here (the request
models refuse lone surrogates and control characters with a 422); this is the second line.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

from conseil.search.embedder import Embedder

MAX_BATCH = 64

_Request = tuple[str, "Future[list[float]]"]


class QueryBatcher:
    """Runs `embed_many` on a dedicated thread over whatever texts are waiting."""

    def __init__(self, embed_many: Callable[[list[str]], list[list[float]]], max_batch: int = MAX_BATCH) -> None:
        self._embed_many = embed_many
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="query-embedder", daemon=True)
        self._thread.start()

    def embed(self, text: str) -> list[float]:
        if self._closed:
            raise RuntimeError("the query embedder is closed")
        future: Future[list[float]] = Future()
        self._queue.put((text, future))
        return future.result()

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            self._run(batch)
            if stop:
                return

    def _run(self, batch: list[_Request]) -> None:
        try:
            vectors = self._embed_many([text for text, _ in batch])
        except Exception as exc:  # noqa: BLE001 - not swallowed: isolated below, each caller gets its own
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            for request in batch:  # which text failed? each alone: the others still get their vector
                self._run([request])
            return
        for (_, future), vector in zip(batch, vectors, strict=True):
            future.set_result(vector)

    def close(self) -> None:
        self._closed = True
        self._queue.put(None)
        self._thread.join()


class BatchingEmbedder(Embedder):
    """The same embedder, whose `embed_query` goes through a `QueryBatcher` (documents do not)."""

    def __init__(self, inner: Embedder, max_batch: int = MAX_BATCH) -> None:
        super().__init__(inner.backend, name=inner.name, dimension=inner.dimension, batch_size=inner.batch_size,
                         query_prefix=inner.query_prefix, document_prefix=inner.document_prefix)
        self._batcher = QueryBatcher(self._embed_queries, max_batch)

    def _embed_queries(self, texts: list[str]) -> list[list[float]]:
        return self._embed([self.query_prefix + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        return self._batcher.embed(text)

    def close(self) -> None:
        self._batcher.close()

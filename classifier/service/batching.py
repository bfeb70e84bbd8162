"""Micro-batching: the statements of concurrent requests go to the model together.

A model call on 32 statements costs far less than 32 calls on one (the encoder runs padded batches), so the
service queues each request's statements and one worker task hands them to the model in groups: it takes
what arrives until ``max_statements`` are waiting, or as many requests as were waiting on the model during its
last call (every client it was serving is back: waiting longer would only idle the CPU), or ``max_wait``
seconds have passed since the first; then it runs the model once in a thread (the event loop keeps accepting
requests meanwhile) and gives each request its own results. Only the worker calls the model, so requests never
compete for the CPU inside the encoder.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

Result = TypeVar("Result")


@dataclass
class _Work:
    texts: list[str]
    speakers: list[str | None]
    future: asyncio.Future = field(repr=False)


class MicroBatcher(Generic[Result]):
    """Runs ``predict(texts, speakers)`` on the statements of many :meth:`submit` calls at once.

    Start it with :meth:`start` inside a running event loop, stop it with :meth:`close`.

    >>> import asyncio
    >>> async def demo():
    ...     batcher = MicroBatcher(lambda texts, speakers: [t.upper() for t in texts], max_statements=8)
    ...     batcher.start()
    ...     results = await asyncio.gather(batcher.submit(["a", "b"]), batcher.submit(["c"]))
    ...     await batcher.close()
    ...     return results, batcher.calls
    >>> asyncio.run(demo())
    ([['A', 'B'], ['C']], 1)
    """

    def __init__(
        self,
        predict: Callable[[list[str], list[str | None]], Sequence[Result]],
        max_statements: int = 32,
        max_wait: float = 0.010,
    ) -> None:
        if max_statements < 1:
            raise ValueError(f"--batch-statements must be at least 1, not {max_statements}")
        if max_wait < 0:
            raise ValueError(f"--batch-wait-ms must be 0 or more, not {max_wait * 1000:g}")
        self.predict, self.max_statements, self.max_wait = predict, max_statements, max_wait
        self.calls = 0  # model calls so far, for /v1/info readers and tests
        # Requests submitted and not yet answered, and how many of them there were when the last model call
        # ended: the clients the worker is serving. Once that many requests wait again, the batch is as full as
        # it is going to get before max_wait, since each of those clients sends its next request only after its
        # answer (8 clients with one statement each give batches of 8 at once, not after 10 ms of idle CPU).
        self._unanswered = 0
        self._serving = 1
        self._queue: asyncio.Queue[_Work] = asyncio.Queue()
        self._arrived = asyncio.Event()
        self._worker: asyncio.Task | None = None

    def start(self) -> None:
        self._worker = asyncio.get_running_loop().create_task(self._run(), name="diplostance-batcher")

    async def submit(self, texts: list[str], speakers: list[str | None] | None = None) -> list[Result]:
        """The model's results for ``texts``, in order, from a model call shared with other requests."""
        if not texts:
            return []
        if self._worker is None or self._worker.done():
            raise RuntimeError("the batcher is not running")
        future = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Work(list(texts), list(speakers or [None] * len(texts)), future))
        self._arrived.set()
        self._unanswered += 1
        try:
            return await future
        finally:
            self._unanswered -= 1

    async def close(self) -> None:
        """Stop the worker; requests still waiting fail."""
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        while not self._queue.empty():
            _fail(self._queue.get_nowait(), RuntimeError("the service is shutting down"))

    async def _run(self) -> None:
        while True:
            batch = await self._collect()
            try:
                await self._flush(batch)
            except asyncio.CancelledError:
                for work in batch:
                    _fail(work, RuntimeError("the service is shutting down"))
                raise
            except Exception as err:  # noqa: BLE001 - the worker must outlive anything a batch does
                logger.error("micro-batch failed outside the model: %s", type(err).__name__)
                for work in batch:
                    _fail(work, err)

    async def _collect(self) -> list[_Work]:
        """The first waiting request, then more until the batch is full, every client served last time is back,
        or ``max_wait`` has passed."""
        batch = [await self._queue.get()]
        size = len(batch[0].texts)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait
        while size < self.max_statements:
            if self._queue.empty():
                if len(batch) >= self._serving:
                    break
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                # Waiting on an event, not on queue.get() under a timeout: a timed-out get can lose the item
                # that arrived as it timed out (Python < 3.12).
                self._arrived.clear()
                try:
                    await asyncio.wait_for(self._arrived.wait(), remaining)
                except asyncio.TimeoutError:
                    pass
                continue
            work = self._queue.get_nowait()
            batch.append(work)
            size += len(work.texts)
        return [work for work in batch if not work.future.done()]  # a client that left is not scored

    async def _flush(self, batch: list[_Work]) -> None:
        if not batch:
            return
        texts = [text for work in batch for text in work.texts]
        speakers = [speaker for work in batch for speaker in work.speakers]
        try:
            results = await self._call(texts, speakers)
        except Exception as err:  # noqa: BLE001 - retried request by request below, so one bad input fails alone
            if len(batch) == 1:
                _fail(batch[0], err)
                return
            for work in batch:
                try:
                    _resolve(work, await self._call(work.texts, work.speakers))
                except Exception as single:  # noqa: BLE001 - handed to the request that caused it
                    _fail(work, single)
            return
        start = 0
        for work in batch:
            _resolve(work, results[start : start + len(work.texts)])
            start += len(work.texts)

    async def _call(self, texts: list[str], speakers: list[str | None]) -> list[Result]:
        self.calls += 1
        results = list(await asyncio.to_thread(self.predict, texts, speakers))
        self._serving = max(1, self._unanswered)  # this call's requests and those that queued meanwhile
        if len(results) != len(texts):
            raise RuntimeError(f"the model gave {len(results)} result(s) for {len(texts)} statement(s)")
        return results


def _resolve(work: _Work, results: list) -> None:
    if not work.future.done():
        work.future.set_result(results)


def _fail(work: _Work, err: BaseException) -> None:
    if not work.future.done():
        work.future.set_exception(err)

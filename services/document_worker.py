"""Report documents rendered in a worker process, so that a PDF (a tenth of a second of CPU with an embedded
font) never holds up the event loop that answers every other chat meanwhile: a thread would not help, the
rendering holds Python's interpreter lock. When no process can be started, the rendering runs in a thread. The worker starts with the first document
(about a second, once) and stops with the bot.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from services.report_document import DocumentFile, build_report_attachment
from services.report_export import ReportRow

log = logging.getLogger(__name__)

_pool: ProcessPoolExecutor | None = None
RECENT_DOCUMENTS = 16
_recent: OrderedDict[bytes, DocumentFile] = OrderedDict()
_rendering: dict[bytes, asyncio.Future[DocumentFile]] = {}


def _worker_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # spawn, not fork: the bot's process has threads (database drivers) that a fork would copy mid-lock
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _pool


def stop() -> None:
    """Stop the worker and wait for it to exit (a document in progress takes a fraction of a second), so no
    process outlives the bot; documents asked for later start a new one."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


async def build_attachment(report: ReportRow) -> DocumentFile:
    """The report's document (PDF, or XLSX without fpdf2), rendered in the worker process. A submission
    asks for the same document three times at once (the chat, the confirmation, the Fachstelle's notice):
    it is rendered once, and the last few documents are kept, by their content."""
    key = hashlib.sha256(repr(report).encode()).digest()
    if key in _recent:
        _recent.move_to_end(key)
        return _recent[key]
    loop = asyncio.get_running_loop()
    rendering = _rendering.get(key)
    if rendering is None or rendering.get_loop() is not loop:
        rendering = _rendering[key] = asyncio.ensure_future(_render(report))
        rendering.add_done_callback(lambda done: _rendering.pop(key) if _rendering.get(key) is done else None)
    document = await asyncio.shield(rendering)
    _recent[key] = document
    while len(_recent) > RECENT_DOCUMENTS:
        _recent.popitem(last=False)
    return document


async def _render(report: ReportRow) -> DocumentFile:
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_worker_pool(), build_report_attachment, report)
    except (BrokenProcessPool, OSError, RuntimeError) as exc:
        log.warning("document worker failed (%s: %s); rendering in a thread", type(exc).__name__, exc)
        stop()
        return await asyncio.to_thread(build_report_attachment, report)

"""A layer-4 load balancer on loopback: every new TCP connection goes to the next backend, round robin."""

from __future__ import annotations

import asyncio
import contextlib
import itertools

from tests.bot.tcp_proxy import free_port


class RoundRobinBalancer:
    """Spreads a browser's connections (page, script, event stream, posts) over several instances."""

    def __init__(self, backends: list[tuple[str, int]]) -> None:
        self.backends = backends
        self._next = itertools.cycle(backends)
        self.port = free_port()
        self.connections: list[tuple[str, int]] = []
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task] = set()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        backend = next(self._next)
        self.connections.append(backend)
        try:
            server_reader, server_writer = await asyncio.open_connection(*backend)
        except OSError:
            client_writer.close()
            return
        pipes = [
            asyncio.create_task(_pipe(client_reader, server_writer)),
            asyncio.create_task(_pipe(server_reader, client_writer)),
        ]
        self._pipes.update(pipes)
        await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        for pipe in pipes:
            pipe.cancel()
            self._pipes.discard(pipe)
        for writer in (client_writer, server_writer):
            writer.close()

    async def __aenter__(self) -> RoundRobinBalancer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._server.close()
        for pipe in list(self._pipes):
            pipe.cancel()
        with contextlib.suppress(Exception):
            await self._server.wait_closed()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.CancelledError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()

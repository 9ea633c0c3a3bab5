"""The HTTP server's own limits: a deadline for a request's headers, a cap on their size, idle
keep-alive, and a cap on connections — what keeps half-open connections (slowloris) from holding
the service.

uvicorn closes idle keep-alive connections but gives a client unlimited time to send a
request's headers; thousands of connections that send one header line a minute used up the file
descriptors.  Both HTTP parsers uvicorn offers get the same guard here: a timer armed whenever a
connection waits for a request's headers (when it opens, and after each response) closes the
connection when the headers are not complete in time.  ``uvicorn_options`` adds the connection
cap (503 past it) and the rest.

``httptools`` (llhttp, in C) is the default when it is installed: on a point lookup it takes
about a third of a millisecond less of the front process's CPU per request than ``h11`` (pure
Python; README "Benchmarks").  ``DIPKG_HTTP=h11`` chooses h11, which is always there.
"""

from __future__ import annotations

import asyncio
import importlib.util
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from dipkg.server.config import Settings

#: The most a request's headers may take (h11's own limit, set to the same for httptools).
MAX_HEADER_BYTES = 65536


class _HeaderDeadline:
    """The timer both protocols share: armed while a connection waits for request headers,
    re-armed after each response, dropped with the connection; ``_waiting_for_headers`` says
    whether it should fire (each protocol knows when its headers are complete)."""

    header_timeout = 10.0
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    _header_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        timer = self._header_timer
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def _waiting_for_headers(self) -> bool:
        raise NotImplementedError

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]  # the protocol after this mixin
        if not self.transport.is_closing():
            self._arm()  # waiting for the next request's headers on a kept-alive connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]

    def _too_slow(self) -> None:
        self._header_timer = None
        if self._waiting_for_headers() and not self.transport.is_closing():
            self.transport.close()


class GuardedH11Protocol(_HeaderDeadline, H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def _waiting_for_headers(self) -> bool:
        return self.cycle is None or self.cycle.response_complete  # no complete request headers yet

    def handle_events(self) -> None:
        super().handle_events()
        if self.cycle is not None and not self.cycle.response_complete:
            self._disarm()  # a request is being served: the headers came in time



def _httptools_protocol() -> type[Any] | None:
    """The guarded httptools protocol, or None where httptools is not installed."""
    if importlib.util.find_spec("httptools") is None:
        return None
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class GuardedHttpToolsProtocol(_HeaderDeadline, HttpToolsProtocol):
        """httptools with h11's guards: the header deadline, and a cap on the headers' size
        (llhttp has none of its own; h11 refuses past ``h11_max_incomplete_event_size``)."""

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._headers_pending = True
            self._header_bytes = 0
            self._arm()

        def _waiting_for_headers(self) -> bool:
            idle = (self.cycle is None or self.cycle.response_complete) and not self.pipeline
            return self._headers_pending or idle

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._headers_pending and not self.transport.is_closing():
                self._header_bytes += len(data)
                if self._header_bytes > MAX_HEADER_BYTES:
                    self.send_400_response(f"Request headers larger than {MAX_HEADER_BYTES} bytes.")

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._headers_pending = True

        def on_headers_complete(self) -> None:
            self._headers_pending = False
            self._header_bytes = 0
            self._disarm()  # the headers came in time
            super().on_headers_complete()


    return GuardedHttpToolsProtocol


def protocol_class(settings: Settings) -> type[Any]:
    """The guarded protocol for ``settings.http`` ("auto": httptools where installed, else h11)."""
    base: type[Any] | None = GuardedH11Protocol
    if settings.http in ("auto", "httptools"):
        base = _httptools_protocol() or (GuardedH11Protocol if settings.http == "auto" else None)
        if base is None:
            raise RuntimeError("DIPKG_HTTP=httptools, but httptools is not installed (pip install httptools)")
    assert base is not None
    return type(base.__name__, (base,), {"header_timeout": settings.header_timeout})


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run``: the limits above, from the settings."""
    return {"http": protocol_class(settings), "timeout_keep_alive": settings.keep_alive_timeout,
            "limit_concurrency": settings.max_connections, "backlog": 2048,
            "h11_max_incomplete_event_size": MAX_HEADER_BYTES}

"""The HTTP server's own limits: a deadline for a request's headers, idle keep-alive, and a cap
on connections — what keeps half-open connections (slowloris) from holding the service.

uvicorn closes idle keep-alive connections but gives a client unlimited time to send a
request's headers; thousands of connections that send one header line a minute used up the file
descriptors.  ``GuardedH11Protocol`` arms a timer whenever a connection waits for a request's
headers (when it opens, and after each response) and closes the connection when the headers are
not complete in time; ``uvicorn_options`` adds the connection cap (503 past it) and the rest.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from dipkg.server.config import Settings


class GuardedH11Protocol(H11Protocol):
    header_timeout = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        waiting = self.cycle is None or self.cycle.response_complete  # no complete request headers yet
        if waiting and not self.transport.is_closing():
            self.transport.close()

    def handle_events(self) -> None:
        super().handle_events()
        if self.cycle is not None and not self.cycle.response_complete:
            self._disarm()  # a request is being served: the headers came in time

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # waiting for the next request's headers on a kept-alive connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run``: the limits above, from the settings."""

    class Protocol(GuardedH11Protocol):
        header_timeout = settings.header_timeout

    return {"http": Protocol, "timeout_keep_alive": settings.keep_alive_timeout,
            "limit_concurrency": settings.max_connections, "backlog": 2048, "h11_max_incomplete_event_size": 65536}

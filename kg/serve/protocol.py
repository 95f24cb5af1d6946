"""Read deadlines for uvicorn's HTTP/1.1 protocols: slow clients cannot hold connections.

uvicorn has no header read timeout: ``timeout_keep_alive`` only runs between requests and is
cancelled by any byte received, so a client that opens a connection and sends nothing, or
sends its request head one byte at a time (slowloris), holds the connection forever; hypercorn's
``read_timeout`` is per read, which a trickle of bytes defeats too. These subclasses of
uvicorn's protocols (``uvicorn.run(..., http=cls)``, a documented option) add two deadlines:

- the head: a request's line and headers must be complete within ``header_timeout`` seconds of
  the connection opening or of the previous answer being sent (idle connections included);
- the body: it must be complete within ``body_timeout`` seconds of the head.

A connection past a deadline is answered ``408 Request Timeout`` (when part of a request came
and no answer was started) and closed. The deadlines are absolute: bytes arriving do not
extend them.
"""
from __future__ import annotations

import asyncio

MESSAGE = b"the request was not received in time (request timeout)\n"
RESPONSE_408 = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
                b"connection: close\r\ncontent-length: " + str(len(MESSAGE)).encode() + b"\r\n\r\n"
                + MESSAGE)


class _Deadlines:
    """Mixin: one timer per connection, re-armed only when the phase changes."""

    header_timeout = 10.0
    body_timeout = 30.0
    _phase: str | None = None
    _timer: asyncio.TimerHandle | None = None
    _partial = False  # bytes of a request head arrived in the current head phase

    def _set_phase(self, phase: str | None) -> None:
        if phase == self._phase:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._phase, self._partial = phase, False
        if phase is not None and not self.transport.is_closing():
            limit = self.header_timeout if phase == "head" else self.body_timeout
            self._timer = self.loop.call_later(limit, self._expired)

    def _expired(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        cycle = getattr(self, "cycle", None)
        began = self._partial if self._phase == "head" else True
        if began and (self._phase == "head" or not getattr(cycle, "response_started", False)):
            self.transport.write(RESPONSE_408)
        if cycle is not None and self._phase == "body":
            cycle.keep_alive = False
        self.transport.close()

    def _note_bytes(self) -> None:
        if self._phase == "head":
            self._partial = True

    def _stop_deadlines(self) -> None:
        self._set_phase(None)


def _httptools_class(base):
    class HttpToolsDeadlines(_Deadlines, base):
        _rx = "idle"  # idle, head, body, done: how far the current request has been received

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._set_phase("head")

        def data_received(self, data: bytes) -> None:
            self._note_bytes()
            super().data_received(data)

        def on_message_begin(self) -> None:
            self._rx = "head"
            super().on_message_begin()

        def on_headers_complete(self) -> None:
            self._rx = "body"
            self._set_phase("body")
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._rx = "done"
            super().on_message_complete()
            answered = self.cycle is not None and self.cycle.response_complete
            self._set_phase("head" if answered and not self.pipeline else None)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self._rx == "done" and not self.pipeline:
                self._rx = "idle"
                self._set_phase("head")

        def connection_lost(self, exc) -> None:
            self._stop_deadlines()
            super().connection_lost(exc)

    return HttpToolsDeadlines


def _h11_class(base):
    import h11

    class H11Deadlines(_Deadlines, base):
        def _follow(self) -> None:
            state = self.conn.their_state
            self._set_phase("head" if state is h11.IDLE else "body" if state is h11.SEND_BODY else None)

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._follow()

        def data_received(self, data: bytes) -> None:
            self._note_bytes()
            super().data_received(data)
            self._follow()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._follow()

        def connection_lost(self, exc) -> None:
            self._stop_deadlines()
            super().connection_lost(exc)

    return H11Deadlines


def protocol_class(header_timeout: float, body_timeout: float, impl: str = "auto") -> type:
    """uvicorn's HTTP protocol (httptools when installed, else h11) with the two deadlines."""
    try:
        if impl == "h11":
            raise ImportError
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        cls = _httptools_class(HttpToolsProtocol)
    except ImportError:
        from uvicorn.protocols.http.h11_impl import H11Protocol

        cls = _h11_class(H11Protocol)
    return type(cls.__name__, (cls,), {"header_timeout": header_timeout, "body_timeout": body_timeout})

"""The prediction log's writer process: rows are encoded and committed outside the server.

The server hands each group of queued predictions to a child process as one columnar
message (numeric columns and probabilities as raw little-endian bytes, strings as one JSON
list per column, row ids as ``(request id, rows)`` pairs), and the child turns them into
rows and commits them to the sink. So the per-row work (JSON text of every row, SQLite's
insert of every row and its index entry) neither holds the server's GIL nor waits for it,
and the child may use the sink's cheapest statement even when it releases the GIL per row.
Nothing is pickled: a message is JSON plus raw array bytes, both read with strict parsers.

Lifecycle: ``start()`` forks the child (before the writer thread or the model's threads
exist) and waits until it has opened the sink; ``commit(message)`` sends one message and
returns once the child replied that it is committed, which is what ``X-Skyclass-Durable``
waits for; ``close()`` ends the input and waits for the child to drain and exit. The child
runs at a lower CPU priority (``NICENESS``), ignores SIGINT/SIGTERM and stops when its input
ends, so a ``kill -9`` of the server still
lets it commit everything the server had handed over; it exits on its own then.

Example:
    >>> import tempfile, pathlib
    >>> from skyclass.serving._sinks import JsonLinesSink
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "p.jsonl"
    >>> child = LogChild(JsonLinesSink(path), lambda sink, message: (len(message), 0))
    >>> child.start()
    >>> child.commit(b"abc")
    (3, 0)
    >>> child.close()
"""

from __future__ import annotations

import contextlib
import os
import signal
import struct
import sys
from collections.abc import Callable

import orjson

from skyclass.serving._sinks import Sink

_LENGTH = struct.Struct("<Q")
#: the writer process's CPU priority below the server's: on a busy machine a request is not
#: slowed by the log's encoding, and the log catches up when the server waits for clients
NICENESS = 5


class LogChildError(RuntimeError):
    """The writer process failed a commit (the message names the sink's error) or died.

    ``gone`` is True when the process is no longer there (its pipe closed): nothing more
    can be committed through it.
    """

    def __init__(self, message: str, *, gone: bool = False) -> None:
        super().__init__(message)
        self.gone = gone


class LogChild:
    """Parent-side handle of the process that writes the log.

    ``handle(sink, message) -> (predictions, feedback)`` runs in the child for every
    message, with the sink the child opened; what it raises is sent back as the error of
    that commit, and the child goes on with the next message.
    """

    def __init__(self, sink: Sink, handle: Callable[[Sink, bytes], tuple[int, int]]) -> None:
        self.sink = sink
        self.handle = handle
        self.pid: int | None = None
        self._to_child: int | None = None
        self._from_child: int | None = None

    def start(self) -> None:
        """Fork the child and wait until it opened the sink (``OSError`` if it could not)."""
        down_read, down_write = os.pipe()
        up_read, up_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(down_write)
            os.close(up_read)
            _child_main(self.sink, self.handle, down_read, up_write)
        os.close(down_read)
        os.close(up_write)
        self.pid, self._to_child, self._from_child = pid, down_write, up_read
        reply = self._reply()
        if "error" in reply:
            self.close()
            raise OSError(f"cannot open the prediction log {self.sink.path}: {reply['error']}")

    def commit(self, message: bytes) -> tuple[int, int]:
        """Send ``message``; ``(predictions, feedback)`` rows committed, or ``LogChildError``."""
        try:
            _write_all(self._to_child, _LENGTH.pack(len(message)) + message)
        except OSError as err:
            raise LogChildError(
                f"prediction log writer process is gone ({err})", gone=True
            ) from None
        reply = self._reply()
        if "error" in reply:
            raise LogChildError(reply["error"])
        return reply["predictions"], reply["feedback"]

    def close(self) -> None:
        """End the child's input; it commits what it has, closes the sink and exits."""
        if self._to_child is None:
            return
        os.close(self._to_child)
        self._to_child = None
        try:
            self._reply()  # the child's goodbye, after the sink closed (or EOF)
        except LogChildError:
            pass
        os.close(self._from_child)
        if self.pid is not None:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:  # already reaped
                pass
            self.pid = None

    def _reply(self) -> dict:
        header = _read_exactly(self._from_child, _LENGTH.size)
        if header is None:
            raise LogChildError("prediction log writer process exited", gone=True)
        body = _read_exactly(self._from_child, _LENGTH.unpack(header)[0])
        if body is None:
            raise LogChildError("prediction log writer process exited mid-reply", gone=True)
        return orjson.loads(body)


def _child_main(sink: Sink, handle, inbox: int, outbox: int) -> None:
    """The child's whole life: open, commit each message, close; ``os._exit`` at the end."""
    code = 0
    try:
        signal.set_wakeup_fd(-1)  # the server's event loop wakeup pipe is not ours to write
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C or group SIGTERM must not
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # lose rows: stop when the input ends
        with contextlib.suppress(OSError):  # background work: the server's requests first
            os.nice(NICENESS)
        sink.own_process = True
        try:
            sink.open()
        except BaseException as err:
            _send(outbox, {"error": f"{type(err).__name__}: {err}"})
            return
        _send(outbox, {"opened": True})
        while True:
            header = _read_exactly(inbox, _LENGTH.size)
            if header is None:
                break
            message = _read_exactly(inbox, _LENGTH.unpack(header)[0])
            if message is None:
                break
            try:
                predictions, feedback = handle(sink, message)
            except Exception as err:
                _send(outbox, {"error": f"{type(err).__name__}: {err}"})
            else:
                _send(outbox, {"predictions": predictions, "feedback": feedback})
        sink.close()
        _send(outbox, {"closed": True})
    except BaseException as err:  # report, then exit without running the parent's handlers
        code = 1
        print(f"skyclass prediction log writer process: {err!r}", file=sys.stderr, flush=True)
    finally:
        os._exit(code)


def _send(fd: int, reply: dict) -> None:
    body = orjson.dumps(reply)
    try:
        _write_all(fd, _LENGTH.pack(len(body)) + body)
    except BrokenPipeError:  # the server is gone; nobody waits for this reply
        pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, size: int) -> bytes | None:
    """``size`` bytes from ``fd``, or ``None`` at end of input."""
    parts, missing = [], size
    while missing:
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        missing -= len(chunk)
    return b"".join(parts)

"""Stop signals: SIGTERM and SIGINT stop a run at its next step, the same on every backend.

``cli.main`` installs the handler (:func:`handling`). Outside a training loop a signal stops the
script at once (``Stopped``, a ``KeyboardInterrupt``). Inside one (:func:`deferred`: ``Run.fit``,
a checkpoint's save, the DQN agents' loops) the handler only notes the signal, and the loop stops
at its next step (:func:`check`, or ``checkpoints.StopOnSignal`` after each batch), so a
checkpoint is never cut short and the exception is raised from the zoo's own code, never from
inside a backend (JAX once ran on to the end when SIGTERM's exception landed in its machinery).
A second signal while one is pending stops at once. Imports nothing heavy.
"""

from __future__ import annotations

import contextlib
import signal
import threading

SIGNALS = (signal.SIGTERM, signal.SIGINT)
NAMES = {signal.SIGTERM: "terminated", signal.SIGINT: "interrupted"}


class Stopped(KeyboardInterrupt):
    """A stop signal arrived; the script exits with ``exit_status`` (128 + the signal's number:
    143 for SIGTERM, 130 for SIGINT) and no result."""

    def __init__(self, signum: int):
        super().__init__(f"{NAMES.get(signum, 'stopped')} by signal {signum}")
        self.signum = signum
        self.exit_status = 128 + signum
        self.word = NAMES.get(signum, "stopped")


_pending: int | None = None  # the signal received and not yet acted on
_deferring = 0  # how many deferred() blocks are open


def _handle(signum, frame):
    global _pending
    if _deferring and _pending is None:
        _pending = signum  # the loop stops at its next step
        return
    _pending = signum
    raise Stopped(signum)


def pending() -> int | None:
    """The stop signal received so far (None: none)."""
    return _pending


def check() -> None:
    """Raise ``Stopped`` if a stop signal has arrived: a loop's next step."""
    if _pending is not None:
        raise Stopped(_pending)


@contextlib.contextmanager
def deferred():
    """A block a signal does not cut short: it is noted, and raised by :func:`check` inside the
    block or at the block's end."""
    global _deferring
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
    if not _deferring:
        check()


@contextlib.contextmanager
def handling():
    """SIGTERM and SIGINT handled as above for the block (the main thread only); the previous
    handlers are put back after it."""
    global _pending, _deferring
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _pending, _deferring = None, 0
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    for signum in SIGNALS:
        signal.signal(signum, _handle)
    try:
        yield
    finally:
        _pending, _deferring = None, 0
        for signum, handler in previous.items():
            if handler is not None:  # None: a handler set outside Python, which cannot be put back
                signal.signal(signum, handler)

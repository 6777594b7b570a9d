"""The zoo's own errors, and the one way any error is written as one line (:func:`one_line`),
below every module that raises or reports them (the command line, the run folder, checkpoints),
so that none of those imports another for an error class. ``zoo.cli`` re-exports the errors,
as scripts know them from there."""

from __future__ import annotations


class UsageError(ValueError):
    """A problem with what the user asked for; reported as one line, exit status 2."""


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite."""


def one_line(error: BaseException, first_line: bool = False) -> str:
    """An exception's message as one line, for a refusal or a log line: all of it, each run of
    white space made one space, or with ``first_line`` its first line only, for libraries whose
    later lines are detail (Keras' and h5py's loading errors, a failed download); the exception's
    class name when it has no message."""
    text = str(error).strip()
    if first_line:
        text = text.splitlines()[0] if text else text
    return " ".join(text.split()) or type(error).__name__

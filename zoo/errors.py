"""The zoo's own errors, below every module that raises or reports them (the command line,
the run folder, checkpoints), so that none of those imports another for an error class.
``zoo.cli`` re-exports them, as scripts know them from there."""

from __future__ import annotations


class UsageError(ValueError):
    """A problem with what the user asked for; reported as one line, exit status 2."""


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite."""

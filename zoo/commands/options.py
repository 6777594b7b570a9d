"""What the ``dli-zoo`` subcommands share: their parser, the trained model they take, their
output file (never replaced without ``--overwrite``) and the backend's quiet start. No Keras."""

from __future__ import annotations

import logging
from pathlib import Path

from zoo import cli
from zoo.choices import DEVICE_HELP
from zoo.commands import sources
from zoo.errors import UsageError
from zoo.runrecords import print_result  # the one RESULT line every command ends with

__all__ = ["add_source", "new_output", "parser", "print_result", "source_of", "start"]

log = logging.getLogger("zoo")


class CommandParser(cli.ArgumentParser):
    """The zoo's parser, with options allowed among the positionals (``predict RUN_DIR --model M TEXT``)."""

    _intermixing = False

    def parse_known_args(self, args=None, namespace=None):
        if self._intermixing:  # argparse's intermixed parsing calls this twice itself
            return super().parse_known_args(args, namespace)
        self._intermixing = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._intermixing = False


def parser(command: str, description: str, device: bool = True) -> cli.ArgumentParser:
    """A subcommand's parser: ``dli-zoo COMMAND``, with --quiet and --verbose (and --device)."""
    made = CommandParser(prog=f"dli-zoo {command}", description=description)
    made.add_argument("--quiet", action="store_true", help=cli.QUIET_HELP)
    made.add_argument("--verbose", action="store_true", help="also show the backend's start-up log lines")
    if device:
        made.add_argument("--device", default="auto", help=DEVICE_HELP)
    return made


def add_source(made, models, what: str, model_flag: bool = True) -> None:
    """The positional MODEL/NAME|FILE|RUN_DIR, and --model for a file that names no model."""
    made.add_argument("source", metavar=sources.GIVEN,
                      help=f"{what}: MODEL/NAME or a NAME only one model has (dli-zoo list), a weights file, "
                           f"or a finished run's --output-dir")
    if model_flag and len(models) > 1:
        made.add_argument("--model", choices=list(models), default=None,
                          help="which model a weights file holds, where neither its name nor its run's "
                               "state.json says")


def source_of(args, models, doing: str, endings=sources.KERAS_FILES) -> sources.Source:
    return sources.resolve(args.source, models, doing, getattr(args, "model", None), endings)


def new_output(path, flag: str, overwrite: bool, suffixes) -> Path:
    """``path`` checked before any work: its ending, and that it is new unless ``overwrite``."""
    path = Path(path).expanduser()
    if path.suffix.lower() not in suffixes:
        raise UsageError(f"{flag} {path}: expected a {'/'.join(suffixes)} file")
    if path.is_dir():
        raise UsageError(f"{flag} {path} is a folder; give a file name")
    if path.exists() and not overwrite:
        raise UsageError(f"{path} exists; pass --overwrite to replace it")
    return path


def start(args, seed=None):
    """Keras' backend, quietly (``zoo.startup``), and the runtime on --device; returns the runtime."""
    cli.start_backend(args)
    from zoo import runtime

    return runtime.configure(getattr(args, "device", "auto"), "default", "float32", seed, quiet=True)

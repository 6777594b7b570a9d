"""The command line's parts: argparse with one-line errors, the argument types, and the
refusal of renamed and moved flags. A training script declares its settings as a dataclass
(``zoo.config``); the ``dli-zoo`` commands build parsers from these parts:

    parser = cli.ArgumentParser(prog="dli-zoo card", description=...)
    args = cli.parse_args(parser, argv, load_backend=False)

Imports no Keras and no backend (``--help`` answers at once; ``parse_args`` loads the backend
once the arguments are good, see ``zoo.startup``). How a command ends (one line and an exit
status for a user's mistake, a stop signal) is ``zoo.exits``; ``cli.main`` is its entry point.
"""

from __future__ import annotations

import argparse
import logging
import signal  # noqa: F401  (tests still patch cli.signal.signal; zoo.stopping installs the handlers)
import sys
from pathlib import Path

from zoo import environment, startup
from zoo.datasets import DataSourceError, resolve_data_dir
from zoo.errors import TrainingDiverged, UsageError  # noqa: F401  (scripts know them as cli.UsageError, ...)
from zoo.exits import describe_os_error, main  # noqa: F401  (a script ends with cli.main(main))

MAX_SEED = 2**32 - 1  # NumPy's and TensorFlow's seeds are 32-bit
# --quiet's one meaning, in every script and command
QUIET_HELP = "print only the RESULT line, warnings and errors: no progress"


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Each help line once, with its default where the help does not already say it."""

    def _get_help_string(self, action):
        text = action.help or ""
        if ("default" in text or action.default in (None, False, argparse.SUPPRESS)
                or action.option_strings == [] or isinstance(action, argparse._HelpAction)):
            return text
        return f"{text} (default: %(default)s)".strip()


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but an argument error is one line on stderr and exit status 2."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        # no abbreviations: --out would otherwise be taken as --output-dir, a flag of another meaning
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")

    def parse_args(self, args=None, namespace=None):
        """The arguments, with ``typed``: the settings given on the command line (not defaulted)."""
        parsed = super().parse_args(args, namespace)  # first: --help and errors show the real defaults
        return argparse.Namespace(**vars(parsed), typed=self._typed(args))

    def _typed(self, args) -> set:
        # a second pass with every default suppressed leaves only what was typed
        saved = {action: action.default for action in self._actions}
        try:
            for action in saved:
                action.default = argparse.SUPPRESS
            return set(vars(super().parse_args(args)))
        finally:
            for action, default in saved.items():
                action.default = default

    def flags(self) -> dict:
        """Each setting's flag as typed ({"trained": "--from"})."""
        return {action.dest: max(action.option_strings, key=len) for action in self._actions if action.option_strings}


# ----------------------------------------------------------------------------- argument types

def _parsed(text: str, convert, noun: str):
    try:
        return convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None


def positive_int(text: str) -> int:
    value = _parsed(text, int, "an integer")
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive integer")
    return value


def seed(text: str) -> int:
    value = _parsed(text, int, "an integer")
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"{text} is not a seed: expected an integer from 0 to {MAX_SEED}")
    return value


def weights_source(text: str) -> str:
    """A weights name (checked when it is loaded) or an existing .weights.h5/.keras file."""
    from zoo.weights_names import NAME_PATTERN, is_weights_name

    if is_weights_name(text) and NAME_PATTERN.fullmatch(text):
        return text
    if not text.endswith((".keras", ".weights.h5")):
        raise argparse.ArgumentTypeError(f"{text!r} is neither a weights name nor a .weights.h5/.keras file")
    if not Path(text).expanduser().is_file():
        raise argparse.ArgumentTypeError(f"{text}: no such file")
    return str(Path(text).expanduser().resolve())  # absolute: the run's record must still find it from elsewhere


def positive_float(text: str) -> float:
    value = _parsed(text, float, "a number")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


class _Renamed(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        parser.error(f"{option_string} is now {self.const}")


def renamed_flag(parser, old: str, new: str) -> None:
    """Refuse ``old`` in one line naming what replaced it (``new``: the flag and a word on it)."""
    parser.add_argument(old, action=_Renamed, const=new, nargs="?", help=argparse.SUPPRESS)


class _Moved(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        parser.error(f"{option_string}: {self.const} (this script only trains)")


def moved_flags(parser, flags, command: str) -> None:
    """Refuse ``flags`` (a mode that used a trained model) in one line naming the ``dli-zoo``
    ``command`` that does it now, at parsing: before any backend loads."""
    for flag in flags:
        parser.add_argument(flag, action=_Moved, const=command, nargs="*", default=argparse.SUPPRESS,
                            help=argparse.SUPPRESS)  # no attribute: no part of what a run is


def parse_args(parser: ArgumentParser, argv=None, load_backend: bool = True) -> argparse.Namespace:
    """A command's checked arguments (with ``typed`` and ``flags``, see :class:`ArgumentParser`);
    then Keras' backend is loaded (quietly, see ``zoo.startup``) unless ``load_backend=False``."""
    args = parser.parse_args(argv)
    bad_variable = environment.problem()  # before the backend loads: KERAS_BACKEND among them
    if bad_variable:
        parser.error(bad_variable)
    if getattr(args, "data_dir", None):
        try:
            resolve_data_dir(args.data_dir)
        except DataSourceError as error:
            parser.error(str(error))
    args = argparse.Namespace(**vars(args), flags=parser.flags())
    logging.basicConfig(level=logging.WARNING if getattr(args, "quiet", False) else logging.INFO,
                        format="%(message)s", stream=sys.stderr, force=True)
    if load_backend:
        start_backend(args)
    return args


def start_backend(args) -> str:
    """Keras' backend, loaded quietly (``zoo.startup``): for a script that parsed with
    ``load_backend=False`` to check its flags first, so a refusal costs no backend start-up."""
    return startup.load_backend(verbose=getattr(args, "verbose", False))



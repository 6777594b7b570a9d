"""The command line every script shares, composed from groups by what the script does.

    parser = cli.make_parser("lenet", __doc__)                       # data, fit, run, devices
    parser = cli.make_parser("cartpole_q_network", __doc__, groups=("run", "device"))
    args = cli.parse_args(parser)

Imports no Keras and no backend (``--help`` answers at once; ``parse_args`` loads the backend
once the arguments are good, see ``zoo.startup``), and
turns a user's mistake into one line on stderr and exit status 2 (:func:`main`).
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import signal  # noqa: F401  (tests still patch cli.signal.signal; zoo.stopping installs the handlers)
import sys
from pathlib import Path

from zoo import environment, startup, stopping
from zoo.choices import DEVICE_HELP, MAY_CHANGE_ON_RESUME, PRECISIONS, STRATEGIES
from zoo.datasets import SOURCES, DataSourceError, resolve_data_dir
from zoo.errors import TrainingDiverged, UsageError  # scripts know them as cli.UsageError, cli.TrainingDiverged

GROUPS = ("data", "fit", "run", "device")
MAX_SEED = 2**32 - 1  # NumPy's and TensorFlow's seeds are 32-bit


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Each help line once, with its default where the help does not already say it."""

    def _get_help_string(self, action):
        text = action.help or ""
        if ("default" in text or action.default in (None, False, argparse.SUPPRESS)
                or action.option_strings == [] or isinstance(action, argparse._HelpAction)):
            return text
        return f"{text} (default: %(default)s)".strip()


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but an argument error is one line on stderr and exit status 2, and the
    help ends with which flags ``--resume`` lets change."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
        self.may_change_on_resume = set(MAY_CHANGE_ON_RESUME)

    def allow_on_resume(self, *dests: str) -> None:
        """Flags whose new values a resumed run takes (they change no result so far)."""
        self.may_change_on_resume.update(dests)

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")

    def parse_args(self, args=None, namespace=None):
        """The arguments, with ``typed``: the settings given on the command line (not defaulted)."""
        parsed = super().parse_args(args, namespace)  # first: --help and errors show the real defaults
        parsed.typed = self._typed(args)
        return parsed

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

    def refuse_typed(self, args, allowed, doing: str, instead: str = "for training") -> None:
        """One line for the first typed flag outside ``allowed`` (dests): it does not apply to ``doing``."""
        for dest in sorted(args.typed - set(allowed)):
            self.error(f"{doing}: {self.flags()[dest]} is {instead}")

    def flags(self) -> dict:
        """Each setting's flag as typed ({"trained": "--from"})."""
        return {action.dest: max(action.option_strings, key=len) for action in self._actions if action.option_strings}

    def format_help(self):
        flags = sorted(self.flags()[dest] for dest in self.may_change_on_resume
                       if dest not in ("resume", "overwrite", "output_dir") and self._has(dest))
        if self._has("resume"):
            self.epilog = ("--resume continues the run in --output-dir with the settings it was started with; "
                           f"only {', '.join(flags)} may differ, any other flag that differs is refused.")
        return super().format_help()

    def _has(self, dest: str) -> bool:
        return any(action.dest == dest for action in self._actions)


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


# ----------------------------------------------------------------------------- groups

def add_data_flags(parser) -> None:
    group = parser.add_argument_group("data")
    group.add_argument("--data", choices=SOURCES, default="auto",
                       help="full data, the bundled sample, or full when it can be had")
    group.add_argument("--data-dir", default=None, help="folder with the full data (default: $ZOO_DATA_DIR)")


WEIGHTS_HELP = "a name of zoo.pretrained (python -m zoo.pretrained) or a .weights.h5/.keras file"
def add_fit_flags(parser, epochs: int, batch_size: int, start_weights: bool = True, book_defaults_by=None) -> None:
    """``book_defaults_by``: the flag whose choice sets the book's epochs and batch size (the
    script resolves them after parsing; both default to None)."""
    group = parser.add_argument_group("training")
    per = f" (default: the book's for {book_defaults_by})" if book_defaults_by else ""
    group.add_argument("--epochs", type=positive_int, default=None if per else epochs,
                       help=f"epochs in all (a resumed run trains on to this){per}")
    group.add_argument("--batch-size", type=positive_int, default=None if per else batch_size,
                       help=f"examples per replica (the global batch is this times the replicas){per}")
    group.add_argument("--checkpoint-every", type=positive_int, default=1, metavar="EPOCHS",
                       help="save the last epoch's checkpoint every this many epochs (and at the end; the best "
                            "epoch is saved whenever it improves): a large model's file is written less often")
    if start_weights:
        group.add_argument("--weights", type=weights_source, default=None, metavar="NAME|PATH",
                           help=f"start from trained weights instead of random ones: {WEIGHTS_HELP}")


OUTPUT_ROOT = Path("model_output")


def default_output_dir(model: str) -> str:
    """Where a run of ``model`` writes unless --output-dir says otherwise: ``model_output/<model>``."""
    return str(OUTPUT_ROOT / model)


def add_run_flags(parser, model: str) -> None:
    group = parser.add_argument_group("run")
    group.add_argument("--output-dir", default=default_output_dir(model), help="where the run writes")
    group.add_argument("--seed", type=seed, default=None, help="make the run repeatable (0 to 2**32-1)")
    group.add_argument("--resume", action="store_true", help="continue the run in --output-dir from its last checkpoint")
    group.add_argument("--overwrite", action="store_true", help="replace the zoo run in --output-dir")
    group.add_argument("--quiet", action="store_true", help="no progress bars")
    group.add_argument("--verbose", action="store_true",
                       help="also show the backend's start-up log lines (TensorFlow's are hidden by default)")


def add_device_flags(parser, strategy: bool = True, precision: bool = True) -> None:
    group = parser.add_argument_group("devices")
    group.add_argument("--device", default="auto", help=DEVICE_HELP)
    if strategy:
        group.add_argument("--strategy", choices=STRATEGIES, default="auto", help="auto (data parallel over several local GPUs), default (no distribution), mirrored "
                                "(data parallel over the local devices) or multiworker (several machines)")
    if precision:
        group.add_argument("--precision", choices=PRECISIONS, default="float32", help="Keras dtype policy")


PLAY_COMMAND = "playing a trained agent is `dli-zoo play MODEL/NAME|FILE|RUN_DIR --episodes N [--record FILE.gif]`"


def add_agent_weights_flags(parser, group) -> None:
    """--weights (start a training run from them); the old --play mode is refused, naming dli-zoo play."""
    group.add_argument("--weights", type=weights_source, default=None, metavar="NAME|PATH",
                       help=f"start the training run from trained weights: {WEIGHTS_HELP}")
    renamed_flag(parser, "--episodes-to-play", "--eval-episodes N (greedy episodes to score)")
    moved_flags(parser, ("--play", "--from", "--record-to"), PLAY_COMMAND)


def output_dir_follows(parser: ArgumentParser, flag: str, models: dict) -> None:
    """The default --output-dir is the folder of the model that ``flag``'s choice trains
    (``models``: choice -> the zoo's model name), so each one's runs have a folder of their own."""
    dest = flag.lstrip("-").replace("-", "_")
    output = next(action for action in parser._actions if action.dest == "output_dir")
    example, model = next(iter(models.items()))
    output.default = None
    output.help = (f"where the run writes (default: {OUTPUT_ROOT}/ and the model {flag} trains, "
                   f"{default_output_dir(model)} for {flag} {example})")
    parser.output_dir_by = (dest, dict(models))


def make_parser(model: str, description: str | None = None, *, groups=GROUPS, epochs: int | None = None,
                batch_size: int | None = None, strategy: bool = True, precision: bool = True,
                start_weights: bool = True, book_defaults_by: str | None = None) -> ArgumentParser:
    """A script's parser from the groups that apply to it, with the book's defaults; a fit
    script's ``--weights`` (``start_weights``) starts training from trained weights.
    ``book_defaults_by``: see :func:`add_fit_flags`."""
    unknown = set(groups) - set(GROUPS)
    if unknown:
        raise ValueError(f"groups={sorted(unknown)!r} is invalid: expected some of {list(GROUPS)}")
    parser = ArgumentParser(description=description.strip().splitlines()[0] if description else None)
    if "data" in groups:
        add_data_flags(parser)
    if "fit" in groups:
        from zoo import recipes  # only fit scripts need the book's epochs and batch size

        recipe = recipes.RECIPES.get(model)
        add_fit_flags(parser, epochs or getattr(recipe, "epochs", None) or 1,
                      batch_size or getattr(recipe, "batch_size", None) or 32, start_weights, book_defaults_by)
    if "run" in groups:
        add_run_flags(parser, model)
    if "device" in groups:
        add_device_flags(parser, strategy=strategy, precision=precision)
    return parser


def parse_args(parser: ArgumentParser, argv=None, load_backend: bool = True) -> argparse.Namespace:
    """The checked arguments; then Keras' backend is loaded (quietly, see ``zoo.startup``) unless
    ``load_backend=False`` (a script that needs none, or not yet)."""
    args = parser.parse_args(argv)
    bad_variable = environment.problem()  # before the backend loads: KERAS_BACKEND among them
    if bad_variable:
        parser.error(bad_variable)
    if getattr(parser, "output_dir_by", None) and args.output_dir is None:
        dest, models = parser.output_dir_by
        args.output_dir = default_output_dir(models[getattr(args, dest)])
    if getattr(args, "resume", False) and getattr(args, "overwrite", False):
        parser.error("--resume and --overwrite contradict each other")
    if getattr(args, "data_dir", None):
        try:
            resolve_data_dir(args.data_dir)
        except DataSourceError as error:
            parser.error(str(error))
    args.may_change_on_resume = sorted(parser.may_change_on_resume)
    args.flags = parser.flags()
    logging.basicConfig(level=logging.WARNING if getattr(args, "quiet", False) else logging.INFO,
                        format="%(message)s", stream=sys.stderr, force=True)
    if load_backend:
        start_backend(args)
    return args


def start_backend(args) -> str:
    """Keras' backend, loaded quietly (``zoo.startup``): for a script that parsed with
    ``load_backend=False`` to check its flags first, so a refusal costs no backend start-up."""
    return startup.load_backend(verbose=getattr(args, "verbose", False))


# ----------------------------------------------------------------------------- errors

def _raised_by_the_zoo(error: BaseException) -> bool:
    """True when the innermost frame is the zoo's own code (a check of the user's input)."""
    import zoo
    import zoo.datasets

    traceback = error.__traceback__
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    origin = Path(traceback.tb_frame.f_code.co_filename).resolve()
    ours = {Path(zoo.__file__).resolve().parent, Path(zoo.datasets.__file__).resolve().parent}
    return any(folder in origin.parents for folder in ours)


def main(function) -> None:
    """Run a script's ``main()``, turning the user's mistakes into one line and exit status 2, and
    a failed write (full disk, read-only folder) into one line and exit status 1. SIGTERM (timeout,
    a batch scheduler, kill) and SIGINT (Ctrl-C) stop a run at its next step (``zoo.stopping``):
    exit status 143 or 130, no result, its last checkpoint whole for ``--resume``."""
    with stopping.handling():
        _run(function)


def _run(function) -> None:
    try:
        function()
        stopping.check()  # a signal whose exception a library swallowed still stops with its status
    except stopping.Stopped as stopped:
        print(f"{stopped.word}; continue with --resume if a checkpoint was written", file=sys.stderr)
        sys.exit(stopped.exit_status)
    except ValueError as error:  # UsageError, DataSourceError and the runtime's errors are ValueErrors
        ours = isinstance(error, (UsageError, DataSourceError)) or type(error).__module__.startswith("zoo")
        if environment.flag("ZOO_DEBUG") or not (ours or _raised_by_the_zoo(error)):
            raise  # a ValueError inside Keras or TensorFlow needs its traceback
        print(f"error: {one_line(error)}", file=sys.stderr)
        sys.exit(2)
    except TrainingDiverged as error:
        print(f"error: {one_line(error)}", file=sys.stderr)
        sys.exit(1)
    except OSError as error:  # a full disk, a read-only folder, a permission: what is kept and how to go on
        if environment.flag("ZOO_DEBUG"):
            raise
        print(f"error: {describe_os_error(error)}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted; continue with --resume if a checkpoint was written", file=sys.stderr)
        sys.exit(130)


NO_SPACE = {errno.ENOSPC, errno.EDQUOT}
NO_PERMISSION = {errno.EROFS, errno.EACCES, errno.EPERM}


def describe_os_error(error: OSError) -> str:
    """One line: the file, what went wrong, what of the run is intact, and how to go on."""
    what = error.strerror or one_line(error)
    if error.filename is None:
        return f"{what}; continue with --resume once the cause is fixed, if a checkpoint was written"
    path = Path(os.fsdecode(error.filename))
    verb = "cannot write" if error.errno in NO_SPACE | NO_PERMISSION else "cannot use"
    fix = ("free some space" if error.errno in NO_SPACE else
           f"make {path.parent} writable" if error.errno in NO_PERMISSION else "fix that")
    folder = next((folder for folder in path.parents if (folder / "state.json").is_file()), None)
    if folder is None:
        return f"{verb} {path}: {what}; {fix} and run the command again"
    try:
        progress = json.loads((folder / "state.json").read_text()).get("progress")
    except (OSError, ValueError, AttributeError):
        progress = None
    if not progress:
        return (f"{verb} {path}: {what}; the run in {folder} had no checkpoint yet, so it keeps nothing: "
                f"{fix} and run the command again")
    where = ", ".join(f"{key.replace('_', ' ')} {progress[key]}" for key in ("epochs_done", "episodes_done", "phase")
                      if key in progress)
    return (f"{verb} {path}: {what}; the run in {folder} is intact up to its last checkpoint"
            f"{f' ({where})' if where else ''}: {fix} and continue it with --resume")


def one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__

"""A training script's settings, declared once as a frozen dataclass (CleanRL's ``Args`` is the
anchor): each field has a type, a default, its help, and says whether ``--resume`` may change it.

    @dataclass(frozen=True)
    class Config(config.FitScript):               # data, training, run and device settings
        model: ClassVar[str] = "lenet"
        epochs: int = config.epochs(10)           # the book's
        batch_size: int = config.batch_size(128)
        dataset: str = config.setting("mnist", "which images", choices=("mnist", "fashion_mnist"))

    settings = config.parse(Config)               # the command line, made from the fields
    settings = dataclasses.replace(settings, ...) # values the script resolves, before the run starts

The command line is argparse's, made from the fields, so errors are one line with exit status 2,
``--help`` loads no backend, and the flags keep their spellings. (tyro builds the same from a
dataclass, but its errors are boxed paragraphs, it spells booleans its own way, and it takes
longer to start than the whole ``--help`` budget.) A run records the settings that define it
(:meth:`Settings.defining`); those with ``on_resume=True`` only say how to run, and a resumed run
may change them.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

from zoo import cli, environment
from zoo.choices import DEVICE_HELP, PRECISIONS, STRATEGIES
from zoo.datasets import SOURCES, DataSourceError, resolve_data_dir

OUTPUT_ROOT = Path("model_output")
GROUP_ORDER = ("data", "training", "run", "devices")


def setting(default: Any, help: str, *, flag: str | None = None, parse=None, choices=None,
            metavar=None, nargs=None, action: str | None = None, on_resume: bool = False,
            group: str | None = None):
    """A field of a script's settings.

    Args:
        default: its value when the flag is not given (``False``: the flag is a switch).
        help: one line for ``--help``.
        flag: the flag's spelling (default: ``--`` and the name with dashes); one without a dash
            makes a positional argument.
        parse: turns the typed text into the value (default: the default's type, else ``str``).
        on_resume: a resumed run may change it (it says how to run, not what the run is).
        group: the ``--help`` section.
        choices, metavar, nargs, action: as argparse's (``action="append"``: given more than once).
    """
    return field(default=default, metadata={
        "help": help, "flag": flag, "parse": parse, "choices": choices, "metavar": metavar, "nargs": nargs,
        "action": action, "on_resume": on_resume, "group": group})


def default_output_dir(model: str) -> str:
    """Where a run of ``model`` writes unless --output-dir says otherwise: ``model_output/<model>``."""
    return str(OUTPUT_ROOT / model)


@dataclass(frozen=True)
class Settings:
    """What every script's settings can say about themselves."""

    model: ClassVar[str]  # the zoo's name of the model the script trains
    # flags that are gone: the old spelling and what replaced it (refused in one line naming it)
    renamed: ClassVar[dict[str, str]] = {}
    # flags of modes that moved to ``dli-zoo``: the old spelling and the command that does it now
    moved: ClassVar[dict[str, str]] = {}
    # settings the script fills in from others when they are not given (a preset's width): a resume
    # compares them after the rest, so it names the setting that differs rather than its consequence
    derived: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def flag(cls, name: str) -> str:
        """The flag that sets ``name`` (``"fine_tune_blocks"`` -> ``"--fine-tune-blocks"``)."""
        found = {item.name: item for item in fields(cls)}.get(name)
        return (found.metadata.get("flag") if found else None) or f"--{name.replace('_', '-')}"

    @classmethod
    def changeable(cls) -> list[str]:
        """The settings a resumed run may change, as the command line names them."""
        return sorted(item.name for item in fields(cls) if item.metadata.get("on_resume"))

    def defining(self) -> dict:
        """The settings that define the run (a resumed run must match them), by name."""
        return {item.name: getattr(self, item.name) for item in fields(self) if not item.metadata.get("on_resume")}

    def default_output_dir(self) -> str:
        return default_output_dir(self.model)


# ----------------------------------------------------------------------------- the groups scripts share

@dataclass(frozen=True)
class Data(Settings):
    data: str = setting("auto", "full data, the bundled sample, or full when it can be had", choices=SOURCES,
                        group="data")
    data_dir: str | None = setting(None, "folder with the full data (default: $ZOO_DATA_DIR)", on_resume=True,
                                   group="data")


def epochs(default: int | None, help: str = "epochs in all, each a pass over the training data (or "
           "--steps-per-epoch steps) and its evaluation; a resumed run trains on to this"):
    return setting(default, help, parse=cli.positive_int, on_resume=True, group="training")


def batch_size(default: int | None, help: str = "examples per training batch, per replica (the global batch "
               "is this times the replicas)"):
    return setting(default, help, parse=cli.positive_int, group="training")


WEIGHTS_HELP = "a name of zoo.pretrained (dli-zoo list) or a .weights.h5/.keras file"


def start_weights(help: str = f"start from trained weights instead of random ones: {WEIGHTS_HELP}", parse=None):
    return setting(None, help, parse=parse or cli.weights_source, metavar="NAME|PATH", group="training")


def checkpoint_every():
    return setting(1, "save the last epoch's checkpoint every this many epochs (and at the end; the best epoch is "
                      "saved whenever it improves): a large model's file is written less often",
                   parse=cli.positive_int, metavar="EPOCHS", on_resume=True, group="training")


@dataclass(frozen=True)
class Training(Settings):
    epochs: int = epochs(1)
    batch_size: int = batch_size(32)
    checkpoint_every: int = checkpoint_every()
    weights: str | None = start_weights()


@dataclass(frozen=True)
class Run(Settings):
    output_dir: str | None = setting(None, "where the run writes (default: model_output/ and the model's name)",
                                     on_resume=True, group="run")
    seed: int | None = setting(None, "make the run repeatable (0 to 2**32-1)", parse=cli.seed, group="run")
    resume: bool = setting(False, "continue the run in --output-dir from its last checkpoint", on_resume=True,
                           group="run")
    overwrite: bool = setting(False, "replace the run in --output-dir if it exists", on_resume=True, group="run")
    quiet: bool = setting(False, cli.QUIET_HELP, on_resume=True,
                          group="run")
    verbose: bool = setting(False, "also show the backend's start-up log lines (TensorFlow's are hidden by "
                                   "default)", on_resume=True, group="run")


@dataclass(frozen=True)
class Device(Settings):
    device: str = setting("auto", DEVICE_HELP, on_resume=True, group="devices")


@dataclass(frozen=True)
class Devices(Device):
    strategy: str = setting("auto", "auto (data parallel over several local GPUs), default (no distribution), "
                                    "mirrored (data parallel over the local devices) or multiworker (several "
                                    "machines)", choices=STRATEGIES, group="devices")
    precision: str = setting("float32", "Keras dtype policy", choices=PRECISIONS, group="devices")


@dataclass(frozen=True)
class FitScript(Devices, Run, Training, Data):
    """A script that trains with Keras' ``fit`` on a data set: data, training, run and devices."""


def book_fit(model: str) -> type[FitScript]:
    """The settings of a script that fits ``model`` the book's way: :class:`FitScript` with the
    recipe's epochs and batch size as defaults. A script adds its own fields in a subclass:

        @dataclass(frozen=True)
        class Settings(config.book_fit("lenet")):
            dataset: str = config.setting("mnist", ...)
    """
    from zoo import recipes  # the book's figures: plain data, no Keras

    recipe = recipes.get(model)

    @dataclass(frozen=True)
    class BookFit(FitScript):
        epochs: int = epochs(recipe.epochs)
        batch_size: int = batch_size(recipe.batch_size)

    BookFit.model = model
    BookFit.__qualname__ = BookFit.__name__ = f"BookFit[{model}]"
    return BookFit


# ----------------------------------------------------------------------------- the command line

def make_parser(cls: type[Settings], description: str | None = None) -> cli.ArgumentParser:
    """The command line of ``cls``: one flag per field, in sections by group."""
    parser = cli.ArgumentParser(description=description.strip().splitlines()[0] if description else None)
    groups: dict[str, argparse._ArgumentGroup] = {}
    grouped = sorted((item for item in fields(cls) if item.metadata.get("group")),
                     key=lambda item: _group_rank(item.metadata["group"]))
    for item in [item for item in fields(cls) if not item.metadata.get("group")] + grouped:
        name = item.metadata.get("group")
        where = parser if name is None else groups.setdefault(name, parser.add_argument_group(name))
        flag = cls.flag(item.name)
        if flag.startswith("-"):
            where.add_argument(flag, dest=item.name, **_argument(cls, item))
        else:  # a positional: argparse names it by its dest
            where.add_argument(item.name, **_argument(cls, item))
    for old, new in cls.renamed.items():
        cli.renamed_flag(parser, old, new)
    if cls.moved:
        for old, command in cls.moved.items():
            cli.moved_flags(parser, (old,), command)
    changeable = [cls.flag(name) for name in cls.changeable() if name not in ("resume", "overwrite", "output_dir")]
    if any(item.name == "resume" for item in fields(cls)):
        parser.epilog = ("--resume continues the run in --output-dir with the settings it was started with; "
                         f"only {', '.join(changeable)} may differ, any other flag that differs is refused.")
    return parser


def _group_rank(group: str) -> int:
    return GROUP_ORDER.index(group) if group in GROUP_ORDER else -1  # a script's own sections first


def _argument(cls, item) -> dict:
    meta = item.metadata
    options = {"help": meta["help"], "default": item.default}
    # the default folder named in the help, unless the script's folder follows a setting (its own help says how)
    if (item.name == "output_dir" and item.default is None and getattr(cls, "model", None)
            and cls.default_output_dir is Settings.default_output_dir):
        options["help"] = meta["help"].split(" (default")[0] + f" (default: {default_output_dir(cls.model)})"
    if meta.get("action"):
        options["action"] = meta["action"]
    elif item.default is False and meta.get("parse") is None:
        options["action"] = "store_true"
    elif item.default is True and meta.get("parse") is None:
        options["action"] = "store_false"
    if options.get("action") not in ("store_true", "store_false"):
        parse = meta.get("parse") or (type(item.default) if item.default is not None else str)
        options["type"] = parse
        for key in ("choices", "metavar", "nargs"):
            if meta.get(key) is not None:
                options[key] = meta[key]
    return options


def parse(cls: type[Settings], description: str | None = None, argv=None, *, load_backend: bool = True):
    """The settings the command line gives (a ``cls``), checked; then Keras' backend is loaded
    (quietly, see ``zoo.startup``) unless ``load_backend=False``."""
    parser = make_parser(cls, description)
    parsed = parser.parse_args(argv)
    bad_variable = environment.problem()  # before the backend loads: KERAS_BACKEND among them
    if bad_variable:
        parser.error(bad_variable)
    settings = cls(**{item.name: _frozen(getattr(parsed, item.name)) for item in fields(cls)})
    if getattr(settings, "resume", False) and getattr(settings, "overwrite", False):
        parser.error("--resume and --overwrite contradict each other")
    if getattr(settings, "data_dir", None):
        try:
            resolve_data_dir(settings.data_dir)
        except DataSourceError as error:
            parser.error(str(error))
    if hasattr(settings, "output_dir") and settings.output_dir is None:
        settings = dataclasses.replace(settings, output_dir=settings.default_output_dir())
    logging.basicConfig(level=logging.WARNING if getattr(settings, "quiet", False) else logging.INFO,
                        format="%(message)s", stream=sys.stderr, force=True)
    if load_backend:
        cli.start_backend(settings)
    return settings


def _frozen(value):
    """A list argparse made (``nargs``, ``action="append"``) as a tuple: settings do not change."""
    return tuple(_frozen(item) for item in value) if isinstance(value, list) else value

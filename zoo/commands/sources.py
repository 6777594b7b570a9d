"""What a ``dli-zoo`` command is told to use, found in one way for every command.

``MODEL/NAME`` (``conv_sentiment/imdb``), a ``NAME`` that only one of the command's models has
(``cartpole_v0``), a weights file (``.weights.h5``, ``.keras``; word vectors for word2vec) or a
finished run's folder (its ``--output-dir``: the network the run saved) becomes a
:class:`Source`: the zoo model, what its builder or loader takes, and the settings that trained
it. Anything else is one line (a :class:`~zoo.errors.UsageError`). Imports no Keras.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import zoo
from zoo.errors import UsageError, one_line
from zoo.files import read_json
from zoo.weights_names import NAME_PATTERN

KERAS_FILES = (".weights.h5", ".keras")
# the file a finished run leaves for each model it trains, and the model that file holds
RUN_FILES = {"gan": ("generator", "generator.keras"), "word2vec": ("word2vec", "word2vec.model")}
RUN_FILE = "model.keras"
STATE_FILE = "state.json"
GIVEN = "MODEL/NAME|FILE|RUN_DIR"  # the metavar every command shows


@dataclass(frozen=True)
class Source:
    """Trained weights to use: ``weights`` is what ``zoo.get(model)(weights=...)`` (or the word
    vectors' loader) takes, a weights name or an absolute file path."""

    model: str
    weights: str
    given: str  # as typed
    entry: object = None  # the zoo.pretrained entry of a name
    run_dir: Path | None = None
    settings: dict = field(default_factory=dict)  # what trained it: a card's hyperparameters, a run's settings

    @property
    def named(self) -> bool:
        return self.entry is not None

    @property
    def label(self) -> str:
        return str(self.entry) if self.named else self.given

    @property
    def whose(self) -> str:
        """Where :attr:`settings` came from, for a log line."""
        if self.named:
            return f"the {self.entry} card"
        return str(Path(self.weights).parent / STATE_FILE)

    def record(self) -> dict:
        """What a RESULT line says of it."""
        return {"model": self.model, "from": self.given, "weights": str(self.entry) if self.named else self.weights}


def _models_words(models) -> str:
    return models[0] if len(models) == 1 else f"{', '.join(models[:-1])} or {models[-1]}"


def _read_state(folder: Path) -> dict:
    path = folder / STATE_FILE
    if not path.is_file():
        return {}
    state = read_json(path)
    return state if isinstance(state, dict) else {}


def _run_model(state: dict) -> tuple[str | None, str]:
    """The model a run's folder holds a trained network of, and that network's file."""
    trained = state.get("model")
    if trained in RUN_FILES:
        return RUN_FILES[trained]
    return (trained if isinstance(trained, str) else None), RUN_FILE


def _check_model(model: str, models, given: str, doing: str) -> None:
    if model not in models:
        raise UsageError(f"{given} holds {model} weights; `dli-zoo {doing}` uses {_models_words(models)}")


def _from_folder(folder: Path, given: str, models, doing: str, model: str | None) -> Source:
    state = _read_state(folder)
    trained, run_file = _run_model(state)
    if trained is None:
        if model is None:
            raise UsageError(f"{given}: no {STATE_FILE} there says what the run trained; it is not a finished "
                             f"run's folder (or pass --model)")
        trained = model
    elif model is not None and model != trained:
        raise UsageError(f"{given} is a run of {trained}, not {model}: leave --model out")
    _check_model(trained, models, given, doing)
    path = folder / run_file
    if not path.is_file():
        raise UsageError(f"{given}: no {run_file} there; it is not a finished run's folder")
    return Source(trained, str(path.resolve()), given, run_dir=folder.resolve(),
                  settings=state.get("settings") if isinstance(state.get("settings"), dict) else {})


def _from_file(path: Path, given: str, models, doing: str, model: str | None, endings) -> Source:
    if not path.name.endswith(tuple(endings)):
        raise UsageError(f"{given}: `dli-zoo {doing}` reads {', '.join(endings)} files")
    if model is None:
        # an export's name (<model>.<name>.weights.h5), else the run whose folder the file lies in
        prefix = path.name.split(".")[0]
        trained, _ = _run_model(_read_state(path.parent))
        model = prefix if prefix in models else trained if trained in models else models[0] if len(models) == 1 \
            else None
        if model is None:
            raise UsageError(f"{given}: cannot tell which model's weights it holds; pass --model "
                             f"{_models_words(models)}")
    _check_model(model, models, given, doing)
    from zoo.pretrained import trained_settings

    try:
        settings = trained_settings(model, str(path.resolve()))
    except ValueError as error:
        raise UsageError(f"{given}: {one_line(error)}") from None
    return Source(model, str(path.resolve()), given, settings=settings)


def _named(given: str, models, doing: str, model: str | None) -> Source:
    from zoo.pretrained import lookup

    wanted_model, slash, name = given.rpartition("/")
    if slash:
        if model is not None and model != wanted_model:
            raise UsageError(f"{given} names {wanted_model} weights, --model says {model}")
        _check_model(wanted_model, models, given, doing)
        try:
            entry = lookup.get(wanted_model, name)
        except ValueError as error:
            raise UsageError(one_line(error)) from None
    else:
        entries = [entry for entry in lookup.available() if entry.name == given]
        entries += [entry for entry in lookup.registered() if entry.name == given and not entry.published
                    and (entry.model, entry.name) not in {(e.model, e.name) for e in entries}]
        usable = [entry for entry in entries if entry.model in models and model in (None, entry.model)]
        if not usable:
            if entries:
                raise UsageError(f"{given!r} names {', '.join(str(entry) for entry in entries)} weights; "
                                 f"`dli-zoo {doing}` uses {_models_words(models)}")
            names = sorted({f"{entry.model}/{entry.name}" for entry in lookup.available() if entry.model in models})
            raise UsageError(f"no weights are named {given!r}" + (f" for {model}" if model else "") +
                             f"; those `dli-zoo {doing}` can use: {', '.join(names) or 'none yet'} (dli-zoo list), "
                             f"or give a weights file or a run's folder")
        if len(usable) > 1:
            raise UsageError(f"{given!r} names weights of {len(usable)} models: "
                             f"{', '.join(str(entry) for entry in usable)}; say which as MODEL/NAME")
        entry = usable[0]
    try:
        entry.resolve()  # the file here, its checksum checked (or one line on why not)
    except ValueError as error:
        raise UsageError(one_line(error)) from None
    return Source(entry.model, entry.name, given, entry=entry, settings=dict(entry.card.get("hyperparameters") or {}))


def resolve(given: str, models, doing: str, model: str | None = None, endings=KERAS_FILES) -> Source:
    """``given`` (MODEL/NAME, NAME, a weights file or a run's folder) as a :class:`Source` of one of
    ``models`` (the zoo models the command ``doing`` can use); ``model``: the user's ``--model``,
    for a file nothing else names the model of. Anything else is a one-line ``UsageError``."""
    models = list(models)
    if model is not None and model not in models:
        raise UsageError(f"--model {model}: `dli-zoo {doing}` uses {_models_words(models)}")
    path = Path(given).expanduser()
    if path.is_dir():
        return _from_folder(path, given, models, doing, model)
    if path.is_file():
        return _from_file(path, given, models, doing, model, endings)
    if _may_be_named(given, models):
        return _named(given, models, doing, model)
    # a path (model_output/gan before its run): saying which model it "holds" would be nonsense
    raise UsageError(f"{given}: no such file or folder; give MODEL/NAME (lenet/mnist) or a NAME only one model has "
                     f"(dli-zoo list), a weights file, or a finished run's folder")


def _may_be_named(given: str, models) -> bool:
    """Whether ``given`` is spelled as ``NAME`` or ``MODEL/NAME`` of a zoo model (``lenet/mnist``),
    not as a path (``model_output/gan``, ``runs/a/model.keras``, ``x.jpg``)."""
    model_part, slash, name = given.rpartition("/")
    if not NAME_PATTERN.fullmatch(name):
        return False
    return not slash or model_part in {*zoo.names(), *models}

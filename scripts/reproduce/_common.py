"""What the any-backend reproduction scripts share: the zoo from a plain checkout, the options."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # a plain checkout works too: installing would pull in TensorFlow

import zoo  # noqa: E402

if importlib.util.find_spec("zoo.datasets") is None:
    zoo.__path__.append(str(ROOT))  # not installed: the checkout's datasets/ is what installs as zoo.datasets


from zoo import cli  # noqa: E402  (TensorFlow-free, like everything imported here)
from zoo.datasets import SOURCES  # noqa: E402

positive_int = cli.positive_int


def make_parser(doc: str, data_dir_help: str, epochs_help: str, epochs_flag: str = "--epochs"):
    """The options every reproduction script takes; ``args.epochs`` is None for the book's."""
    parser = cli.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--data", choices=SOURCES, default="full")
    parser.add_argument("--data-dir", help=data_dir_help)
    parser.add_argument(epochs_flag, dest="epochs", type=positive_int, help=epochs_help)
    parser.add_argument("--seed", type=cli.seed, default=42)
    parser.add_argument("--output", default="reproduce_output", help="folder for the histories and summary")
    parser.add_argument("--overwrite", action="store_true", help="replace this script's files in --output")
    return parser


def output_folder(parser, args, patterns) -> Path:
    """``--output`` as a Path, once no file the run would write (glob ``patterns``) is there
    already, unless ``--overwrite``; a previous run's results are never replaced silently."""
    output = Path(args.output)
    existing = sorted(path for pattern in patterns for path in output.glob(pattern))
    if existing and not args.overwrite:
        parser.exit(2, f"error: {existing[0]} already exists; pass --overwrite to replace it "
                       f"or choose another --output\n")
    return output


# -- a finished run folder, laid out as zoo.training.Run leaves one, so that
# scripts/export_weights.py turns a GPU machine's run into named weights.
# zoo.training itself needs TensorFlow, hence this TensorFlow-free copy of its records.

STATE_FORMAT = 1  # zoo.training.STATE_FORMAT


def run_folder(parser, args, name: str) -> Path:
    """``<output>/<name>``, the run's folder, once it may be written: an earlier run there is
    replaced only with ``--overwrite``, and a folder holding anything but a zoo run never."""
    folder = Path(args.output) / name
    if folder.exists() and not folder.is_dir():
        parser.exit(2, f"error: {folder} exists and is not a folder\n")
    if folder.is_dir() and any(folder.iterdir()):
        if not (folder / "state.json").is_file():
            parser.exit(2, f"error: {folder} holds files but no zoo run (no state.json); choose another --output\n")
        if not args.overwrite:
            parser.exit(2, f"error: {folder} already holds a run; pass --overwrite to replace it "
                           f"or choose another --output\n")
    return folder


def versions() -> dict:
    """zoo.training.versions(), with the backend library's own versions (jax and jaxlib, torch)."""
    import platform

    import keras

    found = {"zoo": zoo.__version__, "python": platform.python_version(), "keras": keras.__version__,
             "backend": keras.backend.backend()}
    for module in {"jax": ("jax", "jaxlib"), "torch": ("torch",)}.get(found["backend"], ()) + ("tensorflow",):
        version = getattr(sys.modules.get(module), "__version__", None)  # loaded already: nothing is imported here
        if version is not None:
            found[module] = version
    return found


def device() -> str:
    """What the backend computes on: "gpu:NVIDIA H100 80GB HBM3" (JAX's platform and device
    kind; torch's and TensorFlow's GPU name likewise), else "cpu"."""
    import keras

    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        first = jax.devices()[0]  # Keras on JAX computes on the first device unless a distribution is set
        return "cpu" if first.platform == "cpu" else f"{first.platform}:{first.device_kind}"
    if backend == "torch":
        import torch

        return f"gpu:{torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else "cpu"
    if backend == "tensorflow":
        tf = sys.modules["tensorflow"]  # loaded by keras already
        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            return f"gpu:{tf.config.experimental.get_device_details(gpus[0]).get('device_name', gpus[0].name)}"
    return "cpu"


def runtime(seed) -> dict:
    """zoo.runtime's record of where the run computed: a plain ``fit`` uses one device."""
    import keras

    return {"device": device(), "strategy": "one_device", "replicas": 1,
            "precision": keras.config.dtype_policy().name, "seed": seed}


def command() -> str:
    """The command line, the script as typed from the checkout's root (as cards show commands)."""
    import shlex

    script = Path(sys.argv[0]).resolve()
    shown = script.relative_to(ROOT).as_posix() if script.is_relative_to(ROOT) else sys.argv[0]
    return shlex.join([Path(sys.executable).name, shown, *sys.argv[1:]])


def save_network(model, path: Path) -> None:
    """The trained network without its optimizer: Adam's state would triple the file (AlexNet's
    263 MB against 88), and weights are what an export keeps."""
    from zoo.checkpoints import save_model

    twin = type(model).from_config(model.get_config())  # uncompiled; keras.models.clone_model compiles its clone
    twin.set_weights(model.get_weights())
    save_model(twin, path)


def write_run(folder: Path, model_name: str, *, settings: dict, data, history_csv: Path, model, progress: dict,
              metrics: dict, seed, started: float, write_extras=None) -> dict:
    """Write a finished run into ``folder`` as zoo.training.Run's ``finish`` does: model.keras,
    history.csv, learning_curves.png, metrics.json (the last epoch's validation figures, the
    best by the recipe's monitor and its epoch, ``metrics``, the book's figure) and state.json
    (finished). ``data`` is the loader's DataInfo; ``write_extras(folder)`` adds files. All is
    written beside ``folder`` first, so a failure leaves an earlier run whole. Returns metrics.json."""
    import json
    import math
    import os
    import shutil
    import time

    from zoo import plots, recipes
    from zoo.checkpoints import read_history
    from zoo.files import non_finite_keys, write_json

    recipe = recipes.get(model_name)
    history = read_history(history_csv)
    partial = folder.with_name(f".{folder.name}.partial{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        shutil.copyfile(history_csv, partial / "history.csv")
        save_network(model, partial / "model.keras")
        plots.save(plots.learning_curves(history, title=model_name), partial / "learning_curves.png")
        if write_extras is not None:
            write_extras(partial)
        record = {"dataset": data.name, "source": data.source, "origin": str(data.origin), "n_train": data.n_train,
                  "n_validation": data.n_validation}
        result = {"model": model_name, "dataset": data.name, "data": data.source, "data_origin": record["origin"],
                  "n_train": data.n_train, "n_validation": data.n_validation, "epochs": len(history["epoch"])}
        result.update({key: values[-1] for key, values in history.items() if key.startswith("val_")})
        scores = history.get(recipe.monitor, [])
        finite = [score for score in scores if math.isfinite(score)]
        if finite:
            best = (max if recipe.mode == "max" else min)(finite)
            result.update({f"best_{recipe.monitor}": best, "best_epoch": scores.index(best) + 1})
        result.update(metrics)
        reference = recipe.reference
        result["book"] = {"metric": reference.metric, "value": reference.value, "note": reference.note}
        result.update(runtime(seed))
        wall_time = round(time.perf_counter() - started, 2)
        result.update(wall_time_s=wall_time, segments=1, model_file=str(folder.resolve() / "model.keras"))
        missing = non_finite_keys(result)
        if missing:
            result["non_finite"] = {"keys": missing, "note": "NaN or infinite values are written as null"}
        write_json(partial / "metrics.json", result)
        state = {"format": STATE_FORMAT, "model": model_name, "script": Path(sys.argv[0]).name,
                 "settings": json.loads(json.dumps(settings, default=str)), "data": record, "progress": progress,
                 "notes": {}, "finished": True, "segments": 1, "wall_time_s": wall_time, "command": command(),
                 "versions": versions(), "runtime": runtime(seed)}
        write_json(partial / "state.json", state)
        aside = folder.with_name(f".{folder.name}.replaced{os.getpid()}")
        if folder.exists():
            os.replace(folder, aside)
        try:
            os.replace(partial, folder)
        except BaseException:
            if aside.exists():
                os.replace(aside, folder)
            raise
        shutil.rmtree(aside, ignore_errors=True)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return json.loads((folder / "metrics.json").read_text())

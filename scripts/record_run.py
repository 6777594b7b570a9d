"""Record a finished run's wall time and figures for the docs, naming its data by SHA-256.

    python scripts/record_run.py model_output/lenet docs/measurements/whole_runs/lenet.json --load "idle"

The record (docs/measurements/whole_runs/*.json) holds the command with the data folder written
as DATA_DIR and the run folder as model_output/<name>, the machine, the versions, the data's
SHA-256 (a folder's: zoo.files.folder_sha256), the defining settings, the metrics and the
history, so that docs/results.md and docs/benchmarks.md quote a measurement, not a sentence.
"""

import datetime
import os
import platform
from dataclasses import dataclass
from pathlib import Path

from zoo import cli, config
from zoo.files import folder_sha256, sha256_of, write_json
from zoo.runrecords import read_finished

ROOT = Path(__file__).resolve().parents[1]
LEFT_OUT = ("data_origin", "confusion_matrix", "per_class_accuracy")  # paths, and tables the run folder keeps


@dataclass(frozen=True)
class Settings(config.Settings):
    run: str = config.setting(None, "a finished run's folder", flag="run", metavar="RUN_DIR")
    out: str = config.setting(None, "the record to write (.json)", flag="out", metavar="FILE")
    load: str = config.setting("not noted", "how busy the machine was while the run trained (e.g. 'idle', "
                                            "'load average 3 on 2 cores')")
    overwrite: bool = config.setting(False, "replace the record if it exists")


def data_record(state: dict) -> dict | None:
    """The run's data by name, counts and SHA-256; None for a run with none (a game)."""
    data = state.get("data")
    if not data:
        return None
    origin = Path(data["origin"]) if data.get("origin") else None
    if origin is None or not origin.exists():
        raise cli.UsageError(f"the run's data {origin} is not here to be hashed; record the run where it trained")
    digest, what = ((folder_sha256(origin), f"a folder ({origin.name}/): zoo.files.folder_sha256") if origin.is_dir()
                    else (sha256_of(origin), f"sha256 of {origin.name}"))
    return {"dataset": data["dataset"], "source": data["source"], "n_train": data["n_train"],
            "n_validation": data["n_validation"], "sha256": digest, "sha256_of": what}


def gan_draws(run: Path, state: dict) -> dict:
    """The run's generator and the card's, on the same noise draws against the same real drawings:
    one draw's pixel_fd moves by about 10%, more than precisions and seeds differ by."""
    import zoo
    from zoo.datasets import quickdraw
    from zoo.gan import PixelFrechetDistance, pixel_fd_over_draws
    from zoo.pretrained import lookup
    from zoo.saving import load_model

    category = state["settings"].get("category", "apple")
    real = quickdraw.load_arrays(category, state["data"]["source"], (state.get("config") or {}).get("data_dir"),
                                 max_examples=state["settings"].get("max_examples"))
    quality = PixelFrechetDistance(real, n_samples=1000, seed=0)
    record = {"how": f"zoo.gan.pixel_fd_over_draws against PixelFrechetDistance(the run's {len(real):,} drawings, "
                     "n_samples=1000, seed=0: the real drawings a seed-0 run scores its pixel_fd against); each "
                     "generator predicts in its own dtype policy",
              "this_run": pixel_fd_over_draws(load_model(run / "generator.keras", compile=False), quality)}
    card_name = f"quickdraw_{category}"
    if card_name in lookup.names("generator"):
        card_values = (lookup.card("generator", card_name).get("metrics") or {}).get("values") or {}
        record["card"] = {"weights": f"generator/{card_name}", "card_pixel_fd": card_values.get("pixel_fd"),
                          **pixel_fd_over_draws(zoo.get("generator")(weights=card_name), quality)}
        record["ratio_to_card"] = round(record["this_run"]["mean"] / record["card"]["mean"], 3)
    return record


def portable_command(state: dict, run: Path) -> str:
    """The command with no local path: the data folder as DATA_DIR, the run folder as model_output/<name>."""
    command = state["command"]
    data_dir = (state.get("config") or {}).get("data_dir")
    if data_dir:
        command = command.replace(data_dir, "DATA_DIR")
    command = command.replace(f"{ROOT}/", "")  # the scripts as the README runs them, from the repository
    return command.replace(str(run), f"model_output/{run.name}")


def main():
    settings = config.parse(Settings, __doc__, load_backend=False)
    run, out = Path(settings.run).resolve(), Path(settings.out)
    if out.exists() and not settings.overwrite:
        raise cli.UsageError(f"{out} exists; pass --overwrite to replace it")
    state, metrics = read_finished(run)
    history = run / "history.csv"
    record = {
        "format": 1,
        "what": "a whole training run on a CPU, its wall time and figure",
        "command": portable_command(state, run),
        "date": datetime.datetime.fromtimestamp((run / "state.json").stat().st_mtime, datetime.timezone.utc)
                .strftime("%Y-%m-%dT%H:%M:%SZ"),
        "wall_time_s": state["wall_time_s"],
        "machine": {"system": platform.system(), "machine": platform.machine(), "cpus": os.cpu_count(),
                    "load": settings.load},
        "versions": state["versions"],
        "data": data_record(state),
        "settings": state["settings"],
        "result": {key: value for key, value in metrics.items() if not key.endswith("_file") and key not in LEFT_OUT},
    }
    if state["model"] == "gan":
        record["pixel_fd_over_noise_draws"] = gan_draws(run, state)
    if history.is_file():
        record["history_csv"] = history.read_text().splitlines()
    write_json(out, record)
    print(out)


if __name__ == "__main__":
    cli.main(main)

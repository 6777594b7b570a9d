"""scripts/reproduce/flowers17_any_backend.py leaves a finished run that export_weights.py makes named weights of.

The script runs here under the TensorFlow backend. A GPU machine runs it on JAX without
TensorFlow through the same code (only ``keras.backend`` differs); the run's imports are
watched so that none of the zoo's modules pulls TensorFlow in. Where JAX is installed, one
more test runs it on JAX with TensorFlow blocked and loads its weights into the TensorFlow builder.
"""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, SCRIPTS

SCRIPT = SCRIPTS / "reproduce" / "flowers17_any_backend.py"
IMAGE_SIZE = 195  # AlexNet's smallest: one epoch on the sample takes less than at the book's 224

# Runs the script as __main__ and prints which of the checkout's modules imported TensorFlow
# (keras does, under the TensorFlow backend; none of the zoo's may); "block" hides TensorFlow.
RUNNER = r'''
import builtins, os, runpy, sys
root, mode, script = sys.argv[1:4]
if mode == "block":
    sys.modules["tensorflow"] = None
importers = set()
original = builtins.__import__
def watched(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0 and name.split(".")[0] == "tensorflow":
        module, file = (globals or {}).get("__name__") or "", (globals or {}).get("__file__") or ""
        if module.split(".")[0] in ("zoo", "_common", "__main__") or file.startswith(root):
            importers.add(module)
    return original(name, globals, locals, fromlist, level)
builtins.__import__ = watched
sys.argv = sys.argv[3:]
sys.path.insert(0, os.path.dirname(script))
try:
    runpy.run_path(script, run_name="__main__")
finally:
    print("TensorFlow imported by", sorted(importers), flush=True)
'''


def reproduce(folder, backend, mode="watch", *args):
    return subprocess.run(
        [sys.executable, "-c", RUNNER, str(ROOT), mode, str(SCRIPT), "alexnet", "--data", "sample", "--epochs", "1",
         "--image-size", str(IMAGE_SIZE), "--output", str(folder / "out"), *args],
        capture_output=True, text=True, timeout=300, cwd=folder, env={**os.environ, "KERAS_BACKEND": backend})


def check_run_exports_and_loads(run, folder, backend, monkeypatch):
    import keras

    from zoo import build_alexnet, pretrained
    from zoo.datasets import flowers17
    from zoo.training import STATE_FORMAT

    state = json.loads((run / "state.json").read_text())
    metrics = json.loads((run / "metrics.json").read_text())
    assert set(state) == {"format", "model", "script", "settings", "data", "progress", "notes", "finished",
                          "segments", "wall_time_s", "command", "versions", "runtime"}
    assert state["format"] == STATE_FORMAT and state["finished"] is True and state["model"] == "alexnet"
    assert state["data"]["dataset"] == "flowers17" and state["data"]["source"] == "sample"
    assert state["command"].split()[1] == "scripts/reproduce/flowers17_any_backend.py"
    assert state["versions"]["backend"] == backend and state["runtime"]["device"] == "cpu"
    assert state["progress"]["epochs_done"] == metrics["epochs"] == metrics["best_epoch"] == 1
    assert metrics["best_val_accuracy"] == metrics["val_accuracy"] == state["progress"]["best"]
    assert metrics["book"]["metric"] == "val_accuracy" and metrics["image_size"] == IMAGE_SIZE

    into = folder / "weights"
    into.mkdir()
    [entry] = pretrained.export(run, name="flowers17_test", into=into)
    card = entry.card
    assert card["versions"]["backend"] == backend and card["hardware"]["device"] == "cpu"
    assert card["hyperparameters"]["image_size"] == IMAGE_SIZE
    assert card["metrics"]["headline"] == {"metric": "val_accuracy", "value": metrics["val_accuracy"]}

    monkeypatch.setenv("ZOO_WEIGHTS_DIR", str(into))
    built = build_alexnet(input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3), weights="flowers17_test")
    saved = keras.models.load_model(run / "model.keras", compile=False)
    _, (photos, labels) = flowers17.load_arrays(image_size=IMAGE_SIZE, source="sample", seed=42)
    photos = photos.astype("float32") / 255
    predicted = built.predict(photos, verbose=0)
    np.testing.assert_allclose(predicted, saved.predict(photos, verbose=0), rtol=1e-5, atol=1e-6)
    # the confusion matrix the script measured on its own backend, from the builder's predictions here
    matrix = np.zeros((17, 17), dtype=int)
    np.add.at(matrix, (labels, predicted.argmax(axis=1)), 1)
    assert matrix.tolist() == metrics["confusion_matrix"]


def test_any_backend_flowers17_run_exports_as_named_weights(tmp_path, monkeypatch):
    completed = reproduce(tmp_path, "tensorflow")
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "TensorFlow imported by []" in completed.stdout, completed.stdout[-2000:]
    run = tmp_path / "out" / "alexnet"
    assert sorted(path.name for path in run.iterdir()) == [
        "confusion_matrix.png", "history.csv", "learning_curves.png", "metrics.json", "model.keras", "state.json"]
    assert (tmp_path / "out" / "alexnet_summary.json").is_file()  # the script's own files as before
    check_run_exports_and_loads(run, tmp_path, "tensorflow", monkeypatch)


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="JAX is not installed")
def test_any_backend_flowers17_run_on_jax_without_tensorflow_loads_into_the_tensorflow_builder(tmp_path, monkeypatch):
    completed = reproduce(tmp_path, "jax", "block")
    assert completed.returncode == 0, completed.stderr[-3000:]
    run = tmp_path / "out" / "alexnet"
    assert json.loads((run / "state.json").read_text())["versions"]["jax"]
    check_run_exports_and_loads(run, tmp_path, "jax", monkeypatch)


def test_any_backend_flowers17_data_and_records_need_no_tensorflow():
    code = ("import sys; sys.modules['tensorflow'] = None; sys.path.insert(0, sys.argv[1]); import _common; "
            "from zoo import files, plots, recipes; from zoo.datasets import flowers17; "
            "print(flowers17._load(195, 'sample', None, 42, 0.1)[2].n_train)")
    completed = subprocess.run([sys.executable, "-c", code, str(SCRIPTS / "reproduce")], capture_output=True,
                               text=True, timeout=120, cwd=ROOT)
    assert completed.returncode == 0 and completed.stdout.split() == ["92"], completed.stderr[-3000:]


def test_any_backend_flowers17_never_writes_into_a_folder_that_holds_no_run(tmp_path):
    stray = tmp_path / "out" / "alexnet" / "notes.txt"
    stray.parent.mkdir(parents=True)
    stray.write_text("mine")
    completed = reproduce(tmp_path, "tensorflow", "watch", "--overwrite")
    assert completed.returncode == 2
    assert f"error: {stray.parent} holds files but no zoo run" in completed.stderr
    assert os.listdir(stray.parent) == ["notes.txt"] and not (tmp_path / "out" / "alexnet_history.csv").exists()

"""Weights are backend-free: every bundled file gives the same predictions on JAX (and PyTorch,
``-m torch``) as on TensorFlow, and a run trained on JAX without TensorFlow exports and loads on
TensorFlow with the same predictions. Float32 tolerance: the backends' kernels sum in other orders.
Also: a backend that is not installed is one line, JAX's devices and strategies, PyTorch's refusal
of data parallelism, and scripts/gpu_check.py run on this machine's CPU."""

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, SCRIPTS, backend_env, needs_backend, run_python, run_script
from backend_predictions import predictions
from zoo import pretrained
from zoo.runrecords import read_history

KERAS_ENTRIES = [entry for entry in pretrained.available() if entry.bundled and entry.model != "word2vec"]
TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}


# XLA's optimisation passes are most of JAX's time on a handful of predictions; the results stay within float32's
FAST_COMPILE = {"XLA_FLAGS": "--xla_backend_optimization_level=0"}


def on_backend(backend, entries, folder):
    out = folder / f"{backend}.npz"
    code = (f"import sys; sys.path.insert(0, {str(ROOT / 'tests')!r}); import backend_predictions, numpy; "
            f"numpy.savez({str(out)!r}, **backend_predictions.predictions({entries!r}))")
    run_python(code, backend, tensorflow=False, timeout=600, env=FAST_COMPILE if backend == "jax" else None)
    with np.load(out) as arrays:
        return dict(arrays)


def bundled_entries():
    return [[entry.model, entry.name, entry.card["verify"]["build"]] for entry in KERAS_ENTRIES]


# the JAX case shares its JAX process with test_verify.py's: one worker of pytest-xdist runs both
@pytest.mark.parametrize("backend", [pytest.param("jax", marks=[needs_backend("jax"), pytest.mark.xdist_group("jax_bundled")]),
                                     pytest.param("torch", marks=[needs_backend("torch"), pytest.mark.torch])])
def test_every_bundled_weights_file_predicts_the_same_on_another_backend(backend, tmp_path, request):
    entries = bundled_entries()
    assert len(entries) >= 15  # the MNIST nets, the nine IMDb classifiers, the regression net, the agents, the generator
    if backend == "jax":  # the JAX process that also runs verify (conftest), so JAX starts once for both
        folder, shared = request.getfixturevalue("jax_bundled_run")
        assert shared == entries
        assert not (folder / "predictions.error").exists(), (folder / "predictions.error").read_text()
        with np.load(folder / "predictions.npz") as arrays:
            theirs = dict(arrays)
    else:
        theirs = on_backend(backend, entries, tmp_path)
    ours = predictions(entries)
    assert set(theirs) == set(ours)
    for key in ours:
        np.testing.assert_allclose(theirs[key], ours[key], err_msg=key, **TOLERANCE)


@needs_backend("jax")
def test_a_run_trained_on_jax_without_tensorflow_exports_and_loads_on_tensorflow(tmp_path):
    run_dir = tmp_path / "run"
    _, result = run_script("train_shallow_net.py", "--epochs", "1", "--data", "sample", "--seed", "1",
                           "--output-dir", run_dir, "--quiet", env={**backend_env("jax", tensorflow=False), **FAST_COMPILE})
    assert result["backend"] == "jax"
    state = json.loads((run_dir / "state.json").read_text())
    assert state["versions"]["backend"] == "jax" and "tensorflow" not in state["versions"]
    theirs = on_backend("jax", [["shallow_net", str(run_dir / "model.keras"), {}]], tmp_path)

    exported, = pretrained.export(run_dir, name="jax_run", into=tmp_path / "weights")
    assert exported.card["versions"]["backend"] == "jax"
    ours = predictions([["shallow_net", str(tmp_path / "weights" / exported.file), {}]])
    np.testing.assert_allclose(next(iter(ours.values())), next(iter(theirs.values())), **TOLERANCE)


def test_a_backend_that_is_not_installed_is_one_line_naming_the_extra(tmp_path):
    completed, _ = run_script("train_lenet.py", "--epochs", "1", "--output-dir", tmp_path / "run", check=False,
                              env=backend_env("tensorflow", tensorflow=False))
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert completed.stderr.strip().splitlines() == [
        "error: Keras' backend is tensorflow (KERAS_BACKEND or ~/.keras/keras.json), which is not installed: "
        "pip install -e \".[tensorflow]\" (tensorflow is the book's), or set KERAS_BACKEND to an installed one"]
    assert not (tmp_path / "run").exists()


@needs_backend("jax")
def test_jax_devices_and_strategies_mean_what_they_mean_on_tensorflow():
    code = """
from zoo import runtime
for device in ("gpu", "gpu:3", "npu"):
    try:
        runtime.configure(device=device, quiet=True)
    except runtime.RuntimeConfigError as error:
        print(device, "->", error)
chosen = runtime.configure(device="cpu", strategy="mirrored", quiet=True)
print("mirrored", chosen.replicas, chosen.device, type(chosen.strategy).__name__)
"""
    lines = run_python(code, "jax", tensorflow=False, env={"ZOO_LOGICAL_CPUS": "2"}).stdout.splitlines()
    assert lines[0].startswith("gpu -> --device gpu: JAX sees no GPU here")
    assert lines[1].startswith("gpu:3 -> --device gpu:3: JAX sees no GPU here")
    assert lines[2].startswith("npu -> --device 'npu' is not understood")
    assert lines[3] == "mirrored 2 cpu:0, cpu:1 DataParallel"


@needs_backend("jax")
@pytest.mark.slow  # a minute on 2 busy cores; scripts/gpu_check.py runs data parallelism on a GPU machine
def test_a_data_parallel_run_on_jax_trains_over_two_devices(tmp_path):
    _, result = run_script("train_deep_net.py", "--epochs", "2", "--data", "sample", "--strategy", "mirrored",
                           "--device", "cpu", "--output-dir", tmp_path / "run", "--quiet",
                           env={**backend_env("jax", tensorflow=False), "ZOO_LOGICAL_CPUS": "2"})
    assert (result["backend"], result["strategy"], result["replicas"]) == ("jax", "mirrored", 2)
    losses = read_history(tmp_path / "run" / "history.csv")["loss"]
    assert losses[1] < losses[0]


@needs_backend("torch")
@pytest.mark.torch
@pytest.mark.parametrize("strategy", ["mirrored", "multiworker"])
def test_torch_refuses_data_parallel_strategies_in_one_line(strategy, tmp_path):
    """--strategy mirrored or multiworker on PyTorch: one line, exit status 2, nothing written."""
    completed, _ = run_script("train_deep_net.py", "--epochs", "1", "--data", "sample", "--strategy", strategy,
                              "--output-dir", tmp_path / "run", check=False, env=backend_env("torch"))
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert completed.stderr.strip().splitlines()[-1].startswith(
        f"error: --strategy {strategy}: Keras' distribution API does not cover the torch backend")
    assert not (tmp_path / "run").exists()


def test_the_gpu_check_runs_its_checks_and_a_script_on_this_machines_cpu():
    completed = subprocess.run([sys.executable, str(SCRIPTS / "gpu_check.py"), "--device", "cpu", "--only",
                                "fit,scripts", "--scripts", "regression"], capture_output=True, text=True,
                               timeout=300, cwd=ROOT)
    lines = completed.stdout.splitlines()
    assert completed.returncode == 0, completed.stdout + completed.stderr[-2000:]
    assert [line.split()[:2] for line in lines[1:]] == [["ok", "fit"], ["ok", "script"], ["ok", "all"]]
    assert "variables and optimizer state on cpu" in lines[1] and "device /device:CPU:0" in lines[2]
    assert completed.stderr.count("oneDNN") == 0  # the backend loads quietly

"""Device placement, distribution strategies and precision."""

import json
import os
import socket
import subprocess
import sys

import keras
import numpy as np
import pytest

from conftest import ROOT, SCRIPTS, parse_result, run_script
from zoo import build_lenet, runtime, training


def test_cpu_is_chosen_and_described_when_no_gpu_is_visible():
    chosen = runtime.configure(device="auto", quiet=True)
    assert chosen.device == "/device:CPU:0" and chosen.replicas == 1
    assert "device /device:CPU:0" in chosen.describe()


@pytest.mark.parametrize("device, message", [
    ("gpu", "sees no GPU"), ("/GPU:1", "no such device"), ("npu", "is not understood")])
def test_absent_or_unknown_devices_are_clear_errors(device, message):
    with pytest.raises(runtime.RuntimeConfigError, match=message):
        runtime.configure(device=device, quiet=True)


@pytest.mark.parametrize("precision, compute", [("mixed_bfloat16", "bfloat16"), ("mixed_float16", "float16")])
def test_mixed_precision_keeps_the_output_layer_in_float32(precision, compute):
    try:
        runtime.configure(device="cpu", precision=precision, quiet=True)
        model = build_lenet()
        assert model.get_layer("fc1").compute_dtype == compute
        assert model.get_layer("predictions").compute_dtype == "float32"
        assert model(np.zeros((1, 28, 28, 1), "float32")).dtype == "float32"
    finally:
        keras.mixed_precision.set_dtype_policy("float32")


def test_mirrored_strategy_trains_over_two_logical_cpus(tmp_path):
    _, result = run_script("train_deep_net.py", "--epochs", "2", "--data", "sample", "--strategy", "mirrored",
                           "--device", "cpu", "--output-dir", tmp_path / "run", "--quiet",
                           env={"ZOO_LOGICAL_CPUS": "2"})
    assert result["strategy"] == "mirrored" and result["replicas"] == 2
    losses = training.read_history(tmp_path / "run" / "history.csv")["loss"]
    assert losses[1] < losses[0]


def free_port():
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


@pytest.mark.slow  # two TensorFlow processes and a third run: half a minute; the mirrored test above stays
def test_two_workers_on_localhost_agree_and_train_exactly_as_one_process(tmp_path):
    # Each worker computes half of every 256-example global batch; the all-reduced gradients
    # must give the same weights on both workers, and the same as one process with batch 256.
    cluster = {"worker": [f"localhost:{free_port()}", f"localhost:{free_port()}"]}
    arguments = ["--epochs", "2", "--data", "sample", "--seed", "3", "--quiet"]
    workers = []
    for index in range(2):
        env = {**os.environ, "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})}
        workers.append(subprocess.Popen(
            [sys.executable, str(SCRIPTS / "train_intermediate_net.py"), *arguments, "--strategy", "multiworker",
             "--output-dir", str(tmp_path / "workers")],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    try:
        outputs = [worker.communicate(timeout=300) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    assert [worker.returncode for worker in workers] == [0, 0], [err[-3000:] for _, err in outputs]
    results = [parse_result(out) for out, _ in outputs]
    assert [(r["strategy"], r["replicas"]) for r in results] == [("multiworker", 2)] * 2
    _, single = run_script("train_intermediate_net.py", *arguments, "--batch-size", "256",
                           "--output-dir", tmp_path / "single")

    chief, other, alone = (keras.models.load_model(tmp_path / run / "model.keras")
                           for run in ("workers", "workers.worker1", "single"))
    for mine, theirs, reference in zip(chief.get_weights(), other.get_weights(), alone.get_weights()):
        np.testing.assert_array_equal(mine, theirs)
        np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-6)
    assert results[0]["val_accuracy"] == pytest.approx(single["val_accuracy"], abs=1e-6)
    assert training.read_history(tmp_path / "workers" / "history.csv")["loss"] == pytest.approx(
        training.read_history(tmp_path / "single" / "history.csv")["loss"], rel=1e-5)

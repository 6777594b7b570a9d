"""JAX's ``--strategy multiworker``: processes joined by ``jax.distributed`` (gloo on the CPU) train
one model, each feeding its share of every global batch, and the chief writes the run's records.

Two processes of this machine stand for two machines; a third, alone with the same global
batch, gives the weights they must reach. Every process is killed when its test ends, however
it ends (a process whose peer died would wait in a collective for ever)."""

import io
import json
import os
import socket
import subprocess
import sys
import time
import zipfile

import h5py
import numpy as np
import pytest

from conftest import ROOT, SCRIPTS, backend_env, needs_backend, parse_result
from zoo.datasets import batches
from zoo.runrecords import read_state

# XLA's optimisation passes are most of a tiny run's time on the CPU
FAST_COMPILE = {"XLA_FLAGS": "--xla_backend_optimization_level=0"}


# ----------------------------------------------------------------------------- the loaders' shares

@pytest.fixture
def shared():
    """``share_batches(index, count, devices, seed)`` for the test, undone after it."""
    yield batches.share_batches
    batches.share_batches(0, 1, 1, 0)


def passes(order, count=2):
    """The example indices of ``count`` passes' batches, as lists."""
    return [[batch.tolist() for batch in order.one_pass()] for _ in range(count)]


@pytest.mark.parametrize("size, drop_remainder, sizes", [(23, False, [4, 4, 3]), (23, True, [4, 4]),
                                                         (24, False, [4, 4, 4])])
def test_each_process_gets_its_consecutive_half_of_every_batch_of_one_process(shared, caplog, size, drop_remainder,
                                                                            sizes):
    """Process i of 2 gets part i of each batch one process makes with the same seed, pass after
    pass; a last batch of 7 becomes 6 (3 each: a batch splits evenly over the 2 devices), which
    is said in one line."""
    alone = passes(batches.Order(size, 8, shuffle=True, seed=4, drop_remainder=drop_remainder))
    parts = []
    for index in range(2):
        shared(index, 2, 2, 99)
        with caplog.at_level("WARNING", logger="zoo.datasets"):
            parts.append(passes(batches.Order(size, 8, shuffle=True, seed=4, drop_remainder=drop_remainder)))
    left_out = "1 of 23 examples are left out of each pass: a batch is split evenly over 2 devices"
    assert [record.getMessage() for record in caplog.records] == [left_out] * 2 * (sizes == [4, 4, 3])
    for number, whole in enumerate(alone):
        assert len(parts[0][number]) == len(parts[1][number]) == len(whole)
        for batch, first, second in zip(whole, parts[0][number], parts[1][number]):
            cut = len(batch) - len(batch) % 2
            assert first + second == batch[:cut] and len(first) == len(second)
    assert [len(batch) for batch in parts[0][0]] == sizes


def test_processes_without_a_seed_shuffle_alike_with_the_agreed_one(shared):
    """An Order made without a seed under a share draws with the processes' agreed seed, so the
    two halves come from one permutation; without a share each process draws its own."""
    reference = passes(batches.Order(40, 8, shuffle=True, seed=1234))
    assert passes(batches.Order(40, 8, shuffle=True)) != reference
    shared(0, 2, 2, 1234)
    first = passes(batches.Order(40, 8, shuffle=True))
    shared(1, 2, 2, 1234)
    second = passes(batches.Order(40, 8, shuffle=True))
    for number in range(2):
        joined = [a + b for a, b in zip(first[number], second[number])]
        assert joined == reference[number] and len(joined) == 5


def test_a_batch_that_cannot_split_over_the_devices_is_refused(shared):
    """A global batch of 6 over 4 devices cannot give each the same number: one clear error."""
    shared(0, 2, 4, 0)
    with pytest.raises(ValueError, match="batch_size=6 cannot be split evenly over the 4 devices of 2 processes"):
        batches.Order(40, 6)


def test_an_endless_stream_shares_every_full_batch_and_numpy_batches_follow_it(shared):
    """The GAN's endless stream: each process's NumPy batches are its halves of the stream's
    global batches, and the tf.data pipeline's index spec has the local batch size."""
    stream = batches.Order(10, 4, shuffle=True, seed=2, endless=True).stream()
    whole = [next(stream) for _ in range(6)]
    shared(1, 2, 2, 0)
    order = batches.Order(10, 4, shuffle=True, seed=2, endless=True)
    mine = batches.Batches(order, lambda index: index * 10).repeat()
    assert [list(mine[step]) for step in range(6)] == [list(batch[2:] * 10) for batch in whole]
    if batches.tensorflow_available():
        assert order.tf_indices().element_spec.shape.as_list() == [2]


# ----------------------------------------------------------------------------- two processes

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cluster_env(tensorflow, index, addresses):
    """The environment of process ``index`` of a two-process JAX cluster at ``addresses``."""
    return {**os.environ, **backend_env("jax", tensorflow), **FAST_COMPILE,
            "KERAS_DISTRIBUTION_JOB_ADDRESSES": addresses, "KERAS_DISTRIBUTION_NUM_PROCESSES": "2",
            "KERAS_DISTRIBUTION_PROCESS_ID": str(index)}


def run_processes(commands, folder, timeout=300):
    """Run ``commands`` ((argv, env) pairs) at once; returns each one's (exit status, stdout,
    stderr). When one fails, or at the timeout, every one still running is killed."""
    logs = [(folder / f"process{index}.out", folder / f"process{index}.err") for index in range(len(commands))]
    processes = []
    try:
        for (argv, env), (out, err) in zip(commands, logs):
            with open(out, "w") as stdout, open(err, "w") as stderr:  # files: a full pipe would block a process
                processes.append(subprocess.Popen([sys.executable, *map(str, argv)], cwd=ROOT, env=env,
                                                  stdout=stdout, stderr=stderr))
        deadline = time.monotonic() + timeout
        while any(process.poll() is None for process in processes):
            if any(process.poll() not in (None, 0) for process in processes) or time.monotonic() > deadline:
                break  # a failed worker's peer would wait for it until the deadline
            time.sleep(0.1)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait()
    return [(process.returncode, out.read_text(), err.read_text()) for process, (out, err) in zip(processes, logs)]


def run_together(script, worker_arguments, alone_arguments, folder, tensorflow, timeout=300):
    """``scripts/<script>`` as the two processes of a JAX cluster on this machine (with
    ``worker_arguments`` and ``--strategy multiworker``) and, at the same time, alone (with
    ``alone_arguments``); each gets ``--output-dir`` in ``folder``: run, alone. Returns the
    (exit status, stdout, stderr) of workers 0 and 1, then of the one alone."""
    addresses = f"127.0.0.1:{free_port()},127.0.0.1:{free_port()}"
    path = SCRIPTS / script
    commands = [([path, *worker_arguments, "--strategy", "multiworker", "--output-dir", folder / "run"],
                 cluster_env(tensorflow, index, addresses)) for index in range(2)]
    commands.append(([path, *alone_arguments, "--output-dir", folder / "alone"],
                     {**os.environ, **backend_env("jax", tensorflow), **FAST_COMPILE}))
    return run_processes(commands, folder, timeout)


def results_of(outcomes) -> list:
    """Each process's RESULT, after checking that every process ended well with one."""
    for index, (status, out, err) in enumerate(outcomes):
        assert status == 0, f"process {index} exited {status}\n--- stdout\n{out[-2000:]}\n--- stderr\n{err[-3000:]}"
    results = [parse_result(out) for _, out, _ in outcomes]
    assert all(results), [out[-2000:] for _, out, _ in outcomes]
    return results


def check_chief_record(folder, results):
    """The chief's folder holds the finished run, recorded as TensorFlow's two workers record it
    (strategy multiworker, replicas = both processes' devices); worker 1 wrote into
    <folder>.worker1, never into the chief's folder."""
    state = read_state(folder)
    assert state["finished"] is True and json.loads((folder / "metrics.json").read_text()) == results[0]
    assert (state["runtime"]["backend"], state["runtime"]["strategy"], state["runtime"]["replicas"]) == (
        "jax", "multiworker", 2)
    assert (state["settings"]["strategy"], state["settings"]["replicas"]) == ("multiworker", 2)
    assert [(r["backend"], r["strategy"], r["replicas"]) for r in results] == [("jax", "multiworker", 2)] * 2
    worker = folder.with_name(f"{folder.name}.worker1")
    assert [r["model_file"] for r in results] == [str(folder / "model.keras"), str(worker / "model.keras")]
    assert read_state(worker)["finished"] is True


def saved_weights(path, inside="model.weights.h5") -> list:
    """The weights (and optimiser variables) of a saved ``.keras`` file, read without Keras."""
    found = []
    with zipfile.ZipFile(path) as archive, h5py.File(io.BytesIO(archive.read(inside))) as weights:
        weights.visititems(lambda name, item: found.append((name, item[()]))
                           if isinstance(item, h5py.Dataset) else None)
    return found


def check_trained_as_one(folder, name="model.keras"):
    """Both workers hold the same weights, and those of one process with the same global batch:
    each fed its own half of every batch (not the whole batch twice, nor overlapping halves)."""
    chief, other, alone = (saved_weights(folder / run / name) for run in ("run", "run.worker1", "alone"))
    assert [key for key, _ in chief] == [key for key, _ in alone] and len(chief) > 2
    for (key, mine), (_, theirs), (_, reference) in zip(chief, other, alone):
        np.testing.assert_array_equal(mine, theirs, err_msg=key)
        np.testing.assert_allclose(mine, reference, rtol=1e-4, atol=1e-5, err_msg=key)


# not --quiet: the info lines it hides are checked
FIT_FLAGS = ["--epochs", "2", "--data", "sample", "--seed", "5", "--device", "cpu"]


@needs_backend("jax")
def test_two_jax_processes_without_tensorflow_train_as_one_process_with_their_global_batch(tmp_path):
    """Without TensorFlow (NumPy batches) two JAX processes train the intermediate net (4,000
    examples, 2 steps of 2 x 1,000 per epoch, a validation of 1,000): both end with RESULT and
    the same validation figures, the chief's folder holds the run's records (history.csv, no
    TensorBoard logs, said in one line), and the weights are those of one process with batch 2,000."""
    outcomes = run_together("train_intermediate_net.py", [*FIT_FLAGS, "--batch-size", "1000"],
                            [*FIT_FLAGS, "--batch-size", "2000"], tmp_path, tensorflow=False)
    *results, alone = results_of(outcomes)
    check_chief_record(tmp_path / "run", results)
    assert "batches come from NumPy" in outcomes[0][2]
    # Keras writes TensorBoard logs through tf.summary: without TensorFlow, one line and history.csv
    assert "TensorFlow is not installed: no TensorBoard logs (history.csv has the curves)" in outcomes[0][2]
    assert not (tmp_path / "run" / "logs").exists() and (tmp_path / "run" / "history.csv").is_file()
    for key in ("val_accuracy", "val_loss"):  # one evaluation of the global batches, on both
        assert results[0][key] == results[1][key] == pytest.approx(alone[key], rel=1e-4)
    check_trained_as_one(tmp_path)


@needs_backend("jax")
@pytest.mark.slow  # LeNet's convolutions, three processes: 1-4 minutes on 2 busy cores
@pytest.mark.parametrize("tensorflow", [True, False], ids=["tf.data", "numpy"])
def test_two_jax_processes_train_lenet_as_one_process(tmp_path, tensorflow):
    """LeNet on two JAX processes, from tf.data pipelines and from NumPy batches: the records
    and weights of one process with the same global batch (512, the last batch of each pass
    smaller: 4,000 = 7 x 512 + 416), and TensorBoard logs when TensorFlow is there."""
    outcomes = run_together("train_lenet.py", [*FIT_FLAGS[:1], "1", *FIT_FLAGS[2:], "--batch-size", "256"],
                            [*FIT_FLAGS[:1], "1", *FIT_FLAGS[2:], "--batch-size", "512"], tmp_path, tensorflow)
    *results, alone = results_of(outcomes)
    check_chief_record(tmp_path / "run", results)
    assert ("batches come from NumPy" in outcomes[0][2]) is not tensorflow
    # with TensorFlow installed Keras writes TensorBoard logs through tf.summary, on JAX too
    assert any((tmp_path / "run" / "logs").rglob("*.tfevents*")) is tensorflow
    assert results[0]["val_accuracy"] == results[1]["val_accuracy"] == pytest.approx(alone["val_accuracy"], abs=1e-3)
    check_trained_as_one(tmp_path)


@needs_backend("jax")
@pytest.mark.slow  # XLA's CPU convolution for the discriminator is slow: 3-6 minutes on 2 busy cores
def test_two_jax_processes_train_the_gan_as_one_process(tmp_path):
    """The GAN (its own train_step, an endless stream, predict for the grids and pixel_fd) on two
    JAX processes without TensorFlow: both end with RESULT, the chief's folder holds the records,
    and the generator is the one a process alone trains with the same global batch."""
    flags = ["--iterations", "2", "--sample-interval", "2", "--max-examples", "100", "--data", "sample",
             "--seed", "1", "--quiet", "--device", "cpu"]
    outcomes = run_together("train_gan.py", [*flags, "--batch-size", "4"], [*flags, "--batch-size", "8"],
                            tmp_path, tensorflow=False, timeout=900)
    *results, alone = results_of(outcomes)
    state = read_state(tmp_path / "run")
    assert state["finished"] and (state["runtime"]["strategy"], state["runtime"]["replicas"]) == ("multiworker", 2)
    assert results[0]["batch_size"] == alone["batch_size"] == 8
    assert (tmp_path / "run" / "generated.png").is_file() and (tmp_path / "run" / "iterations.csv").is_file()
    for key in ("d_loss", "a_loss", "pixel_fd"):
        assert results[0][key] == results[1][key] == pytest.approx(alone[key], rel=1e-3, abs=1e-3)
    check_trained_as_one(tmp_path, "generator.keras")


CLASS_METRICS = """
import json, numpy as np, keras
from zoo import runtime, training
from zoo.datasets import batches
chosen = runtime.configure("cpu", "multiworker", "float32", 3, quiet=True)
with chosen.scope():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
x = np.random.default_rng(0).random((22, 4), dtype="float32")
y = np.eye(3, dtype="float32")[np.arange(22) % 3]
validation = batches.Batches(batches.Order(22, 8), lambda index: (x[index], y[index]))
mine = sum(len(labels) for _, labels in validation)
print(mine, json.dumps(training.class_metrics(model, validation, ["a", "b", "c"])["confusion_matrix"]))
"""


@needs_backend("jax")
@pytest.mark.slow  # two JAX start-ups for a tiny model: 20 s on 2 busy cores
def test_class_metrics_count_every_process_share_of_the_validation(tmp_path):
    """The confusion matrix (AlexNet's, VGGNet's, the transfer net's) counts all 22 validation
    examples on both processes, though each read only its 11 (batches of 8, 8 and 6 halved)."""
    addresses = f"127.0.0.1:{free_port()},127.0.0.1:{free_port()}"
    outcomes = run_processes([(["-c", CLASS_METRICS], cluster_env(False, index, addresses)) for index in range(2)],
                             tmp_path)
    assert [status for status, _, _ in outcomes] == [0, 0], [err[-2000:] for _, _, err in outcomes]
    lines = [out.strip().splitlines()[-1].split(" ", 1) for _, out, _ in outcomes]
    assert [int(count) for count, _ in lines] == [11, 11]
    matrices = [np.array(json.loads(matrix)) for _, matrix in lines]
    assert matrices[0].sum() == 22 and (matrices[0].sum(axis=1) == [8, 7, 7]).all()
    np.testing.assert_array_equal(matrices[0], matrices[1])

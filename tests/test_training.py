"""The shared harness: learning, saving, resuming, repeatability and bad input."""

import json
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

from conftest import ROOT, SCRIPTS, run_script, script_settings, user_lines
from zoo import checkpoints, cli, recipes, training
from zoo.datasets import mnist


def test_a_short_run_lowers_the_loss_and_the_saved_model_reloads_identically(tmp_path):
    keras.utils.set_random_seed(0)
    train, valid = mnist.load(batch_size=128, source="sample", seed=0)
    model = recipes.get("deep_net").build_compiled()
    history = model.fit(train, epochs=3, verbose=0)
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]

    path = checkpoints.save_model(model, tmp_path / "model.keras")
    reloaded = keras.models.load_model(path)
    images, _ = next(iter(valid))
    np.testing.assert_array_equal(reloaded.predict(images, verbose=0), model.predict(images, verbose=0))


def test_resume_after_a_kill_finishes_the_planned_epochs_with_a_continuous_history(tmp_path):
    output = tmp_path / "lenet"
    command = [sys.executable, str(SCRIPTS / "train_lenet.py"), "--epochs", "3", "--data", "sample",
               "--output-dir", str(output), "--quiet", "--seed", "0"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while not checkpointed(output) and process.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)  # mid-epoch 2, with no chance to clean up
    process.wait()
    killed_after = training.read_history(output / "history.csv")["epoch"]
    assert killed_after and max(killed_after) < 2, "the kill must land before the run ends"

    completed, result = run_script("train_lenet.py", "--epochs", "3", "--data", "sample",
                                   "--output-dir", output, "--seed", "0", "--resume")
    assert "resuming" in completed.stderr
    assert result["epochs"] == 3
    assert training.read_history(output / "history.csv")["epoch"] == [0, 1, 2]


def checkpointed(output) -> bool:
    """True once the run in ``output`` has recorded its first checkpoint in state.json."""
    try:
        return bool(json.loads((output / "state.json").read_text())["progress"])
    except (OSError, ValueError, KeyError):
        return False


@pytest.mark.slow  # 20-30 s of subprocesses; the default suite keeps the simpler cases
def test_resume_counts_a_checkpoint_saved_just_before_a_kill_that_missed_state_json(tmp_path):
    # A kill between replacing last.keras and writing state.json leaves the checkpoint (and
    # history.csv) one epoch ahead of state.json; that epoch must not be trained twice.
    output = tmp_path / "run"
    arguments = ["--data", "sample", "--output-dir", output, "--seed", "0", "--quiet"]
    run_script("train_intermediate_net.py", "--epochs", "2", *arguments)
    state_file = output / "state.json"
    state = json.loads(state_file.read_text())
    steps_per_epoch = state["progress"]["optimizer_iterations"] // 2
    # as if killed after epoch 2's checkpoint and history row, before its state.json; epoch 2
    # is made the best one, so the resumed run must keep it as best.keras
    state["progress"].update(epochs_done=1, optimizer_iterations=steps_per_epoch, best=0.0)
    state_file.write_text(json.dumps(state))
    history_file = output / "history.csv"
    rows = history_file.read_text().splitlines()
    header = rows[0].split(",")
    row = rows[2].split(",")
    row[header.index("val_accuracy")] = "0.99"
    history_file.write_text("\n".join([*rows[:2], ",".join(row)]) + "\n")
    epoch_2 = keras.models.load_model(output / "checkpoints" / "last.keras").get_weights()

    completed, result = run_script("train_intermediate_net.py", "--epochs", "3", *arguments[:-1], "--resume")
    assert "one epoch ahead" in completed.stderr and "after epoch 2" in completed.stderr
    assert result["epochs"] == 3 and training.read_history(output / "history.csv")["epoch"] == [0, 1, 2]
    model = keras.models.load_model(output / "checkpoints" / "last.keras")
    assert checkpoints.optimizer_iterations(model) == 3 * steps_per_epoch
    # the best epoch is recounted from history.csv, not taken from state.json's stale figure
    best = keras.models.load_model(output / "checkpoints" / "best.keras").get_weights()
    for kept, expected in zip(best, epoch_2):
        np.testing.assert_array_equal(kept, expected)
    assert json.loads(state_file.read_text())["progress"]["best"] == 0.99


def test_checkpoints_keep_the_last_and_the_best_epoch(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    args = script_settings("train_regression.py", ["--output-dir", str(tmp_path / "run"), "--quiet"])
    run = training.Run(args, "regression_net")
    checkpoint = checkpoints.EpochCheckpoint(run, "val_loss", mode="min")
    folder = run.checkpoint_dir
    checkpoint.set_model(model)
    weights = {}
    for epoch, val_loss in enumerate([0.5, 0.3, 0.4]):  # the second epoch is the best
        model.set_weights([np.full((3, 1), float(epoch)), np.zeros(1)])
        weights[epoch] = model.get_weights()
        checkpoint.on_epoch_end(epoch, {"loss": 1.0, "val_loss": val_loss})
        improved = epoch < 2
        assert (folder / "best.keras").samefile(folder / "last.keras") == improved  # linked, not saved twice
    best = keras.models.load_model(folder / "best.keras")
    last = keras.models.load_model(folder / "last.keras")
    np.testing.assert_array_equal(best.get_weights()[0], weights[1][0])
    np.testing.assert_array_equal(last.get_weights()[0], weights[2][0])
    progress = json.loads((tmp_path / "run" / "state.json").read_text())["progress"]
    assert (progress["epochs_done"], progress["best"]) == (3, 0.3)


def test_checkpoint_every_writes_the_last_epoch_less_often_and_the_best_whenever_it_improves(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    args = script_settings("train_regression.py", ["--output-dir", str(tmp_path / "run"), "--quiet",
                                                              "--checkpoint-every", "2"])
    run = training.Run(args, "regression_net")
    checkpoint = checkpoints.EpochCheckpoint(run, "val_loss", mode="min", every=args.checkpoint_every)
    checkpoint.set_model(model)
    checkpoint.set_params({"epochs": 5})
    folder, state_file = run.checkpoint_dir, tmp_path / "run" / "state.json"
    for epoch, val_loss in enumerate([0.5, 0.6, 0.3, 0.4, 0.45]):  # best at epochs 1 and 3 (counting from 1)
        model.set_weights([np.full((3, 1), float(epoch)), np.zeros(1)])
        checkpoint.on_epoch_end(epoch, {"loss": 1.0, "val_loss": val_loss})
        progress = json.loads(state_file.read_text())["progress"]
        last_epoch = keras.models.load_model(folder / "last.keras").get_weights()[0][0, 0] if (folder / "last.keras").exists() else None
        best_epoch = keras.models.load_model(folder / "best.keras").get_weights()[0][0, 0]
        # last.keras after epochs 2 and 4 and the final 5th; progress counts only what last.keras holds
        assert progress["epochs_done"] == {0: 0, 1: 2, 2: 2, 3: 4, 4: 5}[epoch]
        assert last_epoch == {0: None, 1: 1.0, 2: 1.0, 3: 3.0, 4: 4.0}[epoch]
        assert best_epoch == {0: 0.0, 1: 0.0, 2: 2.0, 3: 2.0, 4: 2.0}[epoch] and progress["best"] == min([0.5, 0.6, 0.3, 0.4, 0.45][:epoch + 1])
    assert sorted(path.name for path in folder.iterdir()) == ["best.keras", "last.keras"]
    run.close()


def test_the_same_seed_gives_identical_metrics_and_quiet_hides_the_progress_bar(tmp_path):
    runs = [run_script("train_shallow_net.py", "--epochs", "1", "--data", "sample", "--seed", "7",
                       "--output-dir", tmp_path / f"run{index}", *(["--quiet"] if index else []))
            for index in range(2)]
    (shown, first), (quiet, second) = runs
    for key in ("val_loss", "val_accuracy"):
        assert first[key] == second[key]
    assert (tmp_path / "run0" / "history.csv").read_text() == (tmp_path / "run1" / "history.csv").read_text()
    bar = "\u2501"  # the heavy line Keras' progress bar is drawn with
    assert bar in shown.stdout and bar not in quiet.stdout


def test_an_existing_output_folder_is_never_overwritten_without_a_flag(tmp_path):
    output = tmp_path / "run"
    run_script("train_regression.py", "--epochs", "1", "--output-dir", output, "--quiet")
    previous = (output / "metrics.json").read_text()
    completed, _ = run_script("train_regression.py", "--output-dir", output, check=False)
    assert completed.returncode == 2 and user_lines(completed.stderr) == [
        f"error: --output-dir {output} already holds a run; pass --resume to continue it or --overwrite to replace it"]
    assert (output / "metrics.json").read_text() == previous
    _, result = run_script("train_regression.py", "--epochs", "2", "--output-dir", output, "--overwrite", "--quiet")
    assert result["epochs"] == 2 and (output / "model.keras").exists()


def run_in_process(script_name, argv, monkeypatch, capsys):
    """A script's main() as ``python scripts/<name> argv`` would run it; returns (status, stderr lines)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(script_name[:-3], SCRIPTS / script_name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys, "argv", [script_name, *map(str, argv)])
    with pytest.raises(SystemExit) as stopped:
        cli.main(module.main)
    return stopped.value.code, user_lines(capsys.readouterr().err)


@pytest.mark.parametrize("arguments, message", [
    (["--epochs", "0"], "--epochs: 0 is not a positive integer"),
    (["--batch-size", "x"], "--batch-size: 'x' is not an integer"),
    (["--device", "tpu"], "--device 'tpu' is not understood"),
    (["--device", "/GPU:3"], "--device /GPU:3: no such device"),
    (["--device", "gpu"], "TensorFlow sees no GPU"),
    (["--data-dir", "/nonexistent/folder"], "/nonexistent/folder is not a folder"),
    (["--data", "full"], "full mnist data not found"),
    (["--resume", "--overwrite"], "contradict"),
    (["--strategy", "multiworker"], "needs TF_CONFIG"),
])
def test_bad_input_is_one_line_with_status_2_and_writes_nothing(tmp_path, monkeypatch, capsys, arguments, message):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty_keras_home"))
    monkeypatch.delenv("TF_CONFIG", raising=False)
    output = tmp_path / "out"
    status, lines = run_in_process("train_shallow_net.py", ["--output-dir", output, *arguments], monkeypatch, capsys)
    assert status == 2
    errors = [line for line in lines if "error:" in line]
    assert len(errors) == 1 and errors[0] == lines[-1] and message in errors[0], lines
    assert not any("Traceback" in line for line in lines)
    assert not output.exists()


def test_a_corrupt_data_file_is_one_line_from_the_command_line(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"\x00" * 100)
    completed, _ = run_script("train_shallow_net.py", "--data-dir", tmp_path, "--output-dir", tmp_path / "out",
                              check=False)
    lines = user_lines(completed.stderr)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert lines[-1].startswith("error: cannot read") and "mnist.npz" in lines[-1]
    assert not (tmp_path / "out").exists()


def test_a_diverging_run_stops_with_one_line_and_status_1_and_saves_no_model(tmp_path, monkeypatch, capsys):
    args = script_settings("train_shallow_net.py", ["--output-dir", str(tmp_path / "nan"), "--epochs", "2", "--quiet"])
    run = training.Run(args, "shallow_net")
    train, valid = run.data(mnist.load(batch_size=128, source="sample", max_examples=512))

    def build():
        model = recipes.get("shallow_net").build_compiled()
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e30), loss="mean_squared_error")
        return model

    model = run.build_or_resume(build)
    model.layers[1].kernel.assign(np.full(model.layers[1].kernel.shape, np.inf, dtype=np.float32))
    with pytest.raises(cli.TrainingDiverged, match="NaN|infinite") as diverged:
        run.fit(model, train, valid)
    assert not (tmp_path / "nan" / "model.keras").exists()
    assert not (tmp_path / "nan" / "checkpoints" / "last.keras").exists()
    run.close()  # as at exit: a run that never reached a checkpoint leaves no folder behind
    assert not (tmp_path / "nan").exists()

    # what the command line makes of it: one line saying which, exit status 1
    def diverging():
        raise diverged.value

    monkeypatch.setattr(cli.signal, "signal", lambda *_: None)  # pytest keeps its own SIGTERM handling
    with pytest.raises(SystemExit) as exited:
        cli.main(diverging)
    lines = user_lines(capsys.readouterr().err)
    assert exited.value.code == 1 and len(lines) == 1 and lines[0] == f"error: {diverged.value}"

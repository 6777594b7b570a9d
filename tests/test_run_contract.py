"""The run contract every script obeys: one run per folder, --overwrite and --resume that
touch only what they should, nothing written before the data is read, strict metrics."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import ROOT, SCRIPTS, run_script, script_settings, user_lines
from zoo import checkpoints, cli, files, training
from zoo.datasets import mnist

QUICK = ["--epochs", "1", "--data", "sample", "--quiet"]


def snapshot(folder):
    """Every file under ``folder`` with its bytes, to show a folder was left exactly as it was."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def error_line(completed):
    """The one line a refused command prints (exit status 2, no traceback)."""
    lines = user_lines(completed.stderr)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr, completed.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    return lines[0]


@pytest.fixture(scope="module")
def shallow_run(tmp_path_factory):
    """A finished one-epoch shallow-net run with a seed and batch 64, shared by the refusals below."""
    output = tmp_path_factory.mktemp("contract") / "shallow"
    run_script("train_shallow_net.py", *QUICK, "--seed", "0", "--batch-size", "64", "--output-dir", output)
    return output


# ----------------------------------------------------------------------------- one run per folder

@pytest.mark.slow  # 20-30 s of subprocesses; the default suite keeps the simpler cases
def test_two_runs_started_together_into_one_folder_one_is_refused_in_one_line(tmp_path):
    output = tmp_path / "busy"
    command = [sys.executable, str(SCRIPTS / "train_lenet.py"), "--epochs", "2", "--data", "sample", "--quiet",
               "--output-dir", str(output)]
    processes = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    outputs = [process.communicate(timeout=300) for process in processes]
    codes = sorted(process.returncode for process in processes)
    assert codes == [0, 2], outputs
    winner, loser = sorted(range(2), key=lambda i: processes[i].returncode)
    refused = error_line(subprocess.CompletedProcess([], 2, *outputs[loser]))
    # refused at the lock, or (had the first finished before the second began) at the finished run
    assert (f"--output-dir {output} is in use by process {processes[winner].pid}" in refused
            or "already holds a run" in refused), refused
    # the run that went ahead is whole: its own epochs and best value, no temporaries of another process
    state = json.loads((output / "state.json").read_text())
    metrics = json.loads((output / "metrics.json").read_text())
    assert state["progress"]["epochs_done"] == metrics["epochs"] == 2
    assert state["progress"]["best"] == metrics["best_val_accuracy"]
    assert not list(output.rglob(".*tmp*")) and not (tmp_path / ".busy.lock").exists()


def test_a_folder_locked_by_a_live_process_is_refused(tmp_path):
    lock = files.FolderLock(tmp_path / "held").acquire()
    try:
        completed, _ = run_script("train_shallow_net.py", *QUICK, "--output-dir", tmp_path / "held", check=False)
    finally:
        lock.release()
    assert f"is in use by process {os.getpid()}" in error_line(completed)
    assert not (tmp_path / "held").exists()


def test_a_lock_left_by_a_killed_run_is_recognised_as_stale(tmp_path):
    holder = ("import os, signal, sys; from zoo.files import FolderLock; "
              "FolderLock(sys.argv[1]).acquire(); os.kill(os.getpid(), signal.SIGKILL)")
    subprocess.run([sys.executable, "-c", holder, str(tmp_path / "stale")], cwd=ROOT, timeout=60)
    assert (tmp_path / ".stale.lock").read_text().isdigit()  # the killed process's lock file is still there
    _, result = run_script("train_shallow_net.py", *QUICK, "--output-dir", tmp_path / "stale")
    assert result["epochs"] == 1 and not (tmp_path / ".stale.lock").exists()


def test_temporary_names_are_unique_per_process_and_keep_keras_endings(tmp_path):
    name = files.temporary_name(tmp_path / "best.weights.h5").name
    assert name.endswith(".weights.h5") and str(os.getpid()) in name
    assert files.temporary_name(tmp_path / "last.keras").name == f".last.tmp{os.getpid()}.keras"
    stale = tmp_path / ".last.tmp999999999.keras"
    stale.write_text("left by a killed run")
    with files.atomic_path(tmp_path / "last.keras") as temporary:
        temporary.write_text("new")
    assert not stale.exists() and (tmp_path / "last.keras").read_text() == "new"


@pytest.mark.slow  # 20-30 s of subprocesses; the default suite keeps the simpler cases
def test_a_symlinked_output_dir_shares_the_lock_of_its_target(tmp_path):
    real, link = tmp_path / "real", tmp_path / "link"
    real.mkdir()
    link.symlink_to(real)
    lock = files.FolderLock(real).acquire()
    try:
        completed, _ = run_script("train_shallow_net.py", *QUICK, "--output-dir", link, check=False)
    finally:
        lock.release()
    assert f"--output-dir {real} is in use" in error_line(completed)
    _, result = run_script("train_shallow_net.py", *QUICK, "--output-dir", link)
    _, result = run_script("train_shallow_net.py", *QUICK, "--output-dir", link, "--overwrite")
    assert link.is_symlink() and (real / "model.keras").is_file()  # the link still names the run
    assert sorted(path.name for path in tmp_path.iterdir()) == ["link", "real"]


def test_a_failed_run_leaves_no_folders_behind_and_keeps_an_empty_folders_permissions(tmp_path):
    completed, _ = run_script("train_shallow_net.py", "--data", "full", "--data-dir", tmp_path, "--quiet",
                              "--output-dir", tmp_path / "new" / "deep" / "run", check=False)
    assert "full mnist data not found" in error_line(completed)
    assert not (tmp_path / "new").exists()  # nor the parents made for the lock

    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    args = script_settings("train_shallow_net.py", ["--output-dir", str(mine), "--quiet"])
    run = training.Run(args, "shallow_net")
    run.path("history.csv").write_text("half a run")
    run.close()  # what exit does for a run that fails before its first checkpoint
    assert mine.is_dir() and not any(mine.iterdir()) and (mine.stat().st_mode & 0o777) == 0o700

    (tmp_path / "afile").write_text("")
    completed, _ = run_script("train_shallow_net.py", *QUICK, "--output-dir", tmp_path / "afile" / "run", check=False)
    assert "is a file, not a folder" in error_line(completed)


def test_a_terminated_run_puts_its_folder_back(tmp_path):
    output = tmp_path / "run"
    process = subprocess.Popen([sys.executable, str(SCRIPTS / "train_shallow_net.py"), "--epochs", "50",
                                "--data", "sample", "--quiet", "--output-dir", str(output)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (output / "history.csv").exists() and process.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    process.terminate()  # SIGTERM, as timeout(1) or a batch scheduler sends it, before any checkpoint
    _, stderr = process.communicate(timeout=60)
    if (output / "state.json").exists() and json.loads((output / "state.json").read_text())["progress"]:
        pytest.skip("the first epoch ended before the signal arrived")
    assert process.returncode == 128 + signal.SIGTERM and "Traceback" not in stderr
    assert not output.exists() and not (tmp_path / ".run.lock").exists()


def test_files_of_a_run_killed_before_its_first_checkpoint_are_replaced_by_the_next_run(tmp_path):
    output = tmp_path / "run"
    args = script_settings("train_shallow_net.py", ["--output-dir", str(output), "--quiet"])
    run = training.Run(args, "shallow_net")
    run.path("history.csv").write_text("killed here")
    run._lock.release()  # as SIGKILL leaves it: no clean-up ran (and none will at exit)
    run._prepared = False
    completed, result = run_script("train_shallow_net.py", *QUICK, "--output-dir", output)
    assert "killed before its first checkpoint" in completed.stderr and result["epochs"] == 1
    assert "killed here" not in (output / "history.csv").read_text()


# ----------------------------------------------------------------------------- --overwrite

def test_overwrite_refuses_a_folder_that_never_held_a_run(tmp_path):
    folder = tmp_path / "holiday"
    folder.mkdir()
    (folder / "notes.txt").write_text("do not delete")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff" + bytes(100))
    before = snapshot(folder)
    completed, _ = run_script("train_shallow_net.py", *QUICK, "--overwrite", "--output-dir", folder, check=False)
    assert "holds files but no zoo run" in error_line(completed)
    assert snapshot(folder) == before


def test_overwrite_keeps_the_previous_run_when_the_new_one_fails_before_its_first_checkpoint(
        shallow_run, tmp_path, monkeypatch):
    before = snapshot(shallow_run)
    empty = tmp_path / "empty"
    empty.mkdir()
    completed, _ = run_script("train_shallow_net.py", "--data", "full", "--data-dir", empty, "--overwrite",
                              "--output-dir", shallow_run, check=False)
    assert "full mnist data not found" in error_line(completed)
    assert snapshot(shallow_run) == before

    # a run that has started writing, then fails in its first epoch, puts the previous run back
    args = script_settings("train_shallow_net.py", ["--output-dir", str(shallow_run), "--overwrite", "--quiet",
                                                           "--seed", "0", "--batch-size", "64", "--data", "sample"])
    run = training.Run(args, "shallow_net")
    run.data(mnist.load(batch_size=64, source="sample", max_examples=256))
    (run.path("history.csv")).write_text("half a run")
    assert not (shallow_run / "model.keras").exists()  # set aside while the new run works
    run.close()  # what exit does for a run that fails before its first checkpoint
    assert snapshot(shallow_run) == before


def test_an_overwrite_killed_before_its_first_checkpoint_is_undone_by_the_next_run(shallow_run):
    before = snapshot(shallow_run)
    args = script_settings("train_shallow_net.py", ["--output-dir", str(shallow_run), "--overwrite", "--quiet"])
    run = training.Run(args, "shallow_net")
    run.path("history.csv").write_text("killed here")
    run._lock.release()  # as SIGKILL leaves it: no clean-up ran (and none will at exit)
    run._prepared = False
    args = script_settings("train_shallow_net.py", ["--output-dir", str(shallow_run), "--resume", "--quiet",
                                                           "--seed", "0", "--batch-size", "64", "--data", "sample"])
    again = training.Run(args, "shallow_net")
    assert again.resuming and snapshot(shallow_run) == before
    again.close()
    assert snapshot(shallow_run) == before
    assert not list(shallow_run.parent.glob(".shallow.replaced*"))


# ----------------------------------------------------------------------------- --resume

@pytest.mark.parametrize("script_name, arguments, message", [
    ("train_deep_net.py", [], "holds a shallow_net run (train_shallow_net.py), not deep_net"),
    ("train_lenet.py", [], "holds a shallow_net run (train_shallow_net.py), not lenet"),
    ("train_shallow_net.py", ["--seed", "0", "--batch-size", "256"], "--batch-size 64, this command gives 256"),
    ("train_shallow_net.py", ["--batch-size", "64"], "--seed 0, this command gives (not given)"),
    ("train_shallow_net.py", ["--seed", "0", "--batch-size", "64", "--precision", "mixed_bfloat16"],
     '--precision "float32", this command gives "mixed_bfloat16"'),
])
def test_resume_refuses_another_model_or_a_changed_setting(shallow_run, script_name, arguments, message):
    before = snapshot(shallow_run)
    completed, _ = run_script(script_name, "--epochs", "2", "--data", "sample", "--resume", *arguments,
                              "--output-dir", shallow_run, check=False)
    assert message in error_line(completed)
    assert snapshot(shallow_run) == before


@pytest.mark.slow  # 20-30 s of subprocesses; the default suite keeps the simpler cases
def test_resume_accepts_more_epochs_and_sums_the_time_of_its_segments(tmp_path):
    output = tmp_path / "run"
    _, first = run_script("train_shallow_net.py", *QUICK, "--seed", "1", "--output-dir", output)
    _, second = run_script("train_shallow_net.py", "--epochs", "2", "--data", "sample", "--seed", "1", "--resume",
                           "--device", "cpu", "--output-dir", output)
    assert second["epochs"] == 2 and second["segments"] == 2
    assert second["wall_time_s"] > first["wall_time_s"]
    state = json.loads((output / "state.json").read_text())
    assert state["finished"] and state["progress"]["epochs_done"] == 2
    assert state["command"].endswith("--device cpu --output-dir " + str(output))


def test_resume_with_a_damaged_checkpoint_is_one_line(tmp_path):
    output = tmp_path / "run"
    run_script("train_shallow_net.py", *QUICK, "--output-dir", output)
    checkpoint = output / "checkpoints" / "last.keras"
    checkpoint.write_bytes(checkpoint.read_bytes()[:1000])
    completed, _ = run_script("train_shallow_net.py", "--epochs", "2", "--data", "sample", "--resume",
                              "--output-dir", output, check=False)
    assert "--resume: cannot read the checkpoint" in error_line(completed)


@pytest.mark.slow  # 20-30 s of subprocesses; the default suite keeps the simpler cases
def test_a_refusal_names_the_flag_as_typed(tmp_path):
    output = tmp_path / "w2v"
    run_script("train_word2vec.py", *W2V, "--output-dir", output)
    completed, _ = run_script("train_word2vec.py", *W2V, "--no-lower", "--resume", "--output-dir", output,
                              check=False)
    assert "was started with --no-lower true, this command gives false" in error_line(completed)


def test_a_save_interrupted_mid_snapshot_keeps_the_previous_checkpoint_whole(tmp_path):
    args = script_settings("train_regression.py", ["--output-dir", str(tmp_path / "run"), "--quiet"])
    run = training.Run(args, "regression_net")

    def save(step, fail=False):
        def write(folder):
            folder.mkdir()
            (folder / "agent.json").write_text(str(step))
            if fail:
                raise KeyboardInterrupt  # the kill lands mid-save
            (folder / "memory.npz").write_text(str(step))
        return write

    run.checkpoint(save(1), {"episodes_done": 1}, snapshot=True)
    run.checkpoint(save(2), {"episodes_done": 2}, snapshot=True)
    with pytest.raises(KeyboardInterrupt):
        run.checkpoint(save(3, fail=True), {"episodes_done": 3}, snapshot=True)
    run.close()
    args = script_settings("train_regression.py", ["--output-dir", str(tmp_path / "run"), "--resume"])
    again = training.Run(args, "regression_net")
    folder, progress = again.restore(None, lambda folder, progress: (folder, progress))
    assert progress["episodes_done"] == 2 and folder.name == "snapshot_00002"
    assert (folder / "agent.json").read_text() == (folder / "memory.npz").read_text() == "2"  # one moment's files
    assert sorted(path.name for path in again.checkpoint_dir.iterdir()) == ["snapshot_00002", "snapshot_00003"]
    again.checkpoint(save(3), {"episodes_done": 3}, snapshot=True)  # the interrupted one is redone, the rest go
    assert sorted(path.name for path in again.checkpoint_dir.iterdir()) == ["snapshot_00003"]
    again.close()


def test_a_run_writes_to_model_output_named_after_its_model_by_default():
    for script, model in (("train_lenet.py", "lenet"), ("train_regression.py", "regression_net")):
        args = script_settings(script, [], load_backend=False)
        assert args.output_dir == os.path.join("model_output", model)


@pytest.mark.parametrize("script_name, may_differ", [
    # word2vec trains its passes in one go (a resume cannot add more), and its queries define the run
    ("train_word2vec.py", "--data-dir, --map-labels, --map-style, --plot-tokens, --quiet, --verbose"),
    # --head-epochs marks where fine-tuning begins: a resume trains on to --epochs, never moves it
    ("train_vgg19_transfer.py", "--checkpoint-every, --data-dir, --device, --epochs, --quiet, --verbose"),
])
def test_help_ends_with_the_flags_a_resume_may_change(script_name, may_differ):
    completed = subprocess.run([sys.executable, str(SCRIPTS / script_name), "--help"], capture_output=True,
                               text=True, cwd=ROOT, timeout=120)
    assert completed.returncode == 0 and f"only {may_differ} may differ" in " ".join(completed.stdout.split())


def test_help_names_each_default_once_and_what_resume_may_change():
    completed = subprocess.run([sys.executable, str(SCRIPTS / "train_lenet.py"), "--help"], capture_output=True,
                               text=True, cwd=ROOT, timeout=120)
    text = " ".join(completed.stdout.split())
    assert completed.returncode == 0 and "(default: None)" not in text
    assert not re.search(r"\(default: [^)]*\) \(default:", text)
    assert "only --checkpoint-every, --data-dir, --device, --epochs, --quiet, --verbose may differ" in text


# ----------------------------------------------------------------------------- data and arguments

@pytest.mark.parametrize("seed", ["-1", "99999999999"])
def test_a_seed_out_of_range_is_one_line(tmp_path, seed):
    completed = subprocess.run([sys.executable, str(SCRIPTS / "train_lenet.py"), "--seed", seed, "--output-dir",
                                str(tmp_path / "x")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert user_lines(completed.stderr) == [
        f"train_lenet.py: error: argument --seed: {seed} is not a seed: expected an integer from 0 to 4294967295"]
    assert not (tmp_path / "x").exists()


def test_the_command_line_loads_no_tensorflow():
    probe = "import sys, zoo.cli; sys.exit('tensorflow' in sys.modules or 'keras' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], cwd=ROOT, timeout=60).returncode == 0


# ----------------------------------------------------------------------------- results

def test_metrics_json_is_strict_json_with_a_note_on_non_finite_values(tmp_path):
    args = script_settings("train_regression.py", ["--output-dir", str(tmp_path / "run"), "--quiet"])
    run = training.Run(args, "regression_net")
    result = run.finish(None, {"val_rmse": float("nan"), "nested": {"loss": float("inf")}})
    text = (tmp_path / "run" / "metrics.json").read_text()

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    written = json.loads(text, parse_constant=refuse)
    assert written == result and written["val_rmse"] is None and written["nested"]["loss"] is None
    assert written["non_finite"]["keys"] == ["val_rmse", "nested.loss"]


def test_an_infinite_loss_is_reported_as_infinite_not_nan():
    guard = checkpoints.DivergenceGuard()
    guard.set_model(type("Model", (), {"stop_training": False})())
    guard.on_batch_end(0, {"loss": np.float32("inf")})
    with pytest.raises(cli.TrainingDiverged, match=r"the loss became \+infinite in epoch 1"):
        guard.raise_if_diverged()


# ----------------------------------------------------------------------------- word2vec

W2V = ["--books", "carroll-alice", "--min-count", "5", "--passes", "1", "--map-words", "60", "--plot-tokens", "40",
       "--workers", "1", "--quiet", "--seed", "1"]


@pytest.mark.slow  # 20-30 s of subprocesses; the default suite keeps the simpler cases
def test_word2vec_keeps_a_previous_run_when_the_new_corpus_is_missing(tmp_path):
    output = tmp_path / "w2v"
    run_script("train_word2vec.py", *W2V, "--output-dir", output)
    before = snapshot(output)
    empty = tmp_path / "empty"
    empty.mkdir()
    completed, _ = run_script("train_word2vec.py", *W2V, "--data", "full", "--data-dir", empty, "--overwrite",
                              "--output-dir", output, check=False)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert snapshot(output) == before


@pytest.mark.slow  # 20-30 s of subprocesses; the default suite keeps the simpler cases
def test_word2vec_killed_during_tsne_finishes_its_map_on_resume(tmp_path):
    output = tmp_path / "w2v"
    _, first = run_script("train_word2vec.py", *W2V, "--output-dir", output)
    # the state a kill during t-SNE leaves: vectors checkpointed, no map yet, no metrics
    state = json.loads((output / "state.json").read_text())
    state["progress"]["phase"], state["finished"] = "trained", False
    (output / "state.json").write_text(json.dumps(state))
    for name in ("tsne.csv", "word_vectors.html", "metrics.json", "queries.json"):
        (output / name).unlink()
    _, resumed = run_script("train_word2vec.py", *W2V, "--resume", "--output-dir", output)
    assert (output / "tsne.csv").stat().st_size > 0 and (output / "word_vectors.html").stat().st_size > 0
    assert resumed["training"] == first["training"] and resumed["training"]["words_trained"] > 0
    assert resumed["vocabulary"] == first["vocabulary"] and resumed["data"] == "sample"

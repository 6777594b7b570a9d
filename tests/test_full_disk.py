"""A write that fails (full disk, read-only folder) ends a run with one line naming the file,
what is intact and how to go on, exit status 1; nothing already written is lost."""

import errno
import json
import sys

import pytest

from conftest import load_script, parse_result
from zoo import cli


def run_main(module, monkeypatch, capsys, *args):
    monkeypatch.setattr(sys, "argv", [f"{module.__name__}.py", *map(str, args)])
    monkeypatch.setattr(cli.signal, "signal", lambda *_: None)  # pytest keeps its own SIGTERM handling
    try:
        cli.main(module.main)
        status = 0
    except SystemExit as exited:
        status = exited.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_a_disk_that_fills_mid_run_keeps_the_last_checkpoint_and_resumes(tmp_path, monkeypatch, capsys):
    import keras

    from zoo import training

    script = load_script("train_regression.py")
    out = tmp_path / "run"
    common = ("--data", "sample", "--batch-size", 64, "--seed", 0, "--quiet", "--output-dir", out)
    saves = []
    real_save = keras.Model.save

    def save_until_the_disk_is_full(model, path, *args, **kwargs):
        saves.append(path)
        if len(saves) < 2:
            return real_save(model, path, *args, **kwargs)
        with open(path, "wb") as partial:  # a library that writes part of the file, then fails naming none
            partial.write(b"PK\x03\x04 half a checkpoint")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(keras.Model, "save", save_until_the_disk_is_full)
    runs = []
    make_run = training.Run.__init__

    def remembered(run, *args, **kwargs):
        make_run(run, *args, **kwargs)
        runs.append(run)

    monkeypatch.setattr(training.Run, "__init__", remembered)
    status, out_text, err = run_main(script, monkeypatch, capsys, "--epochs", 2, *common)
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert status == 1 and "Traceback" not in err and parse_result(out_text) is None
    assert lines == [f"error: cannot write {out / 'checkpoints' / 'last.keras'}: No space left on device; the run in "
                     f"{out} is intact up to its last checkpoint (epochs done 1): free some space and continue it "
                     f"with --resume"]
    # epoch 1's checkpoint and its record are whole; the failed save left no temporary file
    state = json.loads((out / "state.json").read_text())
    assert state["progress"]["epochs_done"] == 1 and not state["finished"]
    assert keras.models.load_model(out / "checkpoints" / "last.keras").count_params() > 0
    assert not list(out.rglob(".*.tmp*")) and not (out / "metrics.json").exists()

    runs[0].close()  # what the process's exit does: the folder is unlocked
    monkeypatch.setattr(keras.Model, "save", real_save)  # space freed
    status, out_text, _ = run_main(script, monkeypatch, capsys, "--epochs", 2, "--resume", *common)
    result = parse_result(out_text)
    assert status == 0 and result["epochs"] == 2 and result["segments"] == 2
    assert training.read_history(out / "history.csv")["epoch"] == [0, 1]


@pytest.mark.parametrize("code, advice", [(errno.EROFS, "make {folder} writable"), (errno.ENOSPC, "free some space")])
def test_a_failed_write_outside_a_run_is_one_line(code, advice, tmp_path):
    error = OSError(code, "cannot", str(tmp_path / "generated_4.png"))
    assert cli.describe_os_error(error) == (f"cannot write {tmp_path / 'generated_4.png'}: cannot; "
                                            f"{advice.format(folder=tmp_path)} and run the command again")


def test_a_failed_write_before_the_first_checkpoint_says_nothing_is_kept(tmp_path):
    (tmp_path / "state.json").write_text(json.dumps({"progress": None}))
    line = cli.describe_os_error(OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "history.csv")))
    assert "had no checkpoint yet, so it keeps nothing: free some space and run the command again" in line

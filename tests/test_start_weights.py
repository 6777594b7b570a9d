"""Training scripts start from trained weights with --weights NAME|PATH."""

import json

import pytest

from conftest import run_script, user_lines

from zoo import cli


def test_a_fit_script_starts_from_named_weights_and_keeps_them_on_resume(tmp_path):
    folder = tmp_path / "run"
    common = ["--seed", "3", "--quiet", "--output-dir", folder]
    # one epoch from random weights leaves the validation MSE near 1,000; from the trained ones it is near 50
    _, result = run_script("train_regression.py", "--epochs", "1", "--weights", "boston_housing", *common)
    assert result["val_loss"] < 100, result
    assert json.loads((folder / "state.json").read_text())["settings"]["weights"] == "boston_housing"

    # another start is another run: a resume must keep it
    completed, _ = run_script("train_regression.py", "--epochs", "2", "--resume", *common, check=False)
    assert completed.returncode == 2
    line, = user_lines(completed.stderr)
    assert "--weights" in line and "boston_housing" in line, line


def test_weights_of_another_model_or_a_missing_file_are_refused_in_one_line(tmp_path):
    folder = tmp_path / "run"
    completed, _ = run_script("train_regression.py", "--weights", "mnist", "--output-dir", folder, check=False)
    assert completed.returncode == 2
    line, = user_lines(completed.stderr)
    assert "regression_net has no weights named 'mnist'" in line and "boston_housing" in line, line

    completed, _ = run_script("train_lenet.py", "--weights", tmp_path / "missing.weights.h5",
                              "--output-dir", folder, check=False)
    assert completed.returncode == 2 and "missing.weights.h5: no such file" in completed.stderr
    assert not folder.exists()


def test_a_relative_weights_path_is_recorded_absolute(tmp_path, monkeypatch):
    (tmp_path / "lenet.weights.h5").write_bytes(b"")
    monkeypatch.chdir(tmp_path)  # a resume from another folder must still find the file
    assert cli.weights_source("lenet.weights.h5") == str((tmp_path / "lenet.weights.h5").resolve())


@pytest.mark.slow  # 20-30 s of subprocesses; the default suite keeps the simpler cases
def test_the_gan_starts_from_a_trained_generator(tmp_path):
    folder = tmp_path / "run"
    _, result = run_script("train_gan.py", "--iterations", "1", "--sample-interval", "1", "--batch-size", "8",
                           "--max-examples", "200", "--seed", "3", "--weights", "quickdraw_apple",
                           "--quiet", "--output-dir", folder)
    # the generator before the first step is the trained one: far nearer real drawings than a random one (about 75)
    assert result["pixel_fd_start"] < 10 and "pixel_fd_untrained" not in result, result

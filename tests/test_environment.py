"""A bad value of an environment variable the zoo reads is one line naming the variable and what
it may be, with exit status 2, before Keras or a backend loads."""

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, SCRIPTS, script_settings
from zoo import cli, environment

CLUSTER = {"cluster": {"worker": ["localhost:12345", "localhost:23456"]}, "task": {"type": "worker", "index": 1}}


@pytest.mark.parametrize("name, value, allowed", [
    ("KERAS_BACKEND", "tensorflw", "expected tensorflow, jax or torch"),
    ("KERAS_BACKEND", "numpy", "expected tensorflow, jax or torch"),
    ("ZOO_OFFLINE", "on", "expected 1, true, yes, 0, false or no"),
    ("ZOO_DEBUG", "2", "expected 1, true, yes, 0, false or no"),
    ("ZOO_DATA_DIR", "{tmp}/absent", "is not a folder: expected an existing folder"),
    ("ZOO_WEIGHTS_DIR", "{tmp}/a_file", "is not a folder: expected an existing folder"),
    ("ZOO_WEIGHTS_URL", "ftp://example.com/weights/", "is not an https:// address of a file"),
    ("ZOO_WEIGHTS_URL", "http://example.com/weights/", "weights are fetched over https:// only"),
    ("ZOO_LOGICAL_CPUS", "two", "expected a whole number such as 2"),
    ("KERAS_DISTRIBUTION_JOB_ADDRESSES", "10.0.0.1", "expected host:port, or several separated by commas"),
    ("KERAS_DISTRIBUTION_NUM_PROCESSES", "0", "expected a whole number from 1"),
    ("KERAS_DISTRIBUTION_PROCESS_ID", "first", "expected a whole number from 0"),
    ("TF_CONFIG", "{cluster: worker}", "is not JSON: expected JSON such as"),
    ("TF_CONFIG", json.dumps({"task": {"type": "worker", "index": 0}}), "needs a cluster and a task"),
    ("TF_CONFIG", json.dumps({**CLUSTER, "task": {"type": "worker", "index": 2}}),
     "has a task index 2 outside its 2 worker addresses"),
])
def test_a_bad_variable_is_one_line_naming_it_and_what_is_allowed(monkeypatch, capsys, tmp_path, name, value, allowed):
    (tmp_path / "a_file").write_text("")
    value = value.replace("{tmp}", str(tmp_path))
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exited:
        script_settings("train_lenet.py", ["--epochs", "1"], load_backend=False)
    lines = capsys.readouterr().err.strip().splitlines()
    assert exited.value.code == 2 and len(lines) == 1, lines
    assert lines[0].startswith(f"{cli.ArgumentParser().prog}: error: {name}={value[:70]}") and allowed in lines[0]


def test_variables_that_depend_on_each_other_are_checked_together(monkeypatch):
    monkeypatch.setenv("KERAS_DISTRIBUTION_JOB_ADDRESSES", "10.0.0.1:1234,10.0.0.2:2345")
    monkeypatch.setenv("KERAS_DISTRIBUTION_NUM_PROCESSES", "3")
    assert "does not match KERAS_DISTRIBUTION_JOB_ADDRESSES: expected its 2 addresses" in environment.problem()
    monkeypatch.setenv("KERAS_DISTRIBUTION_NUM_PROCESSES", "2")
    monkeypatch.setenv("KERAS_DISTRIBUTION_PROCESS_ID", "2")
    assert environment.problem() == ("KERAS_DISTRIBUTION_PROCESS_ID=2 is not a process number: expected a whole "
                                     "number from 0 to 1 (KERAS_DISTRIBUTION_NUM_PROCESSES is 2)")
    monkeypatch.setenv("KERAS_DISTRIBUTION_PROCESS_ID", "1")
    assert environment.problem() is None


@pytest.mark.parametrize("name, value", [
    ("KERAS_BACKEND", "jax"), ("KERAS_BACKEND", ""), ("ZOO_OFFLINE", "YES"), ("ZOO_DEBUG", "0"),
    ("ZOO_DATA_DIR", "{tmp}"), ("ZOO_WEIGHTS_URL", "https://example.com/weights/"),
    ("ZOO_WEIGHTS_URL", "http://127.0.0.1:8000/"), ("ZOO_LOGICAL_CPUS", "4"),
    ("KERAS_DISTRIBUTION_JOB_ADDRESSES", "10.0.0.1:1234"), ("TF_CONFIG", json.dumps(CLUSTER)),
])
def test_good_values_pass(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(name, value.replace("{tmp}", str(tmp_path)))
    assert environment.problem() is None


def test_zoo_debug_0_means_off(monkeypatch):
    monkeypatch.setenv("ZOO_DEBUG", "0")
    assert not environment.flag("ZOO_DEBUG")
    monkeypatch.setenv("ZOO_DEBUG", "True")
    assert environment.flag("ZOO_DEBUG")


def test_every_script_refuses_a_bad_keras_backend_before_keras_loads():
    """Each script in one process: exit status 2 and the one line, and Keras never imported."""
    scripts = sorted(path.name for path in SCRIPTS.glob("*.py")
                     if path.name.startswith("train_") or path.name == "export_weights.py")
    code = f"""
import runpy, sys
for name in {scripts!r}:
    sys.argv = [name, "model_output/x"] if name == "export_weights.py" else [name]
    try:
        runpy.run_path({str(SCRIPTS)!r} + "/" + name, run_name="__main__")
    except SystemExit as exited:
        print(name, exited.code)
print("keras loaded:", "keras" in sys.modules)
"""
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                               env={**os.environ, "KERAS_BACKEND": "tensorflw"})
    assert completed.stdout.splitlines() == [f"{name} 2" for name in scripts] + ["keras loaded: False"], completed.stderr
    errors = completed.stderr.strip().splitlines()
    assert errors == [f"{name}: error: KERAS_BACKEND=tensorflw is not a Keras backend the zoo runs on: expected "
                      f"tensorflow, jax or torch" for name in scripts]

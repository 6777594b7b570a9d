"""Every script's --help and argument errors answer at once: no backend (Keras, TensorFlow, JAX,
PyTorch) is imported before the arguments are good, so nothing of TensorFlow's start-up shows. The
--help runs also hold each to a CPU-time budget."""

import os
import resource
import subprocess
import sys

import pytest

from conftest import ROOT, SCRIPTS

BACKENDS = {"keras", "tensorflow", "jax", "torch"}
# the commands: scripts/ (scripts/benchmarks/ holds scripts/benchmark.py's modules)
SCRIPT_FILES = sorted(path.relative_to(SCRIPTS).as_posix() for path in SCRIPTS.glob("*.py")
                      if not path.name.startswith("_"))
CPU_SECONDS = 1.5  # CPU time, not wall time: other processes on a busy machine do not count


def run(script: str, *args):
    """The script's exit status, stdout, stderr, the top-level modules it imported and its CPU time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run([sys.executable, "-X", "importtime", str(SCRIPTS / script), *args],
                               capture_output=True, text=True, timeout=120, cwd=ROOT,
                               env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "0"})  # TensorFlow's lines would show
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # -X importtime writes "import time: self | cumulative | module" to stderr, nesting by indentation
    imported = {line.rsplit("|", 1)[1].strip() for line in completed.stderr.splitlines()
                if line.startswith("import time:") and "|" in line}
    messages = [line for line in completed.stderr.splitlines() if not line.startswith("import time:")]
    return completed.returncode, completed.stdout, messages, imported, cpu


def test_every_script_is_covered():
    assert {"train_lenet.py", "train_gan.py", "train_sentiment.py", "gpu_check.py"} <= set(SCRIPT_FILES)


@pytest.mark.parametrize("script", SCRIPT_FILES)
def test_help_loads_no_backend(script):
    status, out, messages, imported, cpu = run(script, "--help")
    assert status == 0 and out.startswith("usage:"), messages
    assert not BACKENDS & imported, sorted(BACKENDS & imported)
    assert messages == []  # no start-up line of any library
    assert cpu < CPU_SECONDS, f"{cpu:.2f} s of CPU"


@pytest.mark.parametrize("script", [name for name in SCRIPT_FILES if name.startswith("train_")])
def test_an_argument_error_is_one_line_and_loads_no_backend(script):
    status, _, messages, imported, _ = run(script, "--no-such-flag")
    assert status == 2 and len(messages) == 1 and "--no-such-flag" in messages[0], messages
    assert not BACKENDS & imported, sorted(BACKENDS & imported)


@pytest.mark.parametrize("script, args, command", [
    ("train_cartpole_dqn.py", ["--play", "--from", "cartpole_v0", "--episodes", "5"], "dli-zoo play"),
    ("train_gan.py", ["--generate", "4", "--from", "quickdraw_apple", "--iterations", "5"], "dli-zoo generate"),
])
def test_a_mode_that_moved_to_dli_zoo_is_refused_before_any_backend_loads(script, args, command):
    status, _, messages, imported, _ = run(script, *args)
    assert status == 2 and len(messages) == 1 and command in messages[0], messages
    assert not BACKENDS & imported, sorted(BACKENDS & imported)


DLI_ZOO = ["", "list", "card", "verify", "export", "play", "generate", "predict", "similar", "map"]


@pytest.mark.parametrize("command", DLI_ZOO)
def test_dli_zoo_help_loads_no_backend(command):
    """`python -m zoo [COMMAND] --help` (the dli-zoo console script's code) answers at once, no backend imported."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run([sys.executable, "-X", "importtime", "-m", "zoo", *command.split(), "--help"],
                               capture_output=True, text=True, timeout=120, cwd=ROOT,
                               env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "0"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    imported = {line.rsplit("|", 1)[1].strip() for line in completed.stderr.splitlines()
                if line.startswith("import time:") and "|" in line}
    assert completed.returncode == 0 and completed.stdout.startswith("usage: dli-zoo"), completed.stderr[-2000:]
    assert not BACKENDS & imported, sorted(BACKENDS & imported)
    assert not any(name.startswith(("sklearn", "gensim", "bokeh", "matplotlib")) for name in imported)
    assert cpu < CPU_SECONDS, f"{cpu:.2f} s of CPU"


def test_dli_zoo_argument_errors_are_one_line_before_any_backend_loads():
    completed = subprocess.run([sys.executable, "-X", "importtime", "-m", "zoo", "play", "cartpole_v0", "--episodes",
                                "0"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    imported = {line.rsplit("|", 1)[1].strip() for line in completed.stderr.splitlines()
                if line.startswith("import time:") and "|" in line}
    messages = [line for line in completed.stderr.splitlines() if not line.startswith("import time:")]
    assert completed.returncode == 2 and messages == ["dli-zoo play: error: argument --episodes: 0 is not a "
                                                      "positive integer"], messages
    assert not BACKENDS & imported, sorted(BACKENDS & imported)

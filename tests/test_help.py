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


@pytest.mark.parametrize("script, args", [
    ("train_cartpole_dqn.py", ["--play", "--from", "cartpole_v0", "--episodes", "5"]),
    ("train_gan.py", ["--generate", "4", "--from", "quickdraw_apple", "--iterations", "5"]),
])
def test_a_flag_that_does_not_apply_is_refused_before_any_backend_loads(script, args):
    status, _, messages, imported, _ = run(script, *args)
    assert status == 2 and len(messages) == 1 and "trains nothing" in messages[0], messages
    assert not BACKENDS & imported, sorted(BACKENDS & imported)

"""TensorFlow's C++ start-up logs: quieted by ``import zoo`` and by the scripts' loading of the
backend (``zoo.startup.load_backend``), shown with ``--verbose``."""

import os
import re
import subprocess
import sys

from conftest import ROOT, TF_LOG_LINE, script_settings

# What TensorFlow prints once its logging is set up, and so what TF_CPP_MIN_LOG_LEVEL hides:
# the cuInit error of a machine without a GPU, other errors and warnings, CPU-feature notes.
SILENCEABLE = re.compile(r"^[EWF]\d{4} |cuInit|cpu_feature_guard|To enable the following instructions")


def run_python(code, **env):
    """Run ``code`` in a fresh interpreter with the user's environment, not the test set-up's."""
    clean = {key: value for key, value in os.environ.items() if key not in ("CUDA_VISIBLE_DEVICES", "TF_CPP_MIN_LOG_LEVEL")}
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                               cwd=ROOT, env={**clean, **env})
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed


def test_importing_a_zoo_module_and_building_a_model_prints_no_tensorflow_errors():
    # build_lenet creates variables, which makes TensorFlow look for a GPU (cuInit)
    stderr = run_python("import zoo.vision; zoo.vision.build_lenet(input_shape=(8, 8, 1))").stderr
    assert [line for line in stderr.splitlines() if SILENCEABLE.search(line)] == [], stderr


def test_a_log_level_the_user_set_is_kept():
    code = "import os, sys, zoo; print(os.environ['TF_CPP_MIN_LOG_LEVEL'], 'tensorflow' in sys.modules)"
    assert run_python(code).stdout.split() == ["3", "False"]  # quiet, and `import zoo` stays light
    assert run_python(code, TF_CPP_MIN_LOG_LEVEL="1").stdout.split() == ["1", "False"]


def test_verbose_shows_the_lines_tensorflow_prints_before_any_log_setting_applies():
    # without --verbose they stay hidden: tests/test_backends.py's gpu_check run finds no "oneDNN"
    stderr = run_python("from zoo import startup; startup.load_backend(verbose=True)").stderr
    assert any(TF_LOG_LINE.match(line) for line in stderr.splitlines()), stderr


def test_verbose_reaches_the_backend_loader(monkeypatch):
    from zoo import cli, startup

    asked = []
    monkeypatch.setattr(startup, "load_backend", lambda verbose=False: asked.append(verbose) or "tensorflow")
    for argv in ([], ["--verbose"]):
        script_settings("train_regression.py", argv)
    assert asked == [False, True]

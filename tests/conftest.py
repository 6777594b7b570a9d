"""Shared test set-up: no network, quiet TensorFlow, and a runner for training scripts."""

import importlib.util
import json
import re
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

# Set before TensorFlow is imported anywhere, and inherited by script subprocesses.
os.environ["ZOO_OFFLINE"] = "1"  # loaders never try a download in tests
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"

# Every process the tests start inherits this mark, so the session's end finds any still running,
# even one whose parent is gone (a notebook kernel's ViZDoom game); each xdist worker has its own.
SESSION_MARK = "DLI_ZOO_TEST_SESSION"
os.environ[SESSION_MARK] = f"{os.getpid()}-{time.time_ns()}"


def processes_of_this_session() -> list:
    """The live processes this session started (its children, and any carrying its mark)."""
    import psutil

    mark, me = os.environ[SESSION_MARK], psutil.Process()
    found = {child.pid: child for child in me.children(recursive=True)}
    for process in psutil.process_iter():
        try:
            if process.pid != me.pid and process.environ().get(SESSION_MARK) == mark:
                found[process.pid] = process
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    alive = []
    for process in found.values():
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.NoSuchProcess:
            continue
    return alive


@pytest.fixture(scope="session", autouse=True)
def no_process_outlives_the_session():
    """At the session's end no game, kernel, worker or script it started is still running; any
    that is fails the session, and is killed (a ViZDoom game ignores SIGTERM)."""
    yield
    deadline = time.time() + 10  # one shutting down gets a moment to go
    while (left := processes_of_this_session()) and time.time() < deadline:
        time.sleep(0.2)
    described = []
    for process in left:
        try:
            described.append(f"{process.pid} {' '.join(process.cmdline())[:160]}")
            process.kill()
        except Exception:  # noqa: BLE001  (gone meanwhile)
            continue
    assert not described, "processes the tests started are still running:\n" + "\n".join(described)


def run_script(name, *args, timeout=300, env=None, check=True):
    """Run ``scripts/<name>`` in a subprocess; return (CompletedProcess, RESULT dict or None)."""
    completed = subprocess.run(
        [sys.executable, str(SCRIPTS / name), *map(str, args)],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    if check and completed.returncode != 0:
        raise AssertionError(
            f"{name} exited {completed.returncode}\n--- stdout\n{completed.stdout[-3000:]}\n--- stderr\n{completed.stderr[-3000:]}"
        )
    return completed, parse_result(completed.stdout)


BACKENDS = ("tensorflow", "jax", "torch")


def backend_installed(backend: str) -> bool:
    return importlib.util.find_spec(backend) is not None


def needs_backend(backend: str):
    """Skip a test when ``backend``'s library is not installed (PyTorch is an extra: [torch])."""
    return pytest.mark.skipif(not backend_installed(backend), reason=f"{backend} is not installed")


def backend_env(backend: str, tensorflow: bool = True) -> dict:
    """Environment for a subprocess on ``backend``; ``tensorflow=False`` hides TensorFlow from
    it, as on a GPU machine that has only JAX."""
    env = {"KERAS_BACKEND": backend}
    if not tensorflow:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "tests" / "no_tensorflow"),
                                                          os.environ.get("PYTHONPATH")]))
    return env


def run_python(code: str, backend: str = "tensorflow", tensorflow: bool = True, timeout=300, cwd=None,
               check=True, env=None) -> subprocess.CompletedProcess:
    """Run Python ``code`` in a subprocess on ``backend`` (Keras picks its backend once per process)."""
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                               cwd=cwd or ROOT, env={**os.environ, **backend_env(backend, tensorflow), **(env or {})})
    if check and completed.returncode != 0:
        raise AssertionError(f"exited {completed.returncode} on {backend}\n--- stdout\n{completed.stdout[-3000:]}"
                             f"\n--- stderr\n{completed.stderr[-3000:]}")
    return completed


def load_script(name):
    """``scripts/<name>`` as a module, so a test calls its functions in this process (no
    TensorFlow start-up each)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"{name[:-3]}_script", SCRIPTS / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def script_settings(name, argv=(), load_backend=True):
    """The settings ``scripts/<name>`` runs with for ``argv`` (its ``Settings``, parsed by ``zoo.config``)."""
    from zoo import config

    return config.parse(load_script(name).Settings, argv=list(argv), load_backend=load_backend)


TF_LOG_LINE = re.compile(r"^(WARNING: All log messages before absl|[IWEF]\d{4} |To enable the following instructions)")


def user_lines(stderr):
    """stderr without TensorFlow's C++ start-up log lines (printed before any setting applies)."""
    return [line for line in stderr.strip().splitlines() if line.strip() and not TF_LOG_LINE.match(line)]


def one_line_error(call, *fragments, error=ValueError) -> str:
    """The ``error`` that ``call()`` raises: one line holding every fragment."""
    with pytest.raises(error) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message, message
    for fragment in fragments:
        assert str(fragment) in message, message
    return message


def parse_result(stdout):
    """The JSON of the last line when it is a ``RESULT {...}`` line, else None."""
    lines = stdout.strip().splitlines()
    if lines and lines[-1].startswith("RESULT "):
        return json.loads(lines[-1][len("RESULT "):])
    return None


@pytest.fixture
def script():
    return run_script


JAX_FAST_COMPILE = {"XLA_FLAGS": "--xla_backend_optimization_level=0"}  # XLA's passes are most of JAX's time here


@pytest.fixture(scope="session")
def jax_bundled_run(tmp_path_factory):
    """One JAX process without TensorFlow for every bundled file, shared so the suite starts JAX
    and builds the models once: ``python -m zoo.pretrained verify --json`` on the bundled samples
    (its exit status and rows) and each Keras file's predictions on fixed inputs (``backend_predictions``)."""
    from zoo import pretrained

    folder = tmp_path_factory.mktemp("jax_bundled")
    entries = [[entry.model, entry.name, entry.card["verify"]["build"]] for entry in pretrained.available()
               if entry.bundled and entry.model != "word2vec"]
    code = f"""
import contextlib, io, json, sys
sys.path.insert(0, {str(ROOT / 'tests')!r})
import numpy
from zoo.pretrained.verify import main
printed = io.StringIO()
with contextlib.redirect_stdout(printed):
    try:
        main(["--json", "--quiet"])
    except SystemExit as exited:
        status = exited.code
open({str(folder / 'verify.json')!r}, "w").write(json.dumps({{"status": status, "rows": json.loads(printed.getvalue())}}))
import backend_predictions
entries = {entries!r}
try:
    numpy.savez({str(folder / 'predictions.npz')!r}, **backend_predictions.predictions(entries))
except Exception as error:  # a file that does not load: the predictions test reports it
    open({str(folder / 'predictions.error')!r}, "w").write(repr(error))
"""
    run_python(code, "jax", tensorflow=False, timeout=900, env=JAX_FAST_COMPILE)
    return folder, entries


class Ran:
    """What one in-process ``dli-zoo`` command did: exit status, stdout, stderr's lines, RESULT (or None)."""

    def __init__(self, status, out, err):
        self.status, self.out, self.err = status, out, user_lines(err)
        self.result = parse_result(out)

    def ok(self) -> dict:
        assert self.status == 0 and self.result is not None, (self.status, self.out[-2000:], self.err[-20:])
        assert sum(line.startswith("RESULT ") for line in self.out.splitlines()) == 1, self.out
        return self.result

    def refused(self, *fragments) -> str:
        """The one line of a refusal (exit status 2, nothing on stdout), holding every fragment."""
        assert self.status == 2 and self.out == "" and len(self.err) == 1, (self.status, self.out, self.err)
        assert "Traceback" not in self.err[0]
        for fragment in fragments:
            assert str(fragment) in self.err[0], self.err[0]
        return self.err[0]


@pytest.fixture
def dli_zoo(monkeypatch, capsys):
    """``dli-zoo ARGS`` in this process (``zoo.commands.main``): no interpreter or backend start-up each."""
    from zoo import cli, commands

    monkeypatch.setattr(cli.signal, "signal", lambda *_: None)  # pytest keeps its own SIGTERM handling

    def run(*args) -> Ran:
        capsys.readouterr()
        status = commands.main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return Ran(status, captured.out, captured.err)

    return run


@pytest.fixture
def here(tmp_path, monkeypatch):
    """An empty current folder, to show what a command writes into it (or that it writes nothing)."""
    folder = tmp_path / "here"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder

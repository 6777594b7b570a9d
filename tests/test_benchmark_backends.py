"""The benchmark's backends section (scripts/benchmarks/backends.py): its plumbing, with scripted
workers and the seconds they report (no real timing, no Keras model)."""

import io
import json
import sys
import textwrap

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from benchmarks import backends  # noqa: E402


class ScriptedWorker:
    """Answers ``prepare`` with the case's facts and each ``run`` with its next listed seconds."""

    def __init__(self, seconds, error=None):
        self.seconds, self.error, self.requests = list(seconds), error, []

    def ask(self, request):
        self.requests.append(request)
        if self.error:
            raise backends.WorkerError(self.error)
        if "prepare" in request:
            return {"amount": 100, "what": "LeNet epoch", "unit": "images/s", "device": "CPU"}
        return {"seconds": self.seconds.pop(0)}

    def close(self):
        self.closed = True


def test_compare_alternates_backends_and_rates_each_against_tensorflow():
    # a warm-up call each (10 s, left out), then 3 rounds; jax twice as fast, torch half as fast
    workers = {"tensorflow": ScriptedWorker([10, 1.0, 2.0, 1.0]),
               "jax": ScriptedWorker([10, 0.5, 1.0, 0.5]),
               "torch": ScriptedWorker([10, 2.0, 4.0, 2.0])}
    rows = backends.compare(workers, ["lenet"], quick=True, rounds=3, say=lambda line: None)
    assert [request for request in workers["jax"].requests if "run" in request] == [{"run": "lenet"}] * 4
    assert [row["case"] for row in rows] == ["LeNet epoch: tensorflow vs jax", "LeNet epoch: tensorflow vs torch"]
    jax, torch = rows
    assert (jax["baseline"], jax["zoo"], jax["ratio"], jax["ratio_min"], jax["ratio_max"]) == (100.0, 200.0, 2.0, 2.0, 2.0)
    assert (torch["zoo"], torch["ratio"]) == (50.0, 0.5)
    assert jax["unit"] == "images/s" and "jax on CPU" in jax["note"]


def test_compare_times_per_unit_for_iterations_and_milliseconds():
    class Timed(ScriptedWorker):
        def ask(self, request):
            answer = super().ask(request)
            return {**answer, "unit": "ms/call", "amount": 20} if "prepare" in request else answer

    workers = {"tensorflow": Timed([1, 0.02, 0.02, 0.02]), "jax": Timed([1, 0.01, 0.01, 0.01])}
    (row,) = backends.compare(workers, ["dqn"], quick=True, rounds=3, say=lambda line: None)
    assert (row["baseline"], row["zoo"], row["ratio"]) == (1.0, 0.5, 2.0)  # ms per call, jax twice as fast


def test_a_backend_that_cannot_run_a_case_gets_one_line_and_the_others_still_compare():
    said = []
    workers = {"tensorflow": ScriptedWorker([1, 1, 1, 1]), "jax": ScriptedWorker([], error="ValueError: no XLA"),
               "torch": ScriptedWorker([1, 2, 2, 2])}
    rows = backends.compare(workers, ["gan"], quick=True, rounds=3, say=said.append)
    assert said[0] == "  backends: gan cannot run on jax: ValueError: no XLA"
    assert rows[0] == {"section": "backends", "case": "gan on jax", "note": "cannot run: ValueError: no XLA"}
    assert rows[1]["case"].endswith("tensorflow vs torch") and rows[1]["ratio"] == 0.5


def test_one_backend_alone_has_nothing_to_compare():
    said = []
    rows = backends.compare({"jax": ScriptedWorker([1, 1])}, ["dqn"], quick=True, rounds=1, say=said.append)
    assert rows == [] and said == ["  backends: dqn ran on 1 backend(s), nothing to compare"]


def test_rows_names_a_backend_that_is_not_installed(monkeypatch):
    monkeypatch.setattr(backends, "installed_backends", lambda: ["tensorflow"])
    monkeypatch.setattr(backends, "Worker", lambda name: ScriptedWorker([1, 1]))
    said = []
    rows = backends.rows(True, backends=["tensorflow", "torch"], cases=["dqn"], say=said.append)
    assert rows == [{"section": "backends", "case": "all cases on torch", "note": "not installed"}]
    assert said[0] == "  backends: torch is not installed"


def test_serve_answers_prepare_and_run_and_an_error_in_one_line(monkeypatch):
    calls = []
    monkeypatch.setitem(backends.WORK, "fake", lambda quick: (lambda: calls.append(quick), 7, "fake work", "images/s"))
    requests = io.StringIO('{"prepare": "fake", "quick": true}\n{"run": "fake"}\n{"run": "missing"}\n')
    replies = io.StringIO()
    backends.serve(requests, replies)
    answers = [json.loads(line[len(backends.REPLY):]) for line in replies.getvalue().splitlines()]
    assert answers[0] == {"amount": 7, "what": "fake work", "unit": "images/s", "device": "CPU"}
    assert set(answers[1]) == {"seconds"} and answers[1]["seconds"] >= 0 and calls == [True]
    assert answers[2] == {"error": "KeyError: 'missing'"}


def test_worker_skips_library_output_and_says_why_a_worker_died(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        print("a library's chatter on stdout")
        sys.stdin.readline()
        print({backends.REPLY!r} + '{{"seconds": 0.25}}', flush=True)
        sys.stdin.readline()
        sys.exit("worker gave up: out of memory")
    """))
    worker = backends.Worker("jax", command=[sys.executable, str(script)])
    try:
        assert worker.ask({"run": "lenet"}) == {"seconds": 0.25}
        with pytest.raises(backends.WorkerError, match=r"the jax worker exited \(1\): worker gave up: out of memory"):
            worker.ask({"run": "lenet"})
    finally:
        worker.close()

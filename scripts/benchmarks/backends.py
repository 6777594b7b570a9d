"""Benchmark rows: the same work on every installed Keras backend, in one run.

Keras picks its backend once per process, so each backend gets a worker subprocess
(``KERAS_BACKEND`` set, this module run as ``python -m benchmarks.backends``) that builds the
same work on the same bundled data, seeded alike, and times one call of it on request. The
parent asks the workers in turn, in alternating rounds after an untimed warm-up call each
(``_shared.alternate``), so a busy CPU slows every backend alike; a call's seconds are those the
worker measured around the work itself, not the request's round trip. Each row compares one
backend with TensorFlow (the first backend that runs, where TensorFlow does not): each side's
median, the median of the paired ratios (above 1: that backend is faster) and their spread.

The work, as the training scripts feed it (the zoo's loaders: tf.data where TensorFlow is
installed, else ``keras.utils.PyDataset``):
- an epoch of ``fit`` for LeNet (MNIST), AlexNet (Flowers 17 at 224x224), the
  convolutional sentiment net and the bidirectional LSTM (IMDb), book hyperparameters;
- a block of GAN iterations (``GAN.fit``, the fused ``train_step``), batch 128, apples;
- a block of the DQN agent's book replay calls (32 transitions, 32 sequential updates).

Each backend runs the zoo's code as a user gets it: on TensorFlow, LeNet's dropout layers
(``zoo.layers.Dropout``) draw cheaper masks than Keras' own, which JAX and PyTorch draw; on
PyTorch's CPU the LSTMs (``zoo.layers.LSTM``) run PyTorch's own recurrence.

A backend that is not installed, or cannot run a case, gets a row saying so in one line.

    python scripts/benchmark.py --quick --only backends
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._shared import accelerator, alternate, row
from zoo.errors import one_line

BACKENDS = ("tensorflow", "jax", "torch")
CASES = ("lenet", "alexnet", "conv_sentiment", "bilstm_sentiment", "gan", "dqn")
SCRIPTS = Path(__file__).resolve().parent.parent
REPLY = "BACKENDS "  # marks the worker's replies on its stdout, which libraries may print to as well


# ---------------------------------------------------------------- the work (in a worker process)

def _lenet(quick: bool):
    from zoo import recipes
    from zoo.datasets import mnist

    n = 2048 if quick else 3968  # the bundled sample's 4,000 digits hold 31 batches of 128
    train, _ = mnist.load(flatten=False, batch_size=128, source="sample", seed=0, max_examples=n)
    model = recipes.get("lenet").build_compiled()
    return (lambda: model.fit(train, epochs=1, verbose=0)), n, "LeNet: an epoch of fit, MNIST, batch 128", "images/s"


def _alexnet(quick: bool):
    import numpy as np

    from zoo import recipes
    from zoo.datasets import flowers17, images

    batch = 8 if quick else 64
    n = batch * 4
    (x, y), _ = flowers17.load_arrays(image_size=224, source="sample", validation_split=0.1)
    x, y = np.resize(x, (n, *x.shape[1:])), np.resize(y, n)  # repeat the sample up to n photos
    train = images.pipeline(x, y, 17, batch_size=batch, training=True, seed=0)
    model = recipes.get("alexnet").build_compiled()
    what = f"AlexNet: an epoch of fit, Flowers 17 at 224x224, batch {batch}"
    return (lambda: model.fit(train, epochs=1, verbose=0)), n, what, "photos/s"


def _sentiment(arch: str, label: str, n: int):
    """An epoch of ``fit`` of an IMDb net on ``n`` of the bundled sample's reviews."""
    from zoo import recipes
    from zoo.datasets import imdb
    from zoo.sentiment import MODELS

    recipe = recipes.get(MODELS[arch])
    hyper = recipe.data
    train, _ = imdb.load(batch_size=128, num_words=hyper["n_unique_words"], skip_top=hyper["n_words_to_skip"],
                         max_review_length=hyper["max_review_length"], source="sample", max_examples=n)
    model = recipe.build_compiled(n_unique_words=hyper["n_unique_words"], max_review_length=hyper["max_review_length"])
    what = f"{label}: an epoch of fit, IMDb, {hyper['max_review_length']} tokens, batch 128"
    return (lambda: model.fit(train, epochs=1, verbose=0)), n, what, "reviews/s"


def _conv_sentiment(quick: bool):
    return _sentiment("conv", "conv sentiment net", n=1000)  # all the sample's training reviews


def _bilstm_sentiment(quick: bool):
    # a bidirectional LSTM's recurrence on PyTorch's CPU (Keras' own loop there took 13 s a batch)
    return _sentiment("bilstm", "bidirectional LSTM", n=256 if quick else 1000)


def _gan(quick: bool):
    from zoo.datasets import quickdraw
    from zoo.gan import build_gan

    steps = 4 if quick else 12
    stream, _ = quickdraw.load("apple", batch_size=128, source="sample", seed=0)
    gan = build_gan(seed=0)
    what = f"GAN: an iteration of GAN.fit (both phases), batch 128, {steps} per timed call"
    return (lambda: gan.fit(stream, epochs=1, steps_per_epoch=steps, verbose=0)), steps, what, "s/iteration"


def _dqn(quick: bool):
    import numpy as np

    from zoo.dqn import DQNAgent, build_cartpole_q_network

    rng = np.random.default_rng(0)
    batch = (rng.normal(size=(32, 4)).astype("float32"), rng.integers(0, 2, 32).astype("int32"),
             np.ones(32, "float32"), rng.normal(size=(32, 4)).astype("float32"),
             (rng.random(32) < 0.1).astype("float32"))
    agent = DQNAgent(build_cartpole_q_network(), replay="book")
    calls = 20 if quick else 100

    def block():
        for _ in range(calls):
            agent.replay_on(*batch)
    what = f"DQN: a book replay call (32 transitions, 32 sequential updates), {calls} per timed call"
    return block, calls, what, "ms/call"


WORK = {"lenet": _lenet, "alexnet": _alexnet, "conv_sentiment": _conv_sentiment,
        "bilstm_sentiment": _bilstm_sentiment, "gan": _gan, "dqn": _dqn}


def _one_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {one_line(error, first_line=True)}"


def serve(requests=sys.stdin, replies=sys.stdout) -> None:
    """The worker's loop: ``{"prepare": case, "quick": bool}`` builds a case's work and answers
    its amount, description and unit; ``{"run": case}`` does it once and answers the seconds it
    took; end of input ends the worker. An error answers one line; the worker carries on."""
    import keras

    prepared = {}

    def reply(message):
        replies.write(REPLY + json.dumps(message) + "\n")
        replies.flush()

    for line in requests:
        request = json.loads(line)
        try:
            if "prepare" in request:
                prepared.clear()  # one case at a time: free the last one's model
                keras.backend.clear_session()
                keras.utils.set_random_seed(0)
                work, amount, what, unit = WORK[request["prepare"]](request["quick"])
                prepared[request["prepare"]] = work
                reply({"amount": amount, "what": what, "unit": unit, "device": accelerator()})
            else:
                started = time.perf_counter()
                prepared[request["run"]]()
                reply({"seconds": time.perf_counter() - started})
        except Exception as error:  # the parent reports it in one line and leaves this case out
            reply({"error": _one_line(error)})


# ---------------------------------------------------------------- the parent (benchmark.py's process)

class WorkerError(RuntimeError):
    pass


class Worker:
    """One backend's worker subprocess, asked one request at a time."""

    def __init__(self, backend: str, command=None):
        self.backend = backend
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(SCRIPTS), str(SCRIPTS.parent),
                                                           os.environ.get("PYTHONPATH")]))}
        self.log = tempfile.TemporaryFile(mode="w+")  # its stderr: start-up noise, or why it died
        self.process = subprocess.Popen(command or [sys.executable, "-m", "benchmarks.backends"], env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                        text=True, bufsize=1)

    def ask(self, request: dict) -> dict:
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # it died: reading says why
        for line in self.process.stdout:
            if line.startswith(REPLY):
                answer = json.loads(line[len(REPLY):])
                if "error" in answer:
                    raise WorkerError(answer["error"])
                return answer
        raise WorkerError(f"the {self.backend} worker exited ({self.process.wait()}): {self._last_log_line()}")

    def _last_log_line(self) -> str:
        self.log.seek(0)
        lines = [line.strip() for line in self.log if line.strip()]
        return lines[-1] if lines else "no message"

    def close(self) -> None:
        if self.process.stdin and not self.process.stdin.closed:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class ReportedClock:
    """Reads the seconds the workers measured: ``alternate`` reads it around each call, and a
    call advances it by the seconds its worker reported, leaving out the request's round trip."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def installed_backends() -> list[str]:
    import importlib.util

    return [name for name in BACKENDS if importlib.util.find_spec(name) is not None]


def compare(workers: dict, cases, quick: bool, rounds: int, say=print) -> list[dict]:
    """Rows for ``cases`` timed on ``workers`` (backend name -> :class:`Worker`), alternating."""
    rows = []
    for case in cases:
        started = time.perf_counter()
        ready, devices, info = {}, {}, None
        for backend, worker in workers.items():
            try:
                answer = worker.ask({"prepare": case, "quick": quick})
                info = info or answer  # the same work everywhere: the first answer's amount and unit
                ready[backend] = worker
                devices[backend] = answer["device"]
            except WorkerError as error:
                say(f"  backends: {case} cannot run on {backend}: {error}")
                rows.append({"section": "backends", "case": f"{case} on {backend}", "note": f"cannot run: {error}"})
        if len(ready) < 2:
            say(f"  backends: {case} ran on {len(ready)} backend(s), nothing to compare")
            continue
        clock = ReportedClock()

        def side(worker, case=case, clock=clock):
            def call():
                clock.now += worker.ask({"run": case})["seconds"]
            return call
        times = alternate({backend: side(worker) for backend, worker in ready.items()}, rounds=rounds, clock=clock)
        baseline, *others = ready
        # rates (images/s) are work over seconds; times (s/iteration, ms/call) seconds over work
        shape = (dict(per="unit", scale=1000) if info["unit"].startswith("ms/") else
                 dict(per="unit") if info["unit"].startswith("s/") else {})
        for other in others:
            rows.append(row("backends", f"{info['what']}: {baseline} vs {other}", times[baseline], times[other],
                            baseline_amount=info["amount"], zoo_amount=info["amount"], unit=info["unit"],
                            note=(f"the zoo column is {other}; each backend in its own process, {baseline} on "
                                  f"{devices[baseline]}, {other} on {devices[other]}"), **shape))
        medians = ", ".join(f"{backend} {statistics.median(times[backend]):.3g} s" for backend in ready)
        say(f"  backends: {case}, a call's median: {medians} ({time.perf_counter() - started:.0f} s)")
    return rows


def rows(quick: bool, backends=None, cases=CASES, say=None) -> list[dict]:
    say = say or (lambda line: print(line, file=sys.stderr, flush=True))
    available = installed_backends()
    wanted = list(backends or BACKENDS)
    table = [{"section": "backends", "case": f"all cases on {name}", "note": "not installed"}
             for name in wanted if name not in available]
    for entry in table:
        say(f"  backends: {entry['case'].split()[-1]} is not installed")
    workers = {name: Worker(name) for name in wanted if name in available}
    try:
        return table + compare(workers, cases, quick, rounds=3 if quick else 5, say=say)
    finally:
        for worker in workers.values():
            worker.close()


if __name__ == "__main__":
    serve()

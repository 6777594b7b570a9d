"""Benchmark rows for chapter 13: the book's per-sample predict/fit against the zoo's compiled code.

Both sides run here, in one process, on the same Q-network and the same transitions:
- one replay call of 32 transitions: the book's loop (per sample: up to two ``predict``
  and one ``fit``) against the zoo's compiled ``book`` replay (the same 32 sequential
  updates) and its ``batched`` replay (one minibatch update);
- choosing one action: ``model.predict`` against the agent's compiled forward pass.

    python scripts/benchmark.py --quick --only dqn
"""

from __future__ import annotations

import statistics
import time

import numpy as np


def _seconds(function, repeats: int, warmup: int = 1) -> float:
    """Median wall time of one call, after ``warmup`` calls (tracing, caches)."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def rows(quick: bool) -> list[dict]:
    import keras

    from zoo.dqn import DQNAgent, book_replay, build_cartpole_q_network

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    batch = (rng.normal(size=(32, 4)).astype("float32"), rng.integers(0, 2, 32).astype("int32"),
             np.ones(32, "float32"), rng.normal(size=(32, 4)).astype("float32"),
             (rng.random(32) < 0.1).astype("float32"))

    book_model = build_cartpole_q_network()
    book_model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=0.001))
    book_agent = DQNAgent(build_cartpole_q_network(), replay="book")
    batched_agent = DQNAgent(build_cartpole_q_network(), replay="batched")

    book_repeats = 1 if quick else 3
    zoo_repeats = 20 if quick else 200
    # warm the book's predict/fit functions up on two transitions, then time whole calls
    book_replay(book_model, tuple(column[:2] for column in batch))
    baseline = _seconds(lambda: book_replay(book_model, batch), book_repeats, warmup=0)
    compiled_book = _seconds(lambda: book_agent.replay_on(*batch), zoo_repeats, warmup=2)
    compiled_batched = _seconds(lambda: batched_agent.replay_on(*batch), zoo_repeats * 5, warmup=2)

    state = batch[0][0]
    predict = _seconds(lambda: np.argmax(book_model.predict(state[None], verbose=0)[0]), 10 if quick else 50)
    act = _seconds(lambda: book_agent.act(state, greedy=True), 200 if quick else 2000, warmup=5)

    note = "Keras 3, CPU, same Q-network (1,282 parameters) and transitions; median of repeats"
    ms = lambda seconds: round(seconds * 1000, 3)  # noqa: E731
    return [
        {"section": "dqn", "case": "replay call, 32 transitions: book predict/fit vs compiled book replay",
         "baseline": ms(baseline), "zoo": ms(compiled_book), "unit": "ms/call",
         "ratio": round(baseline / compiled_book, 1), "note": f"same 32 sequential Adam updates; {note}"},
        {"section": "dqn", "case": "replay call, 32 transitions: book predict/fit vs batched replay",
         "baseline": ms(baseline), "zoo": ms(compiled_batched), "unit": "ms/call",
         "ratio": round(baseline / compiled_batched, 1), "note": f"one minibatch update instead of 32; {note}"},
        {"section": "dqn", "case": "choose one action: model.predict vs compiled forward pass",
         "baseline": ms(predict), "zoo": ms(act), "unit": "ms/action",
         "ratio": round(predict / act, 1), "note": note},
    ]


if __name__ == "__main__":
    for row in rows(quick=True):
        print(row)

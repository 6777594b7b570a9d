"""Benchmark rows for chapter 13: the book's per-sample predict/fit against the zoo's compiled code.

All sides run here, in one process, on the same Q-network and the same transitions:
- one replay call of 32 transitions: the book's loop (per sample: up to two ``predict``
  and one ``fit``) against the zoo's compiled ``book`` replay (the same 32 sequential
  updates: one XLA program on a CPU with TensorFlow, one ``jax.jit`` program with JAX) and
  its ``batched`` replay (one minibatch update);
- choosing one action: ``model.predict`` against the agent's compiled forward pass.

A timed call of the book's replay is one replay call (seconds); the zoo's sides are timed
over blocks of calls, so that a single sub-millisecond call is not lost in the clock's noise.

    python scripts/benchmark.py --quick --only dqn
"""

from __future__ import annotations

import numpy as np

from benchmarks._shared import alternate, row


def _repeat(function, times: int):
    def block():
        for _ in range(times):
            function()
    return block


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

    rounds = 3 if quick else 5
    block = 50 if quick else 200  # zoo replay calls per timed call
    # warm the book's predict/fit functions up on two transitions (a whole call takes seconds)
    book_replay(book_model, tuple(column[:2] for column in batch))
    for _ in range(2):  # tracing and XLA compilation
        book_agent.replay_on(*batch), batched_agent.replay_on(*batch)
    replay = alternate({"book": lambda: book_replay(book_model, batch),
                        "compiled": _repeat(lambda: book_agent.replay_on(*batch), block),
                        "batched": _repeat(lambda: batched_agent.replay_on(*batch), block)},
                       rounds=rounds, warmup=0)

    state = batch[0][0]
    predicts, acts = (10, 1000) if quick else (20, 4000)
    acting = alternate({"predict": _repeat(lambda: np.argmax(book_model.predict(state[None], verbose=0)[0]), predicts),
                        "act": _repeat(lambda: book_agent.act(state, greedy=True), acts)}, rounds=rounds)

    backend = keras.backend.backend()
    compiled = {"tensorflow": "XLA-compiled", "jax": "jax.jit-compiled", "torch": "eager PyTorch"}[backend]
    note = f"Keras 3 on {backend}, CPU, same Q-network (1,282 parameters) and transitions"
    ms = dict(unit="ms/call", per="unit", scale=1000)
    return [
        row("dqn", "replay call, 32 transitions: book predict/fit vs compiled book replay",
            replay["book"], replay["compiled"], baseline_amount=1, zoo_amount=block, **ms,
            note=f"same 32 sequential Adam updates, {compiled}; {note}; zoo timed over {block} calls"),
        row("dqn", "replay call, 32 transitions: book predict/fit vs batched replay",
            replay["book"], replay["batched"], baseline_amount=1, zoo_amount=block, **ms,
            note=f"one minibatch update instead of 32; {note}; zoo timed over {block} calls"),
        row("dqn", "choose one action: model.predict vs compiled forward pass", acting["predict"], acting["act"],
            baseline_amount=predicts, zoo_amount=acts, unit="ms/action", per="unit", scale=1000,
            note=f"{note}; timed over {predicts} and {acts} actions"),
    ]


"""DQN agent checkpoints: everything a resumed run needs comes back, and the run goes on
exactly as the uninterrupted one."""

import json
import shutil

import keras
import numpy as np
import pytest

from conftest import needs_backend, run_python
from zoo.dqn import PRESETS, DQNAgent, build_cartpole_q_network, load_checkpoint, save_checkpoint

# Small enough to run in a second, big enough for the ring to wrap and the target to lag.
SMALL = {"book": dict(memory_size=48, batch_size=6),
         "tuned": dict(memory_size=48, batch_size=6, target_update_period=4)}


def make_agent(preset, seed=3):
    keras.utils.set_random_seed(seed)
    return DQNAgent.from_preset(build_cartpole_q_network(n_dense=8), preset, seed=seed, **SMALL[preset])


def play(agent, steps, seed, keep_best_at=None):
    """Random Cart-Pole-shaped transitions, acting and training as the scripts do; the actions taken."""
    rng = np.random.default_rng(seed)
    actions = []
    for step in range(steps):
        state = rng.normal(size=4).astype("float32")
        actions.append(agent.act(state))
        agent.remember(state, actions[-1], float(rng.normal()), rng.normal(size=4).astype("float32"),
                       bool(rng.random() < 0.2))
        agent.train()
        if step == keep_best_at:
            agent.keep_if_best(12.5)
    return actions


def optimizer_state(agent):
    return [np.array(variable) for variable in agent.optimizer.variables]


def assert_same_arrays(first, second):
    assert len(first) == len(second)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


@pytest.fixture(scope="module")
def tuned_checkpoint(tmp_path_factory):
    agent = make_agent("tuned")
    play(agent, 20, seed=1, keep_best_at=15)
    folder = tmp_path_factory.mktemp("tuned") / "checkpoint"
    save_checkpoint(agent, folder)
    return folder


def copy_of(folder, tmp_path):
    return shutil.copytree(folder, tmp_path / "checkpoint")


@pytest.mark.parametrize("preset", ["book", "tuned"])
def test_loaded_agent_continues_exactly_as_the_saved_one(tmp_path, preset):
    agent = make_agent(preset)
    play(agent, 60, seed=1, keep_best_at=30)  # 60 transitions wrap the 48-slot ring
    # the state worth checking is really there: a wrapped ring, best weights behind the current ones
    assert (agent.memory.size, agent.memory.position) == (48, 12)
    assert not np.array_equal(agent.best_weights[0], agent.model.get_weights()[0])
    if preset == "tuned":
        assert agent.updates != agent.last_target_sync  # the next sync comes mid-way, not right after loading
        assert not np.array_equal(agent.target_model.get_weights()[0], agent.model.get_weights()[0])

    save_checkpoint(agent, tmp_path / "checkpoint")
    # the preset's settings as a script passes them, with another seed and the preset's starting epsilon
    loaded = load_checkpoint(tmp_path / "checkpoint", **{**PRESETS[preset], **SMALL[preset], "seed": 99})

    assert_same_arrays(loaded.model.get_weights(), agent.model.get_weights())
    assert int(loaded.optimizer.iterations) == int(agent.optimizer.iterations) > 0
    assert_same_arrays(optimizer_state(loaded), optimizer_state(agent))
    assert (loaded.epsilon, loaded.updates, loaded.last_target_sync) == (agent.epsilon, agent.updates, agent.last_target_sync)
    assert loaded.epsilon < 1.0
    assert loaded.best_score == agent.best_score == 12.5
    assert_same_arrays(loaded.best_weights, agent.best_weights)
    if preset == "tuned":
        assert_same_arrays(loaded.target_model.get_weights(), agent.target_model.get_weights())
    else:
        assert loaded.target_model is None
    for name in ("states", "actions", "rewards", "next_states", "dones"):
        np.testing.assert_array_equal(getattr(loaded.memory, name), getattr(agent.memory, name))
    assert (loaded.memory.size, loaded.memory.position) == (48, 12)
    assert loaded.rng.bit_generator.state == agent.rng.bit_generator.state
    assert loaded.memory.rng.bit_generator.state == agent.memory.rng.bit_generator.state

    # both go on with the same transitions: same exploration, same samples, same updates
    assert play(loaded, 12, seed=2) == play(agent, 12, seed=2)
    assert_same_arrays(loaded.model.get_weights(), agent.model.get_weights())
    assert_same_arrays(optimizer_state(loaded), optimizer_state(agent))
    if preset == "tuned":
        assert agent.last_target_sync > 56  # a sync happened after the checkpoint, on both
        assert_same_arrays(loaded.target_model.get_weights(), agent.target_model.get_weights())
    assert (loaded.epsilon, loaded.updates) == (agent.epsilon, agent.updates)


def test_checkpoint_without_memory_or_best_score(tmp_path):
    agent = make_agent("book")
    play(agent, 10, seed=1)
    folder = tmp_path / "checkpoint"
    save_checkpoint(agent, folder)
    save_checkpoint(agent, folder, memory=False)  # the earlier memory.npz would be stale now

    assert not (folder / "memory.npz").exists()
    state = json.loads((folder / "agent.json").read_text())  # strict JSON: -inf would not parse back
    assert state["best_score"] is None
    assert state["settings"]["memory_size"] == 48 and state["settings"]["replay"] == "book"
    loaded = load_checkpoint(folder)
    assert len(loaded.memory) == 0 and loaded.memory.position == 0
    assert loaded.best_score == -np.inf and loaded.best_weights is None
    assert loaded.updates == agent.updates > 0
    assert_same_arrays(loaded.model.get_weights(), agent.model.get_weights())


@pytest.mark.parametrize("name, value", [
    ("memory_size", 2000), ("batch_size", 32), ("replay", "book"), ("double_dqn", False), ("loss", "mse"),
    ("gamma", 0.95), ("target_update_period", None), ("optimizer", "rmsprop"), ("learning_rate", 0.001),
])
def test_a_contradicting_setting_is_refused(tuned_checkpoint, name, value):
    settings = {**PRESETS["tuned"], **SMALL["tuned"], name: value}
    with pytest.raises(ValueError) as error:
        load_checkpoint(tuned_checkpoint, **settings)
    message = str(error.value)
    recorded = {**PRESETS["tuned"], **SMALL["tuned"], "optimizer": "adam"}[name]
    assert message.startswith(f"{name}={value!r} contradicts")
    assert message.endswith(f"records {name}={recorded!r}")
    assert "\n" not in message


@pytest.mark.parametrize("damage, file_name", [
    ("truncate", "agent.keras"), ("delete", "agent.json"), ("truncate", "memory.npz"),
    ("delete", "best.weights.h5"), ("truncate", "target.weights.h5"), ("truncate", "agent.json"),
])
def test_a_damaged_checkpoint_names_the_file(tuned_checkpoint, tmp_path, damage, file_name):
    folder = copy_of(tuned_checkpoint, tmp_path)
    path = folder / file_name
    if damage == "delete":
        path.unlink()
    else:
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=rf"{file_name}") as error:
        load_checkpoint(folder)
    assert "\n" not in str(error.value)


def test_an_interrupted_save_leaves_no_loadable_mix(tuned_checkpoint, tmp_path, monkeypatch):
    folder = copy_of(tuned_checkpoint, tmp_path)
    agent = load_checkpoint(folder)
    play(agent, 3, seed=5)

    def killed(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(agent.memory, "save", killed)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(agent, folder)  # the new agent.keras is written, the memory is not
    with pytest.raises(ValueError, match="agent.json is missing"):
        load_checkpoint(folder)


RESUME_ON_BACKEND = """
import sys
import pytest
# the project's addopts name xdist's --dist, which "-p no:xdist" would refuse: one process, no workers
sys.exit(pytest.main(["tests/test_dqn_checkpoint.py", "-n", "0", "-q", "-m", "not slow and not torch",
                      "-k", "continues_exactly or without_memory"]))
"""


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["jax", pytest.param("torch", marks=[pytest.mark.torch, needs_backend("torch")])])
def test_a_checkpoint_continues_exactly_on_another_backend(backend):
    # the tests above, in a process on that backend with TensorFlow hidden (a minute: slow)
    completed = run_python(RESUME_ON_BACKEND, backend=backend, tensorflow=False, timeout=600, check=False)
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert "3 passed" in completed.stdout

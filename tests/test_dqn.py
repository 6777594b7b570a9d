"""Chapter 13: Q-networks, replay memory, the DQN agent and the Cart-Pole script."""

import json
import re
import shutil
import subprocess
import sys

import keras
import numpy as np
import pytest

from conftest import ROOT, SCRIPTS, needs_backend, run_python, run_script, user_lines
from zoo.dqn import (
    PRESETS,
    DQNAgent,
    ReplayMemory,
    book_replay,
    build_cartpole_q_network,
    build_doom_q_network,
    evaluate,
)

# pytest-xdist (--dist loadgroup): its module fixtures (the Cart-Pole runs) are made once, on one worker
pytestmark = pytest.mark.xdist_group('test_dqn')


def transitions(n, state_size=4, action_size=2, seed=0, done_every=3):
    rng = np.random.default_rng(seed)
    states = rng.normal(size=(n, state_size)).astype("float32")
    actions = rng.integers(0, action_size, n).astype("int32")
    rewards = rng.normal(size=n).astype("float32")
    next_states = rng.normal(size=(n, state_size)).astype("float32")
    dones = (np.arange(n) % done_every == 0).astype("float32")
    return states, actions, rewards, next_states, dones


# ----------------------------------------------------------------------------- networks

def test_q_networks_have_the_books_parameter_counts():
    cartpole = build_cartpole_q_network()
    assert cartpole.count_params() == 1282
    assert cartpole.output_shape == (None, 2)
    assert [layer.name for layer in cartpole.layers] == ["state", "dense_1", "dense_2", "q_values"]
    doom = build_doom_q_network()
    assert doom.count_params() == 26616
    assert doom.get_layer("flatten").output.shape[-1] == 192
    assert doom.output_shape == (None, 8)


def test_q_network_builders_and_registry():
    import zoo

    assert zoo.get("cartpole_q_network") is build_cartpole_q_network
    assert zoo.get("doom_q_network") is build_doom_q_network
    assert build_cartpole_q_network(state_size=6, action_size=3).output_shape == (None, 3)


@pytest.mark.parametrize("builder, kwargs, word", [
    (build_cartpole_q_network, {"n_dense": 0}, "n_dense"),
    (build_cartpole_q_network, {"action_size": -1}, "action_size"),
    (build_doom_q_network, {"input_shape": (10, 45, 1)}, "input_shape"),
    (build_doom_q_network, {"action_size": 0}, "action_size"),
])
def test_q_network_bad_arguments(builder, kwargs, word):
    with pytest.raises(ValueError, match=word):
        builder(**kwargs)


# ----------------------------------------------------------------------------- replay memory

def test_replay_memory_wraps_around():
    memory = ReplayMemory(5, (2,), seed=0)
    for i in range(7):
        memory.add([i, -i], i % 2, float(i), [i + 1, 0], i == 6)
    assert len(memory) == 5 and memory.position == 2
    # the two oldest (0 and 1) were overwritten by 5 and 6, in the slots they occupied
    assert memory.states[:, 0].tolist() == [5, 6, 2, 3, 4]
    assert memory.rewards.tolist() == [5, 6, 2, 3, 4]
    assert memory.dones.tolist() == [0, 1, 0, 0, 0]
    states, actions, rewards, next_states, dones = memory.sample(5)
    assert sorted(rewards.tolist()) == [2, 3, 4, 5, 6]  # distinct transitions, all of them
    np.testing.assert_array_equal(next_states[:, 0], states[:, 0] + 1)  # rows stay together


def test_replay_memory_samples_only_filled_slots():
    memory = ReplayMemory(100, (3,), seed=1)
    for i in range(1, 5):
        memory.add(np.full(3, i), 0, i, np.zeros(3), False)
    for _ in range(20):
        states, _, rewards, _, _ = memory.sample(4)
        assert sorted(rewards.tolist()) == [1, 2, 3, 4]
        assert (states != 0).all()
    with pytest.raises(ValueError, match="holds only 4"):
        memory.sample(5)


# ----------------------------------------------------------------------------- replay updates

def check_book_replay_against_predict_fit():
    """The compiled book replay makes the very updates of the book's predict/fit loop, on the
    backend Keras runs on (a subprocess calls this for JAX and PyTorch)."""
    keras.utils.set_random_seed(0)
    book_model = build_cartpole_q_network()
    zoo_model = build_cartpole_q_network()
    zoo_model.set_weights(book_model.get_weights())
    book_model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=0.001))
    agent = DQNAgent(zoo_model)  # book defaults: Adam 0.001, MSE, gamma 0.95, replay="book"
    batch = transitions(6)
    # the same optimizer state to start from: a few identical updates first
    warmup = transitions(2, seed=5)
    book_replay(book_model, warmup)
    agent.replay_on(*warmup)
    assert int(agent.optimizer.iterations) == int(book_model.optimizer.iterations) == 2

    book_replay(book_model, batch)
    agent.replay_on(*batch)
    assert int(agent.optimizer.iterations) == int(book_model.optimizer.iterations) == 8
    for book_weight, zoo_weight in zip(book_model.get_weights(), zoo_model.get_weights()):
        np.testing.assert_allclose(zoo_weight, book_weight, rtol=1e-5, atol=1e-6)


def agent_trace() -> dict:
    """Acting, fit targets, both replays, a target-network sync and Double DQN from fixed
    weights: arrays that must come out the same on every backend."""
    rng = np.random.default_rng(7)
    weights = [rng.normal(scale=0.5, size=w.shape).astype("float32")
               for w in build_cartpole_q_network(n_dense=8).get_weights()]

    def network():
        model = build_cartpole_q_network(n_dense=8)
        model.set_weights(weights)
        return model

    def flat(model):
        return np.concatenate([w.ravel() for w in model.get_weights()])

    # one batch size throughout: each new shape is another compilation
    states = transitions(8, seed=9)[0]
    book = DQNAgent(network(), seed=0)
    trace = {"q": book.q_values(states), "greedy": book.greedy_actions(states)}
    trace["book_loss"] = np.array(book.replay_on(*transitions(8, seed=10)))
    trace["book_weights"] = flat(book.model)
    tuned = DQNAgent(network(), replay="batched", target_update_period=2, double_dqn=True, loss="huber", gamma=0.9)
    tuned.replay_on(*transitions(8, seed=11))  # online and target networks now differ
    trace["double_dqn_targets"] = tuned.targets(*transitions(8, seed=12))
    trace["tuned_loss"] = np.array(tuned.replay_on(*transitions(8, seed=12)))  # the second update syncs
    trace["tuned_weights"], trace["target_weights"] = flat(tuned.model), flat(tuned.target_model)
    np.testing.assert_array_equal(trace["target_weights"], trace["tuned_weights"])  # synced after 2 updates
    assert not np.allclose(trace["book_weights"], np.concatenate([w.ravel() for w in weights]))  # it learned
    return trace


def test_compiled_book_replay_equals_the_books_predict_fit_loop():
    check_book_replay_against_predict_fit()


ON_BACKEND = """
import sys
sys.path.insert(0, "tests")
import numpy as np
from test_dqn import agent_trace, check_book_replay_against_predict_fit
check_book_replay_against_predict_fit()
np.savez({path!r}, **agent_trace())
"""


def check_backend_agrees_with_tensorflow(backend, tmp_path):
    """The book-replay check on ``backend``, TensorFlow hidden, and its trace equal to this process's."""
    assert keras.backend.backend() == "tensorflow"
    path = tmp_path / f"{backend}.npz"
    run_python(ON_BACKEND.format(path=str(path)), backend=backend, tensorflow=False)
    expected = agent_trace()
    with np.load(path) as got:
        assert sorted(got.files) == sorted(expected)
        for name, value in expected.items():
            if value.dtype.kind == "i":
                np.testing.assert_array_equal(got[name], value, err_msg=name)
            else:
                np.testing.assert_allclose(got[name], value, rtol=1e-4, atol=1e-5, err_msg=name)


def test_the_dqn_on_jax_matches_the_book_and_tensorflow(tmp_path):
    check_backend_agrees_with_tensorflow("jax", tmp_path)


@pytest.mark.torch
@needs_backend("torch")
def test_the_dqn_on_torch_matches_the_book_and_tensorflow(tmp_path):
    check_backend_agrees_with_tensorflow("torch", tmp_path)


THREADS_ON_TORCH = """
import keras, numpy as np, torch
from zoo.dqn import DQNAgent, build_cartpole_q_network, build_doom_q_network

torch.set_num_threads(2)
seen = []
for build in (build_cartpole_q_network, build_doom_q_network):
    agent = DQNAgent(build(), replay="book")
    compiled = agent._compiled
    replay = compiled.book_replay
    compiled.book_replay = lambda *batch, replay=replay: (seen.append(torch.get_num_threads()), replay(*batch))[1]
    shape = agent.state_shape
    rng = np.random.default_rng(0)
    states = rng.random((4, *shape), dtype=np.float32)
    agent.replay_on(states, np.zeros(4, "int32"), np.ones(4, "float32"), states, np.zeros(4, "float32"))
    seen.append(torch.get_num_threads())
print(seen)
"""


@pytest.mark.torch
@needs_backend("torch")
def test_on_torch_a_dense_agent_replays_on_one_thread_and_gives_the_count_back():
    """PyTorch's book replay of a dense Q-network runs on one CPU thread (its tiny matrices only
    lose to a second), the process's count restored after the call; a convolutional one keeps it."""
    completed = run_python(THREADS_ON_TORCH, backend="torch", tensorflow=False)
    assert completed.stdout.strip().splitlines()[-1] == "[1, 2, 2, 2]"


REWRITES_ON_TORCH = """
import keras, numpy as np, torch
from zoo.dqn import DQNAgent, backends, build_cartpole_q_network, build_doom_q_network

graphs = []
trace = backends.TorchAdapter._trace
backends.TorchAdapter._trace = lambda self, *args: graphs.append(trace(self, *args)) or graphs[-1]
passes = {"_flatten_foreach": backends._flatten_foreach, "_views_for_copies": backends._views_for_copies}


def transposing_network():  # a permute read through a reshape: a view of a view that cannot be one
    inputs = keras.Input((4, 3))
    hidden = keras.layers.Flatten()(keras.layers.Permute((2, 1))(inputs))
    return keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Dense(8, activation="relu")(hidden)))


def replayed(build, optimizer, rewrite):
    for name, rewrite_pass in passes.items():
        setattr(backends, name, rewrite if callable(rewrite) else rewrite_pass if rewrite else (lambda *args: None))
    graphs.clear()
    model = build()
    model.set_weights([np.random.default_rng(i).normal(scale=0.3, size=w.shape).astype("float32")
                       for i, w in enumerate(model.get_weights())])
    agent = DQNAgent(model, replay="book", optimizer=optimizer)
    rng = np.random.default_rng(0)
    states, next_states = (rng.random((6, *agent.state_shape), dtype=np.float32) for _ in range(2))
    actions = rng.integers(0, model.output_shape[-1], 6).astype("int32")
    q = agent.q_values(states)
    losses = [agent.replay_on(states, actions, np.ones(6, "float32"), next_states, np.eye(6, dtype="float32")[k])
              for k in range(3)]
    kinds = [node.kind() for graph in graphs for node in graph.graph.nodes()]
    return model.get_weights() + [q, np.array(losses)], kinds


def wrong(module, *args):  # a rewrite that changes the arithmetic: its graph must not be used
    for node in module.graph.nodes:
        if node.target is torch.ops.aten.mm.default:
            node.target = torch.ops.aten.add.Tensor
            break
    module.recompile()


for build, optimizer in ((build_cartpole_q_network, "adam"), (build_doom_q_network, "adam"),
                         (build_cartpole_q_network, "rmsprop"), (transposing_network, "adam")):
    as_recorded, recorded_kinds = replayed(build, optimizer, rewrite=False)
    rewritten, rewritten_kinds = replayed(build, optimizer, rewrite=True)
    what = (build.__name__, optimizer)
    assert any("_foreach_" in kind for kind in recorded_kinds), what
    assert not any("_foreach_" in kind for kind in rewritten_kinds), what
    copies = lambda kinds: sum(kind.endswith("_copy") for kind in kinds)
    assert copies(rewritten_kinds) < copies(recorded_kinds), what
    assert len(rewritten_kinds) < len(recorded_kinds), what
    for before, after in zip(as_recorded, rewritten, strict=True):
        assert np.array_equal(before, after), what
    guarded, guarded_kinds = replayed(build, optimizer, rewrite=wrong)
    assert guarded_kinds == recorded_kinds, what
    assert all(np.array_equal(before, after) for before, after in zip(as_recorded, guarded, strict=True)), what
print("same bits")
"""


@pytest.mark.torch
@needs_backend("torch")
def test_on_torch_the_rewritten_replay_graph_gives_the_recorded_graphs_results_bit_for_bit():
    """The two rewrites of PyTorch's recorded graphs (the optimizer's per-tensor loops on flat
    buffers, views for copies) remove operations and leave every Q-value, weight and loss bit for
    bit the same, for dense, convolutional and transposing Q-networks, Adam and RMSprop; a
    rewrite that would change a result is not used."""
    completed = run_python(REWRITES_ON_TORCH, backend="torch", tensorflow=False)
    assert completed.stdout.strip().splitlines()[-1] == "same bits"


def test_batched_targets_equal_per_sample_targets_with_frozen_weights():
    keras.utils.set_random_seed(1)
    model = build_cartpole_q_network()
    agent = DQNAgent(model, replay="batched")
    states, actions, rewards, next_states, dones = batch = transitions(32, seed=2)
    targets = agent.targets(*batch)
    for i in range(32):
        expected = model(states[i:i + 1]).numpy()[0]
        expected[actions[i]] = rewards[i] if dones[i] else rewards[i] + 0.95 * model(next_states[i:i + 1]).numpy()[0].max()
        np.testing.assert_allclose(targets[i], expected, rtol=1e-5, atol=1e-5)
    before = [w.copy() for w in model.get_weights()]
    agent.replay_on(*batch)
    assert agent.updates == 1 and int(agent.optimizer.iterations) == 1  # one minibatch step
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))


def test_batched_replay_lowers_the_loss():
    keras.utils.set_random_seed(2)
    agent = DQNAgent(build_cartpole_q_network(), replay="batched", gamma=0.0)  # fixed targets: plain regression
    batch = transitions(64, seed=3)
    losses = [agent.replay_on(*batch) for _ in range(200)]
    assert losses[-1] < 0.5 * losses[0]


def test_target_network_and_double_dqn_targets():
    keras.utils.set_random_seed(3)
    agent = DQNAgent(build_cartpole_q_network(), replay="batched", target_update_period=2, double_dqn=True,
                     gamma=0.9)
    agent.replay_on(*transitions(16, seed=4))  # online and target networks now differ
    assert agent.updates == 1
    states, actions, rewards, next_states, dones = batch = transitions(8, seed=6)
    online = agent.model.predict(next_states, verbose=0)
    frozen = agent.target_model.predict(next_states, verbose=0)
    assert not np.allclose(online, frozen)
    chosen = online.argmax(axis=1)
    expected = rewards + 0.9 * (1 - dones) * frozen[np.arange(8), chosen]
    targets = agent.targets(*batch)
    np.testing.assert_allclose(targets[np.arange(8), actions], expected, rtol=1e-5, atol=1e-5)
    agent.replay_on(*batch)  # the second update syncs the target network
    for a, b in zip(agent.model.get_weights(), agent.target_model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_agent_epsilon_decays_per_training_call_as_the_book():
    agent = DQNAgent(build_cartpole_q_network(), seed=0)
    for s, a, r, s2, d in zip(*transitions(33)):
        agent.remember(s, a, r, s2, d)
    assert agent.train() is not None  # memory (33) exceeds the batch (32)
    assert agent.epsilon == pytest.approx(0.995)
    agent.epsilon = 0.0100001
    agent.train()
    assert agent.epsilon == 0.01


def test_agent_rejects_bad_options():
    model = build_cartpole_q_network()
    with pytest.raises(ValueError, match="replay"):
        DQNAgent(model, replay="fast")
    with pytest.raises(ValueError, match="gamma"):
        DQNAgent(model, gamma=1.5)
    with pytest.raises(ValueError, match="preset"):
        DQNAgent.from_preset(model, "turbo")
    assert set(PRESETS) == {"book", "tuned"}


def test_saved_agent_reloads_and_acts_identically(tmp_path):
    keras.utils.set_random_seed(4)
    agent = DQNAgent.from_preset(build_doom_q_network(), "tuned")
    agent.replay_on(*_frames(8))
    path = agent.save(tmp_path / "agent.keras")
    again = DQNAgent.load(path)
    frames = _frames(16)[0]
    np.testing.assert_array_equal(again.greedy_actions(frames), agent.greedy_actions(frames))
    np.testing.assert_allclose(again.q_values(frames), agent.q_values(frames), rtol=1e-6)
    assert [again.act(f) for f in frames] == [agent.act(f, greedy=True) for f in frames]  # reloaded: greedy
    with pytest.raises(ValueError, match=".keras"):
        agent.save(tmp_path / "agent.h5")


def _frames(n, seed=8):
    rng = np.random.default_rng(seed)
    return (rng.random((n, 30, 45, 1), dtype=np.float32), rng.integers(0, 8, n), rng.normal(size=n),
            rng.random((n, 30, 45, 1), dtype=np.float32), np.zeros(n))


def test_evaluate_runs_episodes_in_lockstep():
    import gymnasium as gym

    agent = DQNAgent(build_cartpole_q_network())
    scores = evaluate(agent, lambda: gym.make("CartPole-v0"), 5, seed=0, parallel=3)
    assert scores.shape == (5,) and (scores >= 1).all() and (scores <= 200).all()


def test_make_gym_env_checks_the_environment():
    import warnings

    from zoo.dqn import make_gym_env

    env = make_gym_env("CartPole-v1")
    assert env.spec.max_episode_steps == 500
    env.close()
    for wrong in ("NoSuchGame-v0", "CartPole-v9"):
        with pytest.raises(ValueError, match=wrong):
            make_gym_env(wrong)
    with pytest.raises(ValueError, match="discrete actions"):
        make_gym_env("Pendulum-v1")
    # the book's v0 is out of date to gymnasium, which would print two coloured lines before any message
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make_gym_env("CartPole-v0").close()
    assert not [warning for warning in caught if issubclass(warning.category, DeprecationWarning)]


# ----------------------------------------------------------------------------- the script

CARTPOLE = ("--eval-every", 5, "--eval-episodes", 2, "--seed", 0, "--quiet")


def snapshot(folder):
    """Every file under ``folder`` with its bytes, to show that a command left it as it was."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def one_error_line(completed):
    lines = user_lines(completed.stderr)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr, completed.stderr[-2000:]
    assert len(lines) == 1 and "error: " in lines[0] and "\x1b" not in lines[0], lines
    return lines[0]


@pytest.fixture(scope="module")
def cartpole_runs(tmp_path_factory):
    """10 episodes; resumed to 20; resumed again with nothing to train, to evaluate and record afresh."""
    out = tmp_path_factory.mktemp("cartpole") / "run"
    _, first = run_script("train_cartpole_dqn.py", "--episodes", 10, *CARTPOLE, "--output-dir", out)
    after_first = snapshot(out)
    _, resumed = run_script("train_cartpole_dqn.py", "--episodes", 20, *CARTPOLE, "--output-dir", out, "--resume")
    after_resume = snapshot(out)
    _, again = run_script("train_cartpole_dqn.py", "--episodes", 20, *CARTPOLE, "--output-dir", out, "--resume",
                          "--eval-episodes", 3, "--gif")
    return out, (first, after_first), (resumed, after_resume), again


def test_cartpole_script_short_run(cartpole_runs):
    _, (result, files), _, _ = cartpole_runs
    assert result["episodes"] == 10 and result["eval_episodes"] == 2 and result["segments"] == 1
    assert 1 <= result["eval_mean_score"] <= 200
    assert result["preset"] == "book" and result["replay"] == "book"
    assert result["book"]["value"] == 199  # the recipe's reference, written by the run
    for name in ("scores.csv", "scores.png", "model.keras", "best.weights.h5", "metrics.json", "state.json",
                 "checkpoints/snapshot_00001/agent.json", "checkpoints/snapshot_00001/agent.keras",
                 "checkpoints/snapshot_00001/memory.npz",
                 "weights/weights_0010.weights.h5"):  # the last episode is checkpointed, not only every 50th
        assert name in files, name
    assert not [name for name in files if name.endswith("progress.json")]
    assert json.loads(files["metrics.json"]) == result
    assert len(files["scores.csv"].decode().strip().splitlines()) == 11
    state = json.loads(files["state.json"])
    assert state["progress"]["episodes_done"] == 10 and len(state["progress"]["scores"]) == 10
    assert state["settings"]["preset"] == "book" and state["settings"]["recipe"]["batch_size"] == 32
    # the settings that ran: the default game, and what the book's preset decides where no flag did
    assert {key: state["settings"][key] for key in ("env", "n_dense", "batch_size", "replay", "learning_rate",
                                                     "target_update_period", "train_every_step", "stop_at")} == {
        "env": "CartPole-v0", "n_dense": 32, "batch_size": 32, "replay": "book", "learning_rate": 0.001,
        "target_update_period": None, "train_every_step": False, "stop_at": None}
    assert "episodes" not in state["settings"]  # a resumed run may train on to more


def test_cartpole_script_resumes(cartpole_runs):
    out, (first, first_files), (resumed, files), _ = cartpole_runs
    assert resumed["episodes"] == 20 and resumed["segments"] == 2
    # every artifact of an uninterrupted run, rewritten with all episodes
    for name in ("scores.png", "model.keras", "best.weights.h5", "weights/weights_0010.weights.h5",
                 "weights/weights_0020.weights.h5"):
        assert name in files, name
    assert json.loads(files["metrics.json"]) == resumed
    rows = files["scores.csv"].decode().strip().splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == [str(episode) for episode in range(1, 21)]
    assert rows[:11] == first_files["scores.csv"].decode().strip().splitlines()  # the first 10 kept as they were
    # counters carry on: the memory came back full, so each of the 10 new episodes made one replay call of 32
    assert resumed["updates"] == first["updates"] + 10 * 32
    assert resumed["epsilon"] == pytest.approx(first["epsilon"] * 0.995 ** 10)
    # training time is the sum of the segments
    assert resumed["training_time_s"] >= first["training_time_s"] > 0
    progress = json.loads(files["state.json"])["progress"]
    # the agent's checkpoint is the snapshot state.json names; the one before it is gone
    assert progress["snapshot"] == "snapshot_00002" and "checkpoints/snapshot_00002/agent.json" in files
    assert not [name for name in files if name.startswith("checkpoints/snapshot_00001/")]
    assert progress["training_time_s"] == pytest.approx(resumed["training_time_s"], abs=0.02)


def test_cartpole_script_resumed_with_nothing_to_train_evaluates_and_records(cartpole_runs):
    out, _, (resumed, _), again = cartpole_runs
    assert again["episodes"] == 20 and again["updates"] == resumed["updates"] and again["segments"] == 3
    assert again["training_time_s"] == pytest.approx(resumed["training_time_s"], abs=0.02)  # not this segment's 0
    assert again["eval_episodes"] == 3  # --eval-episodes and --gif may change on --resume
    assert again["gif"] == str(out / "greedy_episode.gif") and (out / "greedy_episode.gif").is_file()
    # model.keras holds the best checked weights, as best.weights.h5 does
    kept = build_cartpole_q_network(weights=str(out / "best.weights.h5")).get_weights()
    for saved, best in zip(keras.models.load_model(out / "model.keras").get_weights(), kept, strict=True):
        np.testing.assert_array_equal(saved, best)


@pytest.mark.parametrize("flag, value, recorded", [
    ("--preset", "tuned", "book"),
    ("--env", "CartPole-v1", "CartPole-v0"),
])
def test_cartpole_script_refuses_a_resume_with_other_settings(cartpole_runs, flag, value, recorded):
    out = cartpole_runs[0]
    before = snapshot(out)
    completed, result = run_script("train_cartpole_dqn.py", "--episodes", 20, *CARTPOLE, "--output-dir", out,
                                   "--resume", flag, value, check=False)
    line = one_error_line(completed)
    assert result is None and f"{flag} \"{recorded}\"" in line and f'"{value}"' in line
    assert snapshot(out) == before


def test_cartpole_script_overwrite_keeps_the_new_runs_checkpoints(cartpole_runs, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(cartpole_runs[0], out)
    _, result = run_script("train_cartpole_dqn.py", "--episodes", 3, *CARTPOLE, "--output-dir", out, "--overwrite")
    assert result["episodes"] == 3 and result["segments"] == 1
    assert sorted(str(path.relative_to(out / "checkpoints")) for path in (out / "checkpoints").rglob("*")) == [
        "snapshot_00001", "snapshot_00001/agent.json", "snapshot_00001/agent.keras", "snapshot_00001/best.weights.h5",
        "snapshot_00001/memory.npz"]  # the agent's checkpoint only: the script writes nothing there itself
    assert sorted(path.name for path in (out / "weights").iterdir()) == ["weights_0003.weights.h5"]
    state = json.loads((out / "state.json").read_text())
    assert state["progress"]["episodes_done"] == 3 and state["segments"] == 1
    assert len((out / "scores.csv").read_text().strip().splitlines()) == 4
    assert not (out / "greedy_episode.gif").exists()  # the replaced run's files are gone
    assert sorted(path.name for path in tmp_path.iterdir()) == ["run"]  # nothing set aside left behind


@pytest.mark.parametrize("arguments, message", [
    (["--env", "NoSuchGame-v0"], "NoSuchGame-v0"),
    (["--episodes", "-3"], "--episodes"),
])
def test_cartpole_script_bad_input(tmp_path, arguments, message):
    completed, result = run_script("train_cartpole_dqn.py", *arguments, "--output-dir", tmp_path / "x", check=False)
    assert result is None and message in one_error_line(completed)
    assert not (tmp_path / "x").exists()


HELP_IMPORTS = """
import runpy, sys
sys.argv = [sys.argv[1], "--help"]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit:
    pass
print("TENSORFLOW LOADED" if "tensorflow" in sys.modules else "NO TENSORFLOW")
"""


@pytest.mark.parametrize("name, changeable", [
    ("train_cartpole_dqn.py", "--device, --episodes, --eval-episodes, --gif, --quiet, --verbose"),
    ("train_doom_dqn.py", "--device, --epochs, --gif, --quiet, --verbose"),
])
def test_dqn_script_help(name, changeable):
    completed = subprocess.run([sys.executable, "-c", HELP_IMPORTS, str(SCRIPTS / name)], capture_output=True,
                               text=True, timeout=120, cwd=ROOT)
    text = completed.stdout
    assert completed.returncode == 0 and text.rstrip().endswith("NO TENSORFLOW"), completed.stderr[-2000:]
    assert "--strategy" not in text and "--precision" not in text and "not used" not in text
    assert ("--epochs" in text) == (name == "train_doom_dqn.py")  # Cart-Pole trains in episodes
    # each option's help says its default once at most
    options = re.split(r"\n  (?=-)", text.split("options:", 1)[1])
    assert all(option.count("default") <= 1 for option in options), [o for o in options if o.count("default") > 1]
    assert "(default: None)" not in text
    assert f"only {changeable} may differ" in " ".join(text.split())

"""Chapter 13: Q-networks, replay memory, the DQN agent and the Cart-Pole script."""

import json

import keras
import numpy as np
import pytest

from zoo.dqn import (
    PRESETS,
    DQNAgent,
    ReplayMemory,
    book_replay,
    build_cartpole_q_network,
    build_doom_q_network,
    evaluate,
)


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

def test_compiled_book_replay_equals_the_books_predict_fit_loop():
    keras.utils.set_random_seed(0)
    book_model = build_cartpole_q_network()
    zoo_model = build_cartpole_q_network()
    zoo_model.set_weights(book_model.get_weights())
    book_model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=0.001))
    agent = DQNAgent(zoo_model)  # book defaults: Adam 0.001, MSE, gamma 0.95, replay="book"
    batch = transitions(10)
    # the same optimizer state to start from: a few identical updates first
    warmup = transitions(3, seed=5)
    book_replay(book_model, warmup)
    agent.replay_on(*warmup)
    assert int(agent.optimizer.iterations) == int(book_model.optimizer.iterations) == 3

    book_replay(book_model, batch)
    agent.replay_on(*batch)
    assert int(agent.optimizer.iterations) == int(book_model.optimizer.iterations) == 13
    for book_weight, zoo_weight in zip(book_model.get_weights(), zoo_model.get_weights()):
        np.testing.assert_allclose(zoo_weight, book_weight, rtol=1e-5, atol=1e-6)


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
    from zoo.dqn import make_gym_env

    env = make_gym_env("CartPole-v1")
    assert env.spec.max_episode_steps == 500
    env.close()
    with pytest.raises(ValueError, match="NoSuchGame-v0"):
        make_gym_env("NoSuchGame-v0")
    with pytest.raises(ValueError, match="discrete actions"):
        make_gym_env("Pendulum-v1")


# ----------------------------------------------------------------------------- the script

def test_cartpole_script_short_run(script, tmp_path):
    out = tmp_path / "run"
    _, result = script("train_cartpole_dqn.py", "--episodes", 6, "--eval-every", 3, "--eval-episodes", 4,
                       "--seed", 0, "--output-dir", out, "--quiet", "--record")
    assert result["episodes"] == 6 and result["eval_episodes"] == 4
    assert 1 <= result["eval_mean_score"] <= 200
    assert result["preset"] == "book" and result["replay"] == "book"
    for name in ("scores.csv", "scores.png", "model.keras", "best.weights.h5", "metrics.json", "greedy_episode.gif",
                 "checkpoints/last.keras", "checkpoints/progress.json"):
        assert (out / name).is_file(), name
    assert json.loads((out / "metrics.json").read_text()) == result
    assert len((out / "scores.csv").read_text().strip().splitlines()) == 7
    model = keras.models.load_model(out / "model.keras", compile=False)
    assert model.count_params() == 1282


@pytest.mark.parametrize("arguments, message", [
    (["--env", "NoSuchGame-v0"], "NoSuchGame-v0"),
    (["--episodes", "-3"], "--episodes"),
])
def test_cartpole_script_bad_input(script, tmp_path, arguments, message):
    completed, result = script("train_cartpole_dqn.py", *arguments, "--output-dir", tmp_path / "x", check=False)
    assert completed.returncode == 2 and result is None
    assert message in completed.stderr and "Traceback" not in completed.stderr


@pytest.mark.slow
def test_cartpole_script_resumes(script, tmp_path):
    out = tmp_path / "run"
    script("train_cartpole_dqn.py", "--episodes", 50, "--eval-every", 25, "--eval-episodes", 2, "--seed", 0,
           "--output-dir", out, "--quiet")
    _, result = script("train_cartpole_dqn.py", "--episodes", 55, "--eval-every", 25, "--eval-episodes", 2,
                       "--seed", 0, "--output-dir", out, "--quiet", "--resume")
    assert result["episodes"] == 55

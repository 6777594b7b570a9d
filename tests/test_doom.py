"""Doom with ViZDoom: scenarios, the environment wrapper, preprocessing and the script."""

import importlib.util
import json
import sys

import numpy as np
import pytest

from conftest import run_script, user_lines
from zoo import doom

needs_vizdoom = pytest.mark.skipif(importlib.util.find_spec("vizdoom") is None, reason="vizdoom is not installed")


@needs_vizdoom
def test_scenarios_resolve_by_name_and_path(tmp_path):
    bundled = doom.scenario_path("simpler_basic")
    assert bundled.name == "simpler_basic.cfg" and bundled.is_file()
    assert doom.scenario_path("simpler_basic.cfg") == bundled
    assert doom.scenario_path(str(bundled)) == bundled.resolve()
    assert "simpler_basic" in doom.scenarios() and "basic" in doom.scenarios()
    with pytest.raises(ValueError, match="no_such_level.*simpler_basic"):
        doom.scenario_path("no_such_level")
    with pytest.raises(ValueError, match="scenario="):
        doom.scenario_path(tmp_path / "missing.cfg")


def test_missing_vizdoom_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "vizdoom", None)  # import vizdoom now raises ImportError
    with pytest.raises(doom.DoomUnavailable, match="pip install vizdoom"):
        doom.make_env("simpler_basic")


def test_preprocess_makes_small_grey_frames():
    import gymnasium as gym

    class Screen(gym.Env):  # stands in for vizdoom's env, whose observations are {"screen": ...}
        observation_space = gym.spaces.Dict({"screen": gym.spaces.Box(0, 255, (240, 320, 1), np.uint8)})
        action_space = gym.spaces.Discrete(2)

    wrapper = doom.Preprocess(Screen())
    assert wrapper.observation_space.shape == (30, 45, 1)
    grey = np.full((240, 320, 1), 255, dtype=np.uint8)
    grey[:120] = 0  # top half black
    frame = wrapper.observation({"screen": grey})
    assert frame.shape == (30, 45, 1) and frame.dtype == np.float32
    assert frame[:14].max() == 0.0 and frame[16:].min() == 1.0
    rgb = np.zeros((240, 320, 3), dtype=np.uint8)
    rgb[..., 1] = 255  # pure green: luminance 0.587
    np.testing.assert_allclose(wrapper.observation({"screen": rgb}), 149 / 255, atol=1 / 255)


@needs_vizdoom
def test_environment_runs_headless_with_button_combinations():
    env = doom.make_env("simpler_basic")
    try:
        assert env.action_space.n == 8  # 2**3 combinations of move left, move right, attack
        frame, _ = env.reset(seed=0)
        assert frame.shape == (30, 45, 1) and frame.dtype == np.float32
        assert 0.0 <= frame.min() and frame.max() <= 1.0 and frame.std() > 0
        total, steps, done = 0.0, 0, False
        while not done:
            frame, reward, terminated, truncated, _ = env.step(0)  # no button: wait until the timeout
            total, steps, done = total + reward, steps + 1, terminated or truncated
        # 300 tics at -1 each, 12 tics per step
        assert truncated and steps == 25 and total == pytest.approx(-300, abs=15)
    finally:
        env.close()


def test_epsilon_schedule_follows_vizdoom_examples():
    values = [doom.epsilon_schedule(epoch, 20) for epoch in range(20)]
    assert values[:2] == [1.0, 1.0]
    assert values[7] == pytest.approx(1.0 - 5 / 10 * 0.9)
    assert values[12:] == [pytest.approx(0.1)] * 8
    assert all(a >= b for a, b in zip(values, values[1:]))


DOOM = ("--steps-per-epoch", 120, "--test-episodes", 1, "--seed", 0, "--quiet")


def snapshot(folder):
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def doom_run_sequence(tmp_path_factory, sequence):
    out = tmp_path_factory.mktemp("doom") / "run"
    runs = []
    for arguments in sequence:
        _, result = run_script("train_doom_dqn.py", *arguments, *DOOM, "--output-dir", out)
        runs.append((result, snapshot(out)))
    return out, runs


@pytest.fixture(scope="module")
def doom_short_run(tmp_path_factory):
    """One epoch."""
    return doom_run_sequence(tmp_path_factory, [["--epochs", 1]])


@pytest.fixture(scope="module")
def doom_runs(tmp_path_factory):
    """One epoch; resumed to two; then replaced by a new one-epoch run with --overwrite (a minute and
    a half: slow; the run contract's resume and overwrite are tested on the fast scripts by default)."""
    return doom_run_sequence(tmp_path_factory, [["--epochs", 1], ["--epochs", 2, "--resume"],
                                                ["--epochs", 1, "--overwrite"]])


@needs_vizdoom
def test_doom_script_short_run(doom_short_run):
    _, [(result, files), *_] = doom_short_run
    assert result["epochs"] == 1 and result["test_episodes"] == 1 and result["scenario"] == "simpler_basic"
    assert result["updates"] == 120 - 64  # one update per step once the memory exceeds a batch
    assert -500 <= result["test_mean"] <= 101
    for name in ("scores.csv", "scores.png", "model.keras", "metrics.json", "state.json",
                 "checkpoints/snapshot_00001/agent.json", "checkpoints/snapshot_00001/memory.npz",
                 "weights/epoch_001.weights.h5"):
        assert name in files, name
    assert not [name for name in files if name.endswith("progress.json")]
    header, row = files["scores.csv"].decode().strip().splitlines()
    assert "train_mean" in header and "test_max" in header and row.startswith("1,")
    state = json.loads(files["state.json"])
    assert state["progress"]["epochs_done"] == 1 and state["settings"]["recipe"]["memory_size"] == 10_000
    # the settings that ran, the scenario and frame repeat of ViZDoom's example among them
    ran = {key: state["settings"][key] for key in ("scenario", "frame_repeat", "steps_per_epoch", "test_episodes")}
    assert ran == {"scenario": "simpler_basic", "frame_repeat": 12, "steps_per_epoch": 120, "test_episodes": 1}


@needs_vizdoom
@pytest.mark.slow
def test_doom_script_resumes_with_its_replay_memory(doom_runs):
    _, [(first, first_files), (resumed, files), _] = doom_runs
    assert resumed["epochs"] == 2 and resumed["segments"] == 2
    # the memory came back with its 120 frames, so every step of epoch 2 made an update
    assert resumed["updates"] == first["updates"] + 120
    assert resumed["training_time_s"] >= first["training_time_s"] > 0
    rows = files["scores.csv"].decode().strip().splitlines()
    assert rows[:2] == first_files["scores.csv"].decode().strip().splitlines() and rows[2].startswith("2,")
    for name in ("scores.png", "model.keras", "weights/epoch_001.weights.h5", "weights/epoch_002.weights.h5"):
        assert name in files, name
    assert json.loads(files["metrics.json"]) == resumed


@needs_vizdoom
@pytest.mark.slow
def test_doom_script_overwrite_keeps_the_new_runs_checkpoints(doom_runs):
    out, [*_, (result, files)] = doom_runs
    assert result["epochs"] == 1 and result["segments"] == 1
    assert sorted(name for name in files if name.startswith(("checkpoints/", "weights/"))) == [
        "checkpoints/snapshot_00001/agent.json", "checkpoints/snapshot_00001/agent.keras",
        "checkpoints/snapshot_00001/memory.npz", "weights/epoch_001.weights.h5",
    ]  # the new run's, none of the replaced run's epoch 2
    assert json.loads(files["state.json"])["progress"]["epochs_done"] == 1
    assert len(files["scores.csv"].decode().strip().splitlines()) == 2
    assert sorted(path.name for path in out.parent.iterdir()) == ["run"]  # nothing set aside left behind


@needs_vizdoom
def test_doom_script_unknown_scenario(tmp_path):
    completed, result = run_script("train_doom_dqn.py", "--scenario", "no_such_level", "--output-dir", tmp_path / "x",
                                   check=False)
    lines = user_lines(completed.stderr)
    assert completed.returncode == 2 and result is None and "Traceback" not in completed.stderr
    assert len(lines) == 1 and lines[0].startswith("error: ") and "no_such_level" in lines[0], lines
    assert not (tmp_path / "x").exists()

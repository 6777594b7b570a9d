"""Doom with ViZDoom: scenarios, the environment wrapper, preprocessing and the script."""

import importlib.util
import sys

import numpy as np
import pytest

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


@needs_vizdoom
def test_doom_script_short_run(script, tmp_path):
    out = tmp_path / "doom"
    _, result = script("train_doom_dqn.py", "--epochs", 1, "--steps-per-epoch", 120, "--test-episodes", 1,
                       "--seed", 0, "--output-dir", out, "--quiet")
    assert result["epochs"] == 1 and result["test_episodes"] == 1 and result["scenario"] == "simpler_basic"
    assert result["updates"] == 120 - 64  # one update per step once the memory exceeds a batch
    assert -500 <= result["test_mean"] <= 101
    for name in ("scores.csv", "scores.png", "model.keras", "metrics.json", "checkpoints/last.keras",
                 "checkpoints/epoch_001.weights.h5"):
        assert (out / name).is_file(), name
    header, row = (out / "scores.csv").read_text().strip().splitlines()
    assert "train_mean" in header and "test_max" in header and row.startswith("1,")


@needs_vizdoom
def test_doom_script_unknown_scenario(script, tmp_path):
    completed, result = script("train_doom_dqn.py", "--scenario", "no_such_level", "--output-dir", tmp_path / "x",
                               check=False)
    assert completed.returncode == 2 and result is None
    assert "no_such_level" in completed.stderr and "Traceback" not in completed.stderr

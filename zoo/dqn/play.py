"""Playing a trained agent: gymnasium environments, greedy evaluation and recorded episodes."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from zoo import stopping
from zoo.common import check_positive_int
from zoo.files import atomic_path


def make_gym_env(env_id, render_mode=None):
    """A gymnasium environment with vector states and discrete actions (Cart-Pole and its kin)."""
    import gymnasium as gym

    try:
        with warnings.catch_warnings():
            # the book's CartPole-v0 is "out of date" to gymnasium, which says so in two coloured lines
            warnings.filterwarnings("ignore", category=DeprecationWarning, module="gymnasium")
            env = gym.make(env_id, render_mode=render_mode)
    except gym.error.Error as error:
        raise ValueError(f"env={env_id!r} is invalid: not a gymnasium environment here ({error})") from None
    if not isinstance(env.action_space, gym.spaces.Discrete) or len(env.observation_space.shape or ()) != 1:
        env.close()
        raise ValueError(f"env={env_id!r} is invalid: the DQN needs vector states and discrete actions "
                         f"(it has {env.observation_space} and {env.action_space})")
    return env


def evaluate(agent, make_env, episodes, seed=None, parallel=None) -> np.ndarray:
    """Greedy scores (summed environment rewards) of ``episodes`` episodes.

    Up to ``parallel`` environments (default: all) run in lockstep, so each step is one
    batched forward pass instead of one call per environment.
    """
    check_positive_int("episodes", episodes)
    width = min(parallel or episodes, episodes)
    envs = [make_env() for _ in range(width)]
    scores = []
    try:
        for first in range(0, episodes, width):
            count = min(width, episodes - first)
            states = [envs[k].reset(seed=None if seed is None else seed + first + k)[0] for k in range(count)]
            totals = np.zeros(count)
            alive = list(range(count))
            while alive:
                stopping.check()  # a training run's stop signal ends its evaluation too, between steps
                actions = agent.greedy_actions(np.stack([states[k] for k in alive]))
                still = []
                for k, action in zip(alive, actions):
                    states[k], reward, terminated, truncated, _ = envs[k].step(int(action))
                    totals[k] += reward
                    if not (terminated or truncated):
                        still.append(k)
                alive = still
            scores.extend(totals.tolist())
    finally:
        for env in envs:
            env.close()
    return np.asarray(scores)


def record_episode(agent, env, path, fps=30, max_frames=1000, seed=None) -> tuple[Path, float]:
    """Play one greedy episode in ``env`` (made with ``render_mode="rgb_array"``) and save it
    as a GIF (or MP4 when ``path`` ends so and imageio's ffmpeg plugin is installed).

    Returns the path and the episode's score.
    """
    import imageio.v3 as iio

    # off-screen rendering needs no display; without this pygame complains about XDG_RUNTIME_DIR
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    path = Path(path)
    try:
        state, _ = env.reset(seed=seed)
        frames, score, done = [env.render()], 0.0, False
        while not done and len(frames) < max_frames:
            state, reward, terminated, truncated, _ = env.step(agent.act(state, greedy=True))
            score += reward
            done = terminated or truncated
            frame = env.render()
            if frame is not None:
                frames.append(frame)
    finally:
        env.close()
    frames = [np.repeat(f, 3, axis=-1) if f.ndim == 3 and f.shape[-1] == 1 else f for f in frames if f is not None]
    with atomic_path(path) as temporary:  # keeps the ending, which tells imageio the format
        if path.suffix == ".gif":
            iio.imwrite(temporary, np.stack(frames), duration=1000 / fps, loop=0)
        else:
            iio.imwrite(temporary, np.stack(frames), fps=fps)
    return path, score

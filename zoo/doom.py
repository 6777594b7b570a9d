"""Doom with ViZDoom: the scenarios, the environment and the frame preprocessing.

ViZDoom's own learning examples (and the blog post that adapts them) play
``simpler_basic.cfg``: a monster stands somewhere along the far wall, the agent can move
left, move right and attack, and an episode ends when the monster dies (+101) or after
300 tics (-1 per tic, -5 per missed shot). Each action is one combination of the
scenario's buttons (8 for 3 buttons), held for 12 frames; the agent sees the grey screen
down-sampled to 30x45.

    from zoo import doom
    env = doom.make_env("simpler_basic")        # a gymnasium env, window hidden
    frame, _ = env.reset(seed=0)                # float32 (30, 45, 1) in [0, 1]
    env.close()                                 # the game runs in a process of its own

or ``with doom.make_env("simpler_basic") as env:``. An env never closed has its game closed when
it is garbage collected or when Python exits.

The environment is vizdoom's own gymnasium ``VizdoomEnv`` (which always hides the game
window, so no display is needed) with a ``gymnasium.ObservationWrapper`` for the frames.
"""

from __future__ import annotations

import os
import weakref
from pathlib import Path

import gymnasium as gym
import numpy as np

from zoo import recipes

FRAME_REPEAT = recipes.get("doom_q_network").frame_repeat  # frames each chosen action is held for
RESOLUTION = recipes.get("doom_q_network").resolution  # (height, width) of the frames the Q-network sees

INSTALL_HINT = "ViZDoom is not installed: install it with `pip install vizdoom` (wheels for Linux, macOS and Windows)"


class DoomUnavailable(ImportError):
    """ViZDoom cannot be imported; the message says how to install it."""


def _vizdoom():
    try:
        import vizdoom
    except ImportError as error:
        raise DoomUnavailable(f"{INSTALL_HINT} ({error})") from None
    return vizdoom


def scenarios() -> list[str]:
    """Names of the scenarios bundled with the installed vizdoom package."""
    folder = Path(_vizdoom().scenarios_path)
    return sorted(path.stem for path in folder.glob("*.cfg"))


def scenario_path(scenario) -> Path:
    """The ``.cfg`` of a bundled scenario ("simpler_basic" or "simpler_basic.cfg") or of a path."""
    path = Path(str(scenario))
    if path.suffix == ".cfg" and path.is_file():
        return path.resolve()
    folder = Path(_vizdoom().scenarios_path)
    bundled = folder / f"{path.stem if path.suffix == '.cfg' else path.name}.cfg"
    if path.parent == Path(".") and bundled.is_file():
        return bundled
    raise ValueError(f"scenario={str(scenario)!r} is invalid: expected a path to a .cfg file or one of "
                     f"vizdoom's scenarios: {', '.join(scenarios())}")


class Preprocess(gym.ObservationWrapper):
    """Grey screen, down-sampled (area-averaging) to ``resolution``, as float32 in [0, 1]."""

    def __init__(self, env, resolution=RESOLUTION):
        super().__init__(env)
        self.resolution = tuple(resolution)
        self.observation_space = gym.spaces.Box(0.0, 1.0, (*self.resolution, 1), np.float32)

    def observation(self, observation):
        from PIL import Image

        screen = observation["screen"]
        if screen.shape[-1] == 3:  # an RGB24 scenario: the luminance the example's skimage would take
            screen = screen @ np.array([0.299, 0.587, 0.114])
        image = Image.fromarray(np.asarray(screen, dtype=np.uint8).reshape(screen.shape[:2]))
        # PIL's bilinear filter widens with the scale factor when shrinking, so it averages like skimage's resize
        small = np.asarray(image.resize(self.resolution[::-1], Image.BILINEAR), dtype=np.float32)
        return (small / 255.0)[..., None]


def make_env(scenario="simpler_basic", frame_repeat=FRAME_REPEAT, resolution=RESOLUTION, render_mode=None):
    """A gymnasium environment for a ViZDoom scenario, its window hidden.

    Actions are ``Discrete``: every combination of the scenario's buttons (2**buttons).
    Observations are preprocessed frames, float32 of shape ``(*resolution, 1)``.
    """
    from zoo.common import check_positive_int  # here: it loads Keras, which a script's --help does not need

    check_positive_int("frame_repeat", frame_repeat)
    if len(tuple(resolution)) != 2 or min(resolution) < 12:
        raise ValueError(f"resolution={resolution!r} is invalid: expected (height, width), each at least 12")
    config = scenario_path(scenario)  # also checks that vizdoom imports
    from vizdoom.gymnasium_wrapper.base_gymnasium_env import VizdoomEnv

    probe = VizdoomEnv(str(config), frame_skip=frame_repeat, max_buttons_pressed=0)
    try:
        buttons = probe.num_binary_buttons
        continuous = probe.num_delta_buttons
    finally:
        probe.close()
    if continuous or not buttons:
        raise ValueError(f"scenario={str(scenario)!r} is invalid here: it has {continuous} delta (analogue) "
                         f"button(s) and {buttons} binary ones; the DQN needs binary buttons only")
    env = VizdoomEnv(str(config), frame_skip=frame_repeat, max_buttons_pressed=buttons, render_mode=render_mode)
    # ViZDoom writes its engine settings (_vizdoom.ini) into the working directory unless told otherwise
    env.unwrapped.game.set_doom_config_path(str(_config_folder() / "_vizdoom.ini"))
    wrapped = Preprocess(env, resolution)
    # the game is a process of its own that ignores SIGTERM: closed with env.close() (or ``with env:``),
    # else when the env is garbage collected, else when Python exits, so it never outlives its user
    weakref.finalize(wrapped, _close_game, env.unwrapped.game)
    return wrapped


def _close_game(game) -> None:
    try:
        game.close()  # a second close (after env.close()) does nothing
    except Exception:  # noqa: BLE001  (at exit, vizdoom's module may be half torn down)
        pass


def _config_folder() -> Path:
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dli-zoo" / "vizdoom"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def epsilon_schedule(epoch, epochs, start=1.0, end=0.1, constant_fraction=0.1, decay_fraction=0.6) -> float:
    """ViZDoom's examples: ``start`` for the first 10% of epochs, linear to ``end`` by 60%, then ``end``."""
    constant, decay = constant_fraction * epochs, decay_fraction * epochs
    if epoch < constant:
        return start
    if epoch < decay:
        return start - (epoch - constant) / (decay - constant) * (start - end)
    return end

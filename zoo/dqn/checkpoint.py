"""A DQN agent's checkpoint: everything a resumed run needs, in one folder.

    run.checkpoint(partial(save_checkpoint, agent), progress, snapshot=True)
    agent = run.restore(start=new_agent, resume=lambda folder, progress: load_checkpoint(folder, **settings))

Files: ``agent.keras`` (the Q-network and its optimizer state), ``target.weights.h5`` (with
a target network), ``best.weights.h5`` (once ``keep_if_best`` kept some), ``memory.npz``
(the replay memory) and ``agent.json`` (epsilon, update counters, best score, generator
states, settings), written last: a folder without it holds no complete checkpoint.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from zoo import saving
from zoo.dqn.agent import DQNAgent
from zoo.errors import one_line
from zoo.files import atomic_path, read_json, write_json

FORMAT = 1
# Written last: a folder without it holds no complete checkpoint.
STATE_FILE = "agent.json"
MODEL_FILE = "agent.keras"  # the Q-network with its optimizer state
TARGET_FILE = "target.weights.h5"
BEST_FILE = "best.weights.h5"
MEMORY_FILE = "memory.npz"


def save_checkpoint(agent, folder, memory=True) -> None:
    """Write everything a resumed run needs of ``agent`` into ``folder`` (created if needed).

    The files are this module's; ``memory=False`` leaves the replay memory out.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    state_file = folder / STATE_FILE
    # The older agent.json would vouch for a mix of old and new files if this save is cut short.
    state_file.unlink(missing_ok=True)
    with atomic_path(folder / MODEL_FILE) as temporary:
        agent.model.save(temporary)
    parts = {"target": agent.target_model is not None, "best": agent.best_weights is not None, "memory": memory}
    if parts["target"]:
        with atomic_path(folder / TARGET_FILE) as temporary:
            agent.target_model.save_weights(temporary)
    if parts["best"]:
        agent.save_weights(folder / BEST_FILE, agent.best_weights)
    if parts["memory"]:
        agent.memory.save(folder / MEMORY_FILE)
    # Files of an earlier checkpoint that this one lacks would only mislead.
    for part, name in (("target", TARGET_FILE), ("best", BEST_FILE), ("memory", MEMORY_FILE)):
        if not parts[part]:
            (folder / name).unlink(missing_ok=True)
    write_json(state_file, {
        "format": FORMAT,
        "settings": agent.settings(),
        "state_shape": list(agent.state_shape), "action_size": agent.action_size,
        "epsilon": agent.epsilon, "updates": agent.updates, "last_target_sync": agent.last_target_sync,
        "optimizer_iterations": int(keras.ops.convert_to_numpy(agent.optimizer.iterations)),
        # JSON has no -inf: null means no greedy evaluation has been kept yet
        "best_score": None if agent.best_weights is None or not np.isfinite(agent.best_score) else agent.best_score,
        "files": parts,
        "rng": {"agent": agent.rng.bit_generator.state, "memory": agent.memory.rng.bit_generator.state},
    })


def load_checkpoint(folder, **settings) -> DQNAgent:
    """The agent ``save_checkpoint`` wrote into ``folder``, ready to go on training (what a
    script hands ``Run.restore`` as ``resume``).

    ``settings`` are constructor arguments (typically the run's preset and overrides);
    each one the checkpoint records must agree with it, else ``ValueError``. ``epsilon``
    and ``seed`` are accepted and superseded: the checkpoint's epsilon and generator
    states carry on where the saved run stopped.
    """
    folder = Path(folder)
    state_file = folder / STATE_FILE
    state = _read_state(state_file)
    recorded = state["settings"]
    _check_settings(recorded, settings, folder)

    model_file = folder / MODEL_FILE
    if not model_file.is_file():
        raise ValueError(f"{model_file} is missing")
    try:
        model = saving.load_model(model_file, compile=True)
    except Exception as error:  # a truncated zip or h5 fails in several ways, all meaning the same
        reason = one_line(error, first_line=True)
        raise ValueError(f"{model_file} is unreadable ({type(error).__name__}: {reason})") from None
    shape, actions = list(model.input_shape[1:]), int(model.output_shape[-1])
    if shape != state["state_shape"] or actions != state["action_size"]:
        raise ValueError(f"{model_file} does not match {state_file}: its network maps states {shape} "
                         f"to {actions} actions, the checkpoint records {state['state_shape']} "
                         f"and {state['action_size']}")
    if getattr(model, "optimizer", None) is None:
        raise ValueError(f"{model_file} is invalid: it holds no optimizer state")
    iterations = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
    if iterations != state["optimizer_iterations"]:
        raise ValueError(f"{model_file} does not match {state_file}: its optimizer made {iterations} "
                         f"updates, the checkpoint records {state['optimizer_iterations']}")

    constructor = {name: value for name, value in recorded.items() if name not in ("learning_rate", "optimizer")}
    agent = DQNAgent(model, **{**constructor, **settings, "epsilon": state["epsilon"]})
    files = state["files"]
    if files["target"]:
        if agent.target_model is None:
            raise ValueError(f"{state_file} is invalid: it lists a target network but "
                             f"target_update_period is {agent.target_update_period}")
        _load_weights_file(agent.target_model, folder / TARGET_FILE)
    if files["best"]:
        current = agent.model.get_weights()
        _load_weights_file(agent.model, folder / BEST_FILE)
        agent.best_weights = agent.model.get_weights()
        agent.model.set_weights(current)
        agent.best_score = -np.inf if state["best_score"] is None else float(state["best_score"])
    if files["memory"]:
        agent.memory.restore(folder / MEMORY_FILE)
    agent.updates, agent.last_target_sync = int(state["updates"]), int(state["last_target_sync"])
    try:
        agent.rng.bit_generator.state = state["rng"]["agent"]
        agent.memory.rng.bit_generator.state = state["rng"]["memory"]
    except (TypeError, ValueError, KeyError) as error:
        raise ValueError(f"{state_file} is invalid: bad generator state ({one_line(error, first_line=True)})") from None
    return agent


def _read_state(path: Path) -> dict:
    if not path.is_file():
        raise ValueError(f"{path} is missing: no complete checkpoint there")
    state = read_json(path)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError(f"{path} is invalid: not a format-{FORMAT} DQN agent checkpoint")
    needed = ("settings", "state_shape", "action_size", "epsilon", "updates", "last_target_sync",
              "optimizer_iterations", "best_score", "files", "rng")
    missing = [key for key in needed if key not in state]
    if missing:
        raise ValueError(f"{path} is invalid: it lacks {', '.join(missing)}")
    return state


def _check_settings(recorded: dict, given: dict, folder: Path) -> None:
    """A resumed run with other settings would not be the run that was saved: refuse it."""
    for name, value in given.items():
        if name not in recorded:
            continue  # epsilon and seed are superseded; unknown names are the constructor's to refuse
        saved = recorded[name]
        if name == "optimizer":
            if isinstance(value, keras.optimizers.Optimizer):
                raise ValueError(f"optimizer={type(value).__name__} contradicts the checkpoint in {folder}: "
                                 f"it brings its own {saved} optimizer and state, pass its name or nothing")
            same = str(value).lower() == saved
        elif name == "learning_rate":
            # the optimizer keeps its rate in float32
            same = saved is None or np.float32(value) == np.float32(saved)
        elif name == "memory_dtype":
            same = np.dtype(value) == np.dtype(saved)
        elif name in ("gamma", "epsilon_decay", "epsilon_min"):
            same = float(value) == saved
        elif name == "double_dqn":
            same = bool(value) == saved
        else:
            same = value == saved
        if not same:
            raise ValueError(f"{name}={value!r} contradicts the checkpoint in {folder}, "
                             f"which records {name}={saved!r}")


def _load_weights_file(model, path: Path) -> None:
    if not path.is_file():
        raise ValueError(f"{path} is missing")
    try:
        model.load_weights(path)
    except Exception as error:  # truncated or foreign h5 files fail in several ways
        raise ValueError(f"{path} is unreadable ({type(error).__name__}: {one_line(error, first_line=True)})") from None

"""Chapter 13, deep Q-learning: Q-networks, a replay memory and the DQN agent.

    from zoo.dqn import DQNAgent, build_cartpole_q_network
    agent = DQNAgent(build_cartpole_q_network())        # the book's agent, book defaults
    action = agent.act(state)                           # epsilon-greedy, compiled forward pass
    agent.remember(state, action, reward, next_state, done)
    agent.train()                                       # the book's replay call
    agent.save_checkpoint(folder)                       # resume with DQNAgent.load_checkpoint(folder)

The book's replay call (``agent.train(batch_size)`` in its notebook) samples 32 transitions
and, for each in turn, predicts a target with the network as it is at that moment and
fits one step on that single transition: 32 sequential Adam updates. ``replay="book"`` does
exactly that inside one compiled ``tf.function``; ``replay="batched"`` does one minibatch
update per call (CleanRL style). Optional improvements (a target network, Double DQN,
Huber loss) are off by default; ``DQNAgent.from_preset(model, "tuned")`` switches on a
documented set of them.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from zoo.common import check_choice, check_input_shape, check_positive_int, load_weights
from zoo.files import atomic_path, write_json

REPLAY_MODES = ("book", "batched")
LOSSES = ("mse", "huber")
OPTIMIZERS = ("adam", "rmsprop", "sgd")


# --------------------------------------------------------------------------------------
# Q-networks
# --------------------------------------------------------------------------------------

def build_cartpole_q_network(state_size=4, action_size=2, n_dense=32, weights=None, name="cartpole_q_network"):
    """The book's Cart-Pole Q-network (chapter 13): two dense ReLU layers, linear Q-values.

    Maps a state (cart position, cart velocity, pole angle, pole angular velocity) to one
    estimated discounted return per action: 1,282 parameters at the defaults.

    Args:
        state_size: length of the state vector (4 for Cart-Pole).
        action_size: number of discrete actions (2: push left, push right).
        n_dense: units of each of the two hidden layers.
        weights: None, or a ``.weights.h5``/``.keras`` file to load.
        name: the model's name.
    """
    for argument, value in (("state_size", state_size), ("action_size", action_size), ("n_dense", n_dense)):
        check_positive_int(argument, value)

    inputs = keras.Input(shape=(state_size,), name="state")
    # two dense hidden layers:
    x = layers.Dense(n_dense, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(n_dense, activation="relu", name="dense_2")(x)
    # output layer: one linear Q-value per action
    q = layers.Dense(action_size, activation="linear", dtype="float32", name="q_values")(x)
    return load_weights(keras.Model(inputs, q, name=name), weights, "cartpole_q_network")


def build_doom_q_network(input_shape=(30, 45, 1), action_size=8, n_conv=8, n_dense=128, weights=None,
                         name="doom_q_network"):
    """The Q-network of ViZDoom's learning examples: two small convolutions and Dense 128.

    Input is a grey frame down-sampled to 30x45; output one Q-value per action (button
    combination): 26,616 parameters for 8 actions at the defaults.

    Args:
        input_shape: (height, width, channels) of the preprocessed frame; at least 12x12.
        action_size: number of discrete actions (8 combinations of simpler_basic's 3 buttons).
        n_conv: filters of each convolution.
        n_dense: units of the dense hidden layer.
        weights: None, or a ``.weights.h5``/``.keras`` file to load.
        name: the model's name.
    """
    for argument, value in (("action_size", action_size), ("n_conv", n_conv), ("n_dense", n_dense)):
        check_positive_int(argument, value)
    # the 6x6/3 convolution then the 3x3/2 one need at least 12 pixels each way
    input_shape = check_input_shape(input_shape, min_size=12, model="the Doom Q-network")

    inputs = keras.Input(shape=input_shape, name="frame")
    # two small convolutions:
    x = layers.Conv2D(n_conv, 6, strides=3, activation="relu", name="conv_1")(inputs)
    x = layers.Conv2D(n_conv, 3, strides=2, activation="relu", name="conv_2")(x)
    # dense hidden layer:
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(n_dense, activation="relu", name="dense_1")(x)
    # output layer: one linear Q-value per action
    q = layers.Dense(action_size, activation="linear", dtype="float32", name="q_values")(x)
    return load_weights(keras.Model(inputs, q, name=name), weights, "doom_q_network")


# --------------------------------------------------------------------------------------
# Replay memory
# --------------------------------------------------------------------------------------

def _first_line(error: BaseException) -> str:
    """An exception's message on one line (Keras and h5py errors run over several)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class ReplayMemory:
    """A ring buffer of transitions in preallocated NumPy arrays (no deque of tuples).

    Once ``capacity`` transitions are stored, each new one overwrites the oldest, as the
    book's ``deque(maxlen=2000)`` does. ``sample`` draws a whole batch of distinct filled
    slots at once, like the book's ``random.sample``.
    """

    def __init__(self, capacity, state_shape, state_dtype="float32", seed=None):
        self.capacity = check_positive_int("capacity", capacity)
        state_shape = tuple(np.atleast_1d(state_shape).tolist()) if not isinstance(state_shape, tuple) else state_shape
        self.states = np.zeros((capacity, *state_shape), dtype=state_dtype)
        self.next_states = np.zeros_like(self.states)
        self.actions = np.zeros(capacity, dtype=np.int32)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.dones = np.zeros(capacity, dtype=np.float32)
        self.position = 0  # the slot the next transition goes into
        self.size = 0
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        return self.size

    def add(self, state, action, reward, next_state, done):
        i = self.position
        self.states[i] = state
        self.actions[i] = action
        self.rewards[i] = reward
        self.next_states[i] = next_state
        self.dones[i] = float(done)
        self.position = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size):
        """(states, actions, rewards, next_states, dones) of ``batch_size`` distinct stored transitions."""
        check_positive_int("batch_size", batch_size)
        if batch_size > self.size:
            raise ValueError(f"batch_size={batch_size} is invalid: the memory holds only {self.size} transitions")
        index = self.rng.choice(self.size, size=batch_size, replace=False)
        return self.states[index], self.actions[index], self.rewards[index], self.next_states[index], self.dones[index]

    ARRAYS = ("states", "actions", "rewards", "next_states", "dones")

    def save(self, path) -> Path:
        """Write the stored transitions, ``size`` and ``position`` to an ``.npz`` file, atomically.

        Uncompressed: Doom's 10,000 frame pairs (about 108 MB) are written in a second.
        The sampling generator's state is not in it: the agent's checkpoint keeps that.
        """
        # Slots at and beyond ``size`` were never written (the ring only wraps once full): skip them.
        filled = slice(0, self.size)
        with atomic_path(path) as temporary, open(temporary, "wb") as handle:
            np.savez(handle, size=self.size, position=self.position,
                     **{name: getattr(self, name)[filled] for name in self.ARRAYS})
        return Path(path)

    def restore(self, path) -> None:
        """Put back the contents ``save`` wrote; they must fit this memory's capacity and shapes."""
        path = Path(path)
        if not path.is_file():
            raise ValueError(f"{path} is missing")
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in self.ARRAYS}
                size, position = int(data["size"]), int(data["position"])
        except Exception as error:  # a truncated zip fails in several ways, all meaning the same
            raise ValueError(f"{path} is unreadable ({type(error).__name__}: {_first_line(error)})") from None
        # A full ring may have wrapped anywhere; a filling one has its next slot right after the last.
        valid_position = 0 <= position < self.capacity if size == self.capacity else position == size
        if not 0 <= size <= self.capacity or not valid_position:
            raise ValueError(f"{path} is invalid: size {size} and position {position} "
                             f"do not fit a memory of capacity {self.capacity}")
        for name, array in arrays.items():
            expected = (size, *getattr(self, name).shape[1:])
            if array.shape != expected:
                raise ValueError(f"{path} is invalid: {name} has shape {array.shape}, expected {expected}")
        for name, array in arrays.items():
            slots = getattr(self, name)
            slots[:size] = array
            slots[size:] = 0
        self.size, self.position = size, position


# --------------------------------------------------------------------------------------
# The agent
# --------------------------------------------------------------------------------------

# Documented sets of options. "book" is chapter 13 as printed; "tuned" adds the standard
# fixes that make DQN stable on the 500-step CartPole-v1 (Mnih et al. 2015 target network,
# van Hasselt et al. 2016 Double DQN, Huber loss, one minibatch update per step). The
# Cart-Pole script adds, for "tuned": 64 units per hidden layer, a replay call after every
# step, timeouts bootstrapped rather than treated as failures, and a stop once a greedy
# check reaches the episode limit.
PRESETS = {
    "book": dict(gamma=0.95, epsilon=1.0, epsilon_decay=0.995, epsilon_min=0.01, learning_rate=0.001,
                 memory_size=2000, batch_size=32, replay="book", target_update_period=None,
                 double_dqn=False, loss="mse"),
    "tuned": dict(gamma=0.99, epsilon=1.0, epsilon_decay=0.999, epsilon_min=0.01, learning_rate=0.0005,
                  memory_size=50_000, batch_size=64, replay="batched", target_update_period=100,
                  double_dqn=True, loss="huber"),
}


# layers whose CPU kernels XLA compiles at least as fast as TensorFlow's own (no convolutions)
_XLA_FRIENDLY_LAYERS = (layers.InputLayer, layers.Dense, layers.Activation, layers.Dropout, layers.Flatten)


def _xla_helps(model) -> bool:
    """Whether to compile the book's replay with XLA: a dense-only network on a CPU."""
    return (not tf.config.list_logical_devices("GPU")
            and all(type(layer) in _XLA_FRIENDLY_LAYERS for layer in model.layers))


def _optimizer(optimizer, learning_rate):
    if isinstance(optimizer, keras.optimizers.Optimizer):
        return optimizer
    check_choice("optimizer", optimizer, OPTIMIZERS)
    return {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop,
            "sgd": keras.optimizers.SGD}[optimizer](learning_rate=learning_rate)


class DQNAgent:
    """The book's deep Q-learning agent, with compiled acting and replay.

    Args:
        model: a Q-network (state -> one Q-value per action), e.g. ``build_cartpole_q_network()``.
        gamma: discount factor of future rewards.
        epsilon, epsilon_decay, epsilon_min: exploration rate, multiplied by the decay after
            every replay call (as the book does) until it reaches the minimum.
        learning_rate, optimizer: "adam" (the book's), "rmsprop", "sgd", or an optimizer. A
            model that is already compiled (a reloaded checkpoint) keeps its optimizer and
            its state unless an optimizer instance is passed.
        memory_size, batch_size: replay memory capacity and transitions per replay call.
        replay: "book" (one single-transition update per sampled transition, in order) or
            "batched" (one minibatch update per call).
        target_update_period: None (targets from the network itself, as in the book) or the
            number of gradient updates between copies into a frozen target network.
        double_dqn: choose the next action with the online network and value it with the
            target network (van Hasselt et al., 2016).
        loss: "mse" (the book's) or "huber", over the whole output vector like Keras ``fit``.
        seed: seeds exploration and memory sampling.
    """

    def __init__(self, model, *, gamma=0.95, epsilon=1.0, epsilon_decay=0.995, epsilon_min=0.01,
                 learning_rate=0.001, optimizer="adam", memory_size=2000, batch_size=32, replay="book",
                 target_update_period=None, double_dqn=False, loss="mse", memory_dtype="float32", seed=None):
        self.model = model
        self.state_shape = tuple(model.input_shape[1:])
        self.action_size = int(model.output_shape[-1])
        for argument, value in (("gamma", gamma), ("epsilon", epsilon), ("epsilon_decay", epsilon_decay),
                                ("epsilon_min", epsilon_min)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise ValueError(f"{argument}={value!r} is invalid: expected a number in [0, 1]")
        self.gamma = float(gamma)
        self.epsilon = float(epsilon)
        self.epsilon_decay = float(epsilon_decay)
        self.epsilon_min = float(epsilon_min)
        self.batch_size = check_positive_int("batch_size", batch_size)
        self.replay_mode = check_choice("replay", replay, REPLAY_MODES)
        self.loss_name = check_choice("loss", loss, LOSSES)
        if target_update_period is not None:
            check_positive_int("target_update_period", target_update_period)
        self.target_update_period = target_update_period
        self.double_dqn = bool(double_dqn)
        self.memory = ReplayMemory(memory_size, self.state_shape, memory_dtype, seed=seed)
        self.rng = np.random.default_rng(None if seed is None else seed + 1)
        self.loss_fn = keras.losses.MeanSquaredError() if loss == "mse" else keras.losses.Huber()
        if getattr(model, "optimizer", None) is not None and not isinstance(optimizer, keras.optimizers.Optimizer):
            self.optimizer = model.optimizer  # a reloaded checkpoint brings its Adam moments with it
        else:
            self.optimizer = _optimizer(optimizer, learning_rate)
            # compiled only so that model.save() stores the optimizer state for --resume
            model.compile(optimizer=self.optimizer, loss=self.loss_fn)
        self.optimizer.build(model.trainable_variables)
        self.target_model = None
        if target_update_period is not None:
            self.target_model = keras.models.clone_model(model)
            self.target_model.set_weights(model.get_weights())
        self.updates = 0  # gradient updates so far
        self._last_sync = 0
        self.best_score = -np.inf
        self.best_weights = None
        self._compile_functions()

    @classmethod
    def from_preset(cls, model, preset="book", **overrides):
        """An agent with a documented set of options (``PRESETS``), any of them overridden."""
        check_choice("preset", preset, PRESETS)
        return cls(model, **{**PRESETS[preset], **overrides})

    # -- compiled pieces -----------------------------------------------------------------

    def _compile_functions(self):
        state_spec = tf.TensorSpec((None, *self.state_shape), tf.float32)
        batch = (state_spec, tf.TensorSpec((None,), tf.int32), tf.TensorSpec((None,), tf.float32),
                 state_spec, tf.TensorSpec((None,), tf.float32))
        self._forward = tf.function(lambda states: self.model(states, training=False), input_signature=[state_spec])
        self._greedy = tf.function(lambda states: tf.argmax(self.model(states, training=False), axis=-1,
                                                           output_type=tf.int32), input_signature=[state_spec])
        # Acting calls the traced graph directly: a concrete function skips tf.function's
        # per-call argument dispatch, which is most of the cost of a 1,282-parameter forward pass.
        self._forward_graph = self._forward.get_concrete_function()
        self._greedy_graph = self._greedy.get_concrete_function()
        self._targets = tf.function(self._target_values, input_signature=list(batch))
        # The book's replay is 32 tiny sequential updates: per-op dispatch is most of its cost,
        # which XLA removes by compiling the whole loop (measured 2-4x faster for the Cart-Pole
        # network on a CPU). XLA's CPU convolutions made the Doom network's replay 10x slower,
        # and the batched replay gained nothing, so only this case uses it.
        self._book_replay = tf.function(self._book_replay_graph, input_signature=list(batch),
                                        jit_compile=_xla_helps(self.model))
        self._batched_replay = tf.function(self._batched_replay_graph, input_signature=list(batch))

    def _target_values(self, states, actions, rewards, next_states, dones):
        """The targets Keras is fitted to: Q(s) with the taken action's entry replaced by
        ``r`` on terminal steps and ``r + gamma * max_a' Q(s', a')`` otherwise."""
        evaluator = self.target_model if self.target_model is not None else self.model
        q_next = evaluator(next_states, training=False)
        if self.double_dqn:
            best = tf.argmax(self.model(next_states, training=False), axis=-1, output_type=tf.int32)
            next_value = tf.gather(q_next, best, axis=1, batch_dims=1)
        else:
            next_value = tf.reduce_max(q_next, axis=-1)
        target = rewards + (1.0 - dones) * self.gamma * next_value
        q = self.model(states, training=False)
        taken = tf.one_hot(actions, self.action_size) > 0.5
        return tf.where(taken, target[:, None], q)

    def _gradient_step(self, states, target_q):
        variables = self.model.trainable_variables
        with tf.GradientTape() as tape:
            loss = self.loss_fn(target_q, self.model(states, training=True))
        self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    def _batched_replay_graph(self, states, actions, rewards, next_states, dones):
        target_q = tf.stop_gradient(self._target_values(states, actions, rewards, next_states, dones))
        return self._gradient_step(states, target_q)

    def _book_replay_graph(self, states, actions, rewards, next_states, dones):
        # One transition at a time, each target from the weights the previous step left.
        total = tf.constant(0.0)
        for i in tf.range(tf.shape(states)[0]):
            one = slice(i, i + 1)
            target_q = tf.stop_gradient(self._target_values(states[one], actions[one], rewards[one],
                                                            next_states[one], dones[one]))
            total += self._gradient_step(states[one], target_q)
        return total / tf.cast(tf.shape(states)[0], tf.float32)

    # -- acting --------------------------------------------------------------------------

    def q_values(self, states) -> np.ndarray:
        """Q-values of a batch of states (compiled forward pass, no ``predict``)."""
        return self._forward_graph(tf.constant(states, dtype=tf.float32)).numpy()

    def greedy_actions(self, states) -> np.ndarray:
        return self._greedy_graph(tf.constant(states, dtype=tf.float32)).numpy()

    def act(self, state, greedy=False) -> int:
        """Epsilon-greedy action for one state (greedy when ``greedy``)."""
        if not greedy and self.rng.random() <= self.epsilon:
            return int(self.rng.integers(self.action_size))
        return int(self._greedy_graph(tf.constant(np.asarray(state, dtype=np.float32)[None])).numpy()[0])

    # -- learning ------------------------------------------------------------------------

    def remember(self, state, action, reward, next_state, done):
        self.memory.add(state, action, reward, next_state, done)

    def targets(self, states, actions, rewards, next_states, dones) -> np.ndarray:
        """The fit targets of a batch, computed with the current (frozen) weights."""
        return self._targets(*self._as_batch(states, actions, rewards, next_states, dones)).numpy()

    @staticmethod
    def _as_batch(states, actions, rewards, next_states, dones):
        return (np.asarray(states, np.float32), np.asarray(actions, np.int32), np.asarray(rewards, np.float32),
                np.asarray(next_states, np.float32), np.asarray(dones, np.float32))

    def replay_on(self, states, actions, rewards, next_states, dones) -> float:
        """Learn from the given transitions (``replay`` mode decides how); returns the mean loss."""
        batch = self._as_batch(states, actions, rewards, next_states, dones)
        if self.replay_mode == "book":
            loss = self._book_replay(*batch)
            self.updates += len(batch[1])
        else:
            loss = self._batched_replay(*batch)
            self.updates += 1
        if self.target_model is not None and self.updates - self._last_sync >= self.target_update_period:
            self.sync_target()
        return float(loss)

    def train(self, batch_size=None, decay=True):
        """One replay call as the book's ``agent.train(batch_size)``: sample, learn, decay epsilon.

        Returns the mean loss, or None while the memory holds no more than a batch.
        """
        batch_size = batch_size or self.batch_size
        if len(self.memory) <= batch_size:
            return None
        loss = self.replay_on(*self.memory.sample(batch_size))
        if decay:
            self.decay_epsilon()
        return loss

    def decay_epsilon(self):
        if self.epsilon > self.epsilon_min:
            self.epsilon = max(self.epsilon * self.epsilon_decay, self.epsilon_min)

    def sync_target(self):
        if self.target_model is not None:
            for target, source in zip(self.target_model.weights, self.model.weights):
                target.assign(source)
        self._last_sync = self.updates

    # -- weights -------------------------------------------------------------------------

    def keep_if_best(self, score) -> bool:
        """Remember the current weights when ``score`` (a greedy evaluation) is the best so far."""
        if score > self.best_score:
            self.best_score = float(score)
            self.best_weights = [w.copy() for w in self.model.get_weights()]
            return True
        return False

    def restore_best(self):
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)

    def save(self, path) -> Path:
        """Write the Q-network as ``.keras`` (temporary name, then rename)."""
        path = Path(path)
        if not path.name.endswith(".keras"):
            raise ValueError(f"path={str(path)!r} is invalid: expected a .keras file")
        with atomic_path(path) as temporary:
            self.model.save(temporary)
        return path

    def save_weights(self, path, weights=None) -> Path:
        """Write ``weights`` (default: the current ones) as ``.weights.h5`` atomically."""
        path = Path(path)
        if not path.name.endswith(".weights.h5"):
            raise ValueError(f"path={str(path)!r} is invalid: expected a .weights.h5 file")
        current = self.model.get_weights()
        if weights is not None:
            self.model.set_weights(weights)
        try:
            with atomic_path(path) as temporary:
                self.model.save_weights(temporary)
        finally:
            self.model.set_weights(current)
        return path

    # -- checkpoints ---------------------------------------------------------------------

    CHECKPOINT_FORMAT = 1
    # Written last: a folder without it holds no complete checkpoint.
    STATE_FILE = "agent.json"
    MODEL_FILE = "agent.keras"  # the Q-network with its optimizer state
    TARGET_FILE = "target.weights.h5"
    BEST_FILE = "best.weights.h5"
    MEMORY_FILE = "memory.npz"

    def settings(self) -> dict:
        """The constructor arguments this agent was built with, as JSON values."""
        learning_rate = getattr(self.optimizer, "learning_rate", None)
        try:
            # the optimizer holds float32: its shortest spelling reads 0.0005, not 0.0005000000237
            learning_rate = float(str(np.float32(learning_rate)))
        except (TypeError, ValueError):  # a schedule: nothing simple to compare a resumed run with
            learning_rate = None
        return {"gamma": self.gamma, "epsilon_decay": self.epsilon_decay, "epsilon_min": self.epsilon_min,
                "learning_rate": learning_rate, "optimizer": type(self.optimizer).__name__.lower(),
                "memory_size": self.memory.capacity, "batch_size": self.batch_size, "replay": self.replay_mode,
                "target_update_period": self.target_update_period, "double_dqn": self.double_dqn,
                "loss": self.loss_name, "memory_dtype": self.memory.states.dtype.name}

    def save_checkpoint(self, folder, memory=True) -> None:
        """Write everything a resumed run needs into ``folder`` (created if needed).

        Files: ``agent.keras`` (Q-network and optimizer state), ``target.weights.h5`` (with
        a target network), ``best.weights.h5`` (once ``keep_if_best`` kept some),
        ``memory.npz`` (the replay memory, unless ``memory=False``) and ``agent.json``
        (epsilon, update counters, best score, generator states, settings), written last.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        state_file = folder / self.STATE_FILE
        # The older agent.json would vouch for a mix of old and new files if this save is cut short.
        state_file.unlink(missing_ok=True)
        with atomic_path(folder / self.MODEL_FILE) as temporary:
            self.model.save(temporary)
        parts = {"target": self.target_model is not None, "best": self.best_weights is not None, "memory": memory}
        if parts["target"]:
            with atomic_path(folder / self.TARGET_FILE) as temporary:
                self.target_model.save_weights(temporary)
        if parts["best"]:
            self.save_weights(folder / self.BEST_FILE, self.best_weights)
        if parts["memory"]:
            self.memory.save(folder / self.MEMORY_FILE)
        # Files of an earlier checkpoint that this one lacks would only mislead.
        for part, name in (("target", self.TARGET_FILE), ("best", self.BEST_FILE), ("memory", self.MEMORY_FILE)):
            if not parts[part]:
                (folder / name).unlink(missing_ok=True)
        write_json(state_file, {
            "format": self.CHECKPOINT_FORMAT,
            "settings": self.settings(),
            "state_shape": list(self.state_shape), "action_size": self.action_size,
            "epsilon": self.epsilon, "updates": self.updates, "last_target_sync": self._last_sync,
            "optimizer_iterations": int(keras.ops.convert_to_numpy(self.optimizer.iterations)),
            # JSON has no -inf: null means no greedy evaluation has been kept yet
            "best_score": None if self.best_weights is None or not np.isfinite(self.best_score) else self.best_score,
            "files": parts,
            "rng": {"agent": self.rng.bit_generator.state, "memory": self.memory.rng.bit_generator.state},
        })

    @classmethod
    def load_checkpoint(cls, folder, **settings) -> DQNAgent:
        """The agent ``save_checkpoint`` wrote into ``folder``, ready to go on training.

        ``settings`` are constructor arguments (typically the run's preset and overrides);
        each one the checkpoint records must agree with it, else ``ValueError``. ``epsilon``
        and ``seed`` are accepted and superseded: the checkpoint's epsilon and generator
        states carry on where the saved run stopped.
        """
        folder = Path(folder)
        state_file = folder / cls.STATE_FILE
        state = cls._read_state(state_file)
        recorded = state["settings"]
        cls._check_settings(recorded, settings, folder)

        model_file = folder / cls.MODEL_FILE
        if not model_file.is_file():
            raise ValueError(f"{model_file} is missing")
        try:
            model = keras.models.load_model(model_file, compile=True)
        except Exception as error:  # a truncated zip or h5 fails in several ways, all meaning the same
            raise ValueError(f"{model_file} is unreadable ({type(error).__name__}: {_first_line(error)})") from None
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
        agent = cls(model, **{**constructor, **settings, "epsilon": state["epsilon"]})
        files = state["files"]
        if files["target"]:
            if agent.target_model is None:
                raise ValueError(f"{state_file} is invalid: it lists a target network but "
                                 f"target_update_period is {agent.target_update_period}")
            agent._load_weights_file(agent.target_model, folder / cls.TARGET_FILE)
        if files["best"]:
            current = agent.model.get_weights()
            agent._load_weights_file(agent.model, folder / cls.BEST_FILE)
            agent.best_weights = agent.model.get_weights()
            agent.model.set_weights(current)
            agent.best_score = -np.inf if state["best_score"] is None else float(state["best_score"])
        if files["memory"]:
            agent.memory.restore(folder / cls.MEMORY_FILE)
        agent.updates, agent._last_sync = int(state["updates"]), int(state["last_target_sync"])
        try:
            agent.rng.bit_generator.state = state["rng"]["agent"]
            agent.memory.rng.bit_generator.state = state["rng"]["memory"]
        except (TypeError, ValueError, KeyError) as error:
            raise ValueError(f"{state_file} is invalid: bad generator state ({_first_line(error)})") from None
        return agent

    @classmethod
    def _read_state(cls, path: Path) -> dict:
        if not path.is_file():
            raise ValueError(f"{path} is missing: no complete checkpoint there")
        try:
            state = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(f"{path} is unreadable ({_first_line(error)})") from None
        if not isinstance(state, dict) or state.get("format") != cls.CHECKPOINT_FORMAT:
            raise ValueError(f"{path} is invalid: not a format-{cls.CHECKPOINT_FORMAT} DQN agent checkpoint")
        needed = ("settings", "state_shape", "action_size", "epsilon", "updates", "last_target_sync",
                  "optimizer_iterations", "best_score", "files", "rng")
        missing = [key for key in needed if key not in state]
        if missing:
            raise ValueError(f"{path} is invalid: it lacks {', '.join(missing)}")
        return state

    @staticmethod
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

    @staticmethod
    def _load_weights_file(model, path: Path) -> None:
        if not path.is_file():
            raise ValueError(f"{path} is missing")
        try:
            model.load_weights(path)
        except Exception as error:  # truncated or foreign h5 files fail in several ways
            raise ValueError(f"{path} is unreadable ({type(error).__name__}: {_first_line(error)})") from None

    @classmethod
    def load(cls, path, compile=False, **kwargs):
        """An agent around a saved ``.keras`` Q-network; greedy (epsilon at its minimum) unless told.

        With ``compile=True`` the saved optimizer state comes back too (to resume training).
        """
        path = Path(path)
        if not path.is_file():
            raise ValueError(f"path={str(path)!r} is invalid: no such .keras file")
        model = keras.models.load_model(path, compile=compile)
        kwargs.setdefault("epsilon", kwargs.get("epsilon_min", 0.0))
        kwargs.setdefault("epsilon_min", kwargs["epsilon"])
        return cls(model, **kwargs)


def book_replay(model, batch, gamma: float = 0.95) -> None:
    """The book's ``agent.train()``: per-sample ``predict`` and ``fit``, verbatim but for Keras 3
    names. The reference that ``DQNAgent``'s compiled ``book`` replay is tested and benchmarked
    against; ``batch`` is (states, actions, rewards, next_states, dones)."""
    for state, action, reward, next_state, done in zip(*batch):
        state, next_state = state[None], next_state[None]
        target = reward
        if not done:
            target = reward + gamma * np.amax(model.predict(next_state, verbose=0)[0])
        target_f = model.predict(state, verbose=0)
        target_f[0][action] = target
        model.fit(state, target_f, epochs=1, verbose=0)


# --------------------------------------------------------------------------------------
# Environments, evaluation and recording
# --------------------------------------------------------------------------------------

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

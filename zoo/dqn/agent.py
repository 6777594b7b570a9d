"""The DQN agent: epsilon-greedy acting, a replay memory and compiled replay updates.

The book's replay call (``agent.train(batch_size)`` in its notebook) samples 32 transitions
and, for each in turn, predicts a target with the network as it is at that moment and
fits one step on that single transition: 32 sequential updates. ``replay="book"`` does
exactly that in one compiled call; ``replay="batched"`` does one minibatch update per call
(CleanRL style). Optional improvements (a target network, Double DQN, Huber loss) are off
by default; ``DQNAgent.from_preset(model, "tuned")`` switches on a documented set of them.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import keras
import numpy as np

from zoo import recipes, saving
from zoo.common import check_choice, check_positive_int
from zoo.dqn.learning import CompiledQLearning, as_batch
from zoo.dqn.memory import ReplayMemory
from zoo.files import atomic_path

REPLAY_MODES = ("book", "batched")
LOSSES = ("mse", "huber")
OPTIMIZERS = ("adam", "rmsprop", "sgd")

# The agent's options of Cart-Pole's presets ("book": chapter 13 as printed; "tuned": the
# standard fixes for the 500-step CartPole-v1); every setting is in zoo.recipes.
PRESETS = {name: preset.agent_options() for name, preset in recipes.get("cartpole_q_network").presets.items()}


# layers of a dense Q-network, whose matrices are tiny (Cart-Pole's: 4 by 24 by 24 by 2)
_DENSE_LAYERS = (keras.layers.InputLayer, keras.layers.Dense, keras.layers.Activation, keras.layers.Dropout,
                 keras.layers.Flatten)


@contextlib.contextmanager
def _one_torch_thread():
    """PyTorch on one CPU thread for the span of a call, its own count restored after (the rest of
    the process, a convolutional net among it, keeps it). A dense Q-network's tiny matrices gain
    nothing from a second thread but its synchronisation: PyTorch's book replay of the Cart-Pole
    network ran 4-28x faster on one (docs/benchmarks.md); switching costs microseconds."""
    import torch

    previous = torch.get_num_threads()
    if previous == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _call_scope(model):
    """What the agent's compiled calls run in: one PyTorch thread for a dense network on the CPU."""
    if keras.backend.backend() != "torch" or not all(type(layer) in _DENSE_LAYERS for layer in model.layers):
        return contextlib.nullcontext
    import torch

    on_cpu = all(str(variable.value.device) == "cpu" for variable in model.trainable_variables)
    return _one_torch_thread if on_cpu else contextlib.nullcontext


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
        self.last_target_sync = 0
        self.best_score = -np.inf
        self.best_weights = None
        self._compiled = CompiledQLearning(model, self.target_model, self.optimizer, self.loss_fn, self.gamma,
                                           self.double_dqn)
        self._scope = _call_scope(model)

    @classmethod
    def from_preset(cls, model, preset="book", **overrides):
        """An agent with a documented set of options (``PRESETS``: Cart-Pole's presets in
        ``zoo.recipes``), any of them overridden."""
        check_choice("preset", preset, PRESETS)
        return cls(model, **{**PRESETS[preset], **overrides})

    # -- acting --------------------------------------------------------------------------

    def q_values(self, states) -> np.ndarray:
        """Q-values of a batch of states (compiled forward pass, no ``predict``)."""
        with self._scope():
            return self._compiled.q_values(np.asarray(states, np.float32))

    def greedy_actions(self, states) -> np.ndarray:
        with self._scope():
            return self._compiled.greedy_actions(np.asarray(states, np.float32))

    def act(self, state, greedy=False) -> int:
        """Epsilon-greedy action for one state (greedy when ``greedy``)."""
        if not greedy and self.rng.random() <= self.epsilon:
            return int(self.rng.integers(self.action_size))
        return int(self.greedy_actions(np.asarray(state, np.float32)[None])[0])

    # -- learning ------------------------------------------------------------------------

    def remember(self, state, action, reward, next_state, done):
        self.memory.add(state, action, reward, next_state, done)

    def targets(self, states, actions, rewards, next_states, dones) -> np.ndarray:
        """The fit targets of a batch, computed with the current (frozen) weights."""
        with self._scope():
            return self._compiled.targets(*as_batch(states, actions, rewards, next_states, dones))

    def replay_on(self, states, actions, rewards, next_states, dones) -> float:
        """Learn from the given transitions (``replay`` mode decides how); returns the mean loss."""
        batch = as_batch(states, actions, rewards, next_states, dones)
        with self._scope():
            loss = (self._compiled.book_replay if self.replay_mode == "book" else self._compiled.batched_replay)(*batch)
        self.updates += len(batch[1]) if self.replay_mode == "book" else 1
        if self.target_model is not None and self.updates - self.last_target_sync >= self.target_update_period:
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
                target.assign(source.value)
        self.last_target_sync = self.updates

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

    @classmethod
    def load(cls, path, compile=False, **kwargs):
        """An agent around a saved ``.keras`` Q-network; greedy (epsilon at its minimum) unless told.

        With ``compile=True`` the saved optimizer state comes back too (to resume training).
        """
        path = Path(path)
        if not path.is_file():
            raise ValueError(f"path={str(path)!r} is invalid: no such .keras file")
        model = saving.load_model(path, compile=compile)
        kwargs.setdefault("epsilon", kwargs.get("epsilon_min", 0.0))
        kwargs.setdefault("epsilon_min", kwargs["epsilon"])
        return cls(model, **kwargs)

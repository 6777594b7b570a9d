"""The book's settings and figures, per model: compile and fit settings, parameter counts,
data settings and the result the book reports.

Builders stay free of training choices; a script (or a user) takes them from here:

    recipe = recipes.get("lenet")
    model.compile(**recipe.compile_kwargs())
    model.fit(..., epochs=recipe.epochs, batch_size=recipe.batch_size)

The deep Q-learning agents have an ``AgentRecipe`` instead (environment, training length,
evaluation). ``docs/book_reference.md`` is this module as a table (``zoo.book_reference``);
regenerate it with ``python -m zoo.book_reference --write docs/book_reference.md``.

Importing this module loads neither Keras nor TensorFlow: optimizers are made on demand.
The recipes are plain data and import no model module, not even inside a function; the
models read their settings from here (``zoo.gan`` its optimisers, ``zoo.doom`` its frames).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    import keras


@dataclass(frozen=True)
class Reference:
    """What the book reported, for the README table and every run's RESULT line."""

    metric: str  # e.g. "val_accuracy", "roc_auc"
    value: float | None
    note: str = ""


def _counts(model: str, parameters) -> dict:
    """A count, or counts by network: an int is the count of the recipe's own model."""
    return {model: parameters} if isinstance(parameters, int) else dict(parameters)


@dataclass(frozen=True)
class Recipe:
    model: str  # name in zoo's registry
    loss: object
    optimizer: Callable[[], keras.optimizers.Optimizer]
    epochs: int
    batch_size: int
    metrics: tuple = ("accuracy",)
    monitor: str = "val_accuracy"  # what picks the best checkpoint
    mode: str = "max"
    reference: Reference = field(default_factory=lambda: Reference("val_accuracy", None))
    notes: str = ""
    data: dict = field(default_factory=dict)  # the book's data settings, where a model has its own
    chapter: int | None = None
    # The parameter counts of the networks built with their defaults, by name in zoo's registry
    # (an int: the recipe's own model); trainable ones only where some are frozen.
    parameters: dict = field(default_factory=dict)
    trainable_parameters: dict = field(default_factory=dict)
    # "book": the totals the book's notebooks print in their model.summary(); "zoo": the book
    # prints none, so the count is the zoo's own rebuild of the book's code
    counted_by: str = "book"

    def __post_init__(self):
        object.__setattr__(self, "parameters", _counts(self.model, self.parameters))
        object.__setattr__(self, "trainable_parameters", _counts(self.model, self.trainable_parameters))

    def compile_kwargs(self) -> dict:
        """Fresh compile arguments (a new optimizer each call, so it can be made in a strategy scope)."""
        return {"optimizer": self.optimizer(), "loss": self.loss, "metrics": list(self.metrics)}

    def build_compiled(self, **builder_kwargs) -> keras.Model:
        """The zoo's builder for this model, compiled with the book's settings."""
        import zoo

        model = zoo.get(self.model)(**builder_kwargs)
        model.compile(**self.compile_kwargs())
        return model


@dataclass(frozen=True)
class AgentPreset:
    """One documented way to train an agent: every setting of its agent and its training loop.

    The agent's settings are ``DQNAgent`` keyword arguments (``agent_options()``); the loop's
    say when the script replays, what counts as an episode's end and when it stops.
    """

    # training:
    episodes: int  # training episodes
    n_dense: int  # units of each hidden layer of the Q-network
    parameters: int  # the Q-network's parameter count at that width
    # agent:
    gamma: float = 0.95  # discount factor of future rewards
    epsilon: float = 1.0  # exploration rate at the start
    epsilon_decay: float = 0.995  # exploration multiplied by this after every replay call
    epsilon_min: float = 0.01
    learning_rate: float = 0.001  # Adam's
    memory_size: int = 2000  # replay memory capacity
    batch_size: int = 32  # transitions per replay call
    replay: str = "book"  # one update per sampled transition ("book") or per minibatch ("batched")
    target_update_period: int | None = None  # updates between target-network syncs (None: no target network)
    double_dqn: bool = False
    loss: str = "mse"
    # the loop:
    train_every_step: bool = False  # a replay call after every step (else one after each episode)
    timeout_is_terminal: bool = True  # learn an episode's time limit as a failure (else bootstrap through it)
    stop_at_episode_limit: bool = False  # stop once a greedy check scores the episode's step limit

    AGENT_OPTIONS = ("gamma", "epsilon", "epsilon_decay", "epsilon_min", "learning_rate", "memory_size",
                     "batch_size", "replay", "target_update_period", "double_dqn", "loss")

    def agent_options(self) -> dict:
        """``DQNAgent`` keyword arguments."""
        return {name: getattr(self, name) for name in self.AGENT_OPTIONS}

    def loop_settings(self) -> dict:
        return {"train_every_step": self.train_every_step, "timeout_is_terminal": self.timeout_is_terminal,
                "stop_at_episode_limit": self.stop_at_episode_limit}


@dataclass(frozen=True)
class AgentRecipe:
    """A deep Q-learning agent's settings: its game, its training, its evaluation, the book's result.

    Settings that do not apply to an agent are None (Cart-Pole trains for a preset's number
    of episodes, Doom for epochs of learning steps).
    """

    model: str  # the Q-network's name in zoo's registry
    # environment:
    env: str  # a gymnasium id, or a ViZDoom scenario
    terminal_reward: float | None = None  # replaces the reward of an episode's last step (None: kept)
    frame_repeat: int | None = None  # frames each chosen action is held for (ViZDoom)
    resolution: tuple | None = None  # (height, width) of the grey frames the Q-network sees (ViZDoom)
    # agent: DQNAgent keyword arguments every run takes (with presets: on top of the preset's)
    agent: dict = field(default_factory=dict)
    presets: dict = field(default_factory=dict)  # preset name -> AgentPreset; the first is the book's
    # training:
    epochs: int | None = None
    steps_per_epoch: int | None = None  # learning steps per epoch, one minibatch update each
    checkpoint_every: int | None = None  # episodes between saved weights (None: after every epoch)
    # evaluation (greedy, no exploration):
    eval_every: int | None = None  # episodes between checks that keep the best weights
    check_episodes: int | None = None  # episodes per check
    eval_episodes: int | None = None  # episodes scored at the end, with the best weights
    test_episodes: int | None = None  # episodes scored after every epoch
    target_score: float | None = None  # a greedy mean that counts as having learned the game
    monitor: str = "eval_mean_score"  # what picks the best weights
    mode: str = "max"
    reference: Reference = field(default_factory=lambda: Reference("score", None))
    notes: str = ""
    chapter: int | None = None  # None: beyond the book
    parameters: dict = field(default_factory=dict)  # as Recipe's: the Q-network at the builder's defaults
    counted_by: str = "zoo"  # as Recipe's: the book prints no summary of its Q-network

    def __post_init__(self):
        object.__setattr__(self, "parameters", _counts(self.model, self.parameters))

    def agent_options(self, preset: str | None = None) -> dict:
        """``DQNAgent`` keyword arguments: a preset's (default: the book's) and this recipe's own."""
        if not self.presets:
            if preset is not None:
                raise ValueError(f"{self.model} has no presets; got preset={preset!r}")
            return dict(self.agent)
        preset = next(iter(self.presets)) if preset is None else preset
        if preset not in self.presets:
            raise ValueError(f"preset={preset!r} is invalid: expected one of {list(self.presets)}")
        return {**self.presets[preset].agent_options(), **self.agent}

    @property
    def batch_size(self) -> int | None:
        """Transitions per replay call, with the book's preset (as ``Recipe.batch_size`` for scripts)."""
        return self.agent_options().get("batch_size")


def _sgd(learning_rate):
    def make():
        import keras

        return keras.optimizers.SGD(learning_rate=learning_rate)

    return make


def _adam(learning_rate=0.001):
    def make():
        import keras

        return keras.optimizers.Adam(learning_rate=learning_rate)

    return make


def _keras2_rmsprop(learning_rate, decay, clipvalue=1.0):
    """Keras 2's ``RMSprop(lr, decay, clipvalue)`` in Keras 3, which has no ``decay``: Keras 2
    divided the learning rate by (1 + decay * iterations), which is exactly
    ``InverseTimeDecay(lr, decay_steps=1, decay)``."""
    def make():
        import keras

        schedule = keras.optimizers.schedules.InverseTimeDecay(learning_rate, decay_steps=1, decay_rate=decay)
        return keras.optimizers.RMSprop(learning_rate=schedule, clipvalue=clipvalue)

    return make


# chapter 12: the GAN's two optimisers; the discriminator's is also its recipe's optimizer
GAN_DISCRIMINATOR_OPTIMIZER = _keras2_rmsprop(0.0008, decay=6e-8)
GAN_ADVERSARIAL_OPTIMIZER = _keras2_rmsprop(0.0004, decay=3e-8)


RECIPES = {
    # chapters 5, 8, 9: dense networks on MNIST
    "shallow_net": Recipe(
        "shallow_net", "mean_squared_error", _sgd(0.01), epochs=200, batch_size=128,
        reference=Reference("val_accuracy", 0.856, "notebook after 200 epochs; 10.1% after epoch 1"),
        chapter=5, parameters=50_890,
    ),
    "intermediate_net": Recipe(
        "intermediate_net", "categorical_crossentropy", _sgd(0.1), epochs=20, batch_size=128,
        reference=Reference("val_accuracy", 0.976, "plateau; 92.34% after epoch 1"),
        chapter=8, parameters=55_050,
    ),
    "deep_net": Recipe(
        "deep_net", "categorical_crossentropy", _adam(), epochs=20, batch_size=128,
        reference=Reference("val_accuracy", 0.9787, "at epoch 15"),
        chapter=9, parameters=59_978,
    ),
    "regression_net": Recipe(
        "regression_net", "mean_squared_error", _adam(), epochs=32, batch_size=8,
        metrics=(), monitor="val_loss", mode="min",
        reference=Reference("val_loss", None, "the book shows no final figure"),
        chapter=9, parameters=1_185,
    ),
    # chapter 10: machine vision
    "lenet": Recipe(
        "lenet", "categorical_crossentropy", _adam(), epochs=10, batch_size=128,
        reference=Reference("val_accuracy", 0.9927, "at epoch 9"),
        chapter=10, parameters=1_199_882,
    ),
    "alexnet": Recipe(
        "alexnet", "categorical_crossentropy", _adam(), epochs=100, batch_size=64,
        reference=Reference("val_accuracy", None, "21.9 million parameters; the notebook shows no converged figure"),
        notes="Oxford Flowers 17 at 224x224, validation split 0.1, shuffled",
        chapter=10, parameters=21_883_153,
    ),
    "vggnet": Recipe(
        "vggnet", "categorical_crossentropy", _adam(), epochs=250, batch_size=64,
        reference=Reference("val_accuracy", None, "none converged in the notebook"),
        notes="Oxford Flowers 17 at 224x224, validation split 0.1",
        chapter=10, parameters=33_672_785,
    ),
    "vgg19_transfer": Recipe(
        "vgg19_transfer", "categorical_crossentropy", _adam(), epochs=16, batch_size=32,
        reference=Reference("val_accuracy", 0.812, "book; DLTFpT's TF2 notebook: 80.2%"),
        notes="15 steps per epoch, 15 validation steps; images rescaled by 1/255, augmented",
        # VGG19's ImageNet convolutions (20,024,384) stay frozen: only the new top trains
        chapter=10, parameters=20_074_562, trainable_parameters=50_178, counted_by="zoo",
    ),
    # chapter 11: sentiment classifiers. Binary cross-entropy and Adam, batch 128, judged by the
    # ROC AUC of the validation reviews. The best epoch is the one with the lowest val_loss, as
    # in the book's notebooks (they reload the epoch whose validation loss was lowest); the loss
    # is a smooth, proper score, while Keras' streaming AUC is a 200-threshold approximation, so
    # the exact ROC AUC is computed once, with scikit-learn, on the reloaded best epoch.
    **{
        name: Recipe(
            name, "binary_crossentropy", _adam(), epochs=epochs, batch_size=128,
            metrics=("accuracy", "auc"), monitor="val_loss", mode="min",
            reference=Reference("roc_auc", auc, f"validation ROC AUC after {epochs} epochs (val. accuracy {accuracy})"),
            # each notebook's vector-space embedding: vocabulary, most frequent words dropped,
            # tokens kept per review (padded and truncated at the start)
            data=dict(n_unique_words=words, n_words_to_skip=skip, max_review_length=length,
                      padding="pre", truncating="pre"),
            chapter=11, parameters=parameters,
        )
        # parameters as the book's notebooks print them (the GRU's is Keras 2's, reset_after=False)
        for name, epochs, auc, accuracy, words, skip, length, parameters in (
            ("dense_sentiment", 4, 0.9285, "84.5%", 5000, 50, 100, 729_729),
            ("conv_sentiment", 4, 0.9612, "89.6%", 5000, 0, 400, 435_457),
            ("rnn_sentiment", 16, 0.8494, "77.6%", 10000, 0, 100, 722_433),
            ("lstm_sentiment", 4, 0.9276, "84.8%", 10000, 0, 100, 968_961),
            ("bilstm_sentiment", 6, 0.9347, "86.5%", 10000, 0, 200, 1_297_921),
            ("stacked_bilstm_sentiment", 4, 0.9487, "87.8%", 10000, 0, 200, 804_993),
            ("conv_lstm_sentiment", 4, 0.9446, "87.1%", 10000, 0, 200, 718_529),
            ("gru_sentiment", 4, 0.9301, "84.9%", 10000, 0, 100, 886_785),
            ("multi_convnet_sentiment", 4, 0.9618, "89.4%", 5000, 0, 400, 681_601),
        )
    },
    # chapter 12: GAN; an epoch is 100 iterations (scripts/train_gan.py --sample-interval)
    "gan": Recipe(
        "gan", "binary_crossentropy", GAN_DISCRIMINATOR_OPTIMIZER,
        epochs=20, batch_size=128, metrics=(), monitor="a_loss", mode="min",
        reference=Reference("a_loss", None, "the book shows apple grids after 2,000 iterations, no figure"),
        notes="Quick, Draw! apples; the optimizer is the discriminator's (the adversarial network's is "
              "zoo.gan.adversarial_optimizer()); best.keras is the epoch whose generator fooled the discriminator most",
        chapter=12, parameters={"discriminator": 4_311_553, "generator": 183_713},
    ),
    # chapter 13: a deep Q-learning agent balances the pole (the book's cartpole_dqn notebook)
    "cartpole_q_network": AgentRecipe(
        "cartpole_q_network",
        # environment:
        env="CartPole-v0",  # the book's game: 200-step episodes
        terminal_reward=-10,  # the book's penalty on the step that ends an episode
        # agent and loop: the book's options, or a target network, Double DQN, Huber loss and one
        # minibatch update per step for the 500-step CartPole-v1
        presets={
            "book": AgentPreset(episodes=1000, n_dense=32, parameters=1_282),
            # twice the width for v1; a timeout is not a failure; stop once a greedy check plays a whole episode
            "tuned": AgentPreset(episodes=600, n_dense=64, parameters=4_610, gamma=0.99, epsilon_decay=0.999,
                                 learning_rate=0.0005, memory_size=50_000, batch_size=64, replay="batched",
                                 target_update_period=100, double_dqn=True, loss="huber", train_every_step=True,
                                 timeout_is_terminal=False, stop_at_episode_limit=True),
        },
        # training:
        checkpoint_every=50,  # episodes, as the book saves its weights
        # evaluation: the book warns the agent is flaky late in training, so keep the best weights
        eval_every=10, check_episodes=10, eval_episodes=100,
        monitor="eval_mean_score",
        notes="book: one replay call after each episode; tuned: one minibatch update per step, "
              "stopping once a greedy check reaches the episode limit",
        reference=Reference("score", 199, "the book's final 10 training episodes all scored the maximum, "
                                          "199 counted from 0 (200 here)"),
        chapter=13, parameters=1_282,
    ),
    # beyond the book: ViZDoom's learning examples
    "doom_q_network": AgentRecipe(
        "doom_q_network",
        # environment:
        env="simpler_basic",  # a ViZDoom scenario
        frame_repeat=12, resolution=(30, 45),
        # agent: ViZDoom's TensorFlow example; epsilon follows zoo.doom.epsilon_schedule per epoch,
        # so the agent's own per-update decay is off
        agent=dict(gamma=0.99, learning_rate=0.00025, optimizer="rmsprop", memory_size=10_000, batch_size=64,
                   replay="batched", epsilon_decay=1.0, epsilon_min=0.0),
        # training:
        epochs=20, steps_per_epoch=2000,
        # evaluation:
        test_episodes=100, target_score=70,
        monitor="test_mean",
        notes="epsilon is set each epoch by zoo.doom.epsilon_schedule",
        reference=Reference("test_mean", None,
                            "beyond the book; the adapted blog post reports convergence in under 20 minutes"),
        parameters=26_616,
    ),
}


def get(name: str) -> Recipe | AgentRecipe:
    if name not in RECIPES:
        raise ValueError(f"no recipe for {name!r}; expected one of {sorted(RECIPES)}")
    return RECIPES[name]

"""The book's compile and fit settings and its reported result, per model.

Builders stay free of training choices; a script (or a user) takes them from here:

    recipe = recipes.get("lenet")
    model.compile(**recipe.compile_kwargs())
    model.fit(..., epochs=recipe.epochs, batch_size=recipe.batch_size)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import keras


@dataclass(frozen=True)
class Reference:
    """What the book reported, for the README table and every run's RESULT line."""

    metric: str  # e.g. "val_accuracy", "roc_auc"
    value: float | None
    note: str = ""


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

    def compile_kwargs(self) -> dict:
        """Fresh compile arguments (a new optimizer each call, so it can be made in a strategy scope)."""
        return {"optimizer": self.optimizer(), "loss": self.loss, "metrics": list(self.metrics)}

    def build_compiled(self, **builder_kwargs) -> keras.Model:
        """The zoo's builder for this model, compiled with the book's settings."""
        import zoo

        model = zoo.get(self.model)(**builder_kwargs)
        model.compile(**self.compile_kwargs())
        return model


def _sgd(learning_rate):
    return lambda: keras.optimizers.SGD(learning_rate=learning_rate)


def _adam(learning_rate=0.001):
    return lambda: keras.optimizers.Adam(learning_rate=learning_rate)


RECIPES = {
    # chapters 5, 8, 9: dense networks on MNIST
    "shallow_net": Recipe(
        "shallow_net", "mean_squared_error", _sgd(0.01), epochs=200, batch_size=128,
        reference=Reference("val_accuracy", 0.856, "notebook after 200 epochs; 10.1% after epoch 1"),
    ),
    "intermediate_net": Recipe(
        "intermediate_net", "categorical_crossentropy", _sgd(0.1), epochs=20, batch_size=128,
        reference=Reference("val_accuracy", 0.976, "plateau; 92.34% after epoch 1"),
    ),
    "deep_net": Recipe(
        "deep_net", "categorical_crossentropy", _adam(), epochs=20, batch_size=128,
        reference=Reference("val_accuracy", 0.9787, "at epoch 15"),
    ),
    "regression_net": Recipe(
        "regression_net", "mean_squared_error", _adam(), epochs=32, batch_size=8,
        metrics=(), monitor="val_loss", mode="min",
        reference=Reference("val_loss", None, "the book shows no final figure"),
    ),
    # chapter 10: machine vision
    "lenet": Recipe(
        "lenet", "categorical_crossentropy", _adam(), epochs=10, batch_size=128,
        reference=Reference("val_accuracy", 0.9927, "at epoch 9"),
    ),
    # chapter 10: AlexNet, VGGNet, VGG19 transfer (issue 4)
    "alexnet": Recipe(
        "alexnet", "categorical_crossentropy", _adam(), epochs=100, batch_size=64,
        reference=Reference("val_accuracy", None, "21.9 million parameters; the notebook shows no converged figure"),
        notes="Oxford Flowers 17 at 224x224, validation split 0.1, shuffled",
    ),
    "vggnet": Recipe(
        "vggnet", "categorical_crossentropy", _adam(), epochs=250, batch_size=64,
        reference=Reference("val_accuracy", None, "none converged in the notebook"),
        notes="Oxford Flowers 17 at 224x224, validation split 0.1",
    ),
    "vgg19_transfer": Recipe(
        "vgg19_transfer", "categorical_crossentropy", _adam(), epochs=16, batch_size=32,
        reference=Reference("val_accuracy", 0.812, "book; DLTFpT's TF2 notebook: 80.2%"),
        notes="15 steps per epoch, 15 validation steps; images rescaled by 1/255, augmented",
    ),
    # chapter 11: sentiment classifiers (issue 5). Binary cross-entropy and Adam, batch 128, judged
    # by the ROC AUC of the validation reviews. The best epoch is the one with the lowest val_loss,
    # as in the book's notebooks (they reload the epoch whose validation loss was lowest); the loss
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
        )
        for name, epochs, auc, accuracy, words, skip, length in (
            ("dense_sentiment", 4, 0.9285, "84.5%", 5000, 50, 100),
            ("conv_sentiment", 4, 0.9612, "89.6%", 5000, 0, 400),
            ("rnn_sentiment", 16, 0.8494, "77.6%", 10000, 0, 100),
            ("lstm_sentiment", 4, 0.9276, "84.8%", 10000, 0, 100),
            ("bilstm_sentiment", 6, 0.9347, "86.5%", 10000, 0, 200),
            ("stacked_bilstm_sentiment", 4, 0.9487, "87.8%", 10000, 0, 200),
            ("conv_lstm_sentiment", 4, 0.9446, "87.1%", 10000, 0, 200),
            ("gru_sentiment", 4, 0.9301, "84.9%", 10000, 0, 100),
            ("multi_convnet_sentiment", 4, 0.9618, "89.4%", 5000, 0, 400),
        )
    },
    # chapter 12: GAN (issue 6); an epoch is 100 iterations (scripts/train_gan.py --sample-interval)
    "gan": Recipe(
        "gan", "binary_crossentropy",
        lambda: keras.optimizers.RMSprop(  # the discriminator's; the adversarial one is in zoo.gan
            learning_rate=keras.optimizers.schedules.InverseTimeDecay(0.0008, 1, 6e-8), clipvalue=1.0),
        epochs=20, batch_size=128, metrics=(), monitor="a_loss", mode="min",
        reference=Reference("a_loss", None, "the book shows apple grids after 2,000 iterations, no figure"),
        notes="Quick, Draw! apples; best.keras is the epoch whose generator fooled the discriminator most",
    ),
    # chapter 13 and Doom: deep Q-networks (issue 7)
}


def get(name: str) -> Recipe:
    if name not in RECIPES:
        raise ValueError(f"no recipe for {name!r}; expected one of {sorted(RECIPES)}")
    return RECIPES[name]

"""Train the book's regression net on Boston housing prices (chapter 9).

    python scripts/train_regression.py               # the book's 32 epochs, batch 8
"""

import math
from dataclasses import dataclass

from zoo import cli, config, recipes, training
from zoo.datasets import boston_housing

MODEL = "regression_net"
RECIPE = recipes.get(MODEL)


@dataclass(frozen=True)
class Settings(config.book_fit(MODEL)):
    """The regression net's settings: data, training (the book's 32 epochs of batch 8), run and devices."""


def main():
    settings = config.parse(Settings, __doc__)
    run = training.Run(settings, MODEL)

    # data: 13 features per house (404 training, 102 validation rows), price in $1000s
    loaded = boston_housing.load(batch_size=run.global_batch_size, source=settings.data,
                                 data_dir=settings.data_dir, seed=settings.seed)
    train, valid = run.data(loaded)

    # model: two batch-normalised ReLU layers, dropout, a linear output; MSE and Adam
    model = run.build_or_resume(RECIPE.build_compiled)

    history = run.fit(model, train, valid)
    # the book reads errors in $1000s: the root of the mean squared error
    run.finish(model, {"val_rmse_thousands": math.sqrt(history["val_loss"][-1])})


if __name__ == "__main__":
    cli.main(main)

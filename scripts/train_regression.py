"""Train the book's regression net on Boston housing prices (chapter 9).

    python scripts/train_regression.py               # the book's 32 epochs, batch 8
"""

import math

from zoo import cli, recipes, training
from zoo.datasets import boston_housing

MODEL = "regression_net"


def main():
    parser = cli.make_parser(MODEL, __doc__)
    args = cli.parse_args(parser)
    run = training.Run(args, MODEL)

    # data: 13 features per house (404 training, 102 validation rows), price in $1000s
    loaded = boston_housing.load(batch_size=run.global_batch_size, source=args.data,
                                 data_dir=args.data_dir, seed=args.seed)
    train, valid = run.data(loaded)

    # model: two batch-normalised ReLU layers, dropout, a linear output; MSE and Adam
    model = run.build_or_resume(recipes.get(MODEL).build_compiled)

    history = run.fit(model, train, valid)
    # the book reads errors in $1000s: the root of the mean squared error
    run.finish(model, {"val_rmse_thousands": math.sqrt(history["val_loss"][-1])})


if __name__ == "__main__":
    cli.main(main)

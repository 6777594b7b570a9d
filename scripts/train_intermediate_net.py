"""Train the book's intermediate net on MNIST (chapter 8; ~97.6%).

    python scripts/train_intermediate_net.py                      # the book's 20 epochs, batch 128
    python scripts/train_intermediate_net.py --dataset fashion_mnist --data-dir ~/data/fashion
"""

from dataclasses import dataclass

from zoo import cli, config, recipes, training
from zoo.datasets import mnist

MODEL = "intermediate_net"
RECIPE = recipes.get(MODEL)


@dataclass(frozen=True)
class Settings(config.book_fit(MODEL)):
    dataset: str = config.setting("mnist", mnist.DATASET_HELP, choices=tuple(mnist.DATASETS))


def main():
    settings = config.parse(Settings, __doc__)
    run = training.Run(settings, MODEL)

    # data: flattened 784-pixel images scaled to [0, 1], one-hot labels
    train, valid = run.data(mnist.load(settings.dataset, flatten=True, batch_size=run.global_batch_size,
                                       source=settings.data, data_dir=settings.data_dir, seed=settings.seed))

    # model: two ReLU hidden layers; cross-entropy and SGD (learning rate 0.1)
    model = run.build_or_resume(RECIPE.build_compiled)

    run.fit(model, train, valid)
    run.finish(model)


if __name__ == "__main__":
    cli.main(main)

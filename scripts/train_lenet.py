"""Train the book's LeNet-5-inspired ConvNet on MNIST (chapter 10; 99.27% in the book).

    python scripts/train_lenet.py                      # the book's 10 epochs, batch 128
    python scripts/train_lenet.py --epochs 1           # a quick look on the bundled sample
    python scripts/train_lenet.py --dataset fashion_mnist --data-dir ~/data/fashion
"""

from dataclasses import dataclass

from zoo import cli, config, recipes, training
from zoo.datasets import mnist

MODEL = "lenet"
RECIPE = recipes.get(MODEL)


@dataclass(frozen=True)
class Settings(config.book_fit(MODEL)):
    dataset: str = config.setting("mnist", mnist.DATASET_HELP, choices=tuple(mnist.DATASETS))


def main():
    settings = config.parse(Settings, __doc__)
    run = training.Run(settings, MODEL)

    # data: 28x28x1 images scaled to [0, 1], one-hot labels
    train, valid = run.data(mnist.load(settings.dataset, flatten=False, batch_size=run.global_batch_size,
                                       source=settings.data, data_dir=settings.data_dir, seed=settings.seed))

    # model: two conv layers, a pool, a dense layer; Adam and cross-entropy, as the book
    model = run.build_or_resume(RECIPE.build_compiled)

    run.fit(model, train, valid)
    run.finish(model)


if __name__ == "__main__":
    cli.main(main)

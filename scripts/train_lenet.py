"""Train the book's LeNet-5-inspired ConvNet on MNIST (chapter 10; 99.27% in the book).

    python scripts/train_lenet.py                      # the book's 10 epochs, batch 128
    python scripts/train_lenet.py --epochs 1           # a quick look on the bundled sample
    python scripts/train_lenet.py --dataset fashion_mnist --data-dir ~/data/fashion
"""

from zoo import cli, recipes, training
from zoo.datasets import mnist

MODEL = "lenet"


def main():
    parser = cli.make_parser(MODEL, __doc__)
    parser.add_argument("--dataset", choices=list(mnist.DATASETS), default="mnist")
    args = cli.parse_args(parser)
    run = training.Run(args, MODEL)

    # data: 28x28x1 images scaled to [0, 1], one-hot labels
    train, valid = run.data(mnist.load(args.dataset, flatten=False, batch_size=run.global_batch_size,
                                       source=args.data, data_dir=args.data_dir, seed=args.seed))

    # model: two conv layers, a pool, a dense layer; Adam and cross-entropy, as the book
    model = run.build_or_resume(recipes.get(MODEL).build_compiled)

    run.fit(model, train, valid)
    run.finish(model)


if __name__ == "__main__":
    cli.main(main)

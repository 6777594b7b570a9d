"""Train the book's intermediate net on MNIST (chapter 8; ~97.6%).

    python scripts/train_intermediate_net.py                      # the book's 20 epochs, batch 128
    python scripts/train_intermediate_net.py --dataset fashion_mnist --data-dir ~/data/fashion
"""

from zoo import cli, recipes, training
from zoo.datasets import mnist

MODEL = "intermediate_net"


def main():
    parser = cli.make_parser(MODEL, __doc__)
    parser.add_argument("--dataset", choices=list(mnist.DATASETS), default="mnist")
    args = cli.parse_args(parser)
    run = training.Run(args, MODEL)

    # data: flattened 784-pixel images scaled to [0, 1], one-hot labels
    train, valid = run.data(mnist.load(args.dataset, flatten=True, batch_size=run.global_batch_size,
                                       source=args.data, data_dir=args.data_dir, seed=args.seed))

    # model: two ReLU hidden layers; cross-entropy and SGD (learning rate 0.1)
    model = run.build_or_resume(recipes.get(MODEL).build_compiled)

    run.fit(model, train, valid)
    run.finish(model)


if __name__ == "__main__":
    cli.main(main)

"""Train the book's AlexNet-inspired ConvNet on Oxford Flowers 17 (chapter 10).

    python scripts/train_alexnet.py --data-dir ~/data/17flowers   # the book: 100 epochs, batch 64, 224x224
    python scripts/train_alexnet.py --epochs 1                      # a quick look on the bundled sample
    python scripts/train_alexnet.py --image-size 195 --augment      # smaller photos, augmented

The model: three conv-pool blocks and two tanh dense layers; Adam and cross-entropy, as the book.
Writes, besides the harness's artifacts, confusion_matrix.png and the per-class validation
accuracy in metrics.json.
"""

from zoo import cli, recipes, training
from zoo.datasets import PREPROCESSING, flowers17

MODEL = "alexnet"

# data:
IMAGE_SIZE = 224  # the book's 224x224x3 photos (AlexNet accepts 195 and up)
VALIDATION_SPLIT = 0.1  # the book's validation_split, here stratified by class
SPLIT_SEED = 42  # the split stays the same across runs unless --seed is given


def main():
    parser = cli.make_parser(MODEL, __doc__)
    parser.add_argument("--image-size", type=cli.positive_int, default=IMAGE_SIZE,
                        help="photos are resized to this height and width")
    parser.add_argument("--preprocess", choices=PREPROCESSING, default="book",
                        help="book: divide by 255; imagenet: VGG19's preprocess_input")
    parser.add_argument("--augment", action="store_true",
                        help="rotate (30 degrees) and flip training photos; the book did not")
    parser.add_argument("--steps-per-epoch", type=cli.positive_int, default=None,
                        help="batches per epoch (default: one pass over the training photos)")
    args = cli.parse_args(parser)
    run = training.Run(args, MODEL)

    # data: photos resized to image-size x image-size, one-hot labels, a 90/10 split
    train, valid = run.data(flowers17.load(
        batch_size=run.global_batch_size, image_size=args.image_size, source=args.data, data_dir=args.data_dir,
        seed=SPLIT_SEED if args.seed is None else args.seed, validation_split=VALIDATION_SPLIT,
        augment=args.augment, preprocess=args.preprocess))
    if args.steps_per_epoch:
        train = train.repeat()

    # model: three conv-pool blocks and two tanh dense layers; Adam and cross-entropy, as the book
    size = args.image_size
    model = run.build_or_resume(lambda: recipes.get(MODEL).build_compiled(input_shape=(size, size, 3)))

    run.fit(model, train, valid, steps_per_epoch=args.steps_per_epoch)
    metrics = training.class_metrics(model, valid, flowers17.CLASS_NAMES, run.path("confusion_matrix.png"),
                                     title=f"{MODEL}: validation")
    run.finish(model, dict(metrics, image_size=size, preprocess=args.preprocess, augment=args.augment))


if __name__ == "__main__":
    cli.main(main)

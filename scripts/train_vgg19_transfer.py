"""Fine-tune VGG19, pre-trained on ImageNet, to tell hot dogs from not hot dogs (chapter 10; 81.2% in the book).

    python scripts/train_vgg19_transfer.py --data-dir ~/data/hot-dog-not-hot-dog   # the book: 16 epochs of 15 steps
    python scripts/train_vgg19_transfer.py --preprocess imagenet                     # the inputs the weights expect
    python scripts/train_vgg19_transfer.py --fine-tune-blocks 1                      # then unfreeze block 5
    python scripts/train_vgg19_transfer.py --base-weights none --epochs 1                 # offline smoke test

The ImageNet weights come from Keras' cache (~/.keras/models) or a download; offline,
``--base-weights none`` starts from random weights. Without the real photos the script runs on a
synthetic smoke-test set and says so. Writes, besides the harness's artifacts,
confusion_matrix.png and the per-class validation accuracy in metrics.json.
"""

import math

from zoo import cli, recipes, training
from zoo.datasets import PREPROCESSING, hotdog

MODEL = "vgg19_transfer"

# data:
IMAGE_SIZE = 224  # VGG19's ImageNet input size, as in the book
STEPS_PER_EPOCH = 15  # the book's steps_per_epoch (with batch 32: about one pass over ~500 photos)

# transfer learning:
DROPOUT = 0.5  # before the new softmax layer

# fine-tuning (beyond the book; the Keras transfer-learning guide's second phase):
FINE_TUNE_EPOCHS = 5
FINE_TUNE_LEARNING_RATE = 1e-5  # low, so the pre-trained filters move only a little



def main():
    parser = cli.make_parser(MODEL, __doc__, start_weights=False)
    parser.add_argument("--base-weights", default="imagenet", metavar="imagenet|none|PATH",
                        help="VGG19's convolutional base: imagenet, none (random), or a weights file "
                             "(see zoo.transfer.build_vgg19_transfer)")
    cli.renamed_flag(parser, "--weights", "--base-weights imagenet|none|PATH (VGG19's base)")
    parser.add_argument("--image-size", type=cli.positive_int, default=IMAGE_SIZE,
                        help="photos are resized to this height and width (at least 32)")
    parser.add_argument("--preprocess", choices=PREPROCESSING, default="book",
                        help="book: divide by 255 as the book; imagenet: VGG19's preprocess_input, "
                             "what the ImageNet weights were trained with")
    parser.add_argument("--no-augment", action="store_true", help="no rotation and flips of training photos")
    parser.add_argument("--steps-per-epoch", type=cli.positive_int, default=None,
                        help=f"batches per epoch (default: the book's {STEPS_PER_EPOCH}, "
                             f"or one pass over a smaller training set)")
    tune = parser.add_argument_group("fine-tuning, after the book's epochs")
    tune.add_argument("--fine-tune-blocks", type=int, choices=range(0, 6), default=0, metavar="{0..5}",
                      help="unfreeze VGG19's last N conv blocks and train on (0: the book, no second phase)")
    tune.add_argument("--fine-tune-epochs", type=cli.positive_int, default=FINE_TUNE_EPOCHS)
    tune.add_argument("--fine-tune-learning-rate", type=cli.positive_float, default=FINE_TUNE_LEARNING_RATE)
    parser.allow_on_resume("fine_tune_epochs")  # like --epochs: a resumed run fine-tunes on to it
    args = cli.parse_args(parser)
    if args.fine_tune_blocks:  # --epochs marks where fine-tuning begins, so a resumed run keeps it
        args.may_change_on_resume.remove("epochs")
    weights = None if args.base_weights.lower() == "none" else args.base_weights
    import keras  # once the arguments are good: the backend loads now (cli.parse_args)

    from zoo.transfer import build_vgg19_transfer, unfreeze_top_blocks
    run = training.Run(args, MODEL)

    # data: photos resized, rescaled (or ImageNet-preprocessed); training photos augmented
    loaded = hotdog.load(batch_size=run.global_batch_size, image_size=args.image_size, source=args.data,
                         data_dir=args.data_dir, seed=args.seed, augment=not args.no_augment,
                         preprocess=args.preprocess)
    train, valid = run.data(loaded)
    steps = args.steps_per_epoch or min(STEPS_PER_EPOCH, math.ceil(loaded.info.n_train / run.global_batch_size))
    train = train.repeat()  # steps_per_epoch decides where an epoch ends, as with the book's generator

    # model: VGG19's frozen convolutional base, then Flatten, Dropout and a softmax layer
    recipe = recipes.get(MODEL)
    size = args.image_size

    def build_and_compile():
        model = build_vgg19_transfer(input_shape=(size, size, 3), num_classes=hotdog.NUM_CLASSES,
                                     weights=weights, freeze=True, dropout=DROPOUT)
        model.compile(**recipe.compile_kwargs())
        return model

    model = run.build_or_resume(build_and_compile, start_weights=False)  # the base's weights are built in
    run.fit(model, train, valid, epochs=args.epochs, steps_per_epoch=steps)

    metrics = {"image_size": size, "preprocess": args.preprocess, "weights": str(weights),
               "steps_per_epoch": steps, "synthetic_data": loaded.info.notes["synthetic"]}
    if args.fine_tune_blocks:
        # fine-tuning: open the top blocks, recompile with a low learning rate, train on
        if run.initial_epoch <= args.epochs:  # a resumed second phase keeps its model and optimizer
            with run.runtime.scope():
                run.notes["fine_tuned_layers"] = unfreeze_top_blocks(model, args.fine_tune_blocks)
                model.compile(optimizer=keras.optimizers.Adam(args.fine_tune_learning_rate),
                              loss=recipe.loss, metrics=list(recipe.metrics))
        metrics["fine_tuned_layers"] = run.notes.get("fine_tuned_layers")
        run.fit(model, train, valid, epochs=args.epochs + args.fine_tune_epochs, steps_per_epoch=steps)
        metrics.update(fine_tune_blocks=args.fine_tune_blocks, fine_tune_epochs=args.fine_tune_epochs)

    metrics.update(training.class_metrics(model, valid, hotdog.CLASS_NAMES, run.path("confusion_matrix.png"),
                                          title=f"{MODEL}: validation"))
    run.finish(model, metrics)


if __name__ == "__main__":
    cli.main(main)

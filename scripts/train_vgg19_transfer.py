"""Fine-tune VGG19, pre-trained on ImageNet, to tell hot dogs from not hot dogs (chapter 10; 81.2% in the book).

    python scripts/train_vgg19_transfer.py --data-dir ~/data/hot-dog-not-hot-dog   # the book: 16 epochs of 15 steps
    python scripts/train_vgg19_transfer.py --preprocess imagenet                     # the inputs the weights expect
    python scripts/train_vgg19_transfer.py --fine-tune-blocks 1                      # then unfreeze block 5: 21 epochs
    python scripts/train_vgg19_transfer.py --base-weights none --epochs 1            # offline smoke test

The first --head-epochs train only the new head on VGG19's frozen base; with --fine-tune-blocks the
last blocks are then unfrozen and train on to --epochs (default: 5 more). The ImageNet weights come
from Keras' cache (~/.keras/models) or a download; offline, ``--base-weights none`` starts from
random weights. Without the real photos the script runs on a synthetic smoke-test set and says so.
Writes, besides the harness's artifacts, confusion_matrix.png and the per-class validation
accuracy in metrics.json.
"""

import dataclasses
import math
from dataclasses import dataclass
from typing import ClassVar

from zoo import cli, config, photos, recipes, training
from zoo.datasets import hotdog

MODEL = "vgg19_transfer"
RECIPE = recipes.get(MODEL)

# data:
STEPS_PER_EPOCH = 15  # the book's steps_per_epoch (with batch 32: about one pass over ~500 photos)

# transfer learning:
DROPOUT = 0.5  # before the new softmax layer

# fine-tuning (beyond the book; the Keras transfer-learning guide's second phase):
FINE_TUNE_EPOCHS = 5  # after the head's epochs, unless --epochs says otherwise
FINE_TUNE_LEARNING_RATE = 1e-5  # low, so the pre-trained filters move only a little
TUNING = "fine-tuning, after the head's epochs"


@dataclass(frozen=True)
class Settings(photos.Photos, config.Devices, config.Run, config.Data):
    model: ClassVar[str] = MODEL
    renamed: ClassVar[dict[str, str]] = {
        "--weights": "--base-weights imagenet|none|PATH (VGG19's base)",
        "--fine-tune-epochs": "--epochs N (epochs in all; fine-tuning takes those after --head-epochs)"}

    # training: --weights would mean trained weights for the whole net; here the base's are what count
    head_epochs: int = config.setting(
        RECIPE.epochs, "epochs that train only the new head, on VGG19's frozen base (the book's)",
        parse=cli.positive_int, metavar="EPOCHS", group="training")
    epochs: int | None = config.epochs(None, help=(
        "epochs in all, each --steps-per-epoch steps and its evaluation; a resumed run trains on to this (default: "
        f"--head-epochs, plus {FINE_TUNE_EPOCHS} with --fine-tune-blocks)"))
    batch_size: int = config.batch_size(RECIPE.batch_size)
    checkpoint_every: int = config.checkpoint_every()
    base_weights: str = config.setting("imagenet", "VGG19's convolutional base: imagenet, none (random), or a "
                                       "weights file (see zoo.transfer.build_vgg19_transfer)",
                                       metavar="imagenet|none|PATH")
    # photos (zoo.photos): augmented unless --no-augment
    augment: bool = config.setting(True, "no rotation and flips of training photos (by default they are rotated "
                                         "and flipped)", flag="--no-augment")
    steps_per_epoch: int | None = photos.steps_per_epoch(
        f"training steps (batches) per epoch (default: the book's {STEPS_PER_EPOCH}, or one pass over a smaller "
        f"training set)")

    # fine-tuning, once the head has trained
    fine_tune_blocks: int = config.setting(
        0, "unfreeze VGG19's last N conv blocks after --head-epochs and train on to --epochs (0: the book, no "
           "second phase)", choices=range(0, 6), metavar="{0..5}", group=TUNING)
    fine_tune_learning_rate: float = config.setting(FINE_TUNE_LEARNING_RATE, "Adam's learning rate while fine-tuning",
                                                    parse=cli.positive_float, metavar="RATE", group=TUNING)


def resolved(settings: Settings) -> Settings:
    """The settings with --epochs resolved (the head's epochs, and the fine-tuning's), checked."""
    if settings.epochs is None:
        tuning = FINE_TUNE_EPOCHS if settings.fine_tune_blocks else 0
        settings = dataclasses.replace(settings, epochs=settings.head_epochs + tuning)
    if settings.fine_tune_blocks and settings.epochs <= settings.head_epochs:
        raise cli.UsageError(f"--epochs {settings.epochs} leaves no epoch to fine-tune in: with --fine-tune-blocks "
                             f"it must exceed --head-epochs {settings.head_epochs}")
    return settings


def main():
    settings = config.parse(Settings, __doc__, load_backend=False)  # the flags checked first: a refusal is instant
    settings = resolved(settings)
    cli.start_backend(settings)
    weights = None if settings.base_weights.lower() == "none" else settings.base_weights
    import keras

    from zoo.transfer import build_vgg19_transfer, unfreeze_top_blocks
    run = training.Run(settings, MODEL)

    # data: photos resized, rescaled (or ImageNet-preprocessed); training photos augmented
    loaded = hotdog.load(batch_size=run.global_batch_size, image_size=settings.image_size, source=settings.data,
                         data_dir=settings.data_dir, seed=settings.seed, augment=settings.augment,
                         preprocess=settings.preprocess)
    train, valid = run.data(loaded)
    steps = settings.steps_per_epoch or min(STEPS_PER_EPOCH, math.ceil(loaded.info.n_train / run.global_batch_size))
    train = train.repeat()  # steps_per_epoch decides where an epoch ends, as with the book's generator

    # model: VGG19's frozen convolutional base, then Flatten, Dropout and a softmax layer
    size = settings.image_size

    def build_and_compile():
        model = build_vgg19_transfer(input_shape=(size, size, 3), num_classes=hotdog.NUM_CLASSES,
                                     weights=weights, freeze=True, dropout=DROPOUT)
        model.compile(**RECIPE.compile_kwargs())
        return model

    model = run.build_or_resume(build_and_compile, start_weights=False)  # the base's weights are built in
    tuning = bool(settings.fine_tune_blocks)
    run.fit(model, train, valid, epochs=settings.head_epochs if tuning else settings.epochs, steps_per_epoch=steps)

    metrics = {"image_size": size, "preprocess": settings.preprocess, "weights": str(weights),
               "steps_per_epoch": steps, "synthetic_data": loaded.info.notes["synthetic"]}
    if tuning:
        # fine-tuning: open the top blocks, recompile with a low learning rate, train on
        if run.initial_epoch <= settings.head_epochs:  # a resumed second phase keeps its model and optimizer
            with run.runtime.scope():
                run.notes["fine_tuned_layers"] = unfreeze_top_blocks(model, settings.fine_tune_blocks)
                model.compile(optimizer=keras.optimizers.Adam(settings.fine_tune_learning_rate),
                              loss=RECIPE.loss, metrics=list(RECIPE.metrics))
        metrics["fine_tuned_layers"] = run.notes.get("fine_tuned_layers")
        run.fit(model, train, valid, epochs=settings.epochs, steps_per_epoch=steps)
        metrics.update(fine_tune_blocks=settings.fine_tune_blocks, head_epochs=settings.head_epochs)

    metrics.update(training.class_metrics(model, valid, hotdog.CLASS_NAMES, run.path("confusion_matrix.png"),
                                          title=f"{MODEL}: validation"))
    run.finish(model, metrics)


if __name__ == "__main__":
    cli.main(main)

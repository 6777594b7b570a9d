"""Train the book's VGGNet-inspired ConvNet on Oxford Flowers 17 (chapter 10).

    python scripts/train_vggnet.py --data-dir ~/data/17flowers    # the book: 250 epochs, batch 64, 224x224
    python scripts/train_vggnet.py --epochs 1                       # a quick look on the bundled sample
    python scripts/train_vggnet.py --image-size 212 --batch-size 16 # the smallest photos VGGNet takes

VGGNet is about twenty times AlexNet's computation per photo: on a CPU, try
``--steps-per-epoch`` for a quick look.

The model: five blocks of 3x3 convolutions and two ReLU dense layers; Adam and cross-entropy, as the book.
Writes, besides the harness's artifacts, confusion_matrix.png and the per-class validation
accuracy in metrics.json.
"""

from dataclasses import dataclass

from zoo import cli, config, photos, recipes, training
from zoo.datasets import flowers17

MODEL = "vggnet"
RECIPE = recipes.get(MODEL)

# data: the book's 224x224x3 photos (--image-size: VGGNet accepts 212 and up)
VALIDATION_SPLIT = 0.1  # the book's validation_split, here stratified by class
SPLIT_SEED = 42  # the split stays the same across runs unless --seed is given


@dataclass(frozen=True)
class Settings(photos.Photos, config.book_fit(MODEL)):
    """VGGNet's settings: the photos', and the book's epochs and batch size."""


def main():
    settings = config.parse(Settings, __doc__)
    run = training.Run(settings, MODEL)

    # data: photos resized to image-size x image-size, one-hot labels, a 90/10 split
    train, valid = run.data(flowers17.load(
        batch_size=run.global_batch_size, image_size=settings.image_size, source=settings.data,
        data_dir=settings.data_dir, seed=SPLIT_SEED if settings.seed is None else settings.seed,
        validation_split=VALIDATION_SPLIT, augment=settings.augment, preprocess=settings.preprocess))
    if settings.steps_per_epoch:
        train = train.repeat()

    # model: five blocks of 3x3 convolutions and two ReLU dense layers; Adam and cross-entropy, as the book
    size = settings.image_size
    model = run.build_or_resume(lambda: RECIPE.build_compiled(input_shape=(size, size, 3)))

    run.fit(model, train, valid, steps_per_epoch=settings.steps_per_epoch)
    metrics = training.class_metrics(model, valid, flowers17.CLASS_NAMES, run.path("confusion_matrix.png"),
                                     title=f"{MODEL}: validation")
    run.finish(model, dict(metrics, image_size=size, preprocess=settings.preprocess, augment=settings.augment))


if __name__ == "__main__":
    cli.main(main)

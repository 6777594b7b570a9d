"""The photo scripts' shared settings (AlexNet, VGGNet and VGG19 transfer learning): the size and
preprocessing of the photos, their augmentation, and the steps per epoch. Imports no Keras, so a
script's ``--help`` answers at once.

    @dataclass(frozen=True)
    class Settings(photos.Photos, config.FitScript):
        model: ClassVar[str] = "alexnet"
"""

from __future__ import annotations

from dataclasses import dataclass

from zoo import cli
from zoo.config import Settings, setting
from zoo.datasets import PREPROCESSING

IMAGE_SIZE = 224  # the book's 224x224x3 photos


def steps_per_epoch(help: str = "training steps (batches) per epoch (default: one pass over the training photos)"):
    return setting(None, help, parse=cli.positive_int, metavar="STEPS", group="training")


@dataclass(frozen=True)
class Photos(Settings):
    image_size: int = setting(IMAGE_SIZE, "photos are resized to this height and width", parse=cli.positive_int,
                              metavar="PIXELS")
    preprocess: str = setting("book", "book: divide by 255; imagenet: VGG19's preprocess_input",
                              choices=PREPROCESSING)
    augment: bool = setting(False, "rotate (30 degrees) and flip training photos; the book did not")
    steps_per_epoch: int | None = steps_per_epoch()

"""``dli-zoo predict`` for the MNIST nets (LeNet, the shallow, intermediate and deep nets): digit
images classified.

Each image file (PNG, JPEG, anything Pillow reads) is made to look like an MNIST digit: its
colours become grey (Pillow's "L", alpha composited over white first), it is inverted when its
background is light (MNIST's digits are light on black; the background is judged by the mean of
the image's outermost pixels), resized to 28x28 (Lanczos; a non-square image is stretched) and
scaled to [0, 1] as the loaders scale MNIST. The digit is not re-centred: it should fill most
of the picture, roughly centred, as MNIST's do. Nothing is written.
"""

from __future__ import annotations

import logging
from pathlib import Path

from zoo import saving
from zoo.errors import UsageError, one_line

log = logging.getLogger("zoo")

MODELS = ("lenet", "shallow_net", "intermediate_net", "deep_net")
SIDE = 28
LIGHT_BACKGROUND = 127.5  # border mean above this: dark ink on a light page, inverted
TOP = 3  # classes each image's line and RESULT show


def mnist_pixels(path) -> tuple:
    """An image file as a (28, 28) float32 array in [0, 1], light digit on black, and whether it was inverted."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    path = Path(path).expanduser()
    if not path.is_file():
        raise UsageError(f"{path}: no such image file")
    try:
        with Image.open(path) as opened:
            opened.load()
            image = opened
    except (UnidentifiedImageError, OSError) as error:
        raise UsageError(f"{path}: not an image Pillow can read ({one_line(error)})") from None
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        page = Image.new("RGBA", image.size, "white")  # a transparent background counts as white paper
        image = Image.alpha_composite(page, image.convert("RGBA"))
    grey = np.asarray(image.convert("L"), dtype=np.float32)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    inverted = bool(border.mean() > LIGHT_BACKGROUND)
    if inverted:
        grey = 255.0 - grey
    small = Image.fromarray(grey.clip(0, 255).astype(np.uint8)).resize((SIDE, SIDE), Image.LANCZOS)
    return np.asarray(small, dtype=np.float32) / np.float32(255.0), inverted


def classify(args, source, files) -> dict:
    """Each image's most probable digits, a line each; returns the RESULT."""
    import numpy as np

    from zoo.commands import options

    if not files:
        raise UsageError(f"{source.label} classifies digit images: give one or more image files")
    if getattr(args, "file", None) or any(key in args.typed for key in ("n_unique_words", "n_words_to_skip",
                                                                        "max_review_length", "data_dir")):
        raise UsageError(f"--file and the review flags are for the sentiment classifiers; {source.label} reads "
                         f"image files given as arguments")
    prepared = [mnist_pixels(path) for path in files]  # read first: a bad file costs no model
    options.start(args)
    import zoo

    if source.weights.endswith(".keras"):
        try:
            model = saving.load_model(source.weights, compile=False)
        except Exception as error:  # a damaged or foreign file: Keras raises many kinds
            raise UsageError(f"{source.given}: cannot read {source.weights} ({one_line(error)})") from None
    else:
        model = zoo.get(source.model)(weights=source.weights)
    images = np.stack([pixels for pixels, _ in prepared])
    shape = tuple(model.input_shape[1:])
    if int(np.prod(shape)) != SIDE * SIDE:
        raise UsageError(f"{source.label} takes inputs of shape {shape}, not 28x28 digits")
    probabilities = model.predict(images.reshape((-1, *shape)), verbose=0)
    classified = []
    for path, (_, inverted), row in zip(files, prepared, probabilities):
        order = np.argsort(-row)[:TOP]
        top = [[int(digit), round(float(row[digit]), 6)] for digit in order]
        classified.append({"image": str(path), "digit": top[0][0], "probability": top[0][1], "top": top,
                           "inverted": inverted})
        if not args.quiet:
            others = ", ".join(f"{digit} {p:.4f}" for digit, p in top[1:])
            print(f"{top[0][0]}  {top[0][1]:.4f}  {path}{'  (inverted: light background)' if inverted else ''}"
                  f"  [then {others}]", flush=True)
    return {**source.record(), "preprocessing": "greyscale, inverted if the border is light, resized to 28x28 "
                                                "(Lanczos), scaled to [0, 1]", "images": classified}

"""``dli-zoo generate``: a trained GAN generator draws new images into one PNG grid.

    dli-zoo generate quickdraw_apple --out apples.png
    dli-zoo generate model_output/gan --count 25 --seed 7 --out mine.png   # a finished run's generator.keras

Each drawing is the generator's answer to a noise vector drawn uniformly from [-1, 1] (as it was
trained); --seed makes the grid repeatable. A name or a .weights.h5 file loads into the book's
generator; a .keras file (a run's generator.keras) keeps whatever shape it was trained with.
"""

from __future__ import annotations

import logging

from zoo import cli, saving
from zoo.commands import options
from zoo.errors import one_line

log = logging.getLogger("zoo")

MODELS = ("generator",)
COUNT = 16  # the book's 4x4 grid


def make_parser():
    made = options.parser("generate", __doc__.strip().splitlines()[0])
    options.add_source(made, MODELS, "the trained generator")
    made.add_argument("--out", required=True, metavar="FILE.png", help="the PNG grid to write")
    made.add_argument("--count", "-n", type=cli.positive_int, default=COUNT, help="drawings in the grid")
    made.add_argument("--seed", type=cli.seed, default=None, help="seed the noise, so the drawings are repeatable")
    made.add_argument("--overwrite", action="store_true", help="replace the --out file if it exists")
    return made


def main(argv) -> None:
    args = cli.parse_args(make_parser(), argv, load_backend=False)  # the flags checked first: a refusal is instant
    image = options.new_output(args.out, "--out", args.overwrite, (".png",))
    source = options.source_of(args, MODELS, "generate")
    options.start(args, args.seed)
    import numpy as np

    from zoo import gan, plots

    if source.weights.endswith(".keras"):
        try:
            generator = saving.load_model(source.weights, compile=False)
        except Exception as error:  # a damaged or foreign file: Keras raises many kinds
            raise cli.UsageError(f"{source.given}: cannot read it ({one_line(error)})") from None
    else:
        generator = gan.build_generator(weights=source.weights)
    check_generator(generator, source.given)  # before any drawing: a classifier's output is no grid
    rng = np.random.default_rng(args.seed)
    noise = rng.uniform(-1.0, 1.0, size=(args.count, generator.input_shape[-1])).astype("float32")
    images = generator.predict(noise, verbose=0)
    plots.save(plots.image_grid(images), image)  # written under a temporary name, then renamed
    log.info(f"wrote {image}: {args.count} drawings by {source.label}")
    options.print_result({**source.record(), "generated": args.count, "image": str(image), "seed": args.seed})


def check_generator(model, given: str) -> None:
    """``model`` maps a batch of noise vectors (N, LATENT) to greyscale images (N, H, W) or
    (N, H, W, 1), as the GAN's generator does; else a one-line ``UsageError``."""
    try:
        inputs, outputs = model.input_shape, model.output_shape
    except (AttributeError, ValueError):  # a model that was never called has no shapes
        inputs = outputs = None
    noise = isinstance(inputs, tuple) and len(inputs) == 2 and inputs[-1] is not None
    images = (isinstance(outputs, tuple) and len(outputs) in (3, 4) and None not in outputs[1:3]
              and (len(outputs) == 3 or outputs[-1] == 1))
    if not (noise and images):
        raise cli.UsageError(f"{given} is no image generator: it maps {inputs} to {outputs}; `dli-zoo generate` "
                             f"needs noise vectors (N, LATENT) to images (N, H, W) or (N, H, W, 1)")

"""Train the book's GAN to draw Quick, Draw! apples, or any other category (chapter 12).

    python scripts/train_gan.py                                  # the book's 2,000 iterations of 128
    python scripts/train_gan.py --iterations 200                 # a quick look on the bundled sample
    python scripts/train_gan.py --category cat --data-dir ~/quickdraw    # cat.npy from Quick, Draw!
    python scripts/train_gan.py --weights quickdraw_apple                # train on from a trained generator

Every --sample-interval iterations (one fit "epoch") the generator draws the same 16 noise
vectors into grids/iteration_NNNNN.png, so the grids show its progress, and the run is
checkpointed (--resume continues from there, --iterations further); at the end come the
book's loss (log scale) and accuracy plots per iteration, generator.keras, discriminator.keras,
and a quality figure (pixel_fd: see zoo.gan.PixelFrechetDistance) in metrics.json. A trained
generator draws with `dli-zoo generate quickdraw_apple --out apples.png` (or the run's folder).
"""

import csv
import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from zoo import cli, config, recipes  # Keras and the backend load in main(), once the arguments are good
from zoo.files import atomic_path

MODEL = "gan"
RECIPE = recipes.get(MODEL)

# data:
CATEGORY = "apple"
# training: the book's 2,000 iterations of batch 128 (the recipe's 20 epochs of 100 iterations)
SAMPLE_INTERVAL = 100  # iterations per fit epoch: a grid of drawings and a checkpoint after each
ITERATIONS = RECIPE.epochs * SAMPLE_INTERVAL
# output:
GRID_SIZE = 16  # drawings per grid, the book's 4x4, all from one fixed batch of noise
QUALITY_SAMPLES = 1000  # generated and real drawings compared for pixel_fd
METRICS = ("d_loss", "d_accuracy", "a_loss", "a_accuracy")
GENERATE_COMMAND = "drawing with a trained generator is `dli-zoo generate MODEL/NAME|FILE|RUN_DIR --out FILE.png`"


@dataclass(frozen=True)
class Settings(config.Devices, config.Run, config.Data):
    """No --epochs and no --checkpoint-every: the GAN counts iterations, and checkpoints at every grid."""

    model: ClassVar[str] = MODEL
    renamed: ClassVar[dict[str, str]] = {
        "--epochs": "--iterations N (the GAN's training iterations)",
        "--checkpoint-every": "--sample-interval N (a grid of drawings and a checkpoint every N iterations)"}
    moved: ClassVar[dict[str, str]] = dict.fromkeys(("--generate", "--from", "--out"), GENERATE_COMMAND)

    category: str = config.setting(CATEGORY, "Quick, Draw! category (its .npy file name)", group="GAN")
    iterations: int = config.setting(
        ITERATIONS, "training iterations (one discriminator and one adversarial update each; the book's); a resumed "
                    "run trains on to this", parse=cli.positive_int, metavar="N", on_resume=True, group="GAN")
    sample_interval: int = config.setting(
        SAMPLE_INTERVAL, "iterations between grids of drawings and checkpoints (one fit epoch; a run of fewer "
                         "iterations is one interval, and a resumed run keeps its own)", parse=cli.positive_int, metavar="N", group="GAN")
    max_examples: int | None = config.setting(None, "use only the first N drawings", parse=cli.positive_int,
                                              metavar="N", group="GAN")
    batch_size: int = config.batch_size(RECIPE.batch_size)
    weights: str | None = config.start_weights(
        f"start from a trained generator instead of a random one (the discriminator starts afresh): "
        f"{config.WEIGHTS_HELP}")


def grid_interval(settings: Settings, kept: int | None = None) -> int:
    """The iterations between grids (one fit epoch): --sample-interval, or the whole of a shorter
    run; a resumed run keeps the interval it started with (``kept``). The iterations must be whole
    intervals."""
    interval = kept or min(settings.sample_interval, settings.iterations)
    if settings.iterations % interval:
        raise cli.UsageError(f"--iterations {settings.iterations} is not a multiple of the {interval} iterations "
                             f"between grids (--sample-interval)")
    return interval


def fit_callbacks(iterations_csv: Path, grids: Path, noise, interval: int) -> list:
    """The book's per-iteration log and the drawing grids, as Keras callbacks (Keras loads here,
    not when the script starts, so --help is instant)."""
    import keras

    from zoo import plots

    class IterationLog(keras.callbacks.Callback):
        """The book's per-iteration losses and accuracies, appended to iterations.csv each epoch.

        fit reports running means over the epoch, so iteration k's own value is
        k * mean_k - (k - 1) * mean_(k-1). A NaN stops the run before its epoch is checkpointed.
        """

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch, self.rows, self.means = epoch, [], dict.fromkeys(METRICS, 0.0)

        def on_train_batch_end(self, batch, logs=None):
            step = batch + 1
            row = [self.epoch * interval + step]
            for key in METRICS:
                mean = float(logs[key])
                value = step * mean - (step - 1) * self.means[key]
                if key.endswith("accuracy"):  # float32 means leave ~1e-6 of rounding
                    value = min(max(value, 0.0), 1.0)
                row.append(round(value, 6))
                self.means[key] = mean
            if not all(math.isfinite(value) for value in row):
                raise cli.TrainingDiverged(f"the GAN's losses became NaN at iteration {row[0]}; "
                                           f"checkpoints hold the last good epoch")
            self.rows.append(row)

        def on_epoch_end(self, epoch, logs=None):
            write_iterations(iterations_csv, read_iterations(iterations_csv) + self.rows)

    class DrawingGrids(keras.callbacks.Callback):
        """After every epoch, the generator's drawings of the fixed noise as a 4x4 PNG grid."""

        def on_epoch_end(self, epoch, logs=None):
            iteration = (epoch + 1) * interval
            images = self.model.generator.predict(noise, verbose=0)
            plots.save(plots.image_grid(images, columns=4, title=f"iteration {iteration}"),
                       grids / f"iteration_{iteration:05d}.png")

    return [IterationLog(), DrawingGrids()]


def read_iterations(path: Path, up_to: int | None = None) -> list:
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        rows = [[int(row[0])] + [float(value) for value in row[1:]] for row in list(csv.reader(handle))[1:]]
    return [row for row in rows if up_to is None or row[0] <= up_to]


def write_iterations(path: Path, rows) -> None:
    with atomic_path(path) as temporary, open(temporary, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["iteration", *METRICS])
        writer.writerows(rows)


def main():
    settings = config.parse(Settings, __doc__, load_backend=False)  # the flags checked first: a refusal is instant
    if not settings.resume:
        grid_interval(settings)  # iterations that are not whole intervals: refused before the backend loads
    cli.start_backend(settings)

    from zoo import checkpoints, plots, training
    from zoo import gan as zoo_gan
    from zoo.datasets import quickdraw

    run = training.Run(settings, MODEL)
    # a note of the run, not a setting: a resumed run with more --iterations keeps its grids' spacing
    interval = run.notes["sample_interval"] = grid_interval(settings, run.notes.get("sample_interval"))
    epochs = settings.iterations // interval

    # data: 28x28x1 drawings scaled to [0, 1], an endless shuffled stream of full batches
    train, _ = run.data(quickdraw.load(settings.category, batch_size=run.global_batch_size, source=settings.data,
                                       data_dir=settings.data_dir, max_examples=settings.max_examples,
                                       seed=settings.seed or 0))

    # model: the book's discriminator and generator, and its two RMSprop optimisers
    # --weights: a trained generator's (its discriminator starts afresh)
    model = run.build_or_resume(lambda: zoo_gan.build_gan(seed=settings.seed),
                                weights_into=lambda gan: (gan.generator, "generator"))

    # quality: Fréchet distance to real drawings in their pixel-PCA space (lower is better)
    real = quickdraw.load_arrays(settings.category, run.data_info.source, settings.data_dir,
                                 max_examples=settings.max_examples)
    quality = zoo_gan.PixelFrechetDistance(real, n_samples=QUALITY_SAMPLES, seed=settings.seed or 0)
    # the generator before training sets the figure's scale: untrained, or the --weights it started from
    start_key = "pixel_fd_start" if settings.weights else "pixel_fd_untrained"
    if not run.resuming:
        run.notes[start_key] = round(quality(model.generate(QUALITY_SAMPLES)), 3)

    # the same 16 noise vectors for every grid, kept with the run so --resume draws them again
    noise_file = run.path("noise.npy")
    if run.resuming:
        noise = np.load(noise_file)
    else:
        noise = np.random.default_rng(settings.seed).uniform(-1.0, 1.0, (GRID_SIZE, model.z_dim)).astype("float32")
        with atomic_path(noise_file) as temporary:
            np.save(temporary, noise)
    iterations_csv = run.path("iterations.csv")
    write_iterations(iterations_csv, read_iterations(iterations_csv, up_to=run.initial_epoch * interval))

    run.fit(model, train, epochs=epochs, steps_per_epoch=interval,
            callbacks=fit_callbacks(iterations_csv, run.path("grids"), noise, interval))

    # the book's final plots: loss (log scale) and accuracy of both networks per iteration
    rows = np.array(read_iterations(iterations_csv))
    window = max(1, min(50, len(rows) // 10))
    plots.save(plots.gan_curves(rows[:, 1], rows[:, 3], "loss", log_scale=True, window=window,
                                title=f"GAN losses ({settings.category})"), run.path("losses.png"))
    plots.save(plots.gan_curves(rows[:, 2], rows[:, 4], "accuracy", window=window,
                                title=f"GAN accuracies ({settings.category})"), run.path("accuracies.png"))

    # the final drawings of the fixed noise, and the arrays to reproduce them from generator.keras
    drawings = model.generator.predict(noise, verbose=0)
    with atomic_path(run.path("drawings.npy")) as temporary:
        np.save(temporary, drawings)
    plots.save(plots.image_grid(drawings, columns=4, title=f"{settings.category}, iteration {epochs * interval}"),
               run.path("generated.png"))
    checkpoints.save_model(model.generator, run.path("generator.keras"))
    checkpoints.save_model(model.discriminator, run.path("discriminator.keras"))

    # the book's four metrics over the last epoch, and the quality figure
    metrics = {
        "iterations": epochs * interval,
        "batch_size": run.global_batch_size,
        "category": settings.category,
        **{key: round(float(rows[-interval:, i + 1].mean()), 4) for i, key in enumerate(METRICS)},
        "pixel_fd": round(quality(model.generate(QUALITY_SAMPLES)), 3),
        "pixel_fd_real": round(quality.reference(), 3),
        "pixel_fd_note": (f"Frechet distance between {quality.n_samples} generated and {quality.n_samples} real "
                          f"drawings in the real drawings' 32-component pixel-PCA space; pixel_fd_real is the "
                          f"same between two disjoint real sets (the floor), {start_key} the generator "
                          f"before training{f' (from --weights {settings.weights})' if settings.weights else ''}; "
                          f"lower is better"),
        start_key: run.notes.get(start_key),
        "generator_file": str(run.output_dir / "generator.keras"),
        "discriminator_file": str(run.output_dir / "discriminator.keras"),
    }
    run.finish(None, metrics)


if __name__ == "__main__":
    cli.main(main)

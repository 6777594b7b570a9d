"""The README's pictures, drawn from the bundled trained weights on bundled data, and their record.

    python scripts/make_pictures.py --overwrite                 # remake docs/images/'s pictures in place
    python scripts/make_pictures.py --output-dir /tmp/pictures  # or in another folder

One picture per part of the book, each from weights the package bundles (zoo.pretrained):

    lenet_misread_digits.png  the digits LeNet (lenet/mnist) gets wrong among the first 1,000
                              of MNIST's official test digits (datasets/samples/mnist_test_sample.npz)
    gan_apples.png            16 apples the GAN's generator (generator/quickdraw_apple) draws from
                              fixed noise
    cartpole.gif              one greedy episode of the Cart-Pole DQN (cartpole_q_network/cartpole_v0)
    imdb_roc_curves.png       the nine IMDb classifiers' (<arch>_sentiment/imdb) ROC curves on the
                              1,000 test reviews of datasets/samples/imdb_sample.npz

and pictures.json, the measurement record: the data, each weights file's SHA-256 and what was
measured (the misread digits, the apples' noise seed and pixel_fd, the episode's score, the AUCs).
tests/test_pictures.py remakes them and checks the committed record still holds. Existing
pictures are replaced only with --overwrite.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from zoo import cli, config
from zoo.files import write_json

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "images"
RECORD = "pictures.json"
FILES = {"lenet": "lenet_misread_digits.png", "gan": "gan_apples.png", "cartpole": "cartpole.gif",
         "imdb": "imdb_roc_curves.png"}

GRID = 16  # apples drawn, 4x4 as in the book
NOISE_SEED = 0  # the apples' latent vectors, drawn as train_gan.py draws its grid's
QUALITY_SAMPLES = 1000  # generated and real drawings compared for pixel_fd, as train_gan.py does
QUALITY_SEED = 0  # the real drawings' split and PCA, as the card's run (seed 0 when none is given)
EPISODE_SEED = 0  # the recorded Cart-Pole episode's start
GIF_SHRINK = 2  # every 2nd pixel of gymnasium's 600x400 frames: the GIF stays well under 1 MB


def weights_record(model: str, name: str) -> dict:
    from zoo import pretrained

    entry = pretrained.get(model, name)
    return {"model": entry.model, "name": entry.name, "file": entry.file, "sha256": entry.sha256}


def data_record(path: Path, what: str) -> dict:
    """A bundled sample named by its place in the repository (installed, it lies elsewhere), and its SHA-256."""
    from zoo import pretrained

    return {"file": f"datasets/samples/{path.name}", "sha256": pretrained.sha256_of(path), "what": what}


# ----------------------------------------------------------------------------- chapter 10: LeNet

def misread_digits(out: Path) -> dict:
    """LeNet's wrong answers among MNIST's first 1,000 test digits, each labelled true/read."""
    import zoo
    from zoo import plots
    from zoo.datasets import SAMPLES_DIR

    path = SAMPLES_DIR / "mnist_test_sample.npz"
    with np.load(path) as digits:
        images, labels = digits["x_test"].astype("float32") / 255.0, digits["y_test"]
    predicted = zoo.build_lenet(weights="mnist").predict(images[..., None], verbose=0).argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)

    columns = min(max(len(wrong), 1), 8)
    rows = max(1, -(-len(wrong) // columns))
    figure, axes = plots.plt.subplots(rows, columns, figsize=(1.3 * columns, 1.55 * rows + 0.5),
                                      squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, index in zip(axes.flat, wrong):
        axis.imshow(images[index], cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
        axis.set_title(f"true {labels[index]}, read {predicted[index]}", fontsize="small")
    figure.suptitle(f"LeNet (weights lenet/mnist) misreads {len(wrong)} of MNIST's first {len(labels):,} "
                    f"test digits", fontsize="medium")
    figure.tight_layout()
    plots.save(figure, out / FILES["lenet"])
    return {"file": FILES["lenet"], "weights": weights_record("lenet", "mnist"),
            "data": data_record(path, f"the first {len(labels):,} digits of MNIST's official test split"),
            "digits": len(labels), "errors": len(wrong),
            "misread": [{"index": int(i), "true": int(labels[i]), "predicted": int(predicted[i])} for i in wrong]}


# ----------------------------------------------------------------------------- chapter 12: the GAN

def gan_apples(out: Path) -> dict:
    """The generator's drawings of 16 fixed latent vectors, and pixel_fd on 1,000 more."""
    import zoo
    from zoo import plots
    from zoo.datasets import SAMPLES_DIR, quickdraw
    from zoo.gan import PixelFrechetDistance

    generator = zoo.build_generator(weights="quickdraw_apple")
    z_dim = generator.input_shape[-1]
    # NumPy's uniform noise, as the book and train_gan.py draw it: the same on every backend
    noise = np.random.default_rng(NOISE_SEED).uniform(-1.0, 1.0, (GRID + QUALITY_SAMPLES, z_dim)).astype("float32")
    drawings = generator.predict(noise, verbose=0)
    real = quickdraw.load_arrays("apple", "sample")
    quality = PixelFrechetDistance(real, n_samples=QUALITY_SAMPLES, seed=QUALITY_SEED)
    pixel_fd, pixel_fd_real = round(quality(drawings[GRID:]), 3), round(quality.reference(), 3)

    figure = plots.image_grid(drawings[:GRID], columns=4)
    figure.suptitle(f"The GAN's apples (weights generator/quickdraw_apple)\npixel_fd {pixel_fd:.2f} "
                    f"(two real sets: {pixel_fd_real:.2f})", fontsize="small")
    figure.tight_layout(pad=0.2, rect=(0, 0, 1, 0.93))  # room for the two-line title
    plots.save(figure, out / FILES["gan"])
    return {"file": FILES["gan"], "weights": weights_record("generator", "quickdraw_apple"),
            "data": data_record(SAMPLES_DIR / "quickdraw_apple.npz",
                                f"{len(real):,} real Quick, Draw! apples (pixel_fd's reference)"),
            "noise": f"numpy.random.default_rng({NOISE_SEED}).uniform(-1, 1, ({GRID + QUALITY_SAMPLES}, {z_dim})): "
                     f"the first {GRID} rows drawn, the other {QUALITY_SAMPLES} scored",
            "noise_seed": NOISE_SEED, "drawings": GRID,
            "pixel_fd": pixel_fd, "pixel_fd_real": pixel_fd_real,
            "pixel_fd_note": f"zoo.gan.PixelFrechetDistance(n_samples={QUALITY_SAMPLES}, seed={QUALITY_SEED}); "
                             f"pixel_fd_real: between two disjoint real sets (the floor); lower is better"}


# ----------------------------------------------------------------------------- chapter 13: Cart-Pole

def cartpole_episode(out: Path) -> dict:
    """One greedy episode of the book's Cart-Pole agent, as a GIF of half-size frames."""
    import gymnasium as gym

    from zoo.dqn import DQNAgent, build_cartpole_q_network, make_gym_env, record_episode

    class Shrunk(gym.Wrapper):
        """Renders every GIF_SHRINK-th pixel: a quarter of the GIF's bytes, the pole still plain."""

        def render(self):
            frame = self.env.render()
            return None if frame is None else frame[::GIF_SHRINK, ::GIF_SHRINK]

    env_id = "CartPole-v0"
    agent = DQNAgent(build_cartpole_q_network(weights="cartpole_v0"), epsilon=0.0, epsilon_min=0.0)
    _, score = record_episode(agent, Shrunk(make_gym_env(env_id, render_mode="rgb_array")),
                              out / FILES["cartpole"], seed=EPISODE_SEED)
    return {"file": FILES["cartpole"], "weights": weights_record("cartpole_q_network", "cartpole_v0"),
            "data": {"env": env_id, "what": "gymnasium's CartPole-v0 (the book's 200-step game), played greedily"},
            "episode_seed": EPISODE_SEED, "score": score}


# ----------------------------------------------------------------------------- chapter 11: IMDb

def imdb_roc_curves(out: Path) -> dict:
    """The nine classifiers' ROC curves on the bundled 1,000 test reviews, AUC in the legend."""
    from sklearn.metrics import roc_auc_score

    import zoo
    from zoo import plots, recipes
    from zoo.datasets import SAMPLES_DIR, imdb
    from zoo.sentiment import MODELS

    aucs, weights, classifiers = {}, {}, {}
    for arch, model_name in MODELS.items():
        settings = recipes.get(model_name).data  # each recipe's vocabulary, length, padding and truncation
        (_, _), (reviews, labels) = imdb.load_arrays(
            num_words=settings["n_unique_words"], skip_top=settings["n_words_to_skip"],
            max_review_length=settings["max_review_length"], padding=settings["padding"],
            truncating=settings["truncating"], source="sample")  # its validation half is aclImdb's test split
        model = zoo.get(model_name)(weights="imdb")
        # one batch: one step per model (the nets are small), the cheapest on a busy CPU
        probabilities = model.predict(reviews, batch_size=len(reviews), verbose=0).ravel()
        aucs[arch] = round(float(roc_auc_score(labels, probabilities)), 5)
        weights[arch] = weights_record(model_name, "imdb")
        classifiers[f"{arch}: AUC"] = (labels, probabilities)
    figure = plots.roc_curves(classifiers, figsize=(6.2, 5.4), title="Nine IMDb classifiers (weights "
                              f"<arch>_sentiment/imdb)\non {len(labels):,} aclImdb test reviews")
    plots.save(figure, out / FILES["imdb"])
    return {"file": FILES["imdb"], "weights": weights,
            "data": data_record(SAMPLES_DIR / imdb.SAMPLE, f"its {len(labels):,} reviews from aclImdb's test split, "
                                "each recipe's encoding (zoo.datasets.imdb.load_arrays(..., source='sample'))"),
            "reviews": len(labels), "auc": aucs}


PARTS = {"lenet": misread_digits, "gan": gan_apples, "cartpole": cartpole_episode, "imdb": imdb_roc_curves}


def make_pictures(out) -> dict:
    """Every picture into ``out``, then its record ``pictures.json``; returns the record.

    All are drawn into a hidden folder inside ``out`` first and moved into place only once every
    one is made, so a failure (a weights file that does not load) leaves the old set and its
    record together.
    """
    import os
    import tempfile

    import keras

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=".pictures.tmp") as staging:
        record = {"made_by": "python scripts/make_pictures.py", "backend": keras.backend.backend(),
                  "pictures": {part: make(Path(staging)) for part, make in PARTS.items()}}
        for measured in record["pictures"].values():
            os.replace(Path(staging) / measured["file"], out / measured["file"])
    write_json(out / RECORD, record)
    return record


@dataclass(frozen=True)
class Settings(config.Settings):
    # --out is a file everywhere else (dli-zoo generate, map, verify); this script writes a folder
    renamed: ClassVar[dict[str, str]] = {"--out": "--output-dir DIR (the folder the pictures go into)"}

    output_dir: str = config.setting(str(DEFAULT_OUT), "the folder the pictures and pictures.json go into "
                                                       "(default: docs/images/)", metavar="DIR")
    overwrite: bool = config.setting(False, "replace pictures already in --output-dir")
    verbose: bool = config.setting(False, "also show the backend's start-up log lines")


def main():
    settings = config.parse(Settings, __doc__, load_backend=False)
    out = Path(settings.output_dir)
    if out.exists() and not out.is_dir():
        raise cli.UsageError(f"--output-dir {out} is not a folder")
    there = [name for name in [*FILES.values(), RECORD] if (out / name).exists()]
    if there and not settings.overwrite:
        raise cli.UsageError(f"{out} already has {', '.join(there)}; pass --overwrite to replace them")
    cli.start_backend(settings)
    import logging

    # TensorFlow warns of "retracing" when nine models predict in turn: expected here, and noise
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    record = make_pictures(out)
    for part, measured in record["pictures"].items():
        print(f"{out / measured['file']}  ({part})")
    print(out / RECORD)


if __name__ == "__main__":
    cli.main(main)

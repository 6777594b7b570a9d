"""The zoo's measuring functions, keyed by a card's ``verify`` block (see ``zoo.pretrained.checks``).

Each metric takes an entry, one check of its block (the held-out data and its settings) and
where the full data is, and returns a :class:`Measurement`: the figure, the words that name the
data, and the data's files (hashed into verify's records). Data read once is kept in a
:class:`DataCache` for the other entries of the same run. Imports Keras only when measuring.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from zoo.datasets import SAMPLES_DIR

MNIST_TEST_SAMPLE = "mnist_test_sample.npz"


@dataclass
class Measurement:
    value: float
    data: str  # the held-out data, in words
    files: list = field(default_factory=list)  # (dataset, source, Path) of each file read


class DataCache(dict):
    """Arrays already read in this run, by what was asked for."""

    def get_or_load(self, key, load):
        if key not in self:
            self[key] = load()
        return self[key]


def _build(entry):
    import zoo

    block = entry.card.get("verify") or {}
    return zoo.get(entry.model)(weights=entry.name, **(block.get("build") or {}))


def _predict(model, inputs, batch_size: int = 256) -> np.ndarray:
    import keras

    return keras.ops.convert_to_numpy(model.predict(inputs, batch_size=batch_size, verbose=0))


# ----------------------------------------------------------------------------- held-out data

def _mnist_test(source: str, data_dir, cache: DataCache):
    def load():
        if source == "sample":
            path = SAMPLES_DIR / MNIST_TEST_SAMPLE
            with np.load(path) as digits:
                images, labels = digits["x_test"], digits["y_test"]
            return images, labels, f"MNIST test digits 0-{len(labels) - 1:,} (bundled sample)", [("mnist", "sample", path)]
        from zoo.datasets import mnist

        loaded = mnist.load_arrays("mnist", source="full", data_dir=data_dir)
        (_, _), (images, labels) = loaded
        return images, labels, f"MNIST's {len(labels):,} test digits (full)", _files("mnist", loaded.info.origin)
    return cache.get_or_load(("mnist", source), load)


def _flowers_validation(source: str, data_dir, cache: DataCache, image_size: int, seed: int, preprocess: str):
    def load():
        from zoo.datasets import flowers17, images

        # _load: load_arrays without dropping the DataInfo, whose origin verify's record hashes
        (_, _), (photos, labels), info = flowers17._load(image_size, source, data_dir, seed, 0.1)
        scaled = images.preprocess_fn(preprocess)(photos.astype("float32"))
        return (np.asarray(scaled), labels, f"Flowers 17's {len(labels)} validation photos (seed {seed}, {source})",
                _files("flowers17", info.origin, source))
    return cache.get_or_load(("flowers17", source, image_size, seed, preprocess), load)


def _imdb_test(source: str, data_dir, cache: DataCache, settings: dict, padding: str, truncating: str):
    def load():
        from zoo.datasets import imdb

        loaded = imdb.load_arrays(num_words=settings["n_unique_words"], skip_top=settings["n_words_to_skip"],
                                  max_review_length=settings["max_review_length"], padding=padding,
                                  truncating=truncating, source=source, data_dir=data_dir)
        (_, _), (reviews, labels) = loaded
        words = (f"{len(labels):,} aclImdb test reviews (bundled sample)" if source == "sample"
                 else f"aclImdb's {len(labels):,} test reviews (full)")
        files = _files("imdb", loaded.info.origin, source)
        index = Path(loaded.info.origin).parent / "imdb_word_index.json"
        if source == "full" and index.is_file() and not str(loaded.info.origin).endswith(".npz"):
            files.append(("imdb", source, index))
        return reviews, labels, words, files
    key = tuple(settings[name] for name in ("n_unique_words", "n_words_to_skip", "max_review_length"))
    return cache.get_or_load(("imdb", source, key, padding, truncating), load)


def _files(dataset: str, origin, source: str = "full") -> list:
    path = Path(str(origin))
    return [(dataset, source, path)] if path.exists() else []


# ----------------------------------------------------------------------------- metrics

def accuracy(entry, check: dict, data_dir, cache: DataCache) -> Measurement:
    data = check["data"]
    if data["set"] == "flowers17_validation":
        images, labels, words, files = _flowers_validation(check["source"], data_dir, cache, data["image_size"],
                                                           data["seed"], data["preprocess"])
    else:
        images, labels, words, files = _mnist_test(check["source"], data_dir, cache)
        images = images.astype("float32") / 255.0
    model = _build(entry)
    inputs = images.reshape((len(images), *model.input_shape[1:]))
    predicted = _predict(model, inputs).argmax(axis=1)
    return Measurement(float(np.mean(predicted == np.asarray(labels))), words, files)


def roc_auc(entry, check: dict, data_dir, cache: DataCache) -> Measurement:
    from sklearn.metrics import roc_auc_score

    from zoo import recipes

    recipe_data = getattr(recipes.RECIPES.get(entry.model), "data", {}) or {}
    reviews, labels, words, files = _imdb_test(check["source"], data_dir, cache, check["data"],
                                               recipe_data.get("padding", "pre"), recipe_data.get("truncating", "pre"))
    scores = _predict(_build(entry), reviews).ravel()
    return Measurement(float(roc_auc_score(labels, scores)), words, files)


def mse(entry, check: dict, data_dir, cache: DataCache) -> Measurement:
    from zoo.datasets import boston_housing

    loaded = boston_housing.load_arrays(source=check["source"], data_dir=data_dir)
    (_, _), (houses, prices) = loaded
    predicted = _predict(_build(entry), houses).ravel()
    words = f"the Keras split's {len(prices)} validation houses ({loaded.info.source}"
    words += ", the bundled table)" if loaded.info.notes.get("bundled") else ")"
    return Measurement(float(np.mean((predicted - prices) ** 2)), words,
                       _files("boston_housing", loaded.info.origin, check["source"]))


def mean_score(entry, check: dict, data_dir, cache: DataCache) -> Measurement:
    from zoo.dqn import DQNAgent, evaluate

    data = check["data"]
    episodes, seed = data["episodes"], data["seed"]
    agent = DQNAgent(_build(entry), epsilon=0.0, epsilon_min=0.0)
    if data["set"] == "doom":
        from zoo import doom

        scores = evaluate(agent, lambda: doom.make_env(data["scenario"]), episodes, seed=seed, parallel=1)
        game = f"ViZDoom {data['scenario']}"
    else:
        from zoo.dqn import make_gym_env

        scores = evaluate(agent, lambda: make_gym_env(data["env"]), episodes, seed=seed)
        game = data["env"]
    return Measurement(float(scores.mean()), f"{episodes} greedy {game} episodes, seeds {seed:,}-{seed + episodes - 1:,}")


def pixel_fd(entry, check: dict, data_dir, cache: DataCache) -> Measurement:
    from zoo.datasets import quickdraw
    from zoo.gan import PixelFrechetDistance, sample_noise

    data = check["data"]
    real, info = quickdraw.load_arrays(data["category"], check["source"], data_dir, return_info=True)
    quality = PixelFrechetDistance(real, n_samples=data["samples"], seed=data["seed"])
    generated = _predict(_build(entry), sample_noise(quality.n_samples, seed=data["seed"] + 1))
    words = (f"{quality.n_samples:,} drawings against {quality.n_samples:,} of the {len(real):,} "
             f"{'bundled ' if info.source == 'sample' else ''}{data['category']}s, the training "
             f"{data['category']}s (as FID usually is)")
    return Measurement(quality(generated), words, _files(f"quickdraw/{data['category']}", info.origin, check["source"]))


def queries(entry, check: dict, data_dir, cache: DataCache) -> Measurement:
    from zoo.pretrained.lookup import load_word_vectors
    from zoo.word2vec import quiet_gensim

    with quiet_gensim():
        vectors = load_word_vectors(entry.name)
    answered = 0
    for query in check["data"]["queries"]:
        if query.get("most_similar"):
            found = [word for word, _ in vectors.most_similar(query["most_similar"], topn=query.get("topn", 5))]
        elif query.get("doesnt_match"):
            found = [vectors.doesnt_match(query["doesnt_match"].split())]
        else:
            found = [word for word, _ in vectors.most_similar(positive=query["analogy"]["positive"],
                                                               negative=query["analogy"]["negative"],
                                                               topn=query.get("topn", 1))]
        answered += query["expect"] in found
    return Measurement(float(answered), f"the book's {len(check['data']['queries'])} word queries (no data set)")


METRICS = {"accuracy": accuracy, "roc_auc": roc_auc, "mse": mse, "mean_score": mean_score, "pixel_fd": pixel_fd,
           "queries": queries}


def measure(entry, source: str, data_dir=None, cache: DataCache | None = None) -> Measurement:
    """``entry``'s figure re-measured as its card's ``verify`` block says, on ``source``'s data."""
    block = entry.card.get("verify") or {}
    check = dict(block[source], source=source)
    return METRICS[block["metric"]](entry, check, data_dir, cache if cache is not None else DataCache())

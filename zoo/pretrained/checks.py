"""How a model card is re-measured: the ``verify`` block every card carries, and the block each
model's export writes.

A card's block names the zoo's metric that re-measures the weights, the card's own figure it
checks (a key of ``card["metrics"]["values"]``), the builder's settings, and one check per kind
of data (``"sample"``: the bundled samples; ``"full"``: the full data set through its loader):
the held-out data, which way a difference counts (``within``, ``at_least``, ``at_most``) and the
tolerance, with a line saying why it is that wide. ``zoo.pretrained.measures`` does the
measuring and ``zoo.pretrained.verify`` compares; neither needs any per-model code but this.

The registry's cards got their blocks from :func:`add_verify_blocks` (re-runnable: it rewrites
only the blocks, from the cards' own figures):

    python -c "from zoo.pretrained import checks; checks.add_verify_blocks()"

Imports no Keras.
"""

from __future__ import annotations

import math

from zoo.files import read_json, write_json

MNIST_NETS = ("shallow_net", "intermediate_net", "deep_net", "lenet")
FLOWER_NETS = ("alexnet", "vggnet")
MNIST_SAMPLE_DIGITS = 1_000
IMDB_SAMPLE_REVIEWS = (500, 500)  # positive, negative: the test half of imdb_sample.npz
REWARD_THRESHOLDS = {"CartPole-v0": 195.0, "CartPole-v1": 475.0}  # gymnasium's: the score that counts as solved
GYM_EPISODES = {"sample": 20, "full": 100}
DOOM_EPISODES = {"sample": 10, "full": 100}
GYM_SEED = 5_000_000  # far from training (1 + episode), its greedy checks (10,001+) and evaluation (1,000,001+)
DOOM_SEED = 7_000_000  # far from training (1 + epoch), its per-epoch tests (10,000 + 1,000 x epoch)
GAN_SEED = 11  # another draw of real drawings and noise than the card's (real seed 0, unseeded noise)
GAN_SAMPLES = 1_000
WORD_QUERIES = [  # the book's queries, with the answers the bundled vectors give (docs/results.md)
    {"most_similar": "father", "topn": 5, "expect": "mother"},
    {"doesnt_match": "mother father sister brother dog", "expect": "dog"},
    {"analogy": {"positive": ["husband", "woman"], "negative": ["man"]}, "topn": 1, "expect": "wife"},
]


def _up(value: float, digits: int = 4) -> float:
    """``value`` rounded up at ``digits`` decimals: a tolerance never narrower than computed."""
    return math.ceil(value * 10**digits - 1e-9) / 10**digits


def accuracy_error(accuracy: float, n: int) -> float:
    """The standard error of an accuracy measured on ``n`` examples."""
    return math.sqrt(max(accuracy * (1 - accuracy), 0.0) / n)


def roc_auc_error(auc: float, positives: int, negatives: int) -> float:
    """The standard error of a ROC AUC over that many positives and negatives (Hanley and McNeil, 1982)."""
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc**2) + (negatives - 1) * (q2 - auc**2))
    return math.sqrt(max(variance, 0.0) / (positives * negatives))


def _values(card: dict) -> dict:
    return (card.get("metrics") or {}).get("values") or {}


def _not_checked(why: str) -> dict:
    return {"metric": None, "why": why}


def _mnist(card: dict) -> dict:
    accuracy = _values(card).get("val_accuracy")
    if accuracy is None:
        return _not_checked("the card has no val_accuracy to check")
    error = accuracy_error(accuracy, MNIST_SAMPLE_DIGITS)
    return {
        "metric": "accuracy", "compares": "val_accuracy", "build": {},
        "sample": {"data": {"set": "mnist_test_sample"}, "direction": "at_least", "tolerance": _up(3 * error),
                   "why": f"3 standard errors of an accuracy of {accuracy:.4f} over 1,000 digits; a floor, since "
                          "MNIST's first 5,000 test digits are its cleaner half"},
        "full": {"data": {"set": "mnist_test"}, "direction": "within", "tolerance": 0.001,
                 "why": "the card's own 10,000 test digits: 10 digits' worth of float rounding between backends"},
    }


def _flowers(card: dict) -> dict:
    settings, accuracy = card.get("hyperparameters") or {}, _values(card).get("val_accuracy")
    validation = (card.get("data") or {}).get("n_validation")
    if accuracy is None or not validation:
        return _not_checked("the card has no val_accuracy on a validation split to check")
    return {
        "metric": "accuracy", "compares": "val_accuracy", "build": {},
        "sample": None,  # the bundled photos may be among the training ones: no held-out sample
        "full": {"data": {"set": "flowers17_validation", "image_size": settings.get("image_size", 224),
                          "seed": settings.get("seed", 42), "preprocess": settings.get("preprocess", "book")},
                 "direction": "within", "tolerance": _up(1.01 / validation),
                 "why": f"the card's own {validation} validation photos (the same seeded split): one photo's worth"},
    }


def _imdb(card: dict) -> dict:
    auc, settings = _values(card).get("roc_auc"), card.get("hyperparameters") or {}
    if auc is None:
        return _not_checked("the card has no roc_auc to check")
    data = {"set": "imdb_test", **{key: settings.get(key) for key in
                                   ("n_unique_words", "n_words_to_skip", "max_review_length")}}
    error = roc_auc_error(auc, *IMDB_SAMPLE_REVIEWS)
    return {
        "metric": "roc_auc", "compares": "roc_auc", "build": {},
        "sample": {"data": data, "direction": "within", "tolerance": _up(3 * error),
                   "why": f"3 standard errors of a ROC AUC of {auc:.4f} over 500 positive and 500 negative "
                          "reviews drawn at random from aclImdb's test half (Hanley and McNeil)"},
        "full": {"data": data, "direction": "within", "tolerance": 0.001,
                 "why": "the card's own 25,000 test reviews: float rounding between backends"},
    }


def _regression(card: dict) -> dict:
    loss = _values(card).get("val_loss")
    if loss is None:
        return _not_checked("the card has no val_loss to check")
    check = {"data": {"set": "boston_validation"}, "direction": "within", "tolerance": _up(0.001 * loss, 3),
             "why": "the card's own 102 validation houses (the bundled table is the whole data set): "
                    "0.1% for float rounding"}
    return {"metric": "mse", "compares": "val_loss", "build": {}, "sample": check, "full": check}


def _cartpole(card: dict) -> dict:
    settings = card.get("hyperparameters") or {}
    env, score = settings.get("env"), _values(card).get("eval_mean_score")
    n_dense = (settings.get("recipe") or {}).get("n_dense") or settings.get("n_dense")
    if env not in REWARD_THRESHOLDS or score is None:
        return _not_checked(f"no reward threshold known for {env!r}, or no eval_mean_score on the card")
    threshold = REWARD_THRESHOLDS[env]
    tolerance = max(score - threshold, 0.0)
    return {
        "metric": "mean_score", "compares": "eval_mean_score", "build": {"n_dense": n_dense} if n_dense else {},
        **{data: {"data": {"set": "gym", "env": env, "episodes": GYM_EPISODES[data], "seed": GYM_SEED},
                  "direction": "at_least", "tolerance": tolerance,
                  "why": f"at least gymnasium's reward threshold for {env}, {threshold:g}: the mean score "
                         "that counts as solving it"}
           for data in ("sample", "full")},
    }


def _doom(card: dict) -> dict:
    values, settings = _values(card), card.get("hyperparameters") or {}
    if values.get("test_mean") is None or values.get("test_std") is None:
        return _not_checked("the card has no test_mean and test_std to check")
    scenario, card_episodes = settings.get("scenario", "simpler_basic"), settings.get("test_episodes") or 100

    def check(data):
        episodes = DOOM_EPISODES[data]
        # two independent means, the card's and this one: the standard error of their difference
        error = values["test_std"] * math.sqrt(1 / card_episodes + 1 / episodes)
        return {"data": {"set": "doom", "scenario": scenario, "episodes": episodes, "seed": DOOM_SEED},
                "direction": "at_least", "tolerance": _up(3 * error, 2),
                "why": f"3 standard errors of the difference between the card's mean over {card_episodes} "
                       f"episodes and one over {episodes}, from the card's spread of {values['test_std']:.1f} a game"}

    return {"metric": "mean_score", "compares": "test_mean", "build": {}, "sample": check("sample"),
            "full": check("full")}


def _generator(card: dict) -> dict:
    values = _values(card)
    if values.get("pixel_fd") is None or values.get("pixel_fd_real") is None:
        return _not_checked("the card has no pixel_fd and pixel_fd_real to check")
    category = (card.get("hyperparameters") or {}).get("category", "apple")

    def check(data):
        return {"data": {"set": "quickdraw", "category": category, "samples": GAN_SAMPLES, "seed": GAN_SEED},
                "direction": "at_most", "tolerance": values["pixel_fd_real"],
                "why": "the distance between two sets of real drawings (the card's pixel_fd_real): "
                       "a difference under it is sampling noise"}

    return {"metric": "pixel_fd", "compares": "pixel_fd", "build": {}, "sample": check("sample"),
            "full": check("full")}


def _word2vec(card: dict) -> dict:
    check = {"data": {"set": "word_queries", "queries": WORD_QUERIES}, "direction": "at_least", "tolerance": 0,
             "why": "every query answered as the card expects"}
    return {"metric": "queries", "compares": None, "expected": len(WORD_QUERIES), "build": {},
            "sample": check, "full": check}


def verify_block(model: str, card: dict) -> dict:
    """The ``verify`` block of ``model``'s card (the zoo's model name, e.g. "generator"), from the
    card's own figures and data; a model nothing re-measures gets a block that says why."""
    dataset = str((card.get("data") or {}).get("dataset", ""))
    if model in MNIST_NETS:
        return _mnist(card) if dataset == "mnist" else _not_checked(f"no held-out check for {dataset!r} yet")
    if model in FLOWER_NETS:
        return _flowers(card) if dataset == "flowers17" else _not_checked(f"no held-out check for {dataset!r} yet")
    if model.endswith("_sentiment"):
        return _imdb(card)
    chosen = {"regression_net": _regression, "cartpole_q_network": _cartpole, "doom_q_network": _doom,
              "generator": _generator, "word2vec": _word2vec}.get(model)
    if chosen is not None:
        return chosen(card)
    if model == "discriminator":
        return _not_checked("a discriminator has no figure of its own: the GAN is checked through its generator")
    return _not_checked(f"no check is defined for {model}")


def add_verify_blocks(path=None) -> int:
    """Give every card of the registry at ``path`` (default: the package's) its ``verify`` block,
    made by :func:`verify_block` from the card; everything else is left as it is. Returns the
    number of cards whose block changed; running it again changes nothing."""
    from zoo.pretrained import lookup

    path = path or lookup.registry_path()
    registry = read_json(path)
    changed = 0
    for item in registry["weights"]:
        card = item.setdefault("card", {})
        block = verify_block(item["model"], card)
        if card.get("verify") != block:
            card["verify"] = block
            changed += 1
    if changed:
        write_json(path, registry)
    return changed

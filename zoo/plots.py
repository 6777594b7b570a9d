"""Figures every run writes: learning curves, ROC curves, image grids, score curves.

Each function returns a matplotlib Figure; ``save(figure, path)`` writes it atomically.
Matplotlib's non-interactive Agg backend is used, so nothing needs a display.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from zoo.files import atomic_path  # noqa: E402


def save(figure, path) -> Path:
    """Write ``figure`` as PNG to a temporary name, then rename, so a crash leaves no half file."""
    path = Path(path)
    try:
        with atomic_path(path) as temporary:
            figure.savefig(temporary, dpi=100, bbox_inches="tight", format=path.suffix.lstrip(".") or "png")
    finally:
        plt.close(figure)
    return path


def learning_curves(history: dict, title: str = ""):
    """Loss and every other metric, training against validation, one panel each."""
    names = [key for key in history if not key.startswith("val_") and key not in ("epoch", "learning_rate")]
    figure, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 3.6), squeeze=False)
    epochs = [epoch + 1 for epoch in history.get("epoch", range(len(history[names[0]])))]
    for axis, name in zip(axes[0], names):
        axis.plot(epochs, history[name], marker="o", label="training")
        if f"val_{name}" in history:
            axis.plot(epochs, history[f"val_{name}"], marker="o", label="validation")
        axis.set_xlabel("epoch")
        axis.set_ylabel(name)
        axis.grid(alpha=0.3)
        axis.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


# Figures added by the vision, language, GAN and RL chapters follow, one section each.


# ----------------------------------------------------------------------------- RL (ch. 13)

def score_curve(scores, window: int = 20, title: str = "", evaluations=None, target=None):
    """Episode scores with their moving average; optional greedy evaluations as (episode, mean) points."""
    import numpy as np

    scores = np.asarray(scores, dtype=float)
    episodes = np.arange(1, len(scores) + 1)
    figure, axis = plt.subplots(figsize=(8, 3.6))
    axis.plot(episodes, scores, color="tab:blue", alpha=0.35, linewidth=0.8, label="episode score")
    if len(scores) >= window:
        moving = np.convolve(scores, np.ones(window) / window, mode="valid")
        axis.plot(episodes[window - 1:], moving, color="tab:blue", label=f"moving average ({window})")
    if evaluations:
        points = np.asarray(evaluations, dtype=float)
        axis.plot(points[:, 0], points[:, 1], "o", color="tab:orange", markersize=4, label="greedy evaluation")
    return _finish_score_axes(figure, axis, "episode", target, title, legend="upper left")


def epoch_score_curve(rows, title: str = "", target=None):
    """Per-epoch training and greedy test scores (mean, with a band of one standard deviation).

    ``rows``: dicts with epoch, train_mean, train_std, test_mean, test_std (as a Doom run logs them).
    """
    import numpy as np

    epochs = np.array([row["epoch"] for row in rows], dtype=float)
    figure, axis = plt.subplots(figsize=(7, 3.6))
    for kind, color in (("train", "tab:blue"), ("test", "tab:orange")):
        mean = np.array([np.nan if row[f"{kind}_mean"] is None else row[f"{kind}_mean"] for row in rows], dtype=float)
        std = np.array([0.0 if row[f"{kind}_std"] is None else row[f"{kind}_std"] for row in rows], dtype=float)
        axis.plot(epochs, mean, marker="o", color=color, label=f"{kind} (greedy)" if kind == "test" else kind)
        axis.fill_between(epochs, mean - std, mean + std, color=color, alpha=0.15)
    return _finish_score_axes(figure, axis, "epoch", target, title, legend="lower right")


# ----------------------------------------------------------------------------- vision (ch. 10)

def _finish_score_axes(figure, axis, xlabel: str, target, title: str, legend: str):
    """The target line, labels, grid, legend and title the two score plots share."""
    if target is not None:
        axis.axhline(target, color="grey", linestyle="--", linewidth=0.8, label=f"target {target:g}")
    axis.set_xlabel(xlabel)
    axis.set_ylabel("score")
    axis.grid(alpha=0.3)
    axis.legend(loc=legend, fontsize="small")
    if title:
        axis.set_title(title)
    figure.tight_layout()
    return figure


def confusion_matrix(matrix, class_names, title: str = "", normalize: bool = True):
    """A confusion matrix: true classes down, predicted across; rows normalised to 1 by default,
    so each diagonal cell is that class's accuracy, with the counts written in the cells."""
    import numpy as np

    counts = np.asarray(matrix)
    totals = counts.sum(axis=1, keepdims=True)
    shown = np.divide(counts, totals, out=np.zeros(counts.shape, dtype=float), where=totals > 0) if normalize else counts
    n = len(class_names)
    side = max(4.0, 0.45 * n + 2.0)
    figure, axis = plt.subplots(figsize=(side + 1.0, side))
    image = axis.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    figure.colorbar(image, ax=axis, fraction=0.046, pad=0.04, label="fraction of the true class" if normalize else "count")
    axis.set_xticks(range(n), labels=class_names, rotation=60, ha="right", fontsize="small")
    axis.set_yticks(range(n), labels=class_names, fontsize="small")
    axis.set_xlabel("predicted")
    axis.set_ylabel("true")
    threshold = (shown.max() or 1) / 2
    for i in range(n):
        for j in range(n):
            if counts[i, j]:
                axis.text(j, i, str(int(counts[i, j])), ha="center", va="center", fontsize="x-small",
                          color="white" if shown[i, j] > threshold else "black")
    if title:
        axis.set_title(title)
    figure.tight_layout()
    return figure


# ----------------------------------------------------------------------------- GAN (ch. 12)

def image_grid(images, columns: int | None = None, title: str = "", size: float = 1.2, cmap: str = "gray"):
    """Drawings (N, H, W) or (N, H, W, 1), values in [0, 1], as a grid without axes (the book's 4x4)."""
    import numpy as np

    images = np.asarray(images, dtype=float)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    columns = columns or int(np.ceil(np.sqrt(len(images))))
    rows = int(np.ceil(len(images) / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(size * columns, size * rows), squeeze=False)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index < len(images):
            axis.imshow(images[index], cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
    if title:
        figure.suptitle(title, fontsize="small")
    figure.tight_layout(pad=0.2)
    return figure


def gan_curves(d_values, a_values, ylabel: str, log_scale: bool = False, title: str = "", window: int = 0):
    """The book's final plots: one metric of the discriminator and of the adversarial model per
    iteration (loss on a log scale, accuracy linear), with an optional moving average."""
    import numpy as np

    figure, axis = plt.subplots(figsize=(7, 3.6))
    for values, label, color in ((d_values, "discriminator", "tab:blue"), (a_values, "adversarial", "tab:orange")):
        values = np.asarray(values, dtype=float)
        iterations = np.arange(1, len(values) + 1)
        smooth = 1 < window < len(values)
        axis.plot(iterations, values, color=color, alpha=0.35 if smooth else 1.0, linewidth=0.8,
                  label=None if smooth else label)
        if smooth:
            moving = np.convolve(values, np.ones(window) / window, mode="valid")
            axis.plot(iterations[window - 1:], moving, color=color, label=f"{label} ({window}-iteration mean)")
    if log_scale:
        axis.set_yscale("log")
    axis.set_xlabel("iteration")
    axis.set_ylabel(ylabel)
    axis.grid(alpha=0.3)
    axis.legend(fontsize="small")
    if title:
        axis.set_title(title)
    figure.tight_layout()
    return figure


# ----------------------------------------------------------------------------- chapter 11: sentiment

def roc_curve(y_true, y_probability, title: str = ""):
    """The ROC curve of a binary classifier (scikit-learn), with its area in the legend."""
    return roc_curves({"ROC AUC": (y_true, y_probability)}, title=title or "ROC curve")


def roc_curves(classifiers: dict, title: str = "ROC curves", figsize=(4.6, 4.4)):
    """ROC curves of binary classifiers on one axis (scikit-learn): ``{label: (y_true, y_probability)}``,
    each with its area in the legend, the largest first."""
    from sklearn.metrics import roc_auc_score
    from sklearn.metrics import roc_curve as curve

    curves = sorted(((roc_auc_score(y_true, y_probability), label, *curve(y_true, y_probability)[:2])
                     for label, (y_true, y_probability) in classifiers.items()), key=lambda row: -row[0])
    figure, axis = plt.subplots(figsize=figsize)
    for auc, label, false_positive, true_positive in curves:
        axis.plot(false_positive, true_positive, linewidth=1.2, label=f"{label} {100 * auc:.2f}")
    axis.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=0.8, label="chance")
    axis.set_xlabel("false positive rate")
    axis.set_ylabel("true positive rate")
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1.01)
    axis.grid(alpha=0.3)
    axis.legend(loc="lower right", fontsize="small" if len(curves) > 1 else None)
    axis.set_title(title, fontsize="medium" if len(curves) > 1 else None)
    figure.tight_layout()
    return figure


def probability_histogram(y_probability, y_true=None, bins: int = 50, title: str = ""):
    """The book's histogram of predicted probabilities, split by true class when labels are given."""
    import numpy as np

    y_probability = np.asarray(y_probability, dtype=float).ravel()
    figure, axis = plt.subplots(figsize=(6, 3.6))
    edges = np.linspace(0, 1, bins + 1)
    if y_true is None:
        axis.hist(y_probability, bins=edges, color="tab:blue")
    else:
        y_true = np.asarray(y_true).ravel()
        for label, name, color in ((0, "negative reviews", "tab:red"), (1, "positive reviews", "tab:green")):
            axis.hist(y_probability[y_true == label], bins=edges, alpha=0.6, color=color, label=name)
        axis.legend()
    axis.axvline(0.5, color="grey", linestyle="--", linewidth=0.8)
    axis.set_xlabel("predicted probability of a positive review")
    axis.set_ylabel("reviews")
    axis.set_title(title or "predicted probabilities")
    figure.tight_layout()
    return figure

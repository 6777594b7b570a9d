"""Figures every run writes: learning curves, ROC curves, image grids, score curves.

Each function returns a matplotlib Figure; ``save(figure, path)`` writes it atomically.
Matplotlib's non-interactive Agg backend is used, so nothing needs a display.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)


def save(figure, path) -> Path:
    """Write ``figure`` as PNG to a temporary name, then rename, so a crash leaves no half file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    figure.savefig(temporary, dpi=100, bbox_inches="tight", format=path.suffix.lstrip(".") or "png")
    plt.close(figure)
    os.replace(temporary, path)
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

"""``Run``: one training run's Keras side (runtime, models, ``fit``, checkpoints, artifacts)
over its output folder (:class:`zoo.runfolder.RunFolder`).

Every script, ``fit``-based or with its own loop, on any Keras backend, follows one contract:

    settings = config.parse(Config, __doc__)  # a frozen dataclass of the script's settings
    run = training.Run(settings, "lenet")      # the folder checked and locked; nothing written
    train, validation = run.data(mnist.load(batch_size=run.global_batch_size, ...))  # read in full
    model = run.build_or_resume(build_and_compile)
    run.fit(model, train, validation)          # the first checkpoint creates (or replaces) the folder
    run.finish(model)

Scripts with their own loops hand the run what to save and how to load it:
``run.restore(start, resume)`` and ``run.checkpoint(save, progress, snapshot=True)`` (each
checkpoint in a folder of its own, which ``state.json`` names, so a kill mid-save keeps the
previous one). Keras and the backend load when a ``Run`` is made, not when this module is
imported, so a script's ``--help`` answers at once.
"""

from __future__ import annotations

import logging
import math
import zipfile
from importlib.util import find_spec
from pathlib import Path

from zoo import recipes, saving
from zoo.cli import UsageError
from zoo.errors import one_line
from zoo.runrecords import STATE_FILE, STATE_FORMAT, read_history, read_state, truncate_history, versions  # noqa: F401  (the names scripts know)
from zoo.runfolder import RunFolder

log = logging.getLogger("zoo")


class Run(RunFolder):
    """One training run: its runtime, models, checkpoints and final artifacts, over its folder.

    Args:
        args: the script's settings (``zoo.config.parse``).
        model: the zoo's model name (also the recipe's).
        monitor, mode: what picks the best checkpoint (default: the recipe's).
        settings: defining settings the command line does not show as such (values a script
            resolved from a preset, say); they join the flags in ``state.json``.
    """

    def __init__(self, args, model: str, monitor: str | None = None, mode: str | None = None,
                 settings: dict | None = None):
        from zoo import runtime  # loads Keras and its backend

        self.recipe = recipes.RECIPES.get(model)
        self.monitor = monitor or getattr(self.recipe, "monitor", None) or "val_loss"
        self.mode = mode or getattr(self.recipe, "mode", None) or "min"
        # a script without --strategy (the DQN agents) trains on one device, whatever the machine has
        configured = runtime.configure(getattr(args, "device", "auto"), getattr(args, "strategy", "default"),
                                       getattr(args, "precision", "float32"), getattr(args, "seed", None),
                                       quiet=True)  # described once the folder is checked
        super().__init__(args, model, configured, settings)
        self._said_no_tensorboard = False

    # -- models
    def restore(self, start, resume):
        """``start()`` for a new run, ``resume(checkpoint_dir, progress)`` to continue one;
        either way inside the strategy's scope."""
        with self.runtime.scope():
            if not self.resuming:
                return start()
            restored = resume(self.snapshot_dir, self.progress)
        where = f"after epoch {self.initial_epoch}" if self.initial_epoch else self._describe_progress()
        log.info(f"resuming {self.output_dir} {where}")
        return restored

    def build_or_resume(self, build_and_compile, weights_into=None, start_weights: bool = True):
        """The model from the last checkpoint when resuming, else ``build_and_compile()`` with
        ``--weights`` loaded into it (or into ``weights_into(model)``: ``(network, zoo name)``,
        for a model whose weights are one of its parts, as the GAN's generator).
        ``start_weights=False``: the script's --weights mean something else (VGG19's base)."""
        from zoo.common import load_weights

        def start():
            model = build_and_compile()
            weights = getattr(self.args, "weights", None) if start_weights else None
            if weights is not None:
                network, zoo_name = weights_into(model) if weights_into else (model, self.model_name)
                try:
                    load_weights(network, weights, zoo_name)
                except ValueError as error:  # its words name weights=...; the user typed --weights
                    message = one_line(error).replace(f"weights={str(weights)!r}", f"--weights {weights}", 1)
                    raise UsageError(message) from None
                log.info(f"starting from the weights {weights}")
            return model

        return self.restore(start, self._load_last)

    def _load_last(self, folder: Path, progress: dict):
        from zoo.checkpoints import optimizer_iterations

        path = folder / "last.keras"
        try:
            model = saving.load_model(path)
        except (OSError, ValueError, zipfile.BadZipFile) as error:
            raise UsageError(f"--resume: cannot read the checkpoint {path} ({one_line(error)}); "
                             f"--overwrite starts the run anew") from None
        recorded, saved = progress.get("optimizer_iterations"), optimizer_iterations(model)
        if recorded is not None and saved is not None and saved > recorded:
            # killed after last.keras was replaced but before state.json was: the
            # checkpoint (and history.csv, written first) already hold one more epoch
            self.initial_epoch += 1
            self._recount_best()
            log.info("the last checkpoint is one epoch ahead of state.json; counting it")
        return model

    def _describe_progress(self) -> str:
        shown = {key: value for key, value in self.progress.items() if isinstance(value, (int, float, str))}
        return "after " + ", ".join(f"{key} {value}" for key, value in shown.items())

    def _recount_best(self) -> None:
        """The best epoch from history.csv, after counting an epoch state.json missed; when
        that epoch is the best, best.keras becomes its checkpoint (the kill may have come first)."""
        from zoo.checkpoints import same_file_as

        scores = read_history(self.output_dir / "history.csv").get(self.monitor, [])[: self.initial_epoch]
        finite = [score for score in scores if math.isfinite(score)]
        if not finite:
            return
        self._best = max(finite) if self.mode == "max" else min(finite)
        if scores[-1] == self._best:
            same_file_as(self.checkpoint_dir / "last.keras", self.checkpoint_dir / "best.keras")

    def best_model(self):
        """The best epoch's model (``checkpoints/best.keras``), loaded in the strategy's scope;
        None when no epoch has been the best yet."""
        path = self.checkpoint_dir / "best.keras"
        if not path.is_file():
            return None
        with self.runtime.scope():
            return saving.load_model(path)

    def fit(self, model, train, validation=None, epochs: int | None = None, callbacks=(), **fit_kwargs) -> dict:
        """``model.fit`` with the harness's callbacks; returns the whole history (resumed runs too)."""
        import keras

        from zoo import stopping
        from zoo.checkpoints import DivergenceGuard, EpochCheckpoint, HistoryLogger, StopOnSignal

        epochs = epochs or self.args.epochs
        history_csv = self.path("history.csv")
        if self.initial_epoch >= epochs:
            log.info(f"{self.output_dir} already holds {self.initial_epoch} epochs; nothing to train")
            return read_history(history_csv)
        if self.initial_epoch:
            truncate_history(history_csv, self.initial_epoch)
        guard = DivergenceGuard()
        harness_callbacks = [guard, HistoryLogger(str(history_csv), append=self.initial_epoch > 0,
                                                  validation=validation is not None)]
        if find_spec("tensorflow") is not None:  # Keras writes TensorBoard logs through tf.summary
            harness_callbacks.append(keras.callbacks.TensorBoard(log_dir=str(self.path("logs"))))
        elif not self._said_no_tensorboard:
            log.info("TensorFlow is not installed: no TensorBoard logs (history.csv has the curves)")
            self._said_no_tensorboard = True
        # the checkpoint comes after the script's callbacks, so an epoch's files are all written when it is taken
        checkpoint = EpochCheckpoint(self, self.monitor, self.mode, best=self._best,
                                     every=getattr(self.args, "checkpoint_every", 1))
        # a stop signal ends fit at the next batch, never inside the backend or a checkpoint's save
        with stopping.deferred():
            model.fit(train, validation_data=validation, epochs=epochs, initial_epoch=self.initial_epoch,
                      callbacks=harness_callbacks + list(callbacks) + [checkpoint, StopOnSignal()],
                      verbose=0 if self.args.quiet else "auto",
                      **{"shuffle": False, **fit_kwargs})  # loaders shuffle; fit would only warn
        self._best = checkpoint.best
        self.initial_epoch = max(self.initial_epoch, self.progress.get("epochs_done", 0))
        guard.raise_if_diverged()
        return read_history(history_csv)

    def history(self) -> dict:
        return read_history(self.output_dir / "history.csv")

    def finish(self, model=None, metrics: dict | None = None, model_file: str = "model.keras") -> dict:
        """Save the model, the learning curves and metrics.json; print the RESULT line."""
        from zoo import plots

        history = self.history()
        result = {"model": self.model_name}
        data = self._data_record()
        if data is not None:
            result.update(dataset=data["dataset"], data=data["source"], data_origin=data["origin"],
                          n_train=data["n_train"], n_validation=data["n_validation"])
        if history:
            result["epochs"] = len(history["epoch"])
            for key in history:
                if key.startswith("val_"):
                    result[key] = history[key][-1]
            best = (max if self.mode == "max" else min)(history[self.monitor]) if self.monitor in history else None
            result[f"best_{self.monitor}"] = best
        result.update(metrics or {})
        if self.recipe is not None and "book" not in result:
            reference = self.recipe.reference
            result["book"] = {"metric": reference.metric, "value": reference.value, "note": reference.note}
        result.update(self.runtime.as_dict())
        if model is not None:
            from zoo.checkpoints import save_model

            save_model(model, self.path(model_file))
            result["model_file"] = str(self.output_dir / model_file)
        if history:
            plots.save(plots.learning_curves(history, title=self.model_name), self.path("learning_curves.png"))
        return self.write_finish(result)


def class_metrics(model, validation, class_names, plot_path=None, title: str = "") -> dict:
    """Per-class validation accuracy and the confusion matrix (drawn into ``plot_path`` if given)."""
    import numpy as np
    from sklearn.metrics import confusion_matrix

    from zoo import plots, runtime

    true, predicted = [], []
    for images, labels in validation:
        true.append(np.argmax(labels, axis=1))
        predicted.append(np.argmax(model.predict_on_batch(images), axis=1))
    # processes that share each batch (JAX's multiworker) each saw only their share
    true, predicted = (runtime.all_processes(np.concatenate(values)) for values in (true, predicted))
    matrix = confusion_matrix(true, predicted, labels=range(len(class_names)))
    if plot_path is not None:
        plots.save(plots.confusion_matrix(matrix, class_names, title=title), plot_path)
    totals = matrix.sum(axis=1)
    per_class = {name: (float(matrix[i, i] / totals[i]) if totals[i] else None) for i, name in enumerate(class_names)}
    return {"per_class_accuracy": per_class, "confusion_matrix": matrix.tolist()}

"""Choices the command line offers and the layers below it check: devices, distribution,
precision, and which flags a resumed run may change. Kept here, importing nothing, so that
``zoo.runtime`` and ``zoo.runfolder`` need not import ``zoo.cli`` (which re-exports them)."""

from __future__ import annotations

DEVICE_HELP = "auto, cpu, gpu, or one device such as gpu:1"
STRATEGIES = ("auto", "default", "mirrored", "multiworker")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")

# Flags that only say how to run, not what the run is: --resume accepts new values for
# these; every other flag must match the run being resumed.
MAY_CHANGE_ON_RESUME = {"epochs", "episodes", "iterations", "quiet", "verbose", "device", "data_dir", "checkpoint_every",
                        "output_dir", "resume", "overwrite"}

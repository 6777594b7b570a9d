"""Choices the command line offers and the layers below it check: devices, distribution and
precision. Kept here, importing nothing, so that ``zoo.runtime`` need not import ``zoo.config``."""

from __future__ import annotations

DEVICE_HELP = "auto, cpu, gpu, or one device such as gpu:1"
STRATEGIES = ("auto", "default", "mirrored", "multiworker")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")

"""What a weights name is (``"mnist"`` in ``build_lenet(weights="mnist")``), told apart from a
file. Builders, the command line and the registry all ask; it lives below them all and
imports nothing of the zoo, so a builder checks a name without importing the registry."""

from __future__ import annotations

import os
import re
from pathlib import Path

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_]*")  # no dots: "<model>.<name>.json" must split one way


def is_weights_name(weights) -> bool:
    """A string that names registered or exported weights (``"mnist"``) rather than a file:
    no existing path, no folder in it and no ``.keras``/``.h5`` ending."""
    return (isinstance(weights, str) and bool(weights) and "/" not in weights and os.sep not in weights
            and not weights.endswith((".keras", ".h5")) and not Path(weights).exists())

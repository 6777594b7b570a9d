"""Predictions of trained networks on fixed inputs, on whichever Keras backend runs this.

    python tests/backend_predictions.py ENTRIES_JSON OUT.npz    # in a subprocess per backend

``ENTRIES_JSON``: a list of ``[zoo model name, weights name or file, builder keyword arguments]``.
The same inputs on every backend (seeded NumPy), so the arrays compare across backends.
"""

import json
import sys

import numpy as np


def fixed_inputs(model, rows: int = 4):
    """Seeded inputs of the model's shape: token ids below the vocabulary for an embedding, else [0, 1)."""
    import keras

    rng = np.random.default_rng(0)
    embedding = next((layer for layer in model.layers if isinstance(layer, keras.layers.Embedding)), None)
    shape = (rows, *model.inputs[0].shape[1:])
    if embedding is not None:
        return rng.integers(0, embedding.input_dim, shape).astype("float32")
    return rng.random(shape, dtype=np.float32)


def predictions(entries) -> dict:
    import keras

    import zoo

    found = {}
    for model_name, weights, arguments in entries:
        model = zoo.get(model_name)(weights=weights, **arguments)
        found[f"{model_name}.{weights}"] = keras.ops.convert_to_numpy(model(fixed_inputs(model), training=False))
    return found


if __name__ == "__main__":
    np.savez(sys.argv[2], **predictions(json.loads(sys.argv[1])))

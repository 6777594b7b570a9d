"""On PYTHONPATH, this hides TensorFlow from a Python process, as on a machine without it
(the GPU machines this project borrows have JAX and no TensorFlow): importing it fails.

It is hidden by a finder that refuses the import, not by ``sys.modules["tensorflow"] = None``:
Keras takes a ``"tensorflow"`` key in ``sys.modules`` to mean TensorFlow is loaded (its
preprocessing layers then ask TensorFlow whether they run in a graph), which is not what a
machine without TensorFlow looks like.
"""

import sys

HIDDEN = ("tensorflow", "tensorflow_datasets")


class _HideTensorFlow:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _HideTensorFlow())

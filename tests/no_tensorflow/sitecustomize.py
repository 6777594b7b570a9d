"""On PYTHONPATH, this hides TensorFlow from a Python process, as on a machine without it
(the GPU machines this project borrows have JAX and no TensorFlow): importing it fails with
ModuleNotFoundError and ``importlib.util.find_spec`` finds nothing.

The finder of installed modules is swapped for one that skips TensorFlow. Neither
``sys.modules["tensorflow"] = None`` (Keras takes the key to mean TensorFlow is loaded) nor a
finder that raises (PyTorch probes for TensorFlow with ``find_spec``) looks like a machine
without it.
"""

import sys
from importlib.machinery import PathFinder

HIDDEN = ("tensorflow", "tensorflow_datasets")


class PathFinderWithoutTensorFlow(PathFinder):
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname.partition(".")[0] in HIDDEN:
            return None
        return super().find_spec(fullname, path, target)


sys.meta_path[:] = [PathFinderWithoutTensorFlow if finder is PathFinder else finder for finder in sys.meta_path]

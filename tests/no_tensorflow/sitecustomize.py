"""On PYTHONPATH, this hides TensorFlow from a Python process, as on a machine without it
(the GPU machines this project borrows have JAX and no TensorFlow): importing it fails."""

import sys

sys.modules["tensorflow"] = None
sys.modules["tensorflow_datasets"] = None

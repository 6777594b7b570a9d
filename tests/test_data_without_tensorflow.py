"""Loaders without TensorFlow: the same batches from NumPy (keras.utils.PyDataset) as from tf.data.

One subprocess on JAX with TensorFlow hidden (as on a JAX-only GPU machine) reads every
loader's bundled sample and saves its batches; this process reads the same through tf.data
and compares them: values, dtypes, batch sizes and counts, and for a seed the order of the
first and second passes and of ``repeat()``.
"""

import json
import sys

import numpy as np
import pytest

from conftest import run_python

# Each loader's call and how many batches to read of its endless training stream (None: finite).
LOADERS = {
    "flowers17": ("flowers17.load(batch_size=16, image_size=32, source='sample', seed=3)", None),
    "flowers17_imagenet": ("flowers17.load(batch_size=16, image_size=32, source='sample', seed=4, "
                           "preprocess='imagenet')", None),
    "hotdog": ("hotdog.load(batch_size=6, image_size=24, source='sample', seed=5, augment=False)", None),
    "mnist": ("mnist.load(flatten=False, batch_size=96, source='sample', seed=1, max_examples=400)", None),
    "boston_housing": ("boston_housing.load(batch_size=64, seed=2)", None),
    "imdb": ("imdb.load(batch_size=64, num_words=500, max_review_length=40, source='sample', seed=7, "
             "max_examples=200)", None),
    # 100 drawings in batches of 32: the stream's batches cross from one pass into the next
    "quickdraw": ("quickdraw.load('apple', batch_size=32, source='sample', max_examples=100, seed=1)", 8),
}

# Runs here and in the subprocess: every batch of two passes over the training data, of
# the validation data and of train.repeat() (continuing the passes), as NumPy arrays.
READ_BATCHES = """
import itertools
import numpy as np
from zoo.datasets import boston_housing, flowers17, hotdog, imdb, mnist, quickdraw

def parts(batch):
    return [np.asarray(part) for part in (batch if isinstance(batch, tuple) else (batch,))]

def read(call, endless):
    train, validation = eval(call)
    batches = {}
    if endless:
        batches["train"] = [parts(batch) for batch in itertools.islice(train, endless)]
        batches["again"] = [parts(batch) for batch in itertools.islice(train, endless)]
    else:
        batches["train"] = [parts(batch) for batch in train]
        batches["again"] = [parts(batch) for batch in train]
        batches["validation"] = [parts(batch) for batch in validation]
        batches["repeat"] = [parts(batch) for batch in itertools.islice(train.repeat(), len(batches["train"]) + 2)]
    return batches
"""

SUBPROCESS = READ_BATCHES + """
import json, sys
loaders = json.loads(sys.argv[1])
arrays = {}
for name, (call, endless) in loaders.items():
    for part, batches in read(call, endless).items():
        for number, batch in enumerate(batches):
            for index, array in enumerate(batch):
                arrays[f"{name}/{part}/{number}/{index}"] = array
np.savez(sys.argv[2], **arrays)
"""


@pytest.fixture(scope="module")
def without_tensorflow(tmp_path_factory):
    """The saved batches of every loader, and the subprocess's stderr."""
    out = tmp_path_factory.mktemp("numpy_batches") / "batches.npz"
    code = f"import sys; sys.argv[1:] = {[json.dumps(LOADERS), str(out)]!r}\n" + SUBPROCESS
    completed = run_python(code, backend="jax", tensorflow=False)
    with np.load(out) as saved:
        return dict(saved), completed.stderr


def tf_data_batches(call, endless):
    namespace = {}
    exec(READ_BATCHES, namespace)
    return namespace["read"](call, endless)


@pytest.mark.parametrize("name", LOADERS)
def test_numpy_batches_equal_the_tf_data_batches(name, without_tensorflow):
    saved, _ = without_tensorflow
    call, endless = LOADERS[name]
    expected = tf_data_batches(call, endless)
    for part, batches in expected.items():
        got = sorted(key for key in saved if key.startswith(f"{name}/{part}/"))
        assert len(got) == sum(len(batch) for batch in batches), f"{name} {part}: batch count differs"
        for number, batch in enumerate(batches):
            for index, array in enumerate(batch):
                numpy_array = saved[f"{name}/{part}/{number}/{index}"]
                assert numpy_array.dtype == array.dtype, f"{name} {part} batch {number}"
                np.testing.assert_array_equal(numpy_array, array, err_msg=f"{name} {part} batch {number}")
    if "repeat" in expected:  # training data is shuffled anew every pass
        assert any(not np.array_equal(a[0], b[0]) for a, b in zip(expected["train"], expected["again"]))


def test_tf_data_pipelines_know_their_length():
    """Keras ends an epoch of a pipeline of unknown length with an "input ran out of data" warning."""
    import tensorflow as tf

    from zoo.datasets import mnist, quickdraw

    train, validation = mnist.load(batch_size=96, source="sample", max_examples=400)
    assert (int(train.cardinality()), int(validation.cardinality())) == (5, 5)
    stream, _ = quickdraw.load("apple", batch_size=32, source="sample", max_examples=100)
    assert int(stream.cardinality()) == tf.data.INFINITE_CARDINALITY


def test_the_numpy_path_is_announced_once(without_tensorflow):
    _, stderr = without_tensorflow
    from zoo.datasets.batches import NUMPY_PATH_NOTE

    assert stderr.count(NUMPY_PATH_NOTE) == 1, stderr


def test_imports_load_no_tensorflow_nor_optional_packages():
    completed = run_python(
        "import sys\n"
        "import zoo, zoo.datasets\n"
        "from zoo.datasets import batches, boston_housing, flowers17, gutenberg, hotdog, images, imdb, mnist, quickdraw\n"
        "print(sorted(m for m in ('tensorflow', 'gensim', 'bokeh', 'gymnasium', 'vizdoom') if m in sys.modules))",
        backend="jax")  # TensorFlow installed, and not imported
    assert completed.stdout.strip().splitlines()[-1] == "[]", completed.stdout


FIT = """
import hashlib
import keras
import numpy as np
from zoo.datasets import mnist

keras.utils.set_random_seed(0)
train, valid = mnist.load(batch_size=100, source="sample", seed=1, max_examples=500)
model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
model.compile("sgd", "categorical_crossentropy")
model.fit(train, validation_data=valid, epochs=2, verbose=0, shuffle=False)
model.fit(train.repeat(), epochs=2, steps_per_epoch=3, verbose=0, shuffle=False)  # as --steps-per-epoch
print(type(train).__name__, hashlib.sha256(b"".join(np.asarray(w).tobytes() for w in model.get_weights())).hexdigest())
"""


@pytest.mark.slow
def test_fit_on_jax_trains_the_same_weights_on_both_paths():
    """Keras' fit reads passes as the PyDataset counts them (its first look at a batch included)."""
    lines = [run_python(FIT, backend="jax", tensorflow=tensorflow).stdout.split()[-2:] for tensorflow in (True, False)]
    (tf_kind, tf_weights), (numpy_kind, numpy_weights) = lines
    assert (tf_kind, numpy_kind) == ("_OptionsDataset", "Batches") and tf_weights == numpy_weights


def test_py_dataset_reads_passes_as_tf_data_iterators_do():
    """Batch 0 again (a new epoch, a new for loop) starts the next pass; a pass in progress goes on."""
    from zoo.datasets.batches import Batches, Order

    def batches():
        return Batches(Order(10, 4, shuffle=True, seed=0), lambda index: index)

    data = batches()
    first, second = list(data), list(data)
    assert [len(batch) for batch in first] == [4, 4, 2] and len(data) == 3
    assert sorted(np.concatenate(first)) == list(range(10)) and not np.array_equal(first[0], second[0])
    fresh = batches()
    np.testing.assert_array_equal(fresh[0], first[0])
    np.testing.assert_array_equal(fresh[1], first[1])  # the same pass
    np.testing.assert_array_equal(fresh[0], second[0])  # back to batch 0: the next pass
    with pytest.raises(IndexError):
        fresh[3]
    endless = batches().repeat()
    assert endless.num_batches is None
    np.testing.assert_array_equal(np.concatenate([endless[i] for i in range(6)]),
                                  np.concatenate(first + second))


@pytest.mark.parametrize("seed", [-1, 1.5, True])
def test_bad_seed_is_one_line(seed):
    from zoo.datasets.batches import Order

    with pytest.raises(ValueError, match="seed=.* is invalid"):
        Order(10, 4, shuffle=True, seed=seed)



def test_stacked_index_arrays_are_the_ones_read_one_by_one():
    """tf.data gets an Order's batches as stacks of index arrays, unstacked in the graph: the same
    arrays in the same order, a pass's smaller last batch apart, an endless stream too."""
    import itertools

    from zoo.datasets.batches import Order

    for order_args, take in (((10, 3), None), ((10, 3, True, 5), None), ((1000, 7, True, 1), None),
                             ((10, 3, True, 0, True), 25)):
        one_by_one, stacked = (Order(*order_args) for _ in range(2))
        expected = list(itertools.islice(one_by_one.read(), take))
        got = list(itertools.islice((row for stack in stacked.read_stacked(most=4) for row in stack), take))
        assert len(got) == len(expected) and len({len(row) for row in got[:-1]}) == 1
        assert all(np.array_equal(a, b) for a, b in zip(got, expected)), order_args
    assert [len(stack) for stack in Order(10, 3).read_stacked(most=2)] == [2, 1, 1]  # 3+3, 3, then the 1 left
    with pytest.raises(ValueError, match="most=0 is invalid"):
        next(Order(10, 3).read_stacked(most=0))


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

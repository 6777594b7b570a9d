"""Batches on any Keras backend: tf.data pipelines where TensorFlow is installed, else
``keras.utils.PyDataset``s (:class:`Batches`) that give the same batches from NumPy.

Both paths take the order of examples from NumPy (:class:`Order`), so for a seed they give
the same batches in the same order: the k-th pass over a training set is
``np.random.default_rng([seed, k]).permutation(n)``, and a pass begins each time the data is
read from its start (every epoch of ``fit``, every ``for`` loop, each round of
``.repeat()``), as a new tf.data iterator reshuffles. Which path is taken is decided once
per process, and the NumPy one is announced in one line. Loaders import this module when
they build batches (it imports Keras), never at their own import.

When several processes train one model (JAX's ``--strategy multiworker``), each must feed
only its part of every global batch, which Keras joins across processes
(``jax.make_array_from_process_local_data``). ``zoo.runtime`` then calls :func:`share_batches`,
and every :class:`Order` made afterwards gives this process its share: the same global
batches as one process would make (same seed, same permutation), each cut into equal
consecutive parts, part *i* to process *i*.
"""

from __future__ import annotations

import functools
import itertools
import threading
from typing import NamedTuple

import keras
import numpy as np

from zoo.datasets._sources import announce

NUMPY_PATH_NOTE = "TensorFlow is not installed: batches come from NumPy (keras.utils.PyDataset)"


@functools.cache
def tensorflow_available() -> bool:
    """True when the loaders build tf.data pipelines; decided once, and said once when not."""
    try:
        import tensorflow  # noqa: F401
    except ImportError:
        announce(NUMPY_PATH_NOTE)
        return False
    return True


class ProcessShare(NamedTuple):
    """This process's part of every batch (see the module's docstring)."""
    index: int  # this process, 0 .. count - 1
    count: int  # processes
    devices: int  # every global batch is split evenly over this many devices (all processes')
    seed: int  # the seed of orders made without one: every process must draw the same batches


_process_share: ProcessShare | None = None


def share_batches(index: int, count: int, devices: int, seed: int) -> None:
    """From now on every :class:`Order` of this process gives process ``index`` of ``count`` its
    share of each batch; ``seed`` (agreed by the processes) stands in for a missing seed."""
    global _process_share
    _process_share = ProcessShare(index, count, devices, seed) if count > 1 else None


def check_batch_size(batch_size) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size={batch_size!r} is invalid: expected an integer >= 1")
    return batch_size


class Order:
    """Which examples make each batch, pass after pass, for ``size`` examples.

    ``shuffle``: every pass is a fresh seeded permutation (else the stored order).
    ``endless``: the passes follow one another as one stream of full batches (a batch may
    span two passes); each read of the stream starts again at its pass 0.
    ``drop_remainder``: a pass ends with its last full batch.

    Under :func:`share_batches` ``batch_size`` is the global batch and the batches given are
    this process's shares; a last, smaller batch is cut to a multiple of the devices (the
    examples beyond it are left out of that pass, and said once).
    """

    def __init__(self, size: int, batch_size: int, shuffle: bool = False, seed: int | None = None,
                 endless: bool = False, drop_remainder: bool = False):
        self.size, self.batch_size = size, check_batch_size(batch_size)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"seed={seed!r} is invalid: expected None or an integer >= 0")
        self.share = _process_share
        if self.share is not None and batch_size % self.share.devices:
            raise ValueError(f"batch_size={batch_size} cannot be split evenly over the {self.share.devices} "
                             f"devices of {self.share.count} processes")
        if seed is None and self.share is not None:
            seed = self.share.seed  # the processes' shares must come from one permutation
        # without a seed every process shuffles differently, as tf.data does
        self.seed = int(seed) if seed is not None else np.random.SeedSequence().entropy
        self.shuffle, self.endless, self.drop_remainder = shuffle, endless, drop_remainder or endless
        if self.share is not None and not self.drop_remainder and self._last_batch() < size % batch_size:
            announce(f"{size % batch_size - self._last_batch()} of {size} examples are left out of each pass: "
                     f"a batch is split evenly over {self.share.devices} devices")
        self._passes = itertools.count()
        self._lock = threading.Lock()  # tf.data runs generators on its own threads

    @property
    def num_batches(self) -> int | None:
        """Batches in one pass (None when endless)."""
        if self.endless:
            return None
        return self.size // self.batch_size + (0 if self.drop_remainder or not self._last_batch() else 1)

    @property
    def local_batch_size(self) -> int:
        """Examples in this process's share of a full batch."""
        return self.batch_size // self.share.count if self.share else self.batch_size

    def _last_batch(self) -> int:
        """Examples in a pass's last, smaller batch (0 when there is none)."""
        rest = self.size % self.batch_size
        return rest - rest % self.share.devices if self.share else rest

    def _local(self, batch: np.ndarray) -> np.ndarray:
        """This process's consecutive part of a global batch (all of it without a share)."""
        if self.share is None:
            return batch
        part = (len(batch) - len(batch) % self.share.devices) // self.share.count
        return batch[self.share.index * part:(self.share.index + 1) * part]

    def permutation(self, pass_number: int) -> np.ndarray:
        if not self.shuffle:
            return np.arange(self.size)
        return np.random.default_rng([self.seed, pass_number]).permutation(self.size)

    def one_pass(self):
        """The index arrays of the next pass's batches (the pass is counted when the first is read)."""
        with self._lock:
            number = next(self._passes)
        indices = self.permutation(number)
        for start in range(0, self.num_batches * self.batch_size, self.batch_size):
            yield self._local(indices[start:start + self.batch_size])

    def stream(self):
        """Endless full batches: passes 0, 1, 2, ... end to end."""
        leftover = np.empty(0, dtype=np.int64)
        for number in itertools.count():
            indices = np.concatenate([leftover, self.permutation(number)])
            full = len(indices) // self.batch_size * self.batch_size
            for start in range(0, full, self.batch_size):
                yield self._local(indices[start:start + self.batch_size])
            leftover = indices[full:]

    def read(self):
        """One read from the start, as a new tf.data iterator makes."""
        return self.stream() if self.endless else self.one_pass()

    def read_stacked(self, most: int = 64):
        """What :meth:`read` gives, up to ``most`` consecutive index arrays of one length stacked
        into each array (a pass's last, smaller batch on its own)."""
        if isinstance(most, bool) or not isinstance(most, int) or most < 1:
            raise ValueError(f"most={most!r} is invalid: expected an integer >= 1")
        group = []
        for batch in self.read():
            if group and (len(batch) != len(group[0]) or len(group) == most):
                yield np.stack(group)
                group = []
            group.append(batch)
        if group:
            yield np.stack(group)

    def tf_indices(self):
        """A ``tf.data.Dataset`` of these index arrays (int64), one read per iterator."""
        import tensorflow as tf

        length = self.local_batch_size if self.drop_remainder else None
        # Python hands tf.data stacks of index arrays, unstacked in the graph: one generator call
        # a batch cost a small model's step 0.7 ms of its 1.5 (the shallow net, 2 CPU cores)
        stacks = tf.data.Dataset.from_generator(self.read_stacked, output_signature=tf.TensorSpec([None, length],
                                                                                                    tf.int64))
        indices = stacks.unbatch()
        # a generator's length is unknown to tf.data; Keras needs it to end an epoch without a warning
        batches = tf.data.INFINITE_CARDINALITY if self.endless else self.num_batches
        return indices.apply(tf.data.experimental.assert_cardinality(batches))


class Batches(keras.utils.PyDataset):
    """``make_batch(indices)`` for the index arrays of an :class:`Order`, as NumPy batches.

    Keras reads batch 0, 1, 2, ... in turn; reading batch 0 again (or going back)
    starts a new read, so a new pass, exactly where tf.data starts a new iterator. It
    also offers what the scripts use of a tf.data pipeline: iteration, ``repeat()``
    and ``as_numpy_iterator()``.
    """

    def __init__(self, order: Order, make_batch, repeated: bool = False):
        super().__init__()
        self.order, self.make_batch, self.repeated = order, make_batch, repeated
        self._reader, self._position = None, 0

    @property
    def num_batches(self):
        return None if self.repeated else self.order.num_batches

    def __len__(self):
        if self.num_batches is None:
            raise TypeError("an endless dataset has no length")
        return self.num_batches

    def _read(self):
        if self.repeated and not self.order.endless:  # pass after pass, as tf.data's repeat()
            return itertools.chain.from_iterable(self.order.one_pass() for _ in itertools.count())
        return self.order.read()

    def __getitem__(self, index):
        if self.num_batches is not None and not 0 <= index < self.num_batches:
            raise IndexError(f"batch {index} of {self.num_batches}")
        if self._reader is None or index < self._position:
            self._reader, self._position = self._read(), 0
        for _ in range(index - self._position):  # a jump ahead skips batches
            next(self._reader)
        indices = next(self._reader)
        self._position = index + 1
        return self.make_batch(indices)

    def repeat(self):
        """The batches pass after pass without end (``steps_per_epoch`` then decides an epoch)."""
        return type(self)(self.order, self.make_batch, repeated=True)

    def as_numpy_iterator(self):
        return iter(self)


def tf_batches(order: Order, make_batch):
    """The tf.data pipeline of ``make_batch(indices)`` over ``order``: batches made in
    parallel on the CPU while the model trains, prefetched, without autotuning."""
    import tensorflow as tf

    dataset = order.tf_indices().map(make_batch, num_parallel_calls=tf.data.AUTOTUNE)
    return without_autotuning(dataset.prefetch(tf.data.AUTOTUNE))


def without_autotuning(dataset):
    """``dataset`` with tf.data's autotuning model switched off.

    On a 2-core CPU that model made deleting an iterator (which ``fit`` does every epoch)
    block for up to 1.2 s, and a pass over in-memory photos ran 1.6-2x slower with it
    (measured). Without it AUTOTUNE still means something sensible: as many parallel calls
    as cores (at most 16), and a prefetch buffer that grows while the consumer waits.
    Elements and their order are unchanged.
    """
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)

"""Layers the zoo's builders use in place of Keras' own, where a backend needs another path.

:class:`Conv2D` is ``keras.layers.Conv2D`` with the same variables, configuration and weights
file; only how its convolution is computed differs, and only on JAX's CPU backend.
:class:`Dropout` is ``keras.layers.Dropout`` with the same rate, scaling and configuration; only
how its mask is drawn differs, and only on TensorFlow (see the class).
:class:`LSTM` is ``keras.layers.LSTM`` with the same variables, configuration and weights file;
only how its recurrence is computed differs, and only on PyTorch's CPU (see the class).

Why: XLA's CPU convolution is very slow when the kernel covers the whole output map. The GAN
discriminator's last two convolutions (5x5 kernels; 7x7 -> 4x4 at stride 2, then 4x4 -> 4x4)
took 3 s and 26 s for their input gradients at batch 256 under ``jax.jit`` on 2 busy CPU
cores (the last one 54-71 s forward), and made a JAX GAN iteration ~45x slower than
TensorFlow's. There the convolution is computed as its definition: the input's ``kh * kw``
shifted (strided) windows, stacked, contracted with the kernel in one ``einsum``, which XLA
runs as one large matrix product, forward and backward (0.2 s for the first gradient).
"""

from __future__ import annotations

import contextlib
import contextvars

import keras
from keras import ops

# bits of the uniform number that decides each unit: two such numbers to a 32-bit Philox word
MASK_BITS = 16
_KERAS_MASKS = contextvars.ContextVar("zoo_keras_dropout_masks", default=False)


@keras.saving.register_keras_serializable(package="zoo")
class Conv2D(keras.layers.Conv2D):
    """``keras.layers.Conv2D`` whose convolution, on JAX's CPU backend, is an ``einsum`` over
    shifted windows when the kernel is at least as large as the output map (see the module).

    Everywhere else (TensorFlow, PyTorch, JAX on a GPU, larger maps, dilation, groups,
    ``channels_first``) it is Keras' convolution unchanged. On a GPU, XLA calls cuDNN, which
    was not found slow for these shapes, and the windows take ``kh * kw`` times the input's
    memory, so the einsum is not used there. (On TensorFlow's CPU in bfloat16, taking only the
    kernel's gradient over the windows made a GAN iteration 1.17x faster, but was not kept:
    ``docs/benchmarks.md``.)

    The class keeps Keras' name ``Conv2D`` on purpose: Keras' weights files address a layer
    by its class name in snake case (``conv2d``, ``conv2d_1``, ...), so a model built with
    this layer reads and writes the same ``.weights.h5`` as one built with Keras' own.
    """

    def convolution_op(self, inputs, kernel):
        if self.uses_windows(inputs.shape):
            return window_convolution(inputs, kernel, self.strides, self.padding)
        return super().convolution_op(inputs, kernel)

    def uses_windows(self, input_shape) -> bool:
        """Whether the convolution of inputs of ``input_shape`` takes the einsum path."""
        if keras.backend.backend() != "jax" or not _on_cpu():
            return False
        if self.data_format != "channels_last" or tuple(self.dilation_rate) != (1, 1) or self.groups != 1:
            return False
        spatial = tuple(input_shape[1:3])
        if None in spatial:
            return False
        outputs = [output_size(size, kernel, stride, self.padding)
                   for size, kernel, stride in zip(spatial, self.kernel_size, self.strides)]
        return all(0 < output <= kernel for output, kernel in zip(outputs, self.kernel_size))


def _on_cpu() -> bool:
    import jax

    return jax.default_backend() == "cpu"


def output_size(size: int, kernel: int, stride: int, padding: str) -> int:
    """Keras' (and XLA's) output length of a convolution along one axis."""
    if padding == "same":
        return -(-size // stride)
    return max(-(-(size - kernel + 1) // stride), 0)


def window_convolution(inputs, kernel, strides, padding):
    """A 2-D convolution (``channels_last``, no dilation) as an ``einsum`` over the input's
    ``kh * kw`` shifted windows: ``out[n, i, j] = sum_ab x[n, i*s + a, j*s + b] @ k[a, b]``
    over the input padded as Keras pads it (``same``: the extra row or column at the end)."""
    kh, kw, channels, _ = kernel.shape
    sh, sw = strides
    height, width = inputs.shape[1:3]
    oh, ow = output_size(height, kh, sh, padding), output_size(width, kw, sw, padding)
    pad_h = max((oh - 1) * sh + kh - height, 0) if padding == "same" else 0
    pad_w = max((ow - 1) * sw + kw - width, 0) if padding == "same" else 0
    padded = ops.pad(inputs, [[0, 0], [pad_h // 2, pad_h - pad_h // 2], [pad_w // 2, pad_w - pad_w // 2], [0, 0]])
    windows = ops.stack([padded[:, a: a + (oh - 1) * sh + 1: sh, b: b + (ow - 1) * sw + 1: sw, :]
                         for a in range(kh) for b in range(kw)], axis=3)
    windows = ops.reshape(windows, (-1, oh, ow, kh, kw, channels))
    return ops.einsum("nhwabc,abco->nhwo", windows, kernel)


@keras.saving.register_keras_serializable(package="zoo")
class Dropout(keras.layers.Dropout):
    """``keras.layers.Dropout`` whose mask, on TensorFlow, is drawn from 16-bit random numbers,
    two to each 32-bit word of the Philox generator that Keras' own layer draws from.

    Why: Keras' TensorFlow dropout (``tf.nn.experimental.stateless_dropout``) draws a float per
    unit, and after LeNet's convolutions (1.2 million units a batch) that drawing is a large share
    of a CPU step; half the words made LeNet's training 1.15x as fast in mixed bfloat16 and 1.04x
    in float32 on 2 cores (``python scripts/benchmark.py --quick --only lenet``, its dropout rows;
    ``docs/benchmarks.md``). LeNet's builder uses it;
    the GAN's keeps Keras' layer (a whole run with these masks is in ``docs/results.md``).

    What stays Keras': the seed generator, the configuration and weights file (the class keeps
    Keras' name, as :class:`Conv2D` does), inference (the identity), and the whole layer on JAX
    and PyTorch, with a ``noise_shape``, on inputs with an unknown size beyond the batch or
    without a batch axis, and at rates within ``2**-17`` of 0 or 1 (0 and 1 included).
    Otherwise a unit is kept when its number in ``[0, 2**16)`` is at least
    ``round(rate * 2**16)``: the rate used is the nearest multiple of ``2**-16`` (the book's
    0.25 and 0.5 exactly, its 0.4 as 0.3999939; Keras' own bfloat16 draw resolves only
    ``2**-7``), and kept units are scaled by ``1 / (1 - that rate)``, which keeps each unit's
    expectation (``layer.rate`` still reads the rate given). The masks differ from Keras' for the
    same seed; a seed still fixes them.

    ``keras_masks=True`` (or building the layer inside :func:`keras_dropout_masks`) draws
    Keras' own masks on every backend: the book's way, which the benchmarks time against.
    """

    def __init__(self, rate, noise_shape=None, seed=None, keras_masks=None, **kwargs):
        super().__init__(rate, noise_shape=noise_shape, seed=seed, **kwargs)
        self.keras_masks = _KERAS_MASKS.get() if keras_masks is None else bool(keras_masks)

    def get_config(self):
        config = super().get_config()
        if self.keras_masks:  # only then: files of the zoo's own masks read as Keras' layer's config
            config["keras_masks"] = True
        return config

    def call(self, inputs, training=False):
        dropped = round(self.rate * 2 ** MASK_BITS)
        shape = tuple(inputs.shape)
        if (training and 0 < dropped < 2 ** MASK_BITS and self.noise_shape is None
                and len(shape) >= 1 and None not in shape[1:]
                and not self.keras_masks and keras.backend.backend() == "tensorflow"):
            return _half_word_dropout(inputs, dropped, self.seed_generator.next())
        return super().call(inputs, training=training)


@contextlib.contextmanager
def keras_dropout_masks():
    """The zoo's :class:`Dropout` layers built within this block (with ``keras_masks`` not given)
    draw Keras' own masks on every backend: the book's way, for comparing against it."""
    token = _KERAS_MASKS.set(True)
    try:
        yield
    finally:
        _KERAS_MASKS.reset(token)


def _half_word_dropout(inputs, dropped: int, seed):
    """Inverted dropout on TensorFlow from ``MASK_BITS``-bit uniform numbers: a unit is kept
    when its number is at least ``dropped`` (of ``2**MASK_BITS``)."""
    import tensorflow as tf

    if seed.dtype != tf.int32:  # Keras' own cast of a SeedGenerator's int64 state for stateless ops
        seed = tf.cast(tf.math.floormod(seed, tf.int32.max - 1), tf.int32)
    per_example = 1
    for size in inputs.shape[1:]:
        per_example *= size
    batch = tf.shape(inputs)[0]
    words = tf.random.stateless_uniform([batch, -(-per_example // 2)], seed,  # two draws a word
                                        minval=None, maxval=None, dtype=tf.uint32)
    draws = tf.reshape(tf.bitcast(words, tf.uint16), [batch, -1])
    if per_example % 2:
        draws = draws[:, :per_example]
    # (8-bit draws, a quarter of the words, made LeNet's step twice as slow: uint8 comparisons)
    scale = tf.constant(2 ** MASK_BITS / (2 ** MASK_BITS - dropped), inputs.dtype)
    keep = tf.cast(draws >= dropped, inputs.dtype) * scale
    return inputs * tf.reshape(keep, tf.shape(inputs))


@keras.saving.register_keras_serializable(package="zoo")
class LSTM(keras.layers.LSTM):
    """``keras.layers.LSTM`` whose recurrence, on PyTorch's CPU, is PyTorch's own LSTM
    (``torch.lstm``, the operator behind ``torch.nn.LSTM``).

    Why: on a CPU, Keras' PyTorch backend runs its LSTM as a Python loop that indexes the
    precomputed input projections one step at a time; each index's gradient fills a zero tensor
    the size of all the projections, so a training step grows with the square of the sequence
    length. On 2 cores a step of the book's LSTM (100 steps, 256 units, batch 128) took 2.0 s
    against TensorFlow's 0.22 s, its bidirectional LSTM (200 steps) 13.3 s against 0.69 s; the
    same recurrence in ``torch.lstm`` made them 11.7x and 23.7x faster, level with TensorFlow
    (``docs/measurements/benchmarks/imdb-lstm-torch-2026-12-07.log``).

    What stays Keras': the variables (Keras' gate order i, f, c, o is PyTorch's), the input
    dropout mask, the states, the configuration and weights file (the class keeps Keras' name,
    as :class:`Conv2D` does), and the whole layer on TensorFlow, JAX and PyTorch's GPU (where
    Keras already calls cuDNN), under ``torch.compile`` (``jit_compile``: the operator's CPU
    gradient does not compile), with a mask, ``recurrent_dropout``, ``unroll``, activations
    other than Keras' tanh and sigmoid, or ``use_cudnn=False``. In float32 the outputs and
    gradients equal Keras' to rounding (about 1e-7); in bfloat16 the two round differently.
    """

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if not self.uses_torch_lstm(sequences, mask):
            return super().inner_loop(sequences, initial_state, mask=mask, training=training)
        if training and self.dropout:  # Keras' own input mask, one per sequence
            sequences = sequences * ops.expand_dims(self.cell.get_dropout_mask(sequences[:, 0, :]), axis=1)
        return torch_lstm(sequences, initial_state, self.cell, self.return_sequences, self.go_backwards)

    def uses_torch_lstm(self, sequences, mask=None) -> bool:
        """Whether the recurrence over ``sequences`` runs in ``torch.lstm``."""
        if keras.backend.backend() != "torch" or sequences.device.type != "cpu":
            return False
        import torch

        # the functions themselves, as Keras' own cuDNN check compares them: a name can be reused
        return (mask is None and not self.recurrent_dropout and not self.unroll and self.use_cudnn in ("auto", True)
                and not torch.compiler.is_compiling()
                and self.cell.activation in (keras.activations.tanh, ops.tanh, torch.tanh)
                and self.cell.recurrent_activation in (keras.activations.sigmoid, ops.sigmoid, torch.sigmoid))


def torch_lstm(sequences, initial_state, cell, return_sequences: bool, go_backwards: bool):
    """An LSTM cell's recurrence over ``sequences`` (batch, time, features) in ``torch.lstm``,
    returned as Keras' backends return it: the last output, the outputs (only the last, as a
    sequence of one, without ``return_sequences``; in reversed time order when ``go_backwards``)
    and the final states ``[h, c]``. (Keras' own ``torch.lstm`` call, for cuDNN, is private.)"""
    import torch

    kernel = ops.convert_to_tensor(cell.kernel)
    recurrent_kernel = ops.convert_to_tensor(cell.recurrent_kernel)
    inputs = ops.convert_to_tensor(sequences).to(kernel.dtype)
    if go_backwards:
        inputs = torch.flip(inputs, dims=[1])
    # copies: a stateful layer's states are variables that Keras assigns after the call, which
    # autograd would otherwise see modified in place
    h, c = (ops.convert_to_tensor(state).to(kernel.dtype).clone().unsqueeze(0) for state in initial_state)
    bias = ops.convert_to_tensor(cell.bias) if cell.use_bias else kernel.new_zeros(4 * cell.units)
    # PyTorch's layout: (4 * units, inputs) weights, an input and a recurrent bias
    weights = [kernel.T, recurrent_kernel.T, bias, torch.zeros_like(bias)]
    outputs, h, c = torch.lstm(inputs, (h, c), weights,
                               True,  # has_biases
                               1,  # num_layers
                               0.0,  # dropout between layers
                               torch.is_grad_enabled(),  # train
                               False,  # bidirectional
                               True)  # batch_first
    last = outputs[:, -1]
    return last, outputs if return_sequences else last.unsqueeze(1), [h.squeeze(0), c.squeeze(0)]

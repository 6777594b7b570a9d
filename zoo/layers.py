"""Layers the zoo's builders use in place of Keras' own, where a backend needs another path.

:class:`Conv2D` is ``keras.layers.Conv2D`` with the same variables, configuration and weights
file; only how its convolution is computed differs, and only on JAX's CPU backend.

Why: XLA's CPU convolution is very slow when the kernel covers the whole output map. The GAN
discriminator's last two convolutions (5x5 kernels; 7x7 -> 4x4 at stride 2, then 4x4 -> 4x4)
took 3 s and 26 s for their input gradients at batch 256 under ``jax.jit`` on 2 busy CPU
cores (the last one 54-71 s forward), and made a JAX GAN iteration ~45x slower than
TensorFlow's. There the convolution is computed as its definition: the input's ``kh * kw``
shifted (strided) windows, stacked, contracted with the kernel in one ``einsum``, which XLA
runs as one large matrix product, forward and backward (0.2 s for the first gradient).
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
class Conv2D(keras.layers.Conv2D):
    """``keras.layers.Conv2D`` whose convolution, on JAX's CPU backend, is an ``einsum`` over
    shifted windows when the kernel is at least as large as the output map (see the module).

    Everywhere else (TensorFlow, PyTorch, JAX on a GPU, larger maps, dilation, groups,
    ``channels_first``) it is Keras' convolution unchanged. On a GPU, XLA calls cuDNN, which
    was not found slow for these shapes, and the windows take ``kh * kw`` times the input's
    memory, so the einsum is not used there.

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

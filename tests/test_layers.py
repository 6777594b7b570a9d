"""zoo.layers.Conv2D: Keras' Conv2D, same outputs, gradients and weights file, on every backend;
on JAX's CPU the convolutions whose kernel covers the output map take the einsum path.
zoo.layers.Dropout: Keras' Dropout, with masks from 16-bit draws on TensorFlow (inside fit's
graphs and XLA too), Keras' own elsewhere or when asked."""

import json
import zipfile

import h5py
import keras
import numpy as np
import pytest

from conftest import needs_backend, run_python
from zoo import layers as zoo_layers, saving
from zoo.gan import build_discriminator

# (input height/width, channels in, filters, kernel, strides, padding, einsum path on JAX's CPU)
CASES = [
    (4, 6, 8, 5, 1, "same", True),     # the discriminator's block 4: a 4x4 map under a 5x5 kernel
    (7, 5, 8, 5, 2, "same", True),     # block 3: 7x7 -> 4x4 at stride 2
    (5, 3, 4, 3, 2, "same", True),     # an odd map, an even pad split
    (6, 3, 4, 5, 1, "valid", True),    # 6x6 -> 2x2, no padding
    (14, 4, 8, 5, 2, "same", False),   # block 2: a 7x7 output is larger than the kernel
]

# Run in this process (TensorFlow) and in subprocesses on JAX and PyTorch: for each case, the zoo's
# layer and Keras' own from the same weights give the same outputs and gradients (input, kernel,
# bias); prints the largest differences and whether each case took the einsum path.
COMPARE = """
import json, keras, numpy as np
from keras import ops
from zoo.layers import Conv2D

def gradients(layer, x):
    # d(sum(y * y_weights))/d(x, kernel, bias) on the current backend
    backend = keras.backend.backend()
    def loss(x, kernel, bias):
        y, _ = layer.stateless_call([kernel, bias], [], x)
        # a weighted sum, so that each output entry's gradient differs
        y_weights = ops.reshape(ops.cos(ops.arange(int(np.prod(y.shape)), dtype="float32") * 0.37), y.shape)
        return ops.sum(y * y_weights), y
    values = [ops.convert_to_tensor(x), layer.kernel.value, layer.bias.value]
    if backend == "jax":
        import jax
        (_, y), grads = jax.jit(jax.value_and_grad(loss, argnums=(0, 1, 2), has_aux=True))(*values)
    elif backend == "torch":
        import torch
        leaves = [value.detach().clone().requires_grad_(True) for value in values]
        total, y = loss(*leaves)
        grads = torch.autograd.grad(total, leaves)
    else:
        import tensorflow as tf
        values = [tf.convert_to_tensor(value) for value in values]
        with tf.GradientTape() as tape:
            tape.watch(values)
            total, y = loss(*values)
        grads = tape.gradient(total, values)
    return [ops.convert_to_numpy(value) for value in (y, *grads)]

def compare(cases):
    report = []
    for size, channels, filters, kernel, strides, padding, _ in cases:
        rng = np.random.default_rng(size * 100 + kernel)
        x = rng.normal(size=(3, size, size, channels)).astype("float32")
        ours = Conv2D(filters, kernel, strides=strides, padding=padding)
        theirs = keras.layers.Conv2D(filters, kernel, strides=strides, padding=padding)
        ours.build(x.shape), theirs.build(x.shape)
        weights = [rng.normal(size=w.shape).astype("float32") for w in theirs.get_weights()]
        ours.set_weights(weights), theirs.set_weights(weights)
        a, b = gradients(ours, x), gradients(theirs, x)
        scale = [float(np.abs(value).max()) for value in b]
        report.append({"windows": ours.uses_windows(x.shape), "shape": list(a[0].shape),
                       "expected_shape": list(b[0].shape),
                       "errors": [float(np.abs(p - q).max()) / s for p, q, s in zip(a, b, scale)]})
    return report
"""

RUN_IN_A_SUBPROCESS = COMPARE + "\nprint('REPORT ' + json.dumps(compare(CASES)))\n"


def check(report, windows_expected: bool):
    for case, result in zip(CASES, report):
        assert result["windows"] is (windows_expected and case[-1]), case
        assert result["shape"] == result["expected_shape"], case
        # output, then gradients of input, kernel and bias, relative to their largest entry
        assert max(result["errors"]) < 1e-5, (case, result["errors"])


def report_on(backend):
    # XLA's CPU optimisations off: compiling, not running, is what these tiny convolutions cost
    completed = run_python(f"CASES = {CASES!r}\n" + RUN_IN_A_SUBPROCESS, backend=backend, tensorflow=False,
                           env={"XLA_FLAGS": "--xla_backend_optimization_level=0"})
    line = [line for line in completed.stdout.splitlines() if line.startswith("REPORT ")][-1]
    return json.loads(line[len("REPORT "):])


def test_outputs_and_gradients_equal_keras_conv2d_on_tensorflow():
    """On TensorFlow the layer is Keras' convolution: same outputs and gradients, no einsum path."""
    namespace = {}
    exec(COMPARE, namespace)
    check(namespace["compare"](CASES), windows_expected=False)


def test_outputs_and_gradients_equal_keras_conv2d_on_jax():
    """On JAX's CPU the kernel-covers-the-map cases take the einsum path and still give Keras'
    outputs and gradients to float32 rounding; the larger map keeps XLA's convolution."""
    check(report_on("jax"), windows_expected=True)


@pytest.mark.torch
@needs_backend("torch")
def test_outputs_and_gradients_equal_keras_conv2d_on_torch():
    """On PyTorch the layer is Keras' convolution: same outputs and gradients, no einsum path."""
    check(report_on("torch"), windows_expected=False)


@pytest.mark.parametrize("size, channels, filters, kernel, strides, padding, _", CASES)
def test_window_convolution_is_a_convolution(size, channels, filters, kernel, strides, padding, _):
    """The einsum itself (keras.ops, so it runs here on TensorFlow) equals ops.conv."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, size, size, channels)).astype("float32")
    k = rng.normal(size=(kernel, kernel, channels, filters)).astype("float32")
    expected = keras.ops.convert_to_numpy(keras.ops.conv(x, k, strides=strides, padding=padding))
    got = keras.ops.convert_to_numpy(zoo_layers.window_convolution(x, k, (strides, strides), padding))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4)


def _keras_discriminator(depth):
    """The discriminator as it was built before zoo.layers: Keras' own Conv2D layers."""
    model = build_discriminator(depth=depth)

    def plain(layer):
        if isinstance(layer, zoo_layers.Conv2D):
            return keras.layers.Conv2D.from_config(layer.get_config())
        return layer.__class__.from_config(layer.get_config())
    return keras.models.clone_model(model, clone_function=plain)


def _h5_paths(path):
    names = []
    with h5py.File(path, "r") as file:
        file.visititems(lambda name, item: names.append(name) if isinstance(item, h5py.Dataset) else None)
    return sorted(names)


def test_a_discriminator_saved_with_keras_conv2d_loads_bit_for_bit(tmp_path):
    """A weights file written by the discriminator with Keras' Conv2D (before zoo.layers) has
    the same entries as today's and loads into it unchanged, and back."""
    keras.utils.set_random_seed(3)
    old = _keras_discriminator(depth=8)
    assert not any(isinstance(layer, zoo_layers.Conv2D) for layer in old.layers)
    old.save_weights(tmp_path / "old.weights.h5")
    new = build_discriminator(depth=8, weights=tmp_path / "old.weights.h5")
    assert sum(isinstance(layer, zoo_layers.Conv2D) for layer in new.layers) == 4
    for before, after in zip(old.weights, new.weights):
        assert before.path == after.path
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(before), keras.ops.convert_to_numpy(after))
    new.save_weights(tmp_path / "new.weights.h5")
    assert _h5_paths(tmp_path / "new.weights.h5") == _h5_paths(tmp_path / "old.weights.h5")


def test_a_discriminator_round_trips_through_a_keras_file(tmp_path):
    """A .keras file keeps the zoo's layer (registered), its configuration and weights."""
    keras.utils.set_random_seed(4)
    model = build_discriminator(depth=8)
    model.save(tmp_path / "d.keras")
    reloaded = keras.models.load_model(tmp_path / "d.keras")
    convs = [layer for layer in reloaded.layers if isinstance(layer, zoo_layers.Conv2D)]
    assert [layer.name for layer in convs] == [f"block{block}_conv" for block in range(1, 5)]
    x = np.random.default_rng(0).random((2, 28, 28, 1)).astype("float32")
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_keras_file_with_the_zoos_layer_loads_where_zoo_layers_was_never_imported(tmp_path, monkeypatch):
    """Every load of a .keras file in the zoo (zoo.saving.load_model) reads a model built with
    zoo.layers.Conv2D even while that layer is unregistered, as in a process that never imported
    zoo.layers (`dli-zoo export` of a GAN run); Keras alone cannot there. The file names the layer
    as every such file has since the layer was registered (module zoo.layers, zoo>Conv2D)."""
    keras.utils.set_random_seed(5)
    model = build_discriminator(depth=8)
    model.save(tmp_path / "d.keras")
    with zipfile.ZipFile(tmp_path / "d.keras") as archive:
        layers_config = json.loads(archive.read("config.json"))["config"]["layers"]
    assert {(layer["module"], layer["registered_name"]) for layer in layers_config
            if layer["class_name"] == "Conv2D"} == {("zoo.layers", "zoo>Conv2D")}
    monkeypatch.delitem(keras.saving.get_custom_objects(), "zoo>Conv2D")
    assert saving.zoo_classes(tmp_path / "d.keras") == {"zoo>Conv2D": zoo_layers.Conv2D}
    with pytest.raises(TypeError, match="Could not locate class 'Conv2D'"):
        keras.models.load_model(tmp_path / "d.keras")
    reloaded = saving.load_model(tmp_path / "d.keras", compile=False)
    assert sum(isinstance(layer, zoo_layers.Conv2D) for layer in reloaded.layers) == 4
    x = np.random.default_rng(1).random((2, 28, 28, 1)).astype("float32")
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.parametrize("module", ["zoo.__main__", "zoo.pretrained.__main__", "zoo.runtime._jax", "os", "zoo.", "zoozoo"])
def test_a_keras_file_cannot_make_the_zoo_import_a_command_or_a_private_module(tmp_path, module, monkeypatch):
    """zoo.saving imports only public modules of the zoo that a .keras file names: naming
    zoo.__main__ would otherwise run the dli-zoo command inside a load."""
    imported = []
    monkeypatch.setattr(saving.importlib, "import_module", lambda name: imported.append(name))
    path = tmp_path / "crafted.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps({"module": module, "class_name": "X", "registered_name": "zoo>X"}))
    assert saving.zoo_classes(path) == {} and imported == []


# zoo.layers.Dropout: Keras' layer with a cheaper mask on TensorFlow (this process's backend)

def _dropout_outputs(layer, x, calls=1):
    return [keras.ops.convert_to_numpy(layer(x, training=True)) for _ in range(calls)]


@pytest.mark.parametrize("rate", [0.25, 0.4, 0.5])
def test_zoo_dropout_keeps_units_at_the_rate_and_scales_them_as_keras_does(rate):
    x = np.ones((64, 12, 12, 16), dtype="float32")  # 147,456 units: the kept share's sd is 0.0013
    layer = zoo_layers.Dropout(rate, seed=3)
    assert not layer.keras_masks
    (y,) = _dropout_outputs(layer, x)
    kept = y != 0
    assert abs(kept.mean() - (1 - rate)) < 0.006
    dropped = round(rate * 2 ** zoo_layers.MASK_BITS)
    np.testing.assert_allclose(y[kept], 2 ** zoo_layers.MASK_BITS / (2 ** zoo_layers.MASK_BITS - dropped), rtol=1e-6)
    assert abs(y.mean() - 1) < 0.01  # inverted dropout keeps the expectation
    # each example draws its own mask, and the layer's mask differs from one call to the next
    assert (kept[0] != kept[1]).any()
    (y_again,) = _dropout_outputs(layer, x)
    assert (y_again != y).any()


def test_zoo_dropout_masks_are_fixed_by_the_seed_and_differ_from_keras_own():
    x = np.random.default_rng(0).normal(size=(8, 5, 5, 3)).astype("float32")  # 75 units: an odd count
    first = _dropout_outputs(zoo_layers.Dropout(0.5, seed=11), x, calls=2)
    second = _dropout_outputs(zoo_layers.Dropout(0.5, seed=11), x, calls=2)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    kept = first[0] != 0
    np.testing.assert_allclose(first[0][kept], x[kept] * 2, rtol=1e-6)
    keras_own = _dropout_outputs(keras.layers.Dropout(0.5, seed=11), x)[0]
    assert (keras_own != first[0]).any()


def test_zoo_dropout_is_the_identity_outside_training_and_keras_own_at_rates_0_and_1():
    x = np.random.default_rng(1).normal(size=(4, 6)).astype("float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(zoo_layers.Dropout(0.5)(x, training=False)), x)
    np.testing.assert_array_equal(_dropout_outputs(zoo_layers.Dropout(0.0), x)[0], x)
    np.testing.assert_array_equal(_dropout_outputs(zoo_layers.Dropout(1.0), x)[0], np.zeros_like(x))


def test_zoo_dropout_under_mixed_bfloat16_keeps_the_compute_dtype():
    layer = zoo_layers.Dropout(0.25, seed=2, dtype="mixed_bfloat16")
    y = layer(keras.ops.cast(np.ones((4, 10), dtype="float32"), "bfloat16"), training=True)
    assert keras.backend.standardize_dtype(y.dtype) == "bfloat16"
    values = set(np.unique(keras.ops.convert_to_numpy(keras.ops.cast(y, "float32"))))
    scale_in_bfloat16 = float(keras.ops.convert_to_numpy(keras.ops.cast(keras.ops.cast(4 / 3, "bfloat16"), "float32")))
    assert values == {0.0, scale_in_bfloat16}


def test_layers_built_in_keras_dropout_masks_draw_keras_own_masks():
    x = np.random.default_rng(2).normal(size=(16, 7, 7, 4)).astype("float32")
    with zoo_layers.keras_dropout_masks():
        book_way = zoo_layers.Dropout(0.4, seed=5)
    assert book_way.keras_masks and not zoo_layers.Dropout(0.4).keras_masks
    np.testing.assert_array_equal(_dropout_outputs(book_way, x, calls=2),
                                  _dropout_outputs(keras.layers.Dropout(0.4, seed=5), x, calls=2))


def test_lenet_with_the_zoo_dropout_reads_and_writes_keras_weights_files_and_reloads(tmp_path, monkeypatch):
    import zoo.vision
    from zoo import build_lenet

    model = build_lenet()
    assert [type(layer) for layer in model.layers if "dropout" in layer.name] == [zoo_layers.Dropout] * 2
    monkeypatch.setattr(zoo.vision, "Dropout", keras.layers.Dropout)
    keras_own = build_lenet()  # LeNet as built before: Keras' own dropout layers
    assert [type(layer) for layer in keras_own.layers if "dropout" in layer.name] == [keras.layers.Dropout] * 2
    x = np.random.default_rng(3).random((4, 28, 28, 1)).astype("float32")
    for source, target in ((model, keras_own), (keras_own, build_lenet())):
        source.save_weights(tmp_path / "lenet.weights.h5")
        target.load_weights(tmp_path / "lenet.weights.h5")
        np.testing.assert_array_equal(target.predict(x, verbose=0), source.predict(x, verbose=0))
    model.save(tmp_path / "lenet.keras")
    reloaded = saving.load_model(tmp_path / "lenet.keras")
    assert [type(layer) for layer in reloaded.layers if "dropout" in layer.name] == [zoo_layers.Dropout] * 2
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.parametrize("jit_compile", [False, True])
def test_zoo_dropout_draws_its_own_masks_in_a_graph_with_an_unknown_batch(jit_compile):
    """fit runs the layer in a tf.function (XLA with jit_compile), batch size unknown: the 16-bit
    path must be the one taken there, which its scale for rate 0.4 (2**16 / 39322) tells apart
    from Keras' 1 / 0.6."""
    import tensorflow as tf

    layer = zoo_layers.Dropout(0.4, seed=7)
    run = tf.function(lambda x: layer(x, training=True), jit_compile=jit_compile,
                      input_signature=[tf.TensorSpec([None, 9, 5], tf.float32)])
    y = run(tf.ones((33, 9, 5))).numpy()
    kept = y != 0
    assert 0.45 < kept.mean() < 0.75
    np.testing.assert_allclose(y[kept], 2 ** 16 / (2 ** 16 - 26214), rtol=1e-7)
    assert not np.allclose(y[kept], 1 / 0.6, rtol=1e-6)
    assert (run(tf.ones((33, 9, 5))).numpy() != y).any()  # the seed generator moves on between calls


def test_the_choice_of_keras_masks_survives_the_config_a_clone_and_a_saved_file(tmp_path):
    with zoo_layers.keras_dropout_masks():
        model = keras.Sequential([keras.Input((6,)), zoo_layers.Dropout(0.4, seed=1, name="drop")])
    assert "keras_masks" not in zoo_layers.Dropout(0.4).get_config()  # the zoo's masks: Keras' config
    copies = [zoo_layers.Dropout.from_config(model.get_layer("drop").get_config()),
              keras.models.clone_model(model).get_layer("drop")]
    model.save(tmp_path / "m.keras")
    copies.append(saving.load_model(tmp_path / "m.keras").get_layer("drop"))
    assert [copy.keras_masks for copy in copies] == [True] * 3
    assert zoo_layers.Dropout(0.4, keras_masks=False).keras_masks is False


@needs_backend("jax")
def test_on_jax_the_zoo_dropout_is_keras_own():
    code = """
import numpy as np, keras
from zoo.layers import Dropout
x = np.random.default_rng(4).normal(size=(8, 6, 6, 4)).astype("float32")
ours, keras_own = Dropout(0.4, seed=9), keras.layers.Dropout(0.4, seed=9)
for _ in range(2):
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(ours(x, training=True)),
                                  keras.ops.convert_to_numpy(keras_own(x, training=True)))
print("same", keras.backend.backend())
"""
    assert "same jax" in run_python(code, backend="jax").stdout

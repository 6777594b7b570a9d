"""zoo.layers.LSTM: Keras' LSTM, same outputs, gradients, dropout masks and weights files; on
PyTorch's CPU its recurrence runs in torch.lstm (Keras' own loop there grows with the square of
the sequence length), elsewhere it is Keras' layer unchanged."""

import json
import zipfile

import keras
import numpy as np
import pytest

from conftest import needs_backend, run_python
from zoo import build_bilstm_sentiment, layers as zoo_layers, saving

# (options, whether torch.lstm runs on PyTorch's CPU); "initial_state": states given to the call;
# "stateful": the second of two calls, which starts from the first's states
VARIANTS = [({}, True), ({"return_sequences": True}, True), ({"go_backwards": True}, True),
            ({"go_backwards": True, "return_sequences": True}, True), ({"use_bias": False}, True),
            ({"return_state": True}, True), ({"initial_state": True}, True), ({"stateful": True}, True),
            ({"recurrent_dropout": 0.3}, False), ({"activation": "relu"}, False), ({"use_cudnn": False}, False)]

# Run in a subprocess on PyTorch (and here on TensorFlow): the zoo's layer and Keras' own (its
# generic loop, use_cudnn=False) from the same weights and seed, in training with input dropout,
# give the same outputs (states too) and gradients (input, kernel, recurrent kernel, bias) for each
# variant; reports the largest relative differences and how often torch.lstm ran (counted).
COMPARE = """
import json, keras, numpy as np
import zoo.layers

calls = []
_torch_lstm = zoo.layers.torch_lstm
def counted(*args, **kwargs):
    calls.append(1)
    return _torch_lstm(*args, **kwargs)
zoo.layers.torch_lstm = counted

def weighted_sum(outputs):
    # a weighted sum, so that each output entry's gradient differs
    return sum(keras.ops.sum(output * keras.ops.reshape(
        keras.ops.cos(keras.ops.arange(int(np.prod(output.shape)), dtype="float32") * 0.37), output.shape))
        for output in outputs)

def run(layer, x, seed, initial_state):
    keras.utils.set_random_seed(seed)
    variables = [v.value for v in layer.trainable_variables]
    for _ in range(2 if layer.stateful else 1):
        if keras.backend.backend() == "torch":
            import torch
            xt = torch.tensor(x, requires_grad=True)
            out = layer(xt, training=True, initial_state=initial_state)
            outputs = list(out) if isinstance(out, (list, tuple)) else [out]
            grads = torch.autograd.grad(weighted_sum(outputs), [xt] + variables)
        else:
            import tensorflow as tf
            xt = tf.convert_to_tensor(x)
            with tf.GradientTape() as tape:
                tape.watch(xt)
                out = layer(xt, training=True, initial_state=initial_state)
                outputs = list(out) if isinstance(out, (list, tuple)) else [out]
                total = weighted_sum(outputs)
            grads = tape.gradient(total, [xt] + variables)
    return [keras.ops.convert_to_numpy(value) for value in (*outputs, *grads)]

def compare():
    report = []
    for options, _ in VARIANTS:
        options = dict(options)
        rng = np.random.default_rng(len(report))
        x = rng.normal(size=(3, 9, 5)).astype("float32")
        initial_state = [rng.normal(size=(3, 6)).astype("float32") for _ in range(2)] if options.pop("initial_state", False) else None
        cudnn = options.pop("use_cudnn", "auto")
        ours = zoo.layers.LSTM(6, dropout=0.3, seed=11, use_cudnn=cudnn, **options)
        theirs = keras.layers.LSTM(6, dropout=0.3, seed=11, use_cudnn=False, **options)
        ours.build(x.shape), theirs.build(x.shape)
        weights = [rng.normal(size=w.shape).astype("float32") * 0.5 for w in theirs.get_weights()]
        ours.set_weights(weights), theirs.set_weights(weights)
        del calls[:]
        a = run(ours, x, 1, initial_state)
        torch_calls = len(calls)
        b = run(theirs, x, 1, initial_state)
        report.append({"options": options, "torch_lstm_calls": torch_calls,
                       "shapes": [list(v.shape) for v in a], "expected_shapes": [list(v.shape) for v in b],
                       "errors": [float(np.abs(p - q).max() / np.abs(q).max()) for p, q in zip(a, b)]})
    return report
"""


def check(report, on_torch: bool):
    assert len(report) == len(VARIANTS)
    for (options, fast), result in zip(VARIANTS, report):
        calls = 2 if "stateful" in options else 1
        assert result["torch_lstm_calls"] == (calls if on_torch and fast else 0), options
        assert result["shapes"] == result["expected_shapes"], options
        assert max(result["errors"]) < 1e-5, (options, result)


def test_on_tensorflow_the_zoo_lstm_is_keras_own():
    """On TensorFlow the layer is Keras' LSTM: torch.lstm never runs, Keras' outputs and gradients."""
    namespace = {"VARIANTS": VARIANTS}
    exec(COMPARE, namespace)
    check(namespace["compare"](), on_torch=False)


@pytest.mark.torch
@needs_backend("torch")
def test_on_torch_the_zoo_lstm_runs_torch_lstm_with_keras_outputs_gradients_and_masks():
    completed = run_python(f"VARIANTS = {VARIANTS!r}\n" + COMPARE + "\nprint('REPORT ' + json.dumps(compare()))\n",
                           backend="torch", tensorflow=False)
    line = [line for line in completed.stdout.splitlines() if line.startswith("REPORT ")][-1]
    check(json.loads(line[len("REPORT "):]), on_torch=True)


@pytest.mark.torch
@needs_backend("torch")
def test_on_torch_the_bidirectional_lstm_trains_and_keeps_keras_paths_for_masks():
    """The book's bidirectional LSTM on PyTorch: both directions take torch.lstm, a short fit
    lowers the loss, and a masked input (Keras' loop) gives what Keras' own layer gives."""
    code = """
import numpy as np, keras, torch
from zoo import build_bilstm_sentiment
from zoo.layers import LSTM
keras.utils.set_random_seed(0)
model = build_bilstm_sentiment(n_unique_words=50, max_review_length=12, n_dim=8, n_lstm=6)
bilstm = model.get_layer("bilstm")
assert type(bilstm.forward_layer) is LSTM and type(bilstm.backward_layer) is LSTM
assert bilstm.forward_layer.uses_torch_lstm(torch.zeros(2, 12, 8))
rng = np.random.default_rng(0)
x = rng.integers(1, 50, (64, 12)); y = (x[:, :3].sum(axis=1) > 75).astype("float32")
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
losses = model.fit(x, y, batch_size=16, epochs=6, verbose=0).history["loss"]
assert losses[-1] < 0.8 * losses[0], losses
mask = torch.tensor(rng.random((3, 7)) > 0.3); mask[:, 0] = True
seq = torch.tensor(rng.normal(size=(3, 7, 4)).astype("float32"))
ours, theirs = LSTM(5), keras.layers.LSTM(5)
ours.build(seq.shape), theirs.build(seq.shape)
theirs.set_weights(ours.get_weights())
assert not ours.uses_torch_lstm(seq, mask)
np.testing.assert_allclose(ours(seq, mask=mask).detach().numpy(), theirs(seq, mask=mask).detach().numpy(), atol=1e-6)
print("ok")
"""
    assert run_python(code, backend="torch", tensorflow=False).stdout.strip().endswith("ok")


@pytest.mark.torch
@needs_backend("torch")
def test_on_torch_a_jit_compiled_model_takes_keras_loop_and_trains_as_keras_own():
    """Under torch.compile (jit_compile=True) the layer is Keras' loop (torch.lstm's CPU gradient
    does not compile): the same losses and predictions as Keras' own layer."""
    code = """
import numpy as np, keras
from zoo.layers import LSTM
rng = np.random.default_rng(0)
x = rng.normal(size=(16, 12, 4)).astype("float32"); y = rng.integers(0, 2, (16, 1)).astype("float32")
results = []
for layer in (LSTM, keras.layers.LSTM):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((12, 4)), layer(5, dropout=0.2), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", jit_compile=True)
    results.append((model.fit(x, y, batch_size=8, epochs=2, verbose=0).history["loss"],
                    model.predict(x, batch_size=8, verbose=0)))
np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
np.testing.assert_allclose(results[0][1], results[1][1], atol=1e-6)
print("ok")
"""
    assert run_python(code, backend="torch", tensorflow=False).stdout.strip().endswith("ok")


def test_the_bilstm_reads_and_writes_the_weights_files_of_keras_own_lstm(tmp_path, monkeypatch):
    """The builders' LSTM keeps Keras' weights files (the published IMDb weights) both ways and
    round-trips through a .keras file, read by zoo.saving.load_model even where zoo.layers was
    never imported."""
    import zoo.sentiment

    keras.utils.set_random_seed(2)
    small = dict(n_unique_words=40, max_review_length=10, n_dim=4, n_lstm=3)
    model = build_bilstm_sentiment(**small)
    assert type(model.get_layer("bilstm").forward_layer) is zoo_layers.LSTM
    monkeypatch.setattr(zoo.sentiment, "LSTM", keras.layers.LSTM)
    keras_own = build_bilstm_sentiment(**small)
    assert type(keras_own.get_layer("bilstm").forward_layer) is keras.layers.LSTM
    monkeypatch.undo()
    x = np.random.default_rng(3).integers(1, 40, (4, 10))
    for source, target in ((model, keras_own), (keras_own, build_bilstm_sentiment(**small))):
        source.save_weights(tmp_path / "bilstm.weights.h5")
        target.load_weights(tmp_path / "bilstm.weights.h5")
        np.testing.assert_array_equal(target.predict(x, verbose=0), source.predict(x, verbose=0))
    model.save(tmp_path / "bilstm.keras")
    with zipfile.ZipFile(tmp_path / "bilstm.keras") as archive:
        assert '"registered_name": "zoo>LSTM"' in archive.read("config.json").decode()
    monkeypatch.delitem(keras.saving.get_custom_objects(), "zoo>LSTM")
    assert saving.zoo_classes(tmp_path / "bilstm.keras") == {"zoo>LSTM": zoo_layers.LSTM}
    reloaded = saving.load_model(tmp_path / "bilstm.keras")
    assert type(reloaded.get_layer("bilstm").backward_layer) is zoo_layers.LSTM
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))

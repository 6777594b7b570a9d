"""What docs/backends.md says each backend does, run: every training script, the device,
precision and seed flags on JAX (and PyTorch, ``-m torch``) with TensorFlow hidden, as on a GPU
machine that has only JAX, and PyTorch's refusal of the strategies Keras does not distribute."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT, SCRIPTS, backend_env, needs_backend, run_python

ON_JAX_AND_TORCH = ["jax", pytest.param("torch", marks=[pytest.mark.torch, needs_backend("torch")])]

# The GAN is left to tests/test_multiworker_jax.py (a tiny batch): at gpu_check's batch of 128,
# XLA's CPU convolution for its discriminator takes minutes (docs/backends.md, "Which to pick").
# VGGNet too: its 2 steps took over gpu_check's 10 minutes on XLA's CPU here; it trained on JAX
# on a GPU (docs/backends.md, "On a GPU machine").
SCRIPTS_BUT_THE_GAN = ("shallow_net,intermediate_net,deep_net,regression,lenet,alexnet,vgg19_transfer,"
                       "sentiment_dense,sentiment_conv,sentiment_rnn,sentiment_lstm,sentiment_bilstm,"
                       "sentiment_stacked_bilstm,sentiment_conv_lstm,sentiment_gru,sentiment_multiconv,"
                       "cartpole_dqn,doom_dqn,word2vec")


@needs_backend("jax")
@pytest.mark.slow  # nineteen scripts, one after another: 20-30 minutes on 2 busy cores
@pytest.mark.parametrize("backend", ON_JAX_AND_TORCH)
def test_every_training_script_runs_on_a_backend_without_tensorflow(backend):
    """scripts/gpu_check.py's script check on this machine's CPU: each script ends with RESULT
    and records the backend in state.json (a script whose optional library is missing says skip)."""
    completed = subprocess.run([sys.executable, str(SCRIPTS / "gpu_check.py"), "--device", "cpu", "--only", "scripts",
                                "--scripts", SCRIPTS_BUT_THE_GAN, "--parallel", "1"], capture_output=True, text=True,
                               timeout=3000, cwd=ROOT, env={**os.environ, **backend_env(backend, tensorflow=False)})
    lines = completed.stdout.splitlines()
    assert completed.returncode == 0, completed.stdout + completed.stderr[-2000:]
    checked = [line for line in lines if line.split()[1:2] == ["script"]]
    assert len(checked) == len(SCRIPTS_BUT_THE_GAN.split(",")), lines
    for line in checked:  # skipped only for a missing optional library (gymnasium, vizdoom, gensim)
        status, _, name = line.split()[:3]
        assert status == "ok" or (status == "skip" and "not installed" in line), line
        assert status == "skip" or name == "word2vec" or f"backend {backend}" in line, line  # gensim: no backend


PRECISION_AND_SEED = """
import numpy as np, keras
from zoo import build_lenet, runtime

for device in ("gpu", "gpu:1"):  # this machine has no GPU
    try:
        runtime.configure(device=device, quiet=True)
    except runtime.RuntimeConfigError as error:
        print(device, str(error).split(": ", 1)[1].split(" here")[0])

def trained(seed, precision):
    runtime.configure(device="cpu", precision=precision, seed=seed, quiet=True)
    model = build_lenet()
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    x = np.random.default_rng(0).random((64, 28, 28, 1), dtype="float32")
    y = np.eye(10, dtype="float32")[np.arange(64) % 10]
    loss = model.fit(x, y, batch_size=32, epochs=1, verbose=0, shuffle=True).history["loss"][-1]
    dtypes = (model.get_layer("fc1").compute_dtype, model.get_layer("predictions").compute_dtype)
    return dtypes, loss, [w.copy() for w in model.get_weights()]

for precision in ("mixed_bfloat16", "mixed_float16"):
    dtypes, loss, _ = trained(None, precision)
    print(precision, *dtypes, bool(np.isfinite(loss)))
(_, first, a), (_, second, b), (_, _, c) = trained(7, "float32"), trained(7, "float32"), trained(8, "float32")
print("seed repeats", first == second and all(np.array_equal(u, v) for u, v in zip(a, b)),
      "another differs", not all(np.array_equal(u, v) for u, v in zip(a, c)))
"""


@needs_backend("jax")
@pytest.mark.slow  # a backend's start-up and five small fits: half a minute on 2 busy cores
@pytest.mark.parametrize("backend", ON_JAX_AND_TORCH)
def test_device_precision_and_seed_on_a_backend_without_tensorflow(backend):
    """--device gpu, gpu:1 on a machine without one: a clear error naming the backend; --precision:
    the mixed policies compute in bfloat16/float16 with float32 outputs, and the loss stays finite;
    --seed: the same seed trains the same weights on the CPU, another does not."""
    lines = run_python(PRECISION_AND_SEED, backend, tensorflow=False).stdout.strip().splitlines()
    name = {"jax": "JAX", "torch": "PyTorch"}[backend]
    assert lines[-5:] == [f"gpu {name} sees no GPU", f"gpu:1 {name} sees no GPU",
                          "mixed_bfloat16 bfloat16 float32 True", "mixed_float16 float16 float32 True",
                          "seed repeats True another differs True"]

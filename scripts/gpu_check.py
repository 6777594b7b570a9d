"""Check the zoo on a GPU machine, on the Keras backend KERAS_BACKEND names: one line per check.

    KERAS_BACKEND=jax python scripts/gpu_check.py                 # a GPU machine with JAX and no TensorFlow
    KERAS_BACKEND=jax python scripts/gpu_check.py --only builders,precision
    python scripts/gpu_check.py --device cpu --quick              # the same checks, on this machine's CPU

The checks: every builder's variables are placed on the GPU; a few ``fit`` steps leave the
variables and the optimizer's state there (a step runs where its variables live); mixed
precision computes in bfloat16 on the GPU with float32 variables; data parallelism
(``--strategy mirrored``: keras.distribution's ``DataParallel`` on JAX, ``MirroredStrategy`` on
TensorFlow) over the visible GPUs trains with every variable on each of them; and every training
script runs briefly with ``--device gpu`` on the bundled sample data, ends with a ``RESULT`` line
and records the GPU and the backend in ``state.json``. A script whose library is missing
(gensim, gymnasium, vizdoom) is skipped and said so. Exit status 1 when a check fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from zoo import cli, config
from zoo.errors import one_line
from zoo.files import read_json

SCRIPTS = Path(__file__).resolve().parent
CHECKS = ("builders", "fit", "precision", "parallel", "scripts")

# each training script, briefly: (name, script, arguments, libraries it needs beyond Keras)
SAMPLE = ("--data", "sample")
SCRIPT_RUNS = [
    ("shallow_net", "train_shallow_net.py", (*SAMPLE, "--epochs", "1"), ()),
    ("intermediate_net", "train_intermediate_net.py", (*SAMPLE, "--epochs", "1"), ()),
    ("deep_net", "train_deep_net.py", (*SAMPLE, "--epochs", "1"), ()),
    ("regression", "train_regression.py", (*SAMPLE, "--epochs", "2"), ()),
    ("lenet", "train_lenet.py", (*SAMPLE, "--epochs", "1"), ()),
    ("alexnet", "train_alexnet.py", (*SAMPLE, "--epochs", "1", "--steps-per-epoch", "2"), ()),
    ("vggnet", "train_vggnet.py", (*SAMPLE, "--epochs", "1", "--steps-per-epoch", "2"), ()),
    ("vgg19_transfer", "train_vgg19_transfer.py", (*SAMPLE, "--epochs", "1", "--steps-per-epoch", "2",
                                                   "--base-weights", "none"), ()),
    *[(f"sentiment_{arch}", "train_sentiment.py", (*SAMPLE, "--arch", arch, "--epochs", "1"), ())
      for arch in ("dense", "conv", "rnn", "lstm", "bilstm", "stacked_bilstm", "conv_lstm", "gru", "multiconv")],
    ("gan", "train_gan.py", (*SAMPLE, "--iterations", "4", "--sample-interval", "2"), ()),
    ("cartpole_dqn", "train_cartpole_dqn.py", ("--episodes", "3"), ("gymnasium",)),
    ("doom_dqn", "train_doom_dqn.py", ("--epochs", "1", "--steps-per-epoch", "20", "--test-episodes", "1"),
     ("vizdoom", "gymnasium")),
    ("word2vec", "train_word2vec.py", (*SAMPLE,), ("gensim",)),
]


def line(status: str, check: str, detail: str, started: float) -> bool:
    print(f"{status:4}  {check:28}  {detail}  ({time.perf_counter() - started:.1f} s)", flush=True)
    return status != "FAIL"


# ----------------------------------------------------------------------------- where a variable lives

def placements(variables) -> set[str]:
    """The device kinds ("gpu", "cpu") holding ``variables``, on any backend."""
    import keras

    backend, kinds = keras.backend.backend(), set()
    for variable in variables:
        value = variable.value
        if backend == "jax":
            kinds.update("gpu" if d.platform in ("gpu", "cuda", "rocm") else d.platform for d in value.devices())
        elif backend == "torch":
            kinds.add("gpu" if value.device.type == "cuda" else value.device.type)
        else:
            kinds.add("gpu" if "GPU" in value.device.upper() else "cpu")
    return kinds


def device_count(variable) -> int:
    """On how many devices one variable lives (a replicated variable: on each of them)."""
    import keras

    value = variable.value
    if keras.backend.backend() == "jax":
        return len(value.devices())
    values = getattr(variable, "values", None)  # a TensorFlow MirroredVariable
    return len(values) if values else 1


def all_variables(model) -> list:
    optimizer = getattr(model, "optimizer", None)
    return list(model.variables) + (list(optimizer.variables) if optimizer is not None else [])


# ----------------------------------------------------------------------------- the checks

def check_builders(device: str, kind: str) -> bool:
    import zoo
    from zoo import runtime

    started = time.perf_counter()
    rt = runtime.configure(device=device, strategy="default", quiet=True)
    ok = True
    for name in zoo.names():
        try:
            # vgg19_transfer without ImageNet's weights: nothing is downloaded here
            arguments = {"weights": None} if name == "vgg19_transfer" else {}
            with rt.scope():
                model = zoo.get(name)(**arguments)
            found = placements(model.variables)
            params = model.count_params()
            ok &= line("ok" if found == {kind} else "FAIL", f"build {name}",
                       f"{params:,} parameters on {', '.join(sorted(found))}", started)
        except Exception as error:  # one line per model; the rest go on
            ok &= line("FAIL", f"build {name}", f"{type(error).__name__}: {one_line(error, first_line=True)}", started)
        started = time.perf_counter()
    return ok


def _fit_lenet(rt, batch: int, steps: int = 4):
    import numpy as np

    from zoo import recipes

    rng = np.random.default_rng(0)
    x = rng.random((batch * steps, 28, 28, 1), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, batch * steps)]
    with rt.scope():
        model = recipes.get("lenet").build_compiled()
    history = model.fit(x, y, batch_size=batch, epochs=2, verbose=0, shuffle=False).history
    return model, history["loss"]


def check_fit(device: str, kind: str) -> bool:
    import math

    from zoo import runtime

    started = time.perf_counter()
    rt = runtime.configure(device=device, strategy="default", quiet=True)
    model, losses = _fit_lenet(rt, 64)
    found = placements(all_variables(model))
    good = found == {kind} and all(math.isfinite(loss) for loss in losses)
    return line("ok" if good else "FAIL", "fit steps on the device",
                f"LeNet, 8 steps: loss {losses[0]:.3f} -> {losses[-1]:.3f}; variables and optimizer state on "
                f"{', '.join(sorted(found))}", started)


def check_precision(device: str, kind: str) -> bool:
    import math

    import keras

    from zoo import runtime

    started = time.perf_counter()
    try:
        rt = runtime.configure(device=device, strategy="default", precision="mixed_bfloat16", quiet=True)
        model, losses = _fit_lenet(rt, 64)
        compute = model.get_layer("fc1").compute_dtype
        stored = {v.dtype for v in model.trainable_variables}
        found = placements(all_variables(model))
        good = compute == "bfloat16" and stored == {"float32"} and found == {kind} and math.isfinite(losses[-1])
        return line("ok" if good else "FAIL", "mixed_bfloat16",
                    f"LeNet computes in {compute}, variables {', '.join(sorted(stored))} on "
                    f"{', '.join(sorted(found))}; loss {losses[0]:.3f} -> {losses[-1]:.3f}", started)
    finally:
        keras.mixed_precision.set_dtype_policy("float32")


def check_parallel(device: str, kind: str) -> bool:
    import keras

    from zoo import runtime

    started = time.perf_counter()
    if keras.backend.backend() == "torch":
        return line("skip", "data parallel", "Keras' distribution API does not cover the torch backend", started)
    rt = runtime.configure(device=kind, strategy="mirrored", quiet=True)
    try:
        model, losses = _fit_lenet(rt, 32 * rt.replicas)
        spread = {device_count(v) for v in model.trainable_variables}
        good = spread == {rt.replicas} and placements(model.trainable_variables) == {kind}
        return line("ok" if good else "FAIL", "data parallel",
                    f"{rt.strategy_name} over {rt.replicas} device(s) ({rt.device}); every variable on "
                    f"{', '.join(map(str, sorted(spread)))} of them; loss {losses[0]:.3f} -> {losses[-1]:.3f}",
                    started)
    finally:
        if keras.backend.backend() == "jax":
            keras.distribution.set_distribution(None)


def run_script(name: str, script: str, arguments, needs, device: str, kind: str, folder: Path) -> bool:
    started = time.perf_counter()
    missing = [library for library in needs if find_spec(library) is None]
    if missing:
        return line("skip", f"script {name}", f"{', '.join(missing)} not installed", started)
    output = folder / name
    command = [sys.executable, str(SCRIPTS / script), *arguments, "--device", device, "--output-dir", str(output),
               "--quiet"]
    if name == "word2vec":
        command.remove("--device"), command.remove(device)  # gensim trains on the CPU: the script has no --device
    env = {**os.environ, "XLA_PYTHON_CLIENT_PREALLOCATE": "false"}  # several scripts share the GPU at once
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=folder, env=env)
    last = done.stdout.strip().splitlines()[-1:] or [""]
    if done.returncode != 0 or not last[0].startswith("RESULT "):
        error = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        return line("FAIL", f"script {name}", f"exit {done.returncode}: {error[:300]}", started)
    try:
        state = read_json(output / "state.json")
    except ValueError:  # UsageError: damaged or missing
        state = {}
    ran_on = (state.get("runtime") or {}).get("device", "")
    backend = (state.get("versions") or {}).get("backend")
    good = name == "word2vec" or kind in ran_on.lower()  # gpu:0 on JAX and PyTorch, /device:GPU:0 on TensorFlow
    return line("ok" if good else "FAIL", f"script {name}",
                f"RESULT; state.json: backend {backend}, device {ran_on or '(none: gensim)'}", started)


def check_scripts(device: str, kind: str, only: set[str] | None, parallel: int) -> bool:
    runs = [run for run in SCRIPT_RUNS if only is None or run[0] in only]
    with tempfile.TemporaryDirectory(prefix="zoo-gpu-check-") as folder, ThreadPoolExecutor(parallel) as pool:
        results = list(pool.map(lambda run: run_script(*run, device, kind, Path(folder)), runs))
    return all(results)


@dataclass(frozen=True)
class Settings(config.Settings):
    device: str = config.setting("gpu", "gpu (the point of it) or cpu, to try the checks here")
    only: str = config.setting(",".join(CHECKS), f"comma-separated checks among {', '.join(CHECKS)} (default: all)")
    scripts: str | None = config.setting(None, "comma-separated script names to run (default: all)")
    parallel: int = config.setting(4, "training scripts run at once", parse=cli.positive_int)


def main() -> int:
    args = config.parse(Settings, __doc__, load_backend=False)
    checks = args.only.split(",")
    unknown = set(checks) - set(CHECKS)
    if unknown:
        raise cli.UsageError(f"--only {','.join(sorted(unknown))}: expected some of {', '.join(CHECKS)}")
    kind = "gpu" if args.device.startswith(("gpu", "cuda")) else "cpu"

    started = time.perf_counter()
    import zoo
    from zoo import startup

    startup.load_backend()  # quietly: TensorFlow's start-up lines are noise here
    import keras

    line("info", "backend", f"Keras {keras.__version__} on {keras.backend.backend()}; zoo {zoo.__version__}; "
                            f"TensorFlow {'installed' if find_spec('tensorflow') else 'not installed'}", started)
    ok = True
    if "builders" in checks:
        ok &= check_builders(args.device, kind)
    if "fit" in checks:
        ok &= check_fit(args.device, kind)
    if "precision" in checks:
        ok &= check_precision(args.device, kind)
    if "parallel" in checks:
        ok &= check_parallel(args.device, kind)
    if "scripts" in checks:
        ok &= check_scripts(args.device, kind, set(args.scripts.split(",")) if args.scripts else None, args.parallel)
    line("ok" if ok else "FAIL", "all checks", "passed" if ok else "some failed (lines above)", started)
    return 0 if ok else 1


if __name__ == "__main__":
    cli.main(lambda: sys.exit(main()))  # a mistake in the flags is one line and exit status 2

"""The notebooks: each .ipynb is exactly what jupytext makes of its percent-format .py (the source
to review and edit), carries no outputs, runs from top to bottom in quick mode, and prints only
figures it measured: a cell the test appends measures them again (see CHECKS).

Importing TensorFlow takes a kernel about ten seconds on two busy cores, more than most notebooks
take to run in quick mode; so each test worker starts one kernel and runs its notebooks one after
the other in it, each from a cleared namespace (``%reset -f``) in a folder of its own.
"""

import json
import math
import re
from collections import namedtuple
from pathlib import Path

import pytest

# pytest-xdist (--dist loadgroup): one worker, one kernel: the kernel starts once
pytestmark = pytest.mark.xdist_group('test_notebooks')

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# per notebook; together they must stay within two minutes of the suite on two cores (pytest -n 2)
TIME_LIMIT_S = 120

NO_PLOTS = {"10_vggnet", "11_natural_language_preprocessing", "11_word2vec", "13_cartpole_dqn"}  # in quick mode

# What each notebook shows in quick mode, and how the test measures it again. A figure is a
# regex whose first group is the figure as printed (a tuple (regex, group) picks another group);
# an extra cell appended to the notebook measures the same figures again from the notebook's own
# objects (its models, on its data) with code of its own, and prints them as JSON after REMEASURED.
# Each figure printed must equal its re-measurement to the printed precision and lie in its range;
# a figure re-measured as None (weights that are not at hand) must not be printed. So a figure
# that a notebook stores or types in instead of measuring fails.
Check = namedtuple("Check", "figures remeasure ranges")

# helpers for the appended cells: a network's outputs by calling it (not predict or evaluate),
# accuracy against one-hot or integer labels, and ROC AUC by the rank-sum formula (not sklearn)
HELPERS = """import json as _json
import numpy as _np
from scipy import linalg as _linalg
from scipy.stats import rankdata as _rankdata


def _outputs(network, x, batch=256):
    return _np.concatenate([_np.asarray(network(_np.asarray(x[i:i + batch]), training=False))
                            for i in range(0, len(x), batch)])


def _accuracy(network, x, y):
    labels = _np.asarray(y)
    labels = labels.argmax(axis=1) if labels.ndim > 1 else labels.ravel()
    return 100 * float(_np.mean(_outputs(network, x).argmax(axis=1) == labels))


def _auc(labels, scores):
    labels, ranks = _np.asarray(labels).ravel(), _rankdata(_np.ravel(scores))
    positives = int(labels.sum())
    negatives = len(labels) - positives
    return float((ranks[labels == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def _frechet(a, b):
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = _np.cov(a, rowvar=False), _np.cov(b, rowvar=False)
    root = _linalg.sqrtm(cov_a @ cov_b).real
    return float(((mean_a - mean_b) ** 2).sum() + _np.trace(cov_a + cov_b - 2 * root))


def _dense_q_values(network):  # a dense Q-network in NumPy, from its weights: fast for 1,000 steps
    layers = [(layer.get_weights(), layer.get_config()["activation"]) for layer in network.layers if layer.get_weights()]
    assert all(activation in ("relu", "linear") for _, activation in layers)

    def q_values(states):
        x = _np.asarray(states, "float32")
        for (kernel, bias), activation in layers:
            x = x @ kernel + bias
            x = _np.maximum(x, 0) if activation == "relu" else x
        return x
    return q_values


def _play(q_values, make_env, episodes, seed):  # greedy scores, episode n reset with seed + n
    env, scores = make_env(), []
    for episode in range(episodes):
        state, _ = env.reset(seed=seed + episode)
        total, done = 0.0, False
        while not done:
            action = int(_np.asarray(q_values(_np.asarray(state, "float32")[None]))[0].argmax())
            state, reward, terminated, truncated, _ = env.step(action)
            total += reward
            done = terminated or truncated
        scores.append(total)
    env.close()
    return scores
"""

DIGITS = Check(
    {"digits": r"test accuracy on ([\d,]+) held-out digits",
     "this run": r"this run's model \(1 epoch\(s\)\): (\d+\.\d)%",
     "zoo": r"the zoo's weights \(mnist\): (\d+\.\d)%"},
    '{"digits": len(x_test), "this run": _accuracy(model, x_test, y_test), "zoo": _accuracy(trained, x_test, y_test)}',
    {"digits": (1000, 1000), "this run": (0, 100)})


def flowers(script, photos):
    """AlexNet and VGGNet: this run's model on the bundled validation photos; the zoo's weights
    are registered without a file, so the notebook says how to make one instead of a figure."""
    return Check(
        {"photos": r"validation accuracy on (\d+) bundled photos",
         "this run": r"this run's model \(1 epoch\(s\) on \d+ photos\): (\d+\.\d)%",
         "zoo": r"the zoo's weights \(flowers17\): (\d+\.\d)%",
         "not at hand": r"the zoo's weights \(flowers17\): not at hand: .*(scripts/" + script + r") .*\n"},
        '{"photos": len(x_valid), "this run": _accuracy(model, x_valid, y_valid),'
        ' "zoo": None if trained is None else _accuracy(trained, x_valid, y_valid),'
        ' "not at hand": "scripts/' + script + '" if trained is None else None}',
        {"photos": (photos, photos), "this run": (0, 100), "zoo": (50, 100)})


IMDB_NETWORKS = ["dense_sentiment", "conv_sentiment", "rnn_sentiment", "lstm_sentiment", "bilstm_sentiment",
                 "stacked_bilstm_sentiment", "conv_lstm_sentiment", "gru_sentiment", "multi_convnet_sentiment"]

CHECKS = {
    "05_shallow_net": DIGITS._replace(ranges={**DIGITS.ranges, "zoo": (80, 90)}),
    "08_intermediate_net": DIGITS._replace(ranges={**DIGITS.ranges, "zoo": (96, 100)}),
    "09_deep_net": DIGITS._replace(ranges={**DIGITS.ranges, "zoo": (96, 100)}),
    "09_deep_net_tensorboard": DIGITS._replace(ranges={**DIGITS.ranges, "zoo": (96, 100)}),
    "10_lenet": DIGITS._replace(
        remeasure='{"digits": len(x_test), "this run": _accuracy(model, x_test, labels),'
                  ' "zoo": _accuracy(trained, x_test, labels)}',
        ranges={**DIGITS.ranges, "zoo": (99, 100)}),
    "09_regression": Check(
        {"this run": r"this run's model \(4 epochs\): \$(\d+\.\d\d)k",
         "zoo": r"the zoo's weights \(boston_housing\): \$(\d+\.\d\d)k"},
        '{key: float(_np.sqrt(_np.mean((_outputs(network, x_valid).ravel() - y_valid) ** 2)))'
        ' for key, network in (("this run", model), ("zoo", trained))}',
        {"this run": (0, 100), "zoo": (4, 9)}),
    "10_alexnet": flowers("train_alexnet.py", 10),
    "10_vggnet": flowers("train_vggnet.py", 4),
    "10_transfer_learning": Check(
        {"images": r"validation accuracy on (\d+) synthetic drawings",
         "this run": r"this run's model \(1 epoch\(s\), [^)]+\): (\d+\.\d)%"},
        '{"images": sum(len(batch[1]) for batch in valid),'
        ' "this run": 100 * float(_np.mean(_np.concatenate([_outputs(model, images).argmax(axis=1)'
        ' == _np.asarray(labels).argmax(axis=1) for images, labels in valid])))}',
        {"images": (16, 16), "this run": (0, 100)}),
    "11_imdb_sentiment_classifiers": Check(
        {"reviews": r"ROC AUC on ([\d,]+) held-out reviews\n",
         **{f"{name} this run": (rf"(?m)^{name} +(\S+) +(\S+) +(\S+)$", 1) for name in IMDB_NETWORKS},
         **{f"{name} zoo": (rf"(?m)^{name} +(\S+) +(\S+) +(\S+)$", 2) for name in IMDB_NETWORKS}},
        # the dense net this run trained and the last network loaded (the multi-channel convnet) are
        # called again on their reviews; the other networks' ROC AUCs are recomputed from their outputs
        '{"reviews": len(labels),'
        ' **{name + " this run": None for name in CLASSIFIERS},'
        ' "dense_sentiment this run": _auc(y_valid[:N_SCORED], _outputs(model, x_valid[:N_SCORED])),'
        ' **{name + " zoo": _auc(labels, curves[name]) if name in curves else None for name in CLASSIFIERS},'
        ' "multi_convnet_sentiment zoo": _auc(labels, _outputs(trained, reviews, 200))}',
        {"reviews": (200, 200), "dense_sentiment this run": (0, 1),
         **{f"{name} zoo": (0.8, 1) for name in IMDB_NETWORKS}}),
    "11_word2vec": Check(
        {"father~mother": r"the zoo's vectors \(gutenberg\), most similar to father: \[\['mother', (0\.\d+)\]"},
        '{"father~mother": float(_np.dot(vectors["father"], vectors["mother"])'
        ' / _np.linalg.norm(vectors["father"]) / _np.linalg.norm(vectors["mother"]))}',
        {"father~mother": (0.6, 1)}),
    "12_gan": Check(
        {"this run": r"this run's generator \(1 iteration\(s\)\): (\d+\.\d\d)",
         "zoo": r"the zoo's generator \(quickdraw_apple\): (\d+\.\d\d)",
         "people": r"another 300 of people's apples: (\d+\.\d\d)"},
        '{"this run": _frechet(quality.real_a, quality.pca.transform(_outputs(generator, noise).reshape(len(noise), -1))),'
        ' "zoo": _frechet(quality.real_a, quality.pca.transform(_outputs(trained, noise).reshape(len(noise), -1))),'
        ' "people": _frechet(quality.real_a, quality.real_b)}',
        {"this run": (0, 1000), "zoo": (0, 5), "people": (0, 5)}),
    "13_cartpole_dqn": Check(
        {"this run": r"this run's agent \(5 episodes\): (\[[^\]]*\])",
         "zoo": r"the zoo's weights \(cartpole_v0\): (\[[^\]]*\])"},
        '{"this run": _play(_dense_q_values(agent.model), lambda: make_gym_env(ENV), 5, 5_000_000),'
        ' "zoo": _play(_dense_q_values(trained.model), lambda: make_gym_env(ENV), 5, 5_000_000)}',
        {"this run": (0, 200), "zoo": (200, 200)}),
    "13_doom_dqn": Check(
        {"this run": r"this run's agent \(100 moves\): (\[[^\]]*\])",
         "zoo": r"the zoo's weights \(doom_simpler_basic\): (\[[^\]]*\])"},
        '{"this run": _play(lambda x: _outputs(agent.model, x), lambda: doom.make_env(SCENARIO), 5, 7_000_000),'
        ' "zoo": _play(lambda x: _outputs(trained.model, x), lambda: doom.make_env(SCENARIO), 5, 7_000_000)}',
        {"this run": (-1000, 100), "zoo": (50, 100)}),
}

jupytext = pytest.importorskip("jupytext")
nbclient = pytest.importorskip("nbclient")


# the companion notebooks of the book that the zoo covers (the nine IMDb classifiers in one), and Doom
BOOK = ["05_shallow_net", "08_intermediate_net", "09_deep_net", "09_deep_net_tensorboard", "09_regression",
        "10_alexnet", "10_lenet", "10_transfer_learning", "10_vggnet", "11_imdb_sentiment_classifiers",
        "11_natural_language_preprocessing", "11_word2vec", "12_gan", "13_cartpole_dqn", "13_doom_dqn"]


def test_every_notebook_has_its_source_and_the_books_list_is_covered():
    sources = sorted((ROOT / "notebooks").glob("*.py"))
    assert [path.stem for path in NOTEBOOKS] == [path.stem for path in sources] == BOOK


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_the_notebook_is_its_source_without_outputs(path):
    notebook = jupytext.read(path)
    source = jupytext.read(path.with_suffix(".py"))
    assert [(cell.cell_type, cell.source) for cell in notebook.cells] == \
        [(cell.cell_type, cell.source) for cell in source.cells], f"run: jupytext --update --to ipynb {path.with_suffix('.py')}"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(not cell.get("outputs") and cell.get("execution_count") is None for cell in code)
    assert any(cell.source.startswith("QUICK = True") for cell in code)  # quick by default, the book's run one switch away
    assert "find_spec(\"zoo\")" in code[0].source  # the first cell installs the zoo when it is missing


def run_cells(notebook, kernel):
    client = nbclient.NotebookClient(notebook, km=kernel, timeout=TIME_LIMIT_S, kernel_name="python3")
    try:
        client.execute()
    finally:
        if client.kc is not None:
            client.kc.stop_channels()


def text_of(cells) -> str:
    outputs = [output for cell in cells for output in cell.get("outputs", [])]
    return "\n".join(output.get("text", "") + output.get("data", {}).get("text/plain", "") for output in outputs)


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """A kernel manager with a running kernel, shared by this worker's notebooks; its Python
    imports the zoo of this checkout (a kernel of another environment would test another zoo)."""
    import nbformat

    starter = nbclient.NotebookClient(nbformat.v4.new_notebook(), kernel_name="python3")
    manager = starter.create_kernel_manager()
    starter.start_new_kernel(cwd=str(tmp_path_factory.mktemp("kernel")))
    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import zoo; print(zoo.__file__)")])
    run_cells(probe, manager)
    zoo_file = Path(text_of(probe.cells).strip()).resolve()
    assert zoo_file.is_relative_to(ROOT), (
        f"the python3 kernel imports {zoo_file}, not this checkout's zoo: run the tests with the Python "
        f"that has the zoo installed, or register its kernel (python -m ipykernel install --user)")
    yield manager
    starter._cleanup_kernel()


FRESH_START = """%reset -f
import os, sys
os.chdir({folder!r})
if "keras" in sys.modules:
    sys.modules["keras"].backend.clear_session()
if "matplotlib.pyplot" in sys.modules:
    sys.modules["matplotlib.pyplot"].close("all")
del os, sys"""


def as_figure(printed: str):
    """A printed figure as a number (None for NaN), a list of numbers, or text."""
    if printed.startswith("["):
        return json.loads(printed)
    try:
        value = float(printed.replace(",", "").replace("$", ""))
    except ValueError:
        return printed
    return None if math.isnan(value) else value


def shown_figures(check: Check, text: str) -> dict:
    """The figures as the notebook printed them, by name (None where it printed none or NaN)."""
    shown = {}
    for name, pattern in check.figures.items():
        pattern, group = pattern if isinstance(pattern, tuple) else (pattern, 1)
        match = re.search(pattern, text)
        shown[name] = match and match.group(group)
    return shown


def agrees(printed: str, measured) -> bool:
    """Whether a printed figure is the measured one, to the precision it was printed with."""
    figure = as_figure(printed)
    if isinstance(measured, str) or isinstance(figure, str):
        return figure == measured
    if isinstance(measured, list):
        return isinstance(figure, list) and len(figure) == len(measured) and \
            all(abs(a - b) <= 1e-6 for a, b in zip(figure, measured))
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return figure is not None and abs(figure - measured) <= 0.5 * 10 ** -decimals + 1e-9 * max(1, abs(measured))


@pytest.mark.timeout(TIME_LIMIT_S + 30)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_the_notebook_runs_in_quick_mode_and_shows_what_it_measures(path, kernel, tmp_path):
    """The notebook runs in quick mode without an error and draws its plots; each figure it prints
    (its CHECKS) is what a cell of the test's own measures again from the notebook's models and
    data, and lies in its range."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(FRESH_START.format(folder=str(tmp_path))))
    check = CHECKS.get(path.stem)
    if check:
        notebook.cells.append(nbformat.v4.new_code_cell(
            f"{HELPERS}\nprint('REMEASURED', _json.dumps({check.remeasure}))"))
    # the kernel inherits ZOO_OFFLINE from conftest: the notebooks need no network in quick mode
    run_cells(notebook, kernel)
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    errors = [f"{output.get('ename')}: {output.get('evalue')}" for output in outputs if output.get("output_type") == "error"]
    assert not errors
    assert any("image/png" in output.get("data", {}) for output in outputs) or path.stem in NO_PLOTS
    if not check:
        return
    remeasured = json.loads(text_of(notebook.cells[-1:]).split("REMEASURED", 1)[1])
    shown = shown_figures(check, text_of(notebook.cells[:-1]))
    for name, printed in shown.items():
        measured = remeasured[name]
        figure = printed and as_figure(printed)
        if measured is None:
            assert figure is None, f"{path.stem} shows {name} {printed}, which the test measures as none"
            continue
        assert printed, f"{path.stem} does not show {name} (measured: {measured})"
        assert agrees(printed, measured), f"{path.stem} shows {name} {printed}; measured again: {measured}"
        low, high = check.ranges.get(name, (-math.inf, math.inf))
        values = measured if isinstance(measured, list) else [measured]
        assert isinstance(measured, str) or all(low <= value <= high for value in values), \
            f"{path.stem}: {name} {measured} is outside [{low}, {high}]"


def test_the_checks_fail_a_figure_that_is_not_measured():
    """The comparison that catches a typed-in figure: a printed figure must equal its re-measurement
    to its printed precision, and a figure of weights that are not at hand must not be printed."""
    check = CHECKS["10_alexnet"]
    measured = {"photos": 10, "this run": 30.0, "zoo": None, "not at hand": "scripts/train_alexnet.py"}
    honest = ("validation accuracy on 10 bundled photos\n  this run's model (1 epoch(s) on 16 photos): 30.0%\n"
              "  the zoo's weights (flowers17): not at hand: ... `python scripts/train_alexnet.py ...` ...\n")
    shown = shown_figures(check, honest)
    assert all(agrees(shown[name], measured[name]) for name in ("photos", "this run", "not at hand"))
    assert shown["zoo"] is None
    stored = honest.replace("not at hand: ... `python scripts/train_alexnet.py ...` ...", "73.5%")
    assert shown_figures(check, stored)["zoo"] == "73.5"  # printed where the test measures none: fails
    assert not agrees("73.5", 30.0) and agrees("30.0", 30.04) and not agrees("30.0", 30.06)
    assert agrees("1,000", 1000) and agrees("$6.82", 6.8249) and not agrees("[200.0, 199.0]", [200.0, 200.0])

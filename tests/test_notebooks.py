"""The notebooks: each .ipynb is exactly what jupytext makes of its percent-format .py (the source
to review and edit), carries no outputs, and runs from top to bottom in quick mode.

Importing TensorFlow takes a kernel about ten seconds on two busy cores, more than most notebooks
take to run in quick mode; so each test worker starts one kernel and runs its notebooks one after
the other in it, each from a cleared namespace (``%reset -f``) in a folder of its own.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# per notebook; together they must stay within two minutes of the suite on two cores (pytest -n 2)
TIME_LIMIT_S = 120

NO_PLOTS = {"10_vggnet", "11_natural_language_preprocessing", "11_word2vec", "13_cartpole_dqn"}  # in quick mode

# what each notebook shows in quick mode: the book's figure, from the zoo's named weights
FIGURES = {
    "05_shallow_net": r"test accuracy 8\d\.\d%",
    "08_intermediate_net": r"test accuracy 9[6-9]\.\d%",
    "09_deep_net": r"test accuracy 9[6-9]\.\d%",
    "09_deep_net_tensorboard": r"test accuracy 9[6-9]\.\d%",
    "09_regression": r"error over the 102 held-out houses: \$[4-8]\.\d\dk",
    "10_lenet": r"test accuracy 99\.\d%",
    "10_alexnet": r"validation accuracy 73\.5% after the book's 100 epochs",
    "10_transfer_learning": r"the book: 81\.2%",
    "11_imdb_sentiment_classifiers": r"conv_sentiment\s+0\.9[4-9]\d\d\s+0\.9612",
    "11_word2vec": r"\[\['mother', 0\.\d+\]",
    "12_gan": r"trained: [0-4]\.\d\d, this run's: \d",
    "13_cartpole_dqn": r"scores \[200\.0, 200\.0, 200\.0, 200\.0, 200\.0\]",
    "13_doom_dqn": r"mean (?:[5-9]\d|1\d\d)\.\d",
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


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """A kernel manager with a running kernel, shared by this worker's notebooks."""
    import nbformat

    starter = nbclient.NotebookClient(nbformat.v4.new_notebook(), kernel_name="python3")
    manager = starter.create_kernel_manager()
    starter.start_new_kernel(cwd=str(tmp_path_factory.mktemp("kernel")))
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


@pytest.mark.timeout(TIME_LIMIT_S + 30)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_the_notebook_runs_in_quick_mode(path, kernel, tmp_path):
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(FRESH_START.format(folder=str(tmp_path))))
    # the kernel inherits ZOO_OFFLINE from conftest: the notebooks need no network in quick mode
    client = nbclient.NotebookClient(notebook, km=kernel, timeout=TIME_LIMIT_S, kernel_name="python3")
    try:
        client.execute()
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output.get("output_type") == "error"]
    text = "\n".join(output.get("text", "") + output.get("data", {}).get("text/plain", "") for output in outputs)
    if path.stem in FIGURES:
        assert re.search(FIGURES[path.stem], text), f"{path.stem} does not show {FIGURES[path.stem]!r}"
    assert any("image/png" in output.get("data", {}) for output in outputs) or path.stem in NO_PLOTS

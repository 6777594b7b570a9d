"""The notebooks: each .ipynb is exactly what jupytext makes of its percent-format .py (the source
to review and edit), carries no outputs, and runs from top to bottom in quick mode.

Importing TensorFlow takes a kernel about ten seconds on two busy cores, more than most notebooks
take to run in quick mode; so each test worker starts one kernel and runs its notebooks one after
the other in it, each from a cleared namespace (``%reset -f``) in a folder of its own.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# per notebook; together they must stay within two minutes of the suite on two cores (pytest -n 2)
TIME_LIMIT_S = 120

jupytext = pytest.importorskip("jupytext")
nbclient = pytest.importorskip("nbclient")


def test_every_notebook_has_its_source_and_the_books_list_is_covered():
    sources = sorted((ROOT / "notebooks").glob("*.py"))
    assert [path.stem for path in NOTEBOOKS] == [path.stem for path in sources]
    assert len(NOTEBOOKS) >= 15


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_the_notebook_is_its_source_without_outputs(path):
    notebook = jupytext.read(path)
    source = jupytext.read(path.with_suffix(".py"))
    assert [(cell.cell_type, cell.source) for cell in notebook.cells] == \
        [(cell.cell_type, cell.source) for cell in source.cells], f"run: jupytext --sync {path.with_suffix('.py')}"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(not cell.get("outputs") and cell.get("execution_count") is None for cell in code)
    assert "QUICK = True" in source.cells[3].source or any("QUICK = True" in cell.source for cell in code)
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
    errors = [output for cell in notebook.cells for output in cell.get("outputs", [])
              if output.get("output_type") == "error"]
    assert not errors

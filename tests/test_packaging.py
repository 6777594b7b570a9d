"""What ``pip install .`` (a wheel, not an editable install) ships: setuptools' own reading of
setup.cfg, in this process (no build, no network). Every folder of zoo/ and datasets/ holding an
``__init__.py`` is a package in the list (datasets/ as zoo.datasets), and every other file there
matches its package's ``package_data``; otherwise a wheel would lack a subpackage or a data file
that the editable install used by the tests still finds."""

from __future__ import annotations

import glob
from pathlib import Path

import pytest
from setuptools.config.setupcfg import read_configuration

ROOT = Path(__file__).resolve().parent.parent
# where each top-level source folder installs
INSTALLED_AS = {"zoo": "zoo", "datasets": "zoo.datasets"}


@pytest.fixture(scope="module")
def options():
    return read_configuration(ROOT / "setup.cfg")["options"]


def source_packages() -> dict[str, Path]:
    """Each package found in the source tree, by its installed name, and its folder."""
    found = {}
    for folder, name in INSTALLED_AS.items():
        for init in sorted((ROOT / folder).rglob("__init__.py")):
            parts = init.parent.relative_to(ROOT / folder).parts
            found[".".join((name, *parts))] = init.parent
    return found


def package_folder(package: str, package_dir: dict) -> Path:
    """Where setuptools takes ``package`` from: its longest prefix in ``package_dir``."""
    parts = package.split(".")
    for cut in range(len(parts), 0, -1):
        prefix = ".".join(parts[:cut])
        if prefix in package_dir:
            return ROOT / package_dir[prefix] / Path(*parts[cut:])
    return ROOT / Path(*parts)


def test_every_package_of_the_source_tree_is_installed(options):
    packages, found = set(options["packages"]), source_packages()
    assert {"zoo.gan", "zoo.word2vec", "zoo.commands", "zoo.datasets"} <= set(found)  # the search itself works
    assert sorted(set(found) - packages) == [], "folders with an __init__.py that setup.cfg's packages omits"
    assert sorted(packages - set(found)) == [], "packages in setup.cfg that the source tree does not have"
    for package in packages:
        assert package_folder(package, options["package_dir"]) == found[package], package


def test_every_data_file_matches_its_packages_package_data(options):
    """Each file under a package that is not Python source (the weights, the registry, the
    bundled data samples) is one its package's ``package_data`` globs (as setuptools expands
    them) take into the wheel."""
    folders = {package: package_folder(package, options["package_dir"]) for package in options["packages"]}
    shipped = {}
    for package, folder in folders.items():
        for pattern in options.get("package_data", {}).get(package, []):
            shipped.update({Path(path): package for path in glob.glob(str(folder / pattern), recursive=True)})
    missing, data_files = [], 0
    for source in INSTALLED_AS:
        for path in (ROOT / source).rglob("*"):
            if path.is_dir() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts \
                    or any(part.startswith(".") for part in path.relative_to(ROOT).parts):
                continue
            data_files += 1
            # setuptools takes a file into the wheel with the deepest package that holds it
            owner = max((package for package, folder in folders.items() if folder in path.parents),
                        key=lambda package: len(folders[package].parts))
            if shipped.get(path) != owner:
                missing.append(str(path.relative_to(ROOT)))
    assert data_files > 100 and "zoo/pretrained/registry.json" not in missing  # the bundled files are seen
    assert missing == [], "files no package_data pattern ships"

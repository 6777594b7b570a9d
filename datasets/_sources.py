"""Where data comes from: an explicit folder, ``ZOO_DATA_DIR``, caches, a download, or the
bundled sample.

Every loader follows the same order so that users learn it once:

1. ``data_dir`` (``--data-dir``) or the ``ZOO_DATA_DIR`` environment variable;
2. the Keras cache (``$KERAS_HOME/datasets``, default ``~/.keras/datasets``) and, where a
   loader supports it, tensorflow-datasets' cache;
3. a download with ``keras.utils.get_file`` (checksum-verified), unless ``ZOO_OFFLINE=1``;
4. with ``source="auto"`` only: the small real sample shipped in ``samples/``, announced in
   one line.

``source="full"`` never falls back to the sample: when nothing above works it raises
:class:`DataSourceError` with one line naming the files to provide and where.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from zoo.errors import one_line

SOURCES = ("auto", "full", "sample")
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"

log = logging.getLogger("zoo.datasets")


class DataSourceError(ValueError):
    """Data could not be found or read; the message is one line meant for the user."""


@dataclass
class DataInfo:
    """What a loader actually loaded, reported in every run's ``metrics.json``."""

    name: str
    source: str  # "full" or "sample"
    origin: str  # the file, folder or URL the data came from
    n_train: int
    n_validation: int
    notes: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


class Loaded(tuple):
    """``(train, validation)`` that also carries ``.info`` (a :class:`DataInfo`)."""

    def __new__(cls, train, validation, info: DataInfo):
        loaded = super().__new__(cls, (train, validation))
        loaded.info = info
        return loaded


def check_source(source: str) -> str:
    if source not in SOURCES:
        raise DataSourceError(f"source={source!r} is not one of {', '.join(SOURCES)}")
    return source


def resolve_data_dir(data_dir: str | os.PathLike | None) -> Path | None:
    """The explicit folder, else ``ZOO_DATA_DIR``, else None; an unusable folder is an error."""
    chosen = data_dir if data_dir not in (None, "") else os.environ.get("ZOO_DATA_DIR") or None
    if chosen is None:
        return None
    path = Path(chosen).expanduser()
    what = "--data-dir" if data_dir not in (None, "") else "ZOO_DATA_DIR"
    if not path.is_dir():
        raise DataSourceError(f"{what} {path} is not a folder")
    if not os.access(path, os.R_OK | os.X_OK):
        raise DataSourceError(f"{what} {path} is not readable")
    return path


def find_file(names, folder: Path | None, subdirs=("",)) -> Path | None:
    """The first of ``names`` found in ``folder`` or one of its ``subdirs``."""
    if folder is None:
        return None
    for subdir in subdirs:
        for name in names:
            candidate = folder / subdir / name
            if candidate.exists():
                return candidate
    return None


def keras_cache_dir() -> Path:
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"


def keras_cache_file(names) -> Path | None:
    return find_file([names] if isinstance(names, str) else names, keras_cache_dir())


def offline() -> bool:
    return os.environ.get("ZOO_OFFLINE", "").lower() in ("1", "true", "yes")


def download(fname: str, origin: str, file_hash: str | None = None, what: str = "", **kwargs) -> Path:
    """``keras.utils.get_file`` into the Keras cache, with one clear line on failure."""
    hint = f"put {what or fname} into --data-dir (or ZOO_DATA_DIR) or {keras_cache_dir()}"
    if offline():
        raise DataSourceError(f"cannot download {fname}: ZOO_OFFLINE is set; {hint}")
    import keras

    try:
        path = keras.utils.get_file(fname=fname, origin=origin, file_hash=file_hash, **kwargs)
    except Exception as error:  # network, HTTP and checksum errors all mean the same to the user
        # Keras nests the cause ("URL fetch failure on ...: None -- [Errno -2] ..."); keep the cause.
        reason = one_line(error, first_line=True).split(" -- ")[-1]
        raise DataSourceError(f"cannot download {fname} ({reason}); {hint}") from None
    return Path(path)


def sample_path(name: str) -> Path:
    path = SAMPLES_DIR / name
    if not path.exists():
        raise DataSourceError(f"the bundled sample {path} is missing; reinstall the package")
    return path


def announce(message: str) -> None:
    """One line to the user about where the data came from."""
    log.warning(message)


def read_error(path: Path, error: Exception) -> DataSourceError:
    """A corrupt or unreadable data file, as one line."""
    # Some messages run over lines (tarfile lists every compression it tried): join them.
    message = error.args[0] if isinstance(error, KeyError) and error.args else error  # no quotes around it
    reason = " ".join(line.strip() for line in str(message).splitlines() if line.strip()) or type(error).__name__
    # NumPy's own words for these suggest loading the file unsafely, which is not the way out.
    if "contains pickled (object) data" in reason or "Failed to interpret file" in reason:
        reason = "not a NumPy .npy or .npz file"
    elif "Object arrays cannot be loaded" in reason:
        reason = "it holds pickled Python objects, not plain arrays"
    elif "could not be opened successfully" in reason:  # tarfile, after trying every compression
        reason = "not a tar archive (.tar, .tar.gz, .tgz), or a damaged one"
    if len(reason) > 200:
        reason = reason[:197] + "..."
    return DataSourceError(f"cannot read {path}: {reason}")


def locate(name: str, source: str, data_dir, find_local, fetch=None, sample: str | None = None,
           wanted: str = "") -> tuple[str, Path]:
    """Resolve a dataset to ``("full", path)`` or ``("sample", path)`` in the documented order.

    ``find_local(folder)`` looks in the explicit folder (may be None) and the caches and
    returns a path or None; ``fetch()`` downloads and returns a path or raises
    :class:`DataSourceError`; ``wanted`` names the files a user should provide.
    """
    source = check_source(source)
    folder = resolve_data_dir(data_dir)
    if source == "sample":
        if sample is None:
            raise DataSourceError(f"{name} has no bundled sample; use --data full")
        return "sample", sample_path(sample)
    local = find_local(folder)
    if local is not None:
        return "full", Path(local)
    reason = f"no {wanted} found" if wanted else "no local copy found"
    if fetch is not None:
        try:
            return "full", Path(fetch())
        except DataSourceError as error:
            reason = str(error)
    if source == "full" or sample is None:
        where = f"{folder}" if folder else "--data-dir, ZOO_DATA_DIR or the Keras cache"
        raise DataSourceError(f"full {name} data not found: provide {wanted or 'the files'} in {where} ({reason})")
    announce(f"{name}: using the bundled sample; full data unavailable: {reason}")
    return "sample", sample_path(sample)

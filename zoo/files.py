"""Atomic file writes (a half-written file never takes the place of a good one), the one JSON
reader that refuses a damaged file in one line, folder locks and checksums.

Kept free of TensorFlow so the benchmark can write its JSON on any Keras backend.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
from pathlib import Path

from zoo.errors import UsageError, one_line

# Keras insists on these endings for what it writes, so a temporary name keeps them whole.
COMPOUND_SUFFIXES = (".weights.h5", ".weights.json", ".tar.gz")


def _split_suffix(name: str) -> tuple[str, str]:
    for suffix in COMPOUND_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix
    stem, dot, extension = name.rpartition(".")
    return (stem, dot + extension) if stem else (name, "")


def temporary_name(path) -> Path:
    """A hidden sibling of ``path``, unique to this process, with the same ending."""
    path = Path(path)
    stem, suffix = _split_suffix(path.name)
    return path.with_name(f".{stem}.tmp{os.getpid()}{suffix}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale_temporaries(path) -> None:
    """Temporaries of ``path`` left by processes that died mid-write (a live writer's stay)."""
    path = Path(path)
    stem, suffix = _split_suffix(path.name)
    prefix = f".{stem}.tmp"
    if not path.parent.is_dir():
        return
    for candidate in path.parent.glob(f"{glob_escape(prefix)}*{glob_escape(suffix)}"):
        pid = candidate.name[len(prefix): len(candidate.name) - len(suffix)]
        if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
            candidate.unlink(missing_ok=True)


def glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary sibling of ``path`` to write; rename it into place only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    temporary = temporary_name(path)
    temporary.unlink(missing_ok=True)
    try:
        yield temporary
        os.replace(temporary, path)
    except OSError as error:
        if error.filename not in (None, str(temporary), temporary):
            raise
        # the file the user knows, not its temporary name (a full disk while a library wrote it
        # often names no file at all)
        raise OSError(error.errno, error.strerror or str(error), str(path)) from error
    finally:
        if temporary.exists():
            temporary.unlink()


def strict_json(data):
    """``data`` with NaN and infinities as None: JSON has no such numbers."""
    if isinstance(data, float) and not math.isfinite(data):
        return None
    if isinstance(data, dict):
        return {key: strict_json(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [strict_json(value) for value in data]
    return data


def non_finite_keys(data, prefix: str = "") -> list[str]:
    """The dotted keys of ``data`` whose values are NaN or infinite."""
    if isinstance(data, float) and not math.isfinite(data):
        return [prefix or "value"]
    if isinstance(data, dict):
        return [key for name, value in data.items()
                for key in non_finite_keys(value, f"{prefix}.{name}" if prefix else str(name))]
    return []


def _plain(value):
    """NumPy scalars and arrays as Python numbers and lists, anything else as text."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def document_command(prog: str, what: str, render, example_path, argv=None) -> None:
    """``python -m <module> [--write PATH]``: print the Markdown ``render()`` makes, or write it."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog=prog, description=f"Print {what} as Markdown.")
    parser.add_argument("--write", metavar="PATH", help=f"write it to PATH (e.g. {example_path}) instead")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        with atomic_path(args.write) as temporary:
            temporary.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def read_json(path, what: str | None = None, advice: str | None = None):
    """The data of the JSON file ``path``. One that cannot be read or parsed is refused in one
    line naming it, a ``UsageError``: ``PATH is damaged (why)``, then ``; advice`` when given; with
    ``what`` (e.g. ``"a JSON object"``), so is data that is not a JSON object: ``PATH is not WHAT``."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"{path} is damaged ({one_line(error)})" + (f"; {advice}" if advice else "")) from None
    if what is not None and not isinstance(data, dict):
        raise UsageError(f"{path} is not {what}")
    return data


def write_json(path, data) -> Path:
    """Strict JSON (no NaN or Infinity tokens), written atomically."""
    data = json.loads(json.dumps(data, default=_plain))  # NumPy numbers and paths become plain values
    text = json.dumps(strict_json(data), indent=2, allow_nan=False)
    with atomic_path(path) as temporary:
        temporary.write_text(text + "\n")
    return Path(path)


class FolderBusy(RuntimeError):
    """Another live process holds the folder's lock."""


class FolderLock:
    """An exclusive lock on a folder that may not exist yet: ``.<name>.lock`` beside it.

    ``flock`` is released by the kernel when its process dies, so a lock file left by a
    killed run is recognised as stale and simply taken over.
    """

    def __init__(self, folder):
        folder = Path(folder).absolute()
        self.path = folder.with_name(f".{folder.name}.lock")
        self._handle = None

    def acquire(self) -> "FolderLock":
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            handle = open(self.path, "a+")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                handle.close()
                raise FolderBusy(f"process {holder}" if holder.isdigit() else holder) from None
            # the holder before us may have removed the file after we opened it: lock the file that is there
            try:
                same = os.path.samestat(os.fstat(handle.fileno()), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            handle.close()
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is None:
            return
        self.path.unlink(missing_ok=True)  # before unlocking, so no one locks a file about to vanish
        self._handle.close()
        self._handle = None


# ----------------------------------------------------------------------------- checksums

_hashes: dict[tuple, str] = {}  # (path, size, mtime) -> SHA-256, so loading twice reads the file once


def folder_sha256(folder) -> str:
    """A folder's checksum: the SHA-256 of its manifest, one ``<relative path> <file's SHA-256>``
    line per file (hidden ones skipped), sorted, so it changes with any file's name or bytes."""
    folder = Path(folder)
    files = sorted(path for path in folder.rglob("*")
                   if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts))
    manifest = "".join(f"{path.relative_to(folder).as_posix()} {sha256_of(path)}\n" for path in files)
    return hashlib.sha256(manifest.encode()).hexdigest()


def sha256_of(path) -> str:
    """A file's SHA-256, read once per (path, size, modification time)."""
    path = Path(path)
    status = path.stat()
    key = (str(path.resolve()), status.st_size, status.st_mtime_ns)
    if key not in _hashes:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _hashes[key] = digest.hexdigest()
    return _hashes[key]

"""Where weights may be downloaded from, and the download itself: ``keras.utils.get_file`` into
the Keras cache, kept only once its SHA-256 is right.

An address is HTTPS (a GitHub release asset,
``https://github.com/<owner>/<repo>/releases/download/<tag>/<file>``, or a file on the Hugging
Face Hub, ``https://huggingface.co/<owner>/<repo>/resolve/main/<file>``), or plain HTTP to this
machine only, for tests. Whether to download at all (``ZOO_OFFLINE``) is the caller's to decide.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

from zoo.errors import one_line
from zoo.files import sha256_of, temporary_name


def check_address(url, what: str = "--url") -> str:
    """``url`` if weights may be fetched from it; else a one-line ``ValueError`` naming ``what``."""
    parts = urlsplit(url) if isinstance(url, str) else None
    host = parts.hostname if parts else None
    if not parts or not host or parts.scheme not in ("https", "http"):
        raise ValueError(f"{what} {url!r} is not an https:// address of a file")
    if parts.scheme == "http" and not _loopback(host):
        raise ValueError(f"{what} {url!r} is plain http: weights are fetched over https:// only "
                         f"(http only from this machine, 127.0.0.1 or localhost)")
    return url


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def fetch(origin: str, file: str, sha256: str, keras_home: Path, cache_subdir: str) -> Path:
    """``origin`` downloaded as ``keras_home/cache_subdir/file``: ``keras.utils.get_file`` under a
    temporary name, renamed only once its SHA-256 is ``sha256``, so a failed or wrong download
    leaves nothing behind. A failure is a one-line ``ValueError``."""
    import keras


    final = Path(keras_home) / cache_subdir / file
    temporary = temporary_name(final)
    # Keras falls back to /tmp/.keras when it finds no writable cache: clean there too
    leftovers = [temporary, Path("/tmp/.keras") / cache_subdir / temporary.name]
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        downloaded = Path(keras.utils.get_file(temporary.name, origin, file_hash=sha256, hash_algorithm="sha256",
                                               cache_dir=str(keras_home), cache_subdir=cache_subdir))
        leftovers.append(downloaded)
        final = downloaded.with_name(file)
        os.replace(downloaded, final)
        return final
    except Exception as error:  # network, HTTP, file system or checksum: one line
        reason = one_line(error)
        for path in leftovers:
            if path.is_file():
                if "does not match" in reason:  # Keras' words give the expected hash only
                    reason = f"its SHA-256 is {sha256_of(path)}, expected {sha256}"
                path.unlink()
        raise ValueError(f"download of {file} from {origin} failed ({reason}); nothing was kept") from None

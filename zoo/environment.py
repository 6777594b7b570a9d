"""The environment variables the zoo reads, checked before a backend loads.

``cli.parse_args`` refuses a bad value in one line naming the variable and what it may be (exit
status 2), instead of a traceback from deep inside Keras, JAX or TensorFlow later on. An empty
value counts as unset. Imports nothing heavy.
"""

from __future__ import annotations

import json
import os

KERAS_BACKENDS = ("tensorflow", "jax", "torch")
TRUE, FALSE = ("1", "true", "yes"), ("0", "false", "no")
YES_NO = "1, true, yes, 0, false or no"
TF_CONFIG_EXAMPLE = '{"cluster": {"worker": ["host1:port", "host2:port"]}, "task": {"type": "worker", "index": 0}}'


def flag(name: str) -> bool:
    """A yes/no variable (``ZOO_OFFLINE``, ``ZOO_DEBUG``): on for 1, true or yes."""
    return os.environ.get(name, "").strip().lower() in TRUE


def _address(text: str) -> bool:
    host, colon, port = text.strip().rpartition(":")
    return bool(host and colon and port.isdigit() and 0 < int(port) < 65536)


def _whole(text: str, lowest: int) -> int | None:
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value >= lowest else None


def _keras_backend(value: str) -> str | None:
    if value not in KERAS_BACKENDS:
        return f"is not a Keras backend the zoo runs on: expected {', '.join(KERAS_BACKENDS[:-1])} or {KERAS_BACKENDS[-1]}"
    return None


def _yes_no(value: str) -> str | None:
    return None if value.lower() in TRUE + FALSE else f"is not a yes/no value: expected {YES_NO}"


def _folder(value: str) -> str | None:
    path = os.path.expanduser(value)
    if not os.path.isdir(path):
        return "is not a folder: expected an existing folder"
    if not os.access(path, os.R_OK | os.X_OK):
        return "is not readable: expected a folder this user can read"
    return None


def _logical_cpus(value: str) -> str | None:
    return None if _whole(value, 0) is not None else "is not a number of CPU devices: expected a whole number such as 2"


def _weights_url(value: str) -> str | None:
    from zoo.pretrained.download import check_address

    try:
        check_address(value, "ZOO_WEIGHTS_URL")
    except ValueError as error:  # its words after the address: what an address must be
        return str(error).removeprefix(f"ZOO_WEIGHTS_URL {value!r} ")
    return None


def _job_addresses(value: str) -> str | None:
    if all(_address(part) for part in value.split(",")):
        return None
    return "is not a list of addresses: expected host:port, or several separated by commas (the first coordinates)"


def _num_processes(value: str) -> str | None:
    if _whole(value, 1) is None:
        return "is not a number of processes: expected a whole number from 1"
    addresses = os.environ.get("KERAS_DISTRIBUTION_JOB_ADDRESSES", "")
    if "," in addresses and len(addresses.split(",")) != int(value):
        return f"does not match KERAS_DISTRIBUTION_JOB_ADDRESSES: expected its {len(addresses.split(','))} addresses"
    return None


def _process_id(value: str) -> str | None:
    count = _whole(os.environ.get("KERAS_DISTRIBUTION_NUM_PROCESSES", ""), 1)
    index = _whole(value, 0)
    if index is None or (count is not None and index >= count):
        top = f" to {count - 1} (KERAS_DISTRIBUTION_NUM_PROCESSES is {count})" if count else ""
        return f"is not a process number: expected a whole number from 0{top}"
    return None


def _tf_config(value: str) -> str | None:
    expected = f"expected JSON such as {TF_CONFIG_EXAMPLE}"
    try:
        config = json.loads(value)
    except ValueError:
        return f"is not JSON: {expected}"
    cluster = config.get("cluster") if isinstance(config, dict) else None
    task = config.get("task") if isinstance(config, dict) else None
    if not (isinstance(cluster, dict) and cluster and isinstance(task, dict)):
        return f"needs a cluster and a task: {expected}"
    members = cluster.get(task.get("type"))
    index = task.get("index")
    if not isinstance(members, list) or not all(isinstance(m, str) and _address(m) for m in members):
        return f"has no list of host:port addresses for its task's type {task.get('type')!r}: {expected}"
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(members):
        return f"has a task index {index!r} outside its {len(members)} {task['type']} addresses: {expected}"
    return None


# what each variable may be; checked in this order
CHECKS = {
    "KERAS_BACKEND": _keras_backend,
    "ZOO_OFFLINE": _yes_no,
    "ZOO_DEBUG": _yes_no,
    "ZOO_DATA_DIR": _folder,
    "ZOO_WEIGHTS_DIR": _folder,
    "ZOO_WEIGHTS_URL": _weights_url,
    "ZOO_LOGICAL_CPUS": _logical_cpus,
    "KERAS_DISTRIBUTION_JOB_ADDRESSES": _job_addresses,
    "KERAS_DISTRIBUTION_NUM_PROCESSES": _num_processes,
    "KERAS_DISTRIBUTION_PROCESS_ID": _process_id,
    "TF_CONFIG": _tf_config,
}


def problem() -> str | None:
    """The first bad variable, in one line (``NAME=value ...: expected ...``); None when all are good."""
    for name, check in CHECKS.items():
        value = os.environ.get(name, "").strip()
        if not value:
            continue
        what = check(value)
        if what is not None:
            shown = value if len(value) <= 80 else value[:77] + "..."
            return f"{name}={shown} {what}"
    return None

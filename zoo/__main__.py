"""``python -m zoo``: the ``dli-zoo`` command (zoo.commands)."""

from zoo.commands import console

console()

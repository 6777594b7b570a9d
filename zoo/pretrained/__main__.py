"""``python -m zoo.pretrained --write docs/pretrained.md``: the registry as a table."""

from zoo.pretrained.table import main

main()

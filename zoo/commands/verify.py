"""``dli-zoo verify``: the published weights' cards re-measured on held-out data
(``zoo.pretrained.verify``, also ``python -m zoo.pretrained verify``), ending with a RESULT line."""

from __future__ import annotations


def main(argv) -> None:
    from zoo.pretrained import verify

    verify.main(argv, prog="dli-zoo verify", result_line=True)

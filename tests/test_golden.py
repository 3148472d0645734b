"""Golden snapshots of generated code: readability is a feature, so it is tested.

Regenerate after an intended change with:
    AUTOGRAD_SRC_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
then read the diff before committing it.
"""

import os
import pathlib

import pytest

from autograd_src import derivative_source

from .golden_functions import GOLDEN

HERE = pathlib.Path(__file__).parent / "golden"


@pytest.mark.parametrize("fn, wrt", GOLDEN, ids=[fn.__name__ for fn, _ in GOLDEN])
@pytest.mark.parametrize("printer", ["gast", "astunparse"])
def test_generated_code_matches_snapshot(fn, wrt, printer):
    text = derivative_source(fn, wrt, printer=printer)
    path = HERE / f"{fn.__name__}.{printer}.py.txt"
    if os.environ.get("AUTOGRAD_SRC_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()


@pytest.mark.parametrize("fn, wrt", GOLDEN, ids=[fn.__name__ for fn, _ in GOLDEN])
def test_printers_produce_the_same_program(fn, wrt):
    import ast
    a = ast.dump(ast.parse(derivative_source(fn, wrt, printer="gast")))
    b = ast.dump(ast.parse(derivative_source(fn, wrt, printer="astunparse")))
    assert a == b

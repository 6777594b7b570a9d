"""The one way an error becomes one line (``zoo.errors.one_line``) and the one JSON reader that
refuses a damaged file in one line (``zoo.files.read_json``)."""

import json
import re

import pytest

from zoo.errors import UsageError, one_line
from zoo.files import read_json


def test_one_line_joins_a_message_of_several_lines():
    """Every line of the message is kept, each run of white space one space."""
    assert one_line(ValueError("cannot read x\n  because:\tit is\n\ntruncated ")) == "cannot read x because: it is truncated"


def test_one_line_keeps_only_the_first_line_where_asked():
    """first_line=True drops a library's detail lines (Keras and h5py write several)."""
    error = OSError("\n  Unable to open file  (truncated)\nlocation: h5f.c line 102\n")
    assert one_line(error, first_line=True) == "Unable to open file (truncated)"


@pytest.mark.parametrize("first_line", [False, True])
def test_an_error_without_a_message_is_named_by_its_class(first_line):
    """An empty or blank message gives the exception's class name, never an empty reason."""
    assert one_line(KeyError(), first_line) == "KeyError"
    assert one_line(RuntimeError(" \n "), first_line) == "RuntimeError"


def test_read_json_returns_the_data(tmp_path):
    """A good file's data comes back as JSON has it, whatever its kind."""
    (tmp_path / "a.json").write_text(json.dumps({"format": 1, "list": [1, 2.5, None]}), encoding="utf-8")
    (tmp_path / "b.json").write_text("[1, 2]", encoding="utf-8")
    assert read_json(tmp_path / "a.json", what="a JSON object") == {"format": 1, "list": [1, 2.5, None]}
    assert read_json(str(tmp_path / "b.json")) == [1, 2]


@pytest.mark.parametrize("content", [b'{"format": 1', b"\xff\xfe not text", b""])
def test_read_json_refuses_a_damaged_file_in_one_line_naming_it(tmp_path, content):
    """Cut short, not UTF-8 or empty: a UsageError (exit status 2 on the command line) of one line
    that names the file and why, with the caller's advice after it."""
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(UsageError) as refused:
        read_json(path, advice="this folder's run cannot be continued")
    message = str(refused.value)
    assert "\n" not in message and message.startswith(f"{path} is damaged (")
    assert message.endswith("); this folder's run cannot be continued")


def test_read_json_refuses_a_missing_file_or_a_folder(tmp_path):
    """What cannot be read at all is refused the same way, the file named."""
    for path in (tmp_path / "missing.json", tmp_path):
        with pytest.raises(UsageError, match=f"^{re.escape(str(path))} is damaged \\("):
            read_json(path)


def test_read_json_refuses_data_that_is_not_an_object_where_one_is_wanted(tmp_path):
    """With ``what``, a list (or any non-object) is refused naming what was expected."""
    path = tmp_path / "metrics.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(UsageError, match=f"^{re.escape(str(path))} is not a JSON object$"):
        read_json(path, what="a JSON object")

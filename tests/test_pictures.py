"""The README's pictures (scripts/make_pictures.py): remade from the bundled weights they measure
what the committed record docs/images/pictures.json says, the record names the registry's current
weights files, and the README shows the committed pictures."""

import json

import numpy as np
import pytest

from conftest import ROOT, load_script, run_script, script_settings, user_lines
from test_docs_links import link_targets
from zoo import pretrained

IMAGES = ROOT / "docs" / "images"
REGENERATE = "regenerate them: python scripts/make_pictures.py --overwrite"
GIF_BUDGET = 1_000_000  # bytes: the README loads it on every visit


def committed_record() -> dict:
    return json.loads((IMAGES / "pictures.json").read_text(encoding="utf-8"))


def tolerant(value):
    """``value`` with every float as pytest.approx: another CPU's rounding moves an AUC in its
    fifth decimal at most, while a changed model or data set moves it far more."""
    if isinstance(value, dict):
        return {key: tolerant(item) for key, item in value.items()}
    if isinstance(value, list):
        return [tolerant(item) for item in value]
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-3, abs=2e-4)
    return value


def weights_records(record: dict):
    """Every (part, weights record) of a pictures record; IMDb's holds one per architecture."""
    for part, measured in record["pictures"].items():
        weights = measured["weights"]
        yield from ((part, item) for item in (weights.values() if "sha256" not in weights else [weights]))


def test_the_pictures_remade_from_the_bundled_weights_measure_what_the_record_says(tmp_path):
    """The script, run here into an empty folder, writes the four pictures and a record whose
    measurements (misread digits, pixel_fd, the episode's score, the nine AUCs), data and weights
    equal the committed record's: committed pictures made from other weights or data fail."""
    made = load_script("make_pictures.py").make_pictures(tmp_path)
    committed = committed_record()
    assert json.loads((tmp_path / "pictures.json").read_text(encoding="utf-8")) == made
    for record in (made, committed):
        record.pop("backend")  # the measurements agree on any backend; the record says which made them
    assert made == tolerant(committed), REGENERATE

    import imageio.v3 as iio

    for measured in made["pictures"].values():
        frames = iio.imread(tmp_path / measured["file"], index=None if measured["file"].endswith(".gif") else 0)
        assert frames.ndim in (3, 4) and frames.size > 0 and np.ptp(frames) > 0, measured["file"]  # not blank
    gif = made["pictures"]["cartpole"]
    assert len(iio.imread(tmp_path / gif["file"], index=None)) > 100  # the whole episode, not a still
    assert (tmp_path / gif["file"]).stat().st_size < GIF_BUDGET
    assert made["pictures"]["lenet"]["errors"] == len(made["pictures"]["lenet"]["misread"]) < 20
    assert min(made["pictures"]["imdb"]["auc"].values()) > 0.85 and len(made["pictures"]["imdb"]["auc"]) == 9


def test_the_record_names_the_registrys_current_weights_and_the_bundled_data():
    """Replacing a bundled weights file (or a sample) without remaking the pictures fails here,
    before the slow remake above says which measurement moved."""
    record = committed_record()
    for part, weights in weights_records(record):
        entry = pretrained.get(weights["model"], weights["name"])
        assert (weights["file"], weights["sha256"]) == (entry.file, entry.sha256), f"{part}: {REGENERATE}"
    for part, measured in record["pictures"].items():
        data = measured["data"]
        if "sha256" in data:
            assert pretrained.sha256_of(ROOT / data["file"]) == data["sha256"], f"{part}: {REGENERATE}"


def test_the_readme_shows_the_committed_pictures_and_names_their_script():
    record = committed_record()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = set(link_targets(readme))
    for measured in record["pictures"].values():
        assert (IMAGES / measured["file"]).is_file()
        assert f"docs/images/{measured['file']}" in shown, measured["file"]
    assert (IMAGES / record["pictures"]["cartpole"]["file"]).stat().st_size < GIF_BUDGET
    assert "scripts/make_pictures.py" in readme


def test_the_script_refuses_to_replace_pictures_without_overwrite(tmp_path):
    """Existing pictures are kept unless --overwrite says otherwise; the refusal is one line,
    exit status 2, before any backend starts."""
    (tmp_path / "pictures.json").write_text("{}")
    completed, _ = run_script("make_pictures.py", "--output-dir", tmp_path, check=False, timeout=60)
    assert completed.returncode == 2
    assert completed.stderr.strip().count("\n") == 0 and "--overwrite" in completed.stderr
    assert (tmp_path / "pictures.json").read_text() == "{}"
    not_a_folder = tmp_path / "pictures.json"
    completed, _ = run_script("make_pictures.py", "--output-dir", not_a_folder, check=False, timeout=60)
    assert completed.returncode == 2 and "not a folder" in completed.stderr


def test_the_folder_is_output_dir_and_the_old_out_is_refused_naming_it(tmp_path, capsys):
    """The pictures' folder is --output-dir, as a training run's; --out (a file in the dli-zoo
    commands) is refused in one line naming --output-dir, exit status 2."""
    assert script_settings("make_pictures.py", ["--output-dir", str(tmp_path)], load_backend=False).output_dir == \
        str(tmp_path)
    with pytest.raises(SystemExit) as exited:
        script_settings("make_pictures.py", ["--out", str(tmp_path)], load_backend=False)
    assert exited.value.code == 2
    [line] = user_lines(capsys.readouterr().err)
    assert line.endswith(": error: --out is now --output-dir DIR (the folder the pictures go into)"), line

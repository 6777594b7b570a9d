"""`dli-zoo` in this process (zoo.commands.main): list, card, verify, export, predict on digit
images and map; each ends with one RESULT line, never overwrites a file without --overwrite, and
turns a mistake into one line and exit status 2. (play, generate, predict on reviews and similar:
test_play.py, test_sentiment_predict.py, test_word2vec_weights.py; --help: test_help.py.)"""

import json
import re

import numpy as np
import pytest

from zoo import commands, pretrained



def test_an_unknown_command_is_one_line_with_a_hint(dli_zoo):
    dli_zoo("plya", "cartpole_v0").refused("unknown command 'plya' (did you mean play?)")
    assert commands.main([]) == 2  # no command: the usage, on stderr


def test_list_shows_the_published_weights_and_all_adds_the_unpublished_marked(dli_zoo):
    published = dli_zoo("list").ok()["weights"]
    assert [row["weights"] for row in published] == [str(entry) for entry in pretrained.available()]
    assert all(row["published"] for row in published) and "lenet/mnist" in {row["weights"] for row in published}
    everything = dli_zoo("list", "--all", "--quiet")
    unpublished = [row for row in everything.ok()["weights"] if not row["published"]]
    assert {row["weights"] for row in unpublished} == {str(entry) for entry in pretrained.registered()
                                                      if not entry.published}
    assert unpublished and all(row["where"] == "not published" for row in unpublished)
    lines = dli_zoo("list", "--all").out.splitlines()[:-1]
    assert sum("(registered, not published" in line for line in lines) == len(unpublished)
    assert [row["weights"] for row in dli_zoo("list", "lenet").ok()["weights"]] == ["lenet/mnist"]
    dli_zoo("list", "nosuch").refused("nosuch: no weights of it; the models with weights: ")


def test_list_refuses_model_as_a_flag_naming_the_positional(dli_zoo):
    """--model says which model a weights file holds (play, predict); list takes its MODEL as a positional."""
    dli_zoo("list", "--model", "lenet").refused("--model is now the positional MODEL: dli-zoo list MODEL")


def test_card_prints_the_registrys_card(dli_zoo):
    ran = dli_zoo("card", "lenet/mnist")
    assert ran.ok() == pretrained.card("lenet", "mnist")
    assert ran.out.splitlines()[0].startswith("lenet/mnist  (bundled, ")
    assert "use it: dli-zoo predict lenet/mnist" in ran.out
    assert dli_zoo("card", "cartpole_v0", "--quiet").ok()["name"] == "cartpole_v0"  # a name one model has
    dli_zoo("card", "mnist").refused("'mnist' names weights of 4 models")
    dli_zoo("card", "lenet/nosuch").refused("lenet has no weights named 'nosuch'")
    listed = dli_zoo("card", "nosuch").refused("no weights are named 'nosuch'; those there are: ").split(": ")[-1]
    every = {str(entry) for entry in pretrained.registered() + pretrained.available()}
    assert listed.split(", ") == sorted(every)  # each once, though published ones are both registered and available


def test_verify_ends_with_a_result_of_its_verdicts(dli_zoo, here):
    """verify prints its table and a RESULT line (with --quiet the RESULT line alone), writes its
    record to --out, and never replaces one without --overwrite."""
    ran = dli_zoo("verify", "word2vec/gutenberg")
    assert ran.status == 0, ran.err
    result = ran.result
    assert result["verified"] == 1 and result["verdicts"] == {"ok": 1} and result["failed"] is False
    assert ran.out.splitlines()[0].split()[:3] == ["weights", "metric", "card"]  # zoo.pretrained.verify's table
    quiet = dli_zoo("verify", "word2vec/gutenberg", "--quiet", "--out", "record.json")
    assert quiet.status == 0 and [line.split()[0] for line in quiet.out.splitlines()] == ["RESULT"], quiet.out
    assert quiet.result["out"] == "record.json" and (here / "record.json").is_file()
    assert json.loads((here / "record.json").read_text())["command"] == "dli-zoo verify word2vec/gutenberg --quiet --out record.json"
    dli_zoo("verify", "word2vec", "--out", "record.json").refused("record.json exists; pass --overwrite")
    dli_zoo("verify", "nosuch").refused("no weights of 'nosuch'")
    refused = dli_zoo("verify", "nosuch/x").refused("no weights of 'nosuch': the models with weights are ")
    assert "file" not in refused  # verify re-measures named entries only
    dli_zoo("verify", "lenet/nosuch").refused("lenet has no weights named 'nosuch'; the names that exist for lenet: ")


@pytest.mark.parametrize("arguments", [["generate", "model_output/gan", "--out", "mine.png"],
                                       ["predict", "model_output/lenet", "digit.png"],
                                       ["play", "model_output/cartpole_q_network", "--episodes", "1"],
                                       ["similar", "runs/word2vec", "father"]], ids=lambda words: words[0])
def test_a_run_folder_not_there_is_said_to_be_missing(arguments, dli_zoo, here):
    """A SOURCE spelled as a path that does not exist is refused as missing, with what SOURCE may
    be, not as a model's weights (model_output/gan once read as model "model_output")."""
    line = dli_zoo(*arguments).refused(f"{arguments[1]}: no such file or folder; give MODEL/NAME (lenet/mnist) or a "
                                       f"NAME only one model has (dli-zoo list), a weights file, or a finished run's folder")
    assert "holds" not in line and "model_output weights" not in line
    assert list(here.iterdir()) == []


def test_export_refuses_what_is_no_finished_run_in_one_line(dli_zoo, tmp_path):
    dli_zoo("export", tmp_path, "--into", tmp_path / "w").refused("holds no zoo run (no state.json)")
    assert not (tmp_path / "w").exists()


def digit_files(folder, count=6):
    """The first bundled MNIST test digits as files a person might have: a large white-on-black
    PNG, a black-on-white JPEG, and the digit as it is; with their true labels."""
    from PIL import Image

    from zoo.datasets import mnist

    (_, _), (images, labels) = mnist.load_arrays(source="sample")
    order = np.argsort(labels, kind="stable")[:: len(labels) // count][:count]  # several different digits
    paths = []
    for number, index in enumerate(order):
        image = Image.fromarray(images[index])
        if number % 3 == 0:
            path = folder / f"big_{number}.png"
            image.resize((112, 112), Image.LANCZOS).save(path)
        elif number % 3 == 1:
            path = folder / f"paper_{number}.jpg"
            Image.fromarray(255 - images[index]).convert("RGB").save(path, quality=95)
        else:
            path = folder / f"plain_{number}.png"
            image.save(path)
        paths.append(path)
    return paths, labels[order], images[order]


@pytest.mark.parametrize("model", ["lenet", "shallow_net"])
def test_predict_classifies_digit_images_as_the_net_classifies_mnist(model, tmp_path, here, dli_zoo):
    import zoo

    paths, labels, images = digit_files(tmp_path)
    result = dli_zoo("predict", f"{model}/mnist", *paths, "--quiet").ok()
    rows = result["images"]
    assert [row["image"] for row in rows] == [str(path) for path in paths]
    assert [row["inverted"] for row in rows] == [path.name.startswith("paper") for path in paths]
    # a plain 28x28 digit is exactly the loader's input: the same probabilities as the net on the array
    net = zoo.get(model)(weights="mnist")
    expected = net.predict((images.astype(np.float32) / 255.0).reshape((-1, *net.input_shape[1:])), verbose=0)
    for row, probabilities, path in zip(rows, expected, paths):
        if path.name.startswith("plain"):
            assert row["digit"] == int(np.argmax(probabilities))
            assert row["probability"] == pytest.approx(float(probabilities.max()), abs=1e-5)
    if model == "lenet":  # the ConvNet reads every one of them right, resized or inverted
        assert [row["digit"] for row in rows] == labels.tolist()
    assert list(here.iterdir()) == []


def test_predict_refuses_what_is_no_digit_image_in_one_line(tmp_path, here, dli_zoo):
    (here / "notes.txt").write_text("not an image")
    dli_zoo("predict", "lenet/mnist").refused("classifies digit images: give one or more image files")
    dli_zoo("predict", "lenet/mnist", "notes.txt").refused("notes.txt: not an image Pillow can read")
    dli_zoo("predict", "lenet/mnist", "gone.png").refused("gone.png: no such image file")
    dli_zoo("predict", "deep_net/mnist", "notes.txt", "--file", "x").refused("--file and the review flags are for")
    dli_zoo("predict", "mnist", "notes.txt").refused("'mnist' names weights of 4 models")


def test_map_draws_the_bundled_vectors_and_never_overwrites(here, dli_zoo):
    result = dli_zoo("map", "gutenberg", "--out", "words.html", "--map-words", 60, "--map-labels", 10, "--quiet").ok()
    html = (here / "words.html").read_text()
    assert result["words_mapped"] == 60 and result["vocabulary"] == 10_269 and result["html"] == "words.html"
    assert re.findall(r"<script[^>]*\bsrc\s*=", html) == [] and "AutocompleteInput" in html  # offline, searchable
    before = (here / "words.html").read_bytes()
    dli_zoo("map", "gutenberg", "--out", "words.html", "--map-words", 60).refused("words.html exists; pass --overwrite")
    assert (here / "words.html").read_bytes() == before
    dli_zoo("map", "gutenberg", "--out", "words.png").refused("expected a .html/.htm file")
    dli_zoo("map", "cartpole_v0", "--out", "x.html").refused("`dli-zoo map` uses word2vec")
    assert sorted(path.name for path in here.iterdir()) == ["words.html"]


@pytest.mark.parametrize("old, value, new", [("--words", 60, "--map-words N"), ("--style", "book", "--map-style"),
                                             ("--labels", 10, "--map-labels N")])
def test_map_refuses_its_old_flags_naming_the_ones_train_word2vec_shares(old, value, new, here, dli_zoo):
    """The map's flags are spelled as train_word2vec.py's; each old spelling is one line naming its new one."""
    dli_zoo("map", "gutenberg", "--out", "words.html", old, value).refused(f"error: {old} is now {new}")
    assert list(here.iterdir()) == []

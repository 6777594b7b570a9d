"""Named weights: export of a finished run, the registry and cards, resolution with its checksums
(local folders, the package, a download from a server of the test's own), and the one-line errors."""

import functools
import http.server
import json
import shutil
import threading
from pathlib import Path

import keras
import numpy as np
import pytest

from conftest import ROOT, run_script, user_lines
from conftest import one_line_error as one_line
from zoo import build_lenet, build_regression_net, build_shallow_net
from zoo import pretrained

SMALL_NET = dict(n_inputs=6, n_dense=5, num_classes=3)
SMALL_LENET = dict(input_shape=(8, 8, 1), n_conv_1=4, n_conv_2=8, n_dense=16)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """An empty registry, Keras cache and no ZOO_WEIGHTS_DIR: nothing of the machine's leaks in."""
    package = tmp_path / "pretrained"
    package.mkdir()
    (package / pretrained.REGISTRY_FILE).write_text(json.dumps({"format": 1, "weights": []}))
    monkeypatch.setattr(pretrained.lookup, "PRETRAINED_DIR", package)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv("ZOO_WEIGHTS_DIR", raising=False)
    monkeypatch.delenv("ZOO_WEIGHTS_URL", raising=False)
    monkeypatch.setenv("ZOO_OFFLINE", "1")
    return package


def randomized(model, seed=0):
    """``model`` with weights no fresh build has, so a load that silently does nothing fails."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(size=w.shape).astype(w.dtype) for w in model.get_weights()])
    return model


def weights_file(path, seed=0) -> tuple[Path, keras.Model]:
    model = randomized(build_shallow_net(**SMALL_NET), seed)
    model.save_weights(path)
    return Path(path), model


def entry(model, name, path, **fields) -> dict:
    card = fields.pop("card", {"command": f"python scripts/train_{model}.py --epochs 3"})
    return {"model": model, "name": name, "file": Path(path).name, "sha256": pretrained.sha256_of(path),
            "size": Path(path).stat().st_size, "url": None, "bundled": False, "card": card, **fields}


def register(package, *entries):
    (package / pretrained.REGISTRY_FILE).write_text(json.dumps({"format": 1, "weights": list(entries)}))


def write_card(folder, item) -> Path:
    path = Path(folder) / f"{item['model']}.{item['name']}.json"
    path.write_text(json.dumps({"format": 1, **item}))
    return path


def same_predictions(a, b, inputs):
    x = np.random.default_rng(1).random(inputs, dtype=np.float32)
    np.testing.assert_array_equal(a.predict_on_batch(x), b.predict_on_batch(x))


# ----------------------------------------------------------------------------- export of a real run

@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run") / "regression"
    run_script("train_regression.py", "--epochs", "1", "--quiet", "--data", "sample", "--seed", "3",
               "--output-dir", folder)
    return folder


def test_an_exported_run_loads_by_name_with_the_runs_predictions(finished_run, tmp_path, monkeypatch):
    into = tmp_path / "weights"
    completed, result = run_script("export_weights.py", finished_run, "--into", into, "--name", "mine", "--quiet")
    exported = result["exported"]
    assert [(item["model"], item["name"]) for item in exported] == [("regression_net", "mine")]
    assert sorted(path.name for path in into.iterdir()) == ["regression_net.mine.json",
                                                            "regression_net.mine.weights.h5"]  # no temporaries

    monkeypatch.setenv("ZOO_WEIGHTS_DIR", str(into))
    model = build_regression_net(weights="mine")
    same_predictions(model, keras.models.load_model(finished_run / "model.keras"), (4, 13))

    # the card: what the run recorded, the data's checksum, the measured figure beside the book's
    state = json.loads((finished_run / "state.json").read_text())
    metrics = json.loads((finished_run / "metrics.json").read_text())
    card = pretrained.card("regression_net", "mine")
    assert card["sha256"] == exported[0]["sha256"] == pretrained.sha256_of(into / card["file"])
    assert card["command"] == state["command"] and "train_regression.py" in card["command"]
    assert card["hyperparameters"] == state["settings"] and card["seed"] == 3
    assert card["versions"] == state["versions"] and card["hardware"]["device"] == state["runtime"]["device"]
    assert card["data"]["sha256"] == pretrained.sha256_of(state["data"]["origin"])
    assert card["book"]["metric"] == metrics["book"]["metric"] == "val_loss"
    assert card["metrics"]["headline"] == {"metric": "val_loss", "value": metrics["val_loss"]}
    assert card["metrics"]["split"].startswith("validation: 102 held-out examples")
    assert "public domain" in card["licence"] and card["intended_use"] and card["limitations"]
    assert card["parameters"] == build_regression_net().count_params()

    # exporting again replaces nothing unless asked
    one_line(lambda: pretrained.export(finished_run, name="mine", into=into), "already exists", "--overwrite")
    assert pretrained.export(finished_run, name="mine", into=into, overwrite=True)[0].sha256 == card["sha256"]


def test_export_refuses_an_unfinished_run_in_one_line(finished_run, tmp_path):
    unfinished = tmp_path / "unfinished"
    shutil.copytree(finished_run, unfinished)
    state = json.loads((unfinished / "state.json").read_text())
    (unfinished / "state.json").write_text(json.dumps({**state, "finished": False}))
    completed, _ = run_script("export_weights.py", unfinished, "--into", tmp_path / "weights", check=False)
    assert completed.returncode == 2
    assert user_lines(completed.stderr) == [f"error: the run in {unfinished} has not finished; "
                                            f"continue it with --resume, then export it"]
    assert not (tmp_path / "weights").exists()
    one_line(lambda: pretrained.export(tmp_path), "holds no zoo run")


def test_export_into_the_package_registers_the_entry(finished_run, isolated, tmp_path, monkeypatch):
    [exported] = pretrained.export(finished_run, name="boston", into=isolated)
    assert exported.bundled and exported.file == f"regression_net.boston-{exported.sha256[:8]}.weights.h5"
    registry = json.loads((isolated / pretrained.REGISTRY_FILE).read_text())["weights"]
    assert [(item["model"], item["name"], item["sha256"]) for item in registry] == \
        [("regression_net", "boston", exported.sha256)]
    assert pretrained.resolve("regression_net", "boston") == isolated / exported.file
    same_predictions(build_regression_net(weights="boston"), keras.models.load_model(finished_run / "model.keras"),
                     (4, 13))
    one_line(lambda: pretrained.export(finished_run, name="boston", into=isolated), "already holds", "--overwrite")
    # a user's export may not take a published name (it would shadow the registry's file)
    one_line(lambda: pretrained.export(finished_run, name="boston", into=tmp_path / "mine"),
             "already has published weights named 'boston'", "choose another --name")
    assert not (tmp_path / "mine").exists()
    assert "| `regression_net` | `boston` | val_loss" in pretrained.markdown_table()


def fake_run(real_run, folder, model, data, metrics) -> Path:
    """A finished run of ``model`` with the real run's state.json layout, for networks too slow to train here."""
    folder.mkdir()
    state = json.loads((real_run / "state.json").read_text())
    (folder / "state.json").write_text(json.dumps({**state, "model": model, "data": data}))
    (folder / "metrics.json").write_text(json.dumps(metrics))
    return folder


def test_a_gan_run_exports_its_generator_and_discriminator(finished_run, tmp_path, monkeypatch):
    from zoo.datasets import SAMPLES_DIR
    from zoo.gan import build_discriminator, build_generator

    origin = SAMPLES_DIR / "quickdraw_apple.npz"
    run = fake_run(finished_run, tmp_path / "gan", "gan",
                   {"dataset": "quickdraw/apple", "source": "sample", "origin": str(origin), "n_train": 3000,
                    "n_validation": 0},
                   {"a_loss": 0.9, "d_loss": 0.6, "book": {"metric": "a_loss", "value": None, "note": "no figure"}})
    generator, discriminator = randomized(build_generator(depth=8)), randomized(build_discriminator(depth=8), 1)
    generator.save(run / "generator.keras")
    discriminator.save(run / "discriminator.keras")
    exported = pretrained.export(run, into=tmp_path / "weights")
    assert [(item.model, item.name) for item in exported] == [("generator", "quickdraw_apple_sample"),
                                                              ("discriminator", "quickdraw_apple_sample")]
    monkeypatch.setenv("ZOO_WEIGHTS_DIR", str(tmp_path / "weights"))
    same_predictions(build_generator(depth=8, weights="quickdraw_apple_sample"), generator, (2, 32))
    same_predictions(build_discriminator(depth=8, weights="quickdraw_apple_sample"), discriminator, (2, 28, 28, 1))
    card = pretrained.card("generator", "quickdraw_apple_sample")
    assert card["trained_as"] == "gan" and card["data"]["sha256"] == pretrained.sha256_of(origin)
    assert card["metrics"]["split"].startswith("training (no held-out split)")
    assert card["metrics"]["headline"] == {"metric": "a_loss", "value": 0.9}
    assert "CC BY 4.0" in card["licence"] and "bundled sample" in card["limitations"]
    # one network of the run, by its model's name
    [only] = pretrained.export(run, name="critic", into=tmp_path / "weights", network="discriminator")
    assert (only.model, only.name) == ("discriminator", "critic")
    assert not (tmp_path / "weights" / "generator.critic.weights.h5").exists()
    one_line(lambda: pretrained.export(run, name="critic", into=tmp_path / "weights", network="critic"),
             "--network 'critic' is not a network of the run", "generator, discriminator")


def test_a_word2vec_run_exports_plain_word_vectors(finished_run, tmp_path, monkeypatch):
    from gensim.models import Word2Vec

    books = tmp_path / "books"
    books.mkdir()
    (books / "austen-emma.txt").write_text("Emma Woodhouse, handsome, clever, and rich")
    run = fake_run(finished_run, tmp_path / "word2vec", "word2vec",
                   {"dataset": "gutenberg", "source": "sample", "origin": str(books), "n_train": 3,
                    "n_validation": 0}, {"vocabulary": 5})
    sentences = [["the", "father", "and", "the", "dog"], ["a", "mother", "and", "a", "dog"]] * 5
    model = Word2Vec(sentences, vector_size=4, min_count=1, workers=1, seed=1, epochs=1)
    model.save(str(run / "word2vec.model"))
    [exported] = pretrained.export(run, into=tmp_path / "weights")
    assert exported.file == "word2vec.gutenberg_sample.vectors.bin"
    monkeypatch.setenv("ZOO_WEIGHTS_DIR", str(tmp_path / "weights"))
    vectors = pretrained.load_word_vectors("gutenberg_sample")
    np.testing.assert_array_equal(vectors["father"], model.wv["father"])
    assert pretrained.card("word2vec", "gutenberg_sample")["data"]["sha256"] == pretrained.folder_sha256(books)


def test_export_names_weights_after_the_data_or_the_environment():
    assert pretrained.default_name({"data": {"dataset": "quickdraw/apple", "source": "full"}}) == "quickdraw_apple"
    assert pretrained.default_name({"data": {"dataset": "mnist", "source": "sample"}}) == "mnist_sample"
    assert pretrained.default_name({"data": None, "settings": {"env": "CartPole-v1"}}) == "cartpole_v1"
    assert pretrained.default_name({"data": None, "settings": {"scenario": "simpler_basic"}}) == "doom_simpler_basic"
    assert pretrained.default_name({"data": None, "settings": {}}) is None


# ----------------------------------------------------------------------------- registry and cards

def test_available_and_card_list_the_registry_and_the_users_cards(isolated, tmp_path, monkeypatch):
    bundled, _ = weights_file(isolated / "shallow_net.digits-0.weights.h5")
    register(isolated, entry("shallow_net", "digits", bundled, bundled=True))
    mine = tmp_path / "mine"
    mine.mkdir()
    own, _ = weights_file(mine / "shallow_net.own.weights.h5", seed=1)
    write_card(mine, entry("shallow_net", "own", own, card={"command": "python scripts/train_shallow_net.py"}))
    monkeypatch.setenv("ZOO_WEIGHTS_DIR", str(mine))

    assert [str(item) for item in pretrained.available()] == ["shallow_net/digits", "shallow_net/own"]
    assert pretrained.names("shallow_net") == ["digits", "own"] and pretrained.available("lenet") == []
    card = pretrained.card("shallow_net", "own")
    assert card["model"] == "shallow_net" and card["name"] == "own" and card["sha256"] == pretrained.sha256_of(own)
    assert card["command"] == "python scripts/train_shallow_net.py"
    card["command"] = "changed"  # a copy: the entry stays as it was
    assert pretrained.get("shallow_net", "own").card["command"] == "python scripts/train_shallow_net.py"


def test_an_unknown_name_lists_the_names_that_exist(isolated):
    path, _ = weights_file(isolated / "shallow_net.digits.weights.h5")
    register(isolated, entry("shallow_net", "digits", path, bundled=True), entry("shallow_net", "letters", path))
    one_line(lambda: pretrained.get("shallow_net", "mnist"),
             "shallow_net has no weights named 'mnist'", "the names that exist for shallow_net: digits, letters")
    one_line(lambda: build_shallow_net(**SMALL_NET, weights="mnist"), "weights='mnist'", "digits, letters")
    one_line(lambda: build_lenet(weights="mnist"), "lenet has no weights named 'mnist'", "dli-zoo export RUN_DIR")


def test_a_damaged_card_is_an_error_when_asked_for(tmp_path, monkeypatch):
    (tmp_path / "shallow_net.own.json").write_text("{not json")
    monkeypatch.setenv("ZOO_WEIGHTS_DIR", str(tmp_path))
    assert pretrained.available() == []
    one_line(lambda: pretrained.get("shallow_net", "own"), "shallow_net.own.json is damaged", "export the weights again")


# ----------------------------------------------------------------------------- resolution and checksums

def test_a_headless_model_takes_its_full_models_named_weights(tmp_path, monkeypatch):
    full = randomized(build_lenet(**SMALL_LENET))
    full.save_weights(tmp_path / "lenet.digits.weights.h5")
    write_card(tmp_path, entry("lenet", "digits", tmp_path / "lenet.digits.weights.h5"))
    monkeypatch.setenv("ZOO_WEIGHTS_DIR", str(tmp_path))
    # renamed too: the builder, not model.name, says which model's weights these are
    headless = build_lenet(**SMALL_LENET, include_top=False, pooling="avg", weights="digits", name="features")
    features = keras.Model(full.input, keras.layers.GlobalAveragePooling2D()(full.get_layer("block1_dropout").output))
    x = np.random.default_rng(1).random((3, 8, 8, 1), dtype=np.float32)
    np.testing.assert_allclose(headless.predict_on_batch(x), features.predict_on_batch(x), rtol=1e-6)


def test_a_tampered_file_in_the_weights_dir_is_refused(isolated, tmp_path, monkeypatch):
    good, _ = weights_file(isolated / "shallow_net.digits.weights.h5")
    register(isolated, entry("shallow_net", "digits", good, bundled=True))
    assert pretrained.resolve("shallow_net", "digits") == good  # from the package
    mine = tmp_path / "mine"
    mine.mkdir()
    tampered, _ = weights_file(mine / good.name, seed=5)
    monkeypatch.setenv("ZOO_WEIGHTS_DIR", str(mine))
    one_line(lambda: build_shallow_net(**SMALL_NET, weights="digits"),
             str(tampered), pretrained.sha256_of(tampered), pretrained.sha256_of(good))


def test_the_keras_cache_is_searched_before_the_package(isolated, tmp_path):
    bundled, _ = weights_file(isolated / "shallow_net.digits.weights.h5")
    register(isolated, entry("shallow_net", "digits", bundled, bundled=True))
    pretrained.cache_dir().mkdir(parents=True)
    cached = pretrained.cache_dir() / bundled.name
    shutil.copyfile(bundled, cached)
    assert pretrained.resolve("shallow_net", "digits") == cached


def test_a_registered_entry_without_its_file_offline_says_how_to_make_it(isolated, tmp_path, monkeypatch):
    path, _ = weights_file(tmp_path / "shallow_net.digits.weights.h5")
    register(isolated, entry("shallow_net", "digits", path, url="http://127.0.0.1:9/shallow_net.digits.weights.h5",
                             card={"command": "python scripts/train_shallow_net.py --epochs 20"}))
    path.unlink()
    message = one_line(lambda: build_shallow_net(**SMALL_NET, weights="digits"),
                       "ZOO_OFFLINE", "put shallow_net.digits.weights.h5 into ZOO_WEIGHTS_DIR",
                       "train your own with `python scripts/train_shallow_net.py --epochs 20`",
                       "`dli-zoo export RUN_DIR --name digits_own` (then weights='digits_own')")
    assert str(pretrained.cache_dir()) in message
    # a user's own entry whose file went missing: export it again, same name
    mine = tmp_path / "mine"
    mine.mkdir()
    own, _ = weights_file(mine / "shallow_net.own.weights.h5")
    write_card(mine, entry("shallow_net", "own", own))
    own.unlink()
    monkeypatch.setenv("ZOO_WEIGHTS_DIR", str(mine))
    one_line(lambda: pretrained.resolve("shallow_net", "own"), "no download address",
             "`dli-zoo export RUN_DIR --name own --overwrite`")


REQUESTS = []  # the paths the test server was asked for


@pytest.fixture
def server(tmp_path):
    """A file server on 127.0.0.1 for the test's own files, quiet, that counts its requests; it
    answers one at a time in one thread, which is joined at the end: nothing is left running."""
    served = tmp_path / "served"
    served.mkdir()
    REQUESTS.clear()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            REQUESTS.append(self.path)
            super().do_GET()

    httpd = http.server.HTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(served)))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield served, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
        assert not thread.is_alive()


def cache_files():
    folder = pretrained.cache_dir()
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


def test_a_download_with_the_right_hash_loads(isolated, server, monkeypatch):
    served, address = server
    path, saved = weights_file(served / "shallow_net.digits.weights.h5")
    register(isolated, entry("shallow_net", "digits", path, url=f"{address}/{path.name}"))
    monkeypatch.delenv("ZOO_OFFLINE")
    same_predictions(build_shallow_net(**SMALL_NET, weights="digits"), saved, (4, 6))
    assert cache_files() == [path.name]
    path.unlink()  # the cached copy serves from now on
    assert pretrained.resolve("shallow_net", "digits") == pretrained.cache_dir() / path.name


def test_a_download_with_a_wrong_hash_is_refused_and_leaves_no_file(isolated, server, monkeypatch, tmp_path):
    served, address = server
    expected, _ = weights_file(tmp_path / "shallow_net.digits.weights.h5")
    wrong, _ = weights_file(served / expected.name, seed=7)
    register(isolated, entry("shallow_net", "digits", expected, url=f"{address}/{expected.name}"))
    monkeypatch.delenv("ZOO_OFFLINE")
    one_line(lambda: build_shallow_net(**SMALL_NET, weights="digits"),
             f"its SHA-256 is {pretrained.sha256_of(wrong)}, expected {pretrained.sha256_of(expected)}", "nothing was kept")
    assert cache_files() == []


def test_a_mirror_serves_entries_without_an_address_and_a_missing_file_leaves_nothing(isolated, server, monkeypatch,
                                                                                     tmp_path):
    served, address = server
    path, saved = weights_file(served / "shallow_net.digits.weights.h5")
    register(isolated, entry("shallow_net", "digits", path))
    monkeypatch.delenv("ZOO_OFFLINE")
    one_line(lambda: pretrained.resolve("shallow_net", "digits"), "no download address", "dli-zoo export RUN_DIR")
    monkeypatch.setenv("ZOO_WEIGHTS_URL", f"{address}/nowhere/")
    one_line(lambda: pretrained.resolve("shallow_net", "digits"), "404", "nothing was kept")
    assert cache_files() == []
    monkeypatch.setenv("ZOO_WEIGHTS_URL", address)
    same_predictions(build_shallow_net(**SMALL_NET, weights="digits"), saved, (4, 6))


def test_paths_stay_paths(tmp_path):
    from zoo.common import is_weights_name

    assert is_weights_name("mnist") and is_weights_name("quickdraw_apple")
    for path in ("model.h5", "model.keras", "runs/lenet", str(tmp_path)):
        assert not is_weights_name(path), path
    one_line(lambda: build_shallow_net(**SMALL_NET, weights="absent.weights.h5"), "no such file")


def test_a_weights_dir_that_is_not_a_folder_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("ZOO_WEIGHTS_DIR", str(tmp_path / "absent"))
    one_line(lambda: pretrained.available(), "ZOO_WEIGHTS_DIR=", "is not a folder")


def test_the_pretrained_document_is_generated_from_the_shipped_registry(monkeypatch):
    monkeypatch.setattr(pretrained.lookup, "PRETRAINED_DIR", ROOT / "zoo" / "pretrained")
    assert (ROOT / pretrained.TABLE_PATH).read_text(encoding="utf-8") == pretrained.pretrained_document(), \
        f"docs/pretrained.md is stale: run `{pretrained.REGENERATE}`"
    registered = pretrained.registered()
    assert all(item.bundled == (ROOT / "zoo" / "pretrained" / item.file).is_file() for item in registered)
    # what the package does not ship is marked, so nobody expects it offline
    for item in registered:
        where = "in the package" if item.bundled else ("download" if item.url else "not published")
        assert f"| `{item.model}` | `{item.name}` |" in pretrained.markdown_table()
        assert f"| {where} |" in next(line for line in pretrained.markdown_table().splitlines()
                                      if f"| `{item.model}` | `{item.name}` |" in line)


def test_a_file_over_the_bundle_limit_is_registered_not_bundled(finished_run, isolated, monkeypatch):
    monkeypatch.setattr(pretrained.exporting, "BUNDLE_LIMIT", 1_000)
    [exported] = pretrained.export(finished_run, name="boston", into=isolated,
                                data_note="all 506 tracts there are", note="the best of one seed")
    assert not exported.bundled and exported.url is None and not exported.published
    assert not (isolated / exported.file).exists() and (pretrained.cache_dir() / exported.file).is_file()
    assert pretrained.available() == [] and [str(item) for item in pretrained.registered()] == ["regression_net/boston"]
    assert pretrained.resolve("regression_net", "boston") == pretrained.cache_dir() / exported.file
    assert pretrained.card("regression_net", "boston")["limitations"].endswith("; all 506 tracts there are")
    assert pretrained.card("regression_net", "boston")["note"] == "the best of one seed"
    assert "| not published |" in pretrained.markdown_table()


def test_a_data_folder_checksum_follows_its_files_names_and_bytes(tmp_path):
    (tmp_path / "jpg").mkdir()
    (tmp_path / "jpg" / "image_0001.jpg").write_bytes(b"petal")
    (tmp_path / "labels.csv").write_text("image_0001.jpg,daffodil\n")
    first = pretrained.folder_sha256(tmp_path)
    (tmp_path / ".DS_Store").write_bytes(b"finder")  # hidden files are not data
    assert pretrained.folder_sha256(tmp_path) == first
    (tmp_path / "jpg" / "image_0001.jpg").write_bytes(b"sepal")
    changed = pretrained.folder_sha256(tmp_path)
    (tmp_path / "jpg" / "image_0001.jpg").rename(tmp_path / "jpg" / "image_0002.jpg")
    assert len({first, changed, pretrained.folder_sha256(tmp_path)}) == 3


def test_unreadable_data_leaves_the_card_without_its_checksum_not_the_export_half_done(tmp_path, monkeypatch):
    (tmp_path / "books").mkdir()
    (tmp_path / "books" / "austen-emma.txt").write_text("Emma")

    def unreadable(path):
        raise PermissionError(f"[Errno 13] Permission denied: '{path}'")

    from zoo import files

    monkeypatch.setattr(files, "sha256_of", unreadable)  # folder_sha256 reads each file with it
    data = pretrained.exporting._data_card({"data": {"dataset": "gutenberg", "origin": str(tmp_path / "books")}})
    assert data["sha256"] is None and "could not be read" in data["sha256_note"] and "austen-emma" in data["sha256_note"]


# ----------------------------------------------------------------------------- what can be had, and publishing

def unpublished_entry(model, name, size=88_000_000, **card) -> dict:
    """A registered entry whose file nobody has: too large to bundle, with no address yet."""
    digest = "ab" * 32
    return {"model": model, "name": name, "file": f"{model}.{name}-{digest[:8]}.weights.h5", "sha256": digest,
            "size": size, "url": None, "bundled": False, "card": card}


def test_available_lists_only_entries_whose_file_can_be_had(isolated, tmp_path, monkeypatch):
    """Bundled, downloadable and the user's exports with their files are listed; a registered card
    without a file or an address, and a user's card whose file is gone, are not, though
    ``registered()`` and ``card()`` still know the registry's."""
    bundled, _ = weights_file(isolated / "shallow_net.digits-0.weights.h5")
    remote, _ = weights_file(tmp_path / "shallow_net.letters-0.weights.h5", seed=1)
    register(isolated, entry("shallow_net", "digits", bundled, bundled=True),
             entry("shallow_net", "letters", remote, url="https://huggingface.co/owner/repo/resolve/main/letters.h5"),
             unpublished_entry("shallow_net", "flowers", command="python scripts/train_shallow_net.py"))
    mine = tmp_path / "mine"
    mine.mkdir()
    own, _ = weights_file(mine / "shallow_net.own.weights.h5", seed=2)
    gone, _ = weights_file(mine / "shallow_net.gone.weights.h5", seed=3)
    write_card(mine, entry("shallow_net", "own", own))
    write_card(mine, entry("shallow_net", "gone", gone))
    gone.unlink()
    monkeypatch.setenv("ZOO_WEIGHTS_DIR", str(mine))

    assert [str(item) for item in pretrained.available()] == ["shallow_net/digits", "shallow_net/letters",
                                                              "shallow_net/own"]
    assert pretrained.names("shallow_net") == ["digits", "letters", "own"]
    assert [item.name for item in pretrained.registered()] == ["digits", "letters", "flowers"]
    assert pretrained.card("shallow_net", "flowers")["command"] == "python scripts/train_shallow_net.py"


def test_an_unpublished_name_says_how_to_make_it_and_then_loads_the_users_own_export(finished_run, isolated):
    """``weights="boston_housing"`` registered without a file: one line with the card's command,
    its time and hardware, and the export under that name; once exported (into the Keras cache
    by default) the name loads the user's file, checked against its own SHA-256, with its card."""
    trained_with = "python scripts/train_regression.py --data full --seed 0 --output-dir model_output/regression_net"
    register(isolated, unpublished_entry("regression_net", "boston_housing", command=trained_with,
                                         wall_time_s=3119.98, hardware={"device": "/device:CPU:0", "cpu_cores": 2}))
    assert pretrained.available() == [] and pretrained.names("regression_net") == []
    one_line(lambda: build_regression_net(weights="boston_housing"),
             "weights='boston_housing'", "registered but not published", "ZOO_WEIGHTS_URL is not set",
             f"make them with `{trained_with}` (52 min on 2 CPU cores)",
             "then `dli-zoo export RUN_DIR --name boston_housing` (RUN_DIR: that run's --output-dir)")

    [exported] = pretrained.export(finished_run, name="boston_housing")
    written = pretrained.cache_dir() / "regression_net.boston_housing.weights.h5"
    assert exported.file == written.name and (pretrained.cache_dir() / "regression_net.boston_housing.json").is_file()
    same_predictions(build_regression_net(weights="boston_housing"),
                     keras.models.load_model(finished_run / "model.keras"), (4, 13))
    card = pretrained.card("regression_net", "boston_housing")
    assert card["sha256"] == pretrained.sha256_of(written) != "ab" * 32
    assert card["command"] == json.loads((finished_run / "state.json").read_text())["command"]
    assert [(item.name, item.found_in) for item in pretrained.available()] == \
        [("boston_housing", str(pretrained.cache_dir() / "regression_net.boston_housing.json"))]


def test_an_address_is_https_or_this_machines_and_a_bad_one_is_one_line(finished_run, tmp_path):
    """--url on the command line: exit status 2, one line, nothing written; the registry's own
    addresses are held to the same rule (https, plain http to 127.0.0.1 or localhost only)."""
    completed, _ = run_script("export_weights.py", finished_run, "--into", tmp_path / "w",
                              "--url", "http://example.com/weights/", check=False)
    assert completed.returncode == 2
    assert user_lines(completed.stderr) == ["error: --url 'http://example.com/weights/' is plain http: weights are "
                                            "fetched over https:// only (http only from this machine, 127.0.0.1 "
                                            "or localhost)"]
    assert not (tmp_path / "w").exists()

    for address in ("https://github.com/owner/repo/releases/download/v1/lenet.mnist.weights.h5",
                    "https://huggingface.co/owner/repo/resolve/main/lenet.mnist.weights.h5",
                    "http://127.0.0.1:8000/lenet.mnist.weights.h5", "http://localhost/x", "http://[::1]:80/x"):
        assert pretrained.lookup.check_address(address) == address
    for address, fragment in (("http://example.com/x", "plain http"), ("ftp://example.com/x", "not an https://"),
                              ("https:///x", "not an https://"), ("example.com/x", "not an https://")):
        one_line(lambda: pretrained.lookup.check_address(address), repr(address), fragment)
    one_line(lambda: pretrained.export(finished_run, into=tmp_path / "w", url="http://example.com/"), "plain http")
    # the registry's own address is checked the same way
    path, _ = weights_file(tmp_path / "shallow_net.digits.weights.h5")
    register(pretrained.lookup.PRETRAINED_DIR, entry("shallow_net", "digits", path, url="http://example.com/d.h5"))
    one_line(pretrained.registered, "registry.json (entry 1)", "plain http")


def test_an_export_with_an_address_downloads_from_there_and_refuses_a_wrong_file(finished_run, isolated, server,
                                                                                 monkeypatch):
    """The maintainer's steps against a server on 127.0.0.1: export into the package with --url
    (a folder address: the file's name is added), upload the file, drop every local copy; offline
    nothing is asked of the server; online the name downloads through get_file with its SHA-256
    checked, and a different file at the address is refused with nothing kept."""
    served, address = server
    [exported] = pretrained.export(finished_run, name="boston", into=isolated, url=f"{address}/v1/")
    assert exported.url == f"{address}/v1/{exported.file}" and not exported.bundled
    registry = json.loads((isolated / pretrained.REGISTRY_FILE).read_text())["weights"]
    assert [item["url"] for item in registry] == [exported.url]
    (served / "v1").mkdir()
    shutil.move(pretrained.cache_dir() / exported.file, served / "v1" / exported.file)  # the upload
    assert cache_files() == [] and not (isolated / exported.file).exists()
    assert [str(item) for item in pretrained.available()] == ["regression_net/boston"]

    one_line(lambda: build_regression_net(weights="boston"), "ZOO_OFFLINE is set, so it is not downloaded")
    assert REQUESTS == []  # ZOO_OFFLINE holds for every address, this machine's too

    monkeypatch.delenv("ZOO_OFFLINE")
    same_predictions(build_regression_net(weights="boston"), keras.models.load_model(finished_run / "model.keras"),
                     (4, 13))
    assert REQUESTS == [f"/v1/{exported.file}"] and cache_files() == [exported.file]
    assert pretrained.sha256_of(pretrained.cache_dir() / exported.file) == exported.sha256

    (pretrained.cache_dir() / exported.file).unlink()
    wrong, _ = weights_file(served / "v1" / exported.file, seed=9)
    one_line(lambda: build_regression_net(weights="boston"),
             f"its SHA-256 is {pretrained.sha256_of(wrong)}, expected {exported.sha256}", "nothing was kept")
    assert cache_files() == [] and len(REQUESTS) == 2


def test_the_weights_guide_names_what_is_not_published_and_what_asking_for_it_answers(monkeypatch):
    """docs/weights.md against the shipped registry: the entries it calls not published are those
    that are, and the command and time it quotes for AlexNet are its card's."""
    monkeypatch.setattr(pretrained.lookup, "PRETRAINED_DIR", ROOT / "zoo" / "pretrained")
    guide = (ROOT / "docs" / "weights.md").read_text(encoding="utf-8")
    unpublished = {str(item) for item in pretrained.registered() if not item.published}
    assert unpublished == {"alexnet/flowers17", "vggnet/flowers17", "discriminator/quickdraw_apple"}
    assert unpublished.isdisjoint(str(item) for item in pretrained.available())
    section = guide.split("## Registered but not published")[1].split("\n## ")[0]
    assert "AlexNet's" in section and "VGGNet's" in section and "discriminator" in section
    alexnet = pretrained.card("alexnet", "flowers17")
    assert f"`{alexnet['command']}`" in section and f'("{pretrained.training_time(alexnet)}")' in section

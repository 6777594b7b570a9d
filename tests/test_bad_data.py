"""Damaged or wrong data files: every loader stops with one clear line naming the file; what is
only unusual (float pixels, Latin-1 books, stray control characters, a broken photo among good
ones) is read, and the package's exports load without TensorFlow.

Each case writes a small bad file into ``tmp_path`` and calls the loader as a script would
(``source="full", data_dir=tmp_path``); the error must be a DataSourceError of one line that
names the file and says what is wrong, raised while the data is read, before any training.
"""

import gzip
import json
import os
import shutil
import subprocess
import sys
import tarfile

import numpy as np
import pytest

from conftest import one_line_error as one_line
from zoo.datasets import (
    SAMPLES_DIR, DataSourceError, boston_housing, flowers17, gutenberg, hotdog, imdb, mnist, quickdraw,
)
from zoo.datasets._validate import class_labels, decode_text, pixels_uint8

FLOWER_SAMPLE = SAMPLES_DIR / "flowers17" / "jpg"
RANDOM_BYTES = np.random.default_rng(0).bytes(3000)


@pytest.fixture(autouse=True)
def no_other_data(tmp_path, monkeypatch):
    """Only what a test writes counts: no Keras cache, no ZOO_DATA_DIR, no tfds folder."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path / "tfds"))
    monkeypatch.delenv("ZOO_DATA_DIR", raising=False)


def one_line_error(call, *fragments) -> str:
    """The DataSourceError ``call()`` raises: one line holding every fragment."""
    return one_line(call, *fragments, error=DataSourceError)


def truncated(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


# ----------------------------------------------------------------------------- IMDb

def ragged(*lists):
    array = np.empty(len(lists), dtype=object)
    array[:] = [list(x) for x in lists]
    return array


def write_imdb_npz(folder, **replaced):
    arrays = {"x_train": ragged([1, 2], [3]), "y_train": np.array([1, 0]),
              "x_test": ragged([4, 5, 6]), "y_test": np.array([1])}
    arrays.update(replaced)
    np.savez(folder / "imdb.npz", **arrays)
    return folder / "imdb.npz"


def write_acl(root, extra=None):
    reviews = {("train", "pos", "0_9.txt"): b"A wonderful film.", ("train", "neg", "0_2.txt"): b"Dull, dull.",
               ("test", "pos", "3_8.txt"): b"Great acting.", ("test", "neg", "5_1.txt"): b"Terrible plot."}
    reviews.update(extra or {})
    for (split, label, name), text in reviews.items():
        folder = root / "aclImdb" / split / label
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(text)


def load_imdb(tmp_path, **kwargs):
    return lambda: imdb.load_arrays(source="full", data_dir=tmp_path, **kwargs)


def test_imdb_truncated_or_foreign_npz_is_one_line(tmp_path):
    path = write_imdb_npz(tmp_path)
    truncated(path)  # BadZipFile
    one_line_error(load_imdb(tmp_path), "cannot read", path)
    path.write_bytes(RANDOM_BYTES)  # numpy falls back to unpickling: UnpicklingError
    one_line_error(load_imdb(tmp_path), "cannot read", path, "not a NumPy .npy or .npz file")


@pytest.mark.parametrize("replaced, fragments", [
    ({"x_train": np.array([7, 8])}, ["review 0 of x_train", "a single int64 value", "list of integer word indices"]),
    ({"x_train": ragged(["a", "b"], ["c"])}, ["review 0 of x_train", "strings"]),
    ({"x_train": ragged([1.5, 2.0], [3.0])}, ["review 0 of x_train", "floats"]),
    ({"x_test": ragged([4, -9, 6])}, ["review 0 of x_test", "-9"]),
    ({"y_train": np.array([2, 0])}, ["y_train", "labels 0..2", "expected 0..1"]),
    ({"y_train": np.array([0.5, 1.0])}, ["y_train", "fractional"]),
    ({"y_train": np.array([1, 0, 1])}, ["y_train", "3 labels for 2 reviews"]),
    ({"x_train": ragged(), "y_train": np.array([], dtype=np.int64)}, ["no training reviews"]),
])
def test_imdb_npz_with_wrong_contents_is_one_line(tmp_path, replaced, fragments):
    path = write_imdb_npz(tmp_path, **replaced)
    one_line_error(load_imdb(tmp_path), path, *fragments)


@pytest.mark.parametrize("name", ["aclImdb_v1.tar.gz", "aclImdb_v1_train_test.tar.gz"])
def test_imdb_truncated_tarball_is_one_line(tmp_path, name):
    write_acl(tmp_path / "staging")
    with tarfile.open(tmp_path / name, "w:gz") as archive:
        archive.add(tmp_path / "staging" / "aclImdb", arcname="aclImdb")
    shutil.rmtree(tmp_path / "staging")
    truncated(tmp_path / name, keep=0.8)  # EOFError half-way through the gzip stream
    one_line_error(load_imdb(tmp_path), "cannot read", tmp_path / name)
    (tmp_path / name).write_bytes(RANDOM_BYTES)
    one_line_error(load_imdb(tmp_path), "not a tar archive", tmp_path / name)


@pytest.mark.parametrize("review, fragment", [
    (b"\x00\x01\x02\xff\xfe" * 20, "not a text file"),
    ((FLOWER_SAMPLE / "image_0001.jpg").read_bytes(), "not a text file"),
    ("Caf\xe9 tr\xe8s bien, a fine film.".encode("latin-1"), "not UTF-8 text"),
    (b"", "holds no words"),
    (b" \n\t ", "holds no words"),
], ids=["binary", "jpeg", "latin-1", "empty", "whitespace"])
def test_imdb_review_that_is_not_text_is_named(tmp_path, review, fragment):
    write_acl(tmp_path, {("train", "pos", "7_10.txt"): review})
    one_line_error(load_imdb(tmp_path), tmp_path / "aclImdb" / "train" / "pos" / "7_10.txt", fragment)


def test_imdb_review_holding_a_few_stray_controls_is_still_text(tmp_path):
    # aclImdb itself has reviews with U+0085 and U+001C in them: those are not binary files
    write_acl(tmp_path, {("train", "pos", "7_10.txt"): "Great\x85 film\x1c, really good.".encode()})
    (x_train, y_train), _ = imdb.load_arrays(source="full", data_dir=tmp_path)
    assert len(x_train) == 3 and sorted(y_train.tolist()) == [0, 1, 1]


@pytest.mark.parametrize("index, fragment", [
    ({"good": "1", "film": 2}, "'good' has rank '1'"),
    ({"good": 0}, "'good' has rank 0"),
    ({"good": 1.5}, "'good' has rank 1.5"),
])
def test_imdb_word_index_with_wrong_ranks_is_one_line(tmp_path, index, fragment):
    write_acl(tmp_path)
    path = tmp_path / "index.json"
    path.write_text(json.dumps(index))
    one_line_error(load_imdb(tmp_path, word_index_path=path), path, fragment)


def test_imdb_truncated_word_index_gz_is_one_line(tmp_path):
    path = tmp_path / "index.txt.gz"
    shutil.copy(SAMPLES_DIR / imdb.SAMPLE_WORD_INDEX, path)
    truncated(path)
    one_line_error(lambda: imdb.word_index(path), "cannot read", path)


# ----------------------------------------------------------------------------- MNIST, Fashion-MNIST

def write_mnist_npz(folder, **replaced):
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8), "y_train": np.arange(20) % 10,
              "x_test": rng.integers(0, 256, (10, 28, 28), dtype=np.uint8), "y_test": np.arange(10) % 10}
    arrays.update(replaced)
    np.savez(folder / "mnist.npz", **arrays)
    return arrays


def load_mnist(tmp_path, dataset="mnist"):
    return lambda: mnist.load_arrays(dataset, source="full", data_dir=tmp_path)


@pytest.mark.parametrize("replaced, fragments", [
    ({"x_train": np.zeros((0, 28, 28), np.uint8), "y_train": np.zeros(0, np.uint8)}, ["x_train", "no training images"]),
    ({"x_test": np.zeros((0, 28, 28), np.uint8), "y_test": np.zeros(0, np.uint8)}, ["x_test", "no validation images"]),
    ({"y_train": 250 + np.arange(20) % 10}, ["y_train", "labels 250..259", "expected 0..9"]),
    ({"y_test": np.full(10, -1)}, ["y_test", "labels -1..-1"]),
    ({"y_train": np.full(20, 3.5)}, ["y_train", "fractional"]),
    ({"y_train": np.eye(10)[np.arange(20) % 10]}, ["y_train", "not one-hot"]),
    ({"x_train": np.full((20, 28, 28), -0.5)}, ["x_train", "outside 0..255"]),
    ({"x_train": np.full((20, 28, 28), 300, np.int32)}, ["x_train", "outside 0..255", "300"]),
    ({"x_train": np.full((20, 28, 28), np.nan)}, ["x_train", "NaN"]),
    ({"x_train": np.zeros((20, 28, 28), bool)}, ["x_train", "bool"]),
    ({"x_train": np.zeros((20, 32, 32), np.uint8)}, ["x_train", "expected (N, 28, 28)"]),
    ({"x_train": np.zeros((20, 784), np.uint8)}, ["x_train", "expected (N, 28, 28)"]),
])
def test_mnist_npz_with_wrong_contents_is_one_line(tmp_path, replaced, fragments):
    write_mnist_npz(tmp_path, **replaced)
    one_line_error(load_mnist(tmp_path), tmp_path / "mnist.npz", *fragments)


def test_mnist_with_no_training_images_stops_before_tensorflow(tmp_path):
    write_mnist_npz(tmp_path, x_train=np.zeros((0, 28, 28), np.uint8), y_train=np.zeros(0, np.uint8))
    one_line_error(lambda: mnist.load(source="full", data_dir=tmp_path, batch_size=4), "no training images")


@pytest.mark.parametrize("scale", [1.0, 255.0])
def test_mnist_float_images_are_scaled_once(tmp_path, scale):
    arrays = write_mnist_npz(tmp_path)
    write_mnist_npz(tmp_path, x_train=arrays["x_train"] / 255.0 * scale, x_test=arrays["x_test"] / 255.0 * scale)
    (x_train, _), (x_valid, _) = mnist.load_arrays(source="full", data_dir=tmp_path)
    assert x_train.dtype == np.uint8
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(x_valid, arrays["x_test"])
    images, _ = next(iter(mnist.load(source="full", data_dir=tmp_path, batch_size=20, shuffle=False)[0]))
    np.testing.assert_allclose(images.numpy(), arrays["x_train"].reshape(20, 784) / 255.0, atol=1e-6)


def write_idx(folder, n_train=20, train_labels=None):
    rng = np.random.default_rng(0)
    arrays = (rng.integers(0, 256, (n_train, 28, 28)),
              np.arange(n_train) % 10 if train_labels is None else train_labels,
              rng.integers(0, 256, (5, 28, 28)), np.arange(5))
    for name, array, magic in zip(mnist.IDX_FILES, arrays, (2051, 2049, 2051, 2049)):
        with gzip.open(folder / name, "wb") as handle:
            handle.write(np.array([magic, *array.shape], ">i4").tobytes() + array.astype(np.uint8).tobytes())


def test_fashion_mnist_idx_labels_out_of_range_name_the_labels_file(tmp_path):
    write_idx(tmp_path, train_labels=np.full(20, 12))
    one_line_error(load_mnist(tmp_path, "fashion_mnist"), tmp_path / "train-labels-idx1-ubyte.gz", "labels 12..12",
                   "expected 0..9")


def test_fashion_mnist_idx_without_images_or_truncated_is_one_line(tmp_path):
    write_idx(tmp_path, n_train=0, train_labels=np.zeros(0))
    one_line_error(load_mnist(tmp_path, "fashion_mnist"), tmp_path / "train-images-idx3-ubyte.gz", "no training images")
    write_idx(tmp_path)
    truncated(tmp_path / "t10k-images-idx3-ubyte.gz")
    one_line_error(load_mnist(tmp_path, "fashion_mnist"), "cannot read", tmp_path / "t10k-images-idx3-ubyte.gz")


def test_mnist_random_bytes_do_not_suggest_unpickling(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(RANDOM_BYTES)
    message = one_line_error(load_mnist(tmp_path), "cannot read", "not a NumPy .npy or .npz file")
    assert "allow_pickle" not in message


# ----------------------------------------------------------------------------- Quick, Draw!

def drawings():
    return quickdraw.load_arrays("apple", source="sample", max_examples=12)


@pytest.mark.parametrize("scale", [1.0, 255.0])
def test_quickdraw_float_drawings_are_scaled_once(tmp_path, scale):
    np.save(tmp_path / "apple.npy", drawings().reshape(12, 784) / 255.0 * scale)
    images = quickdraw.load_arrays("apple", source="full", data_dir=tmp_path)
    np.testing.assert_array_equal(images, drawings())  # not all black
    assert images.max() == 255


@pytest.mark.parametrize("array, fragment", [
    (np.full((12, 784), np.nan), "NaN"),
    (np.full((12, 784), -1.0), "outside 0..255"),
    (np.zeros((12, 784), bool), "bool"),
])
def test_quickdraw_wrong_pixels_are_one_line(tmp_path, array, fragment):
    np.save(tmp_path / "apple.npy", array)
    one_line_error(lambda: quickdraw.load_arrays("apple", source="full", data_dir=tmp_path),
                   tmp_path / "apple.npy", fragment)


# ----------------------------------------------------------------------------- Gutenberg

BOOK = b"It was a dark and stormy night. The rain fell in torrents.\n\nSuddenly a shot rang out!"


def load_corpus(tmp_path):
    return lambda: gutenberg.load_sentences(source="full", data_dir=tmp_path)


@pytest.mark.parametrize("content, fragment", [
    (RANDOM_BYTES, "not a text file"),
    ((FLOWER_SAMPLE / "image_0001.jpg").read_bytes(), "not a text file"),
    (bytes(range(1, 32)) * 20, "control characters"),
    ("A UTF-16 book.".encode("utf-16"), "not a text file"),
    (b"", "holds no words"),
    (b"  \n\n\t ", "holds no words"),
], ids=["random-bytes", "jpeg", "control-characters", "utf-16", "empty", "whitespace"])
def test_gutenberg_file_that_is_not_text_is_named(tmp_path, content, fragment):
    (tmp_path / "a-real-book.txt").write_bytes(BOOK)
    (tmp_path / "x.txt").write_bytes(content)
    one_line_error(load_corpus(tmp_path), tmp_path / "x.txt", fragment)


def test_gutenberg_truncated_or_binary_gz_is_one_line(tmp_path):
    (tmp_path / "book.txt.gz").write_bytes(gzip.compress(BOOK * 50)[:60])
    one_line_error(load_corpus(tmp_path), "cannot read", tmp_path / "book.txt.gz")
    (tmp_path / "book.txt.gz").write_bytes(gzip.compress(RANDOM_BYTES))
    one_line_error(load_corpus(tmp_path), tmp_path / "book.txt.gz", "not a text file")


def test_gutenberg_books_may_be_latin1_as_nltk_reads_them(tmp_path):
    # NLTK reads its corpus as Latin-1 (chesterton-ball.txt is not UTF-8); a binary file still is not text
    folder = tmp_path / "books"
    folder.mkdir(parents=True)
    (folder / "book.txt").write_bytes("The caf\xe9 was na\xefve. It closed.".encode("latin-1"))
    sentences, _ = gutenberg.load_sentences(source="full", data_dir=folder)
    assert sentences[0][:3] == ["The", "café", "was"]
    (folder / "noise.txt").write_bytes(bytes(b for b in RANDOM_BYTES if b))
    one_line_error(load_corpus(folder), folder / "noise.txt", "control characters")


# ----------------------------------------------------------------------------- Boston housing

def test_boston_explicit_data_dir_without_the_file_is_an_error(tmp_path):
    for source in ("full", "auto"):
        one_line_error(lambda: boston_housing.load_arrays(source=source, data_dir=tmp_path),
                       tmp_path, "has no boston_housing.npz")


def test_boston_bundled_table_is_reported_truthfully():
    loaded = boston_housing.load_arrays(source="full")
    assert loaded.info.source == "full" and loaded.info.origin == str(SAMPLES_DIR / "boston_housing.npz")
    assert "bundled" in loaded.info.notes and (loaded.info.n_train, loaded.info.n_validation) == (404, 102)


def test_boston_file_in_data_dir_is_not_reported_as_bundled(tmp_path):
    shutil.copy(SAMPLES_DIR / "boston_housing.npz", tmp_path)
    loaded = boston_housing.load_arrays(source="full", data_dir=tmp_path)
    assert loaded.info.origin == str(tmp_path / "boston_housing.npz") and "bundled" not in loaded.info.notes


@pytest.mark.parametrize("arrays, fragment", [
    ({"x": np.zeros((50, 12)), "y": np.zeros(50)}, "expected x (N, 13) and y (N,)"),
    ({"x": np.zeros((50, 13)), "y": np.zeros((50, 2))}, "expected x (N, 13) and y (N,)"),
    ({"x": np.full((50, 13), np.nan), "y": np.zeros(50)}, "NaN"),
    ({"x": np.zeros((50, 13)), "y": np.full(50, np.inf)}, "infinite"),
    ({"x": np.zeros((0, 13)), "y": np.zeros(0)}, "holds no rows"),
    ({"x": np.zeros((1, 13)), "y": np.zeros(1)}, "too few for a training and a validation split"),
    ({"x": np.full((50, 13), "a"), "y": np.zeros(50)}, "expected numbers"),
    ({"features": np.zeros((50, 13))}, "x is not a file in the archive"),
])
def test_boston_wrong_table_is_one_line(tmp_path, arrays, fragment):
    np.savez(tmp_path / "boston_housing.npz", **arrays)
    one_line_error(lambda: boston_housing.load_arrays(source="full", data_dir=tmp_path),
                   tmp_path / "boston_housing.npz", fragment)


# ----------------------------------------------------------------------------- Flowers 17, hot dog

def test_flowers_with_one_class_or_one_photo_is_one_line(tmp_path):
    (tmp_path / "jpg").mkdir()
    shutil.copy(FLOWER_SAMPLE / "image_0001.jpg", tmp_path / "jpg")
    load = lambda: flowers17.load_arrays(image_size=8, source="full", data_dir=tmp_path)  # noqa: E731
    one_line_error(load, tmp_path / "jpg", "1 decodable photo(s)", "at least two classes")
    for name in sorted(p.name for p in FLOWER_SAMPLE.glob("image_00*.jpg"))[:6]:  # all daffodils
        shutil.copy(FLOWER_SAMPLE / name, tmp_path / "jpg")
    one_line_error(load, "all of class daffodil")


def test_flowers_folder_of_undecodable_photos_names_one(tmp_path):
    (tmp_path / "jpg").mkdir()
    for name in ("image_0001.jpg", "image_0081.jpg"):
        (tmp_path / "jpg" / name).write_bytes(RANDOM_BYTES)
    one_line_error(lambda: flowers17.load_arrays(image_size=8, source="full", data_dir=tmp_path),
                   "none of the 2 image files could be decoded", tmp_path / "jpg" / "image_0001.jpg")


def test_flowers_split_that_leaves_no_training_photo_is_one_line(tmp_path):
    (tmp_path / "jpg").mkdir()
    for name in ("image_0001.jpg", "image_0014.jpg", "image_0027.jpg", "image_0081.jpg", "image_0094.jpg",
                 "image_0107.jpg"):  # 3 daffodils, 3 snowdrops
        shutil.copy(FLOWER_SAMPLE / name, tmp_path / "jpg")
    load = lambda split: flowers17.load_arrays(image_size=8, source="full", data_dir=tmp_path,  # noqa: E731
                                               validation_split=split)
    (x_train, _), (x_val, _) = load(0.8)  # 1 training photo: too few to stratify, still a split
    assert (len(x_train), len(x_val)) == (1, 5)
    one_line_error(lambda: load(0.95), "6 Flowers 17 photos leave none for training", "validation_split=0.95")


def copy_hotdog(tmp_path):
    root = tmp_path / "hotdog"
    shutil.copytree(SAMPLES_DIR / "hotdog_synthetic", root)
    return root


def test_hotdog_empty_class_folder_is_one_line(tmp_path):
    root = copy_hotdog(tmp_path)
    for photo in (root / "train" / "hot_dog").iterdir():
        photo.unlink()
    (root / "train" / "hot_dog" / "notes.txt").write_text("not a photo")
    one_line_error(lambda: hotdog.load_arrays(image_size=8, source="full", data_dir=tmp_path),
                   root / "train" / "hot_dog", "holds no photos")


def test_hotdog_class_with_no_decodable_photo_is_one_line(tmp_path):
    root = copy_hotdog(tmp_path)
    for photo in (root / "test" / "not_hot_dog").iterdir():
        photo.write_bytes(RANDOM_BYTES)
    one_line_error(lambda: hotdog.load_arrays(image_size=8, source="full", data_dir=tmp_path),
                   root / "test" / "not_hot_dog", "none of its 8 photos could be decoded")


def test_undecodable_and_truncated_photos_are_named_and_left_out(tmp_path, caplog):
    root = copy_hotdog(tmp_path)
    jpeg = (root / "train" / "hot_dog" / "synthetic_000.jpg").read_bytes()
    (root / "train" / "hot_dog" / "random.jpg").write_bytes(RANDOM_BYTES)
    (root / "train" / "hot_dog" / "truncated.jpg").write_bytes(jpeg[: len(jpeg) // 2])
    (x_train, _), _ = hotdog.load_arrays(image_size=8, source="full", data_dir=tmp_path)
    assert len(x_train) == 32  # neither broken file became a training photo
    assert "random.jpg" in caplog.text and "truncated.jpg" in caplog.text


# ----------------------------------------------------------------------------- the shared rules

def test_pixel_rule():
    np.testing.assert_array_equal(pixels_uint8(np.array([0, 128, 255], np.int64), "x"), [0, 128, 255])
    np.testing.assert_array_equal(pixels_uint8(np.array([0.0, 0.5, 1.0]), "x"), [0, 128, 255])  # already scaled
    np.testing.assert_array_equal(pixels_uint8(np.array([0.0, 0.5, 200.0]), "x"), [0, 0, 200])  # 0..255 floats
    assert pixels_uint8(np.array([0.0, 1.0]), "x").dtype == np.uint8
    for bad in (np.array([-1]), np.array([256]), np.array([0.5, np.nan]), np.array([300.0]), np.array(["1"])):
        with pytest.raises(DataSourceError, match="^x holds"):
            pixels_uint8(bad, "x")


def test_label_rule():
    assert class_labels(np.array([0.0, 9.0]), 10, "y").tolist() == [0, 9]
    for bad in (np.array([10]), np.array([-1]), np.array([0.5]), np.array([[0, 1]]), np.array(["1"])):
        with pytest.raises(DataSourceError, match="^y "):
            class_labels(bad, 10, "y")


def test_text_rule():
    assert decode_text("\ufeffCaf\u00e9.".encode("utf-8"), "t") == "Caf\u00e9."  # the BOM is dropped
    for bad in (b"a\x00b", b"\xe9t\xe9", b"", b"\x01\x02\x03 abc"):
        with pytest.raises(DataSourceError, match="^t "):
            decode_text(bad, "t")


# ----------------------------------------------------------------------------- the package's exports

def test_package_exports_what_other_packages_need_without_tensorflow():
    code = ("import sys, zoo.datasets as d; "
            "print(sorted(set(d.__all__)), d.SOURCES, d.PREPROCESSING, issubclass(d.DataSourceError, ValueError), "
            "callable(d.offline), callable(d.resolve_data_dir), d.Loaded.__name__, d.DataInfo.__name__, "
            "d.SAMPLES_DIR.is_dir(), 'tensorflow' in sys.modules)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                               env={**os.environ})
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == (
        "['DataInfo', 'DataSourceError', 'Loaded', 'PREPROCESSING', 'SAMPLES_DIR', 'SOURCES', 'offline', "
        "'resolve_data_dir'] ('auto', 'full', 'sample') ('book', 'imagenet') True True True Loaded DataInfo True "
        "False").split()

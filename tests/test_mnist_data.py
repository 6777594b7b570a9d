"""MNIST, Fashion-MNIST and Boston housing loaders: every source branch (the download through a
stand-in for ``keras.utils.get_file``), offline."""

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from zoo.datasets import SAMPLES_DIR, DataSourceError, boston_housing, mnist


@pytest.fixture(autouse=True)
def empty_keras_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv("ZOO_DATA_DIR", raising=False)


def write_idx(folder: Path, x_train, y_train, x_test, y_test):
    for name, array, magic in zip(mnist.IDX_FILES, (x_train, y_train, x_test, y_test), (2051, 2049, 2051, 2049)):
        header = np.array([magic, *array.shape], ">i4").tobytes()
        with gzip.open(folder / name, "wb") as handle:
            handle.write(header + array.astype(np.uint8).tobytes())


def sample_arrays():
    with np.load(SAMPLES_DIR / "mnist_sample.npz") as data:
        return data["x_train"], data["y_train"], data["x_test"], data["y_test"]


def test_auto_without_full_data_falls_back_to_the_sample_and_says_so(caplog):
    loaded = mnist.load_arrays()
    (x_train, y_train), (x_valid, y_valid) = loaded
    assert loaded.info.source == "sample"
    assert x_train.shape == (4000, 28, 28) and x_valid.shape == (1000, 28, 28) and x_train.dtype == np.uint8
    assert np.bincount(y_valid).tolist() == [100] * 10
    assert any("bundled sample" in record.getMessage() for record in caplog.records)


def test_npz_from_data_dir_is_full_data(tmp_path):
    shutil.copy(SAMPLES_DIR / "mnist_sample.npz", tmp_path / "mnist.npz")
    loaded = mnist.load_arrays(source="full", data_dir=tmp_path)
    assert loaded.info.source == "full" and loaded.info.origin == str(tmp_path / "mnist.npz")


def test_idx_files_read_the_same_arrays(tmp_path):
    arrays = sample_arrays()
    write_idx(tmp_path, *arrays)
    (x_train, y_train), (x_test, y_test) = mnist.load_arrays(source="full", data_dir=tmp_path)
    for loaded, original in zip((x_train, y_train, x_test, y_test), arrays):
        np.testing.assert_array_equal(loaded, original)


def test_fashion_mnist_reads_idx_files_from_its_keras_cache_folder(tmp_path, monkeypatch):
    cache = tmp_path / "keras_home" / "datasets" / "fashion-mnist"
    cache.mkdir(parents=True)
    write_idx(cache, *sample_arrays())
    loaded = mnist.load_arrays("fashion_mnist", source="full")
    assert loaded.info.origin == str(cache) and loaded[0][0].shape == (4000, 28, 28)


def test_keras_cache_npz_is_used(tmp_path):
    cache = tmp_path / "keras_home" / "datasets"
    cache.mkdir(parents=True)
    shutil.copy(SAMPLES_DIR / "mnist_sample.npz", cache / "mnist.npz")
    assert mnist.load_arrays().info.origin == str(cache / "mnist.npz")


def test_zoo_data_dir_is_read_before_the_keras_cache(tmp_path, monkeypatch):
    cache = tmp_path / "keras_home" / "datasets"
    cache.mkdir(parents=True)
    shutil.copy(SAMPLES_DIR / "mnist_sample.npz", cache / "mnist.npz")
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copy(SAMPLES_DIR / "mnist_sample.npz", mine / "mnist.npz")
    monkeypatch.setenv("ZOO_DATA_DIR", str(mine))
    assert mnist.load_arrays(source="full").info.origin == str(mine / "mnist.npz")


def test_without_local_data_the_download_is_keras_get_file_with_a_checksum(tmp_path, monkeypatch):
    import keras

    calls = []

    def get_file(fname, origin, file_hash=None, **kwargs):  # stands in for the network
        calls.append((fname, origin, file_hash))
        shutil.copy(SAMPLES_DIR / "mnist_sample.npz", tmp_path / fname)
        return str(tmp_path / fname)

    monkeypatch.setattr(keras.utils, "get_file", get_file)
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path / "no_tfds"))
    monkeypatch.delenv("ZOO_OFFLINE")
    loaded = mnist.load_arrays(source="full")
    (fname, origin, file_hash), = calls
    assert fname == "mnist.npz" and origin.startswith("https://") and len(file_hash) == 64  # a SHA-256
    assert loaded.info.source == "full" and loaded[0][0].shape == (4000, 28, 28)


def test_tfds_branch_with_mock_data():
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=20):
        loaded = mnist.load_arrays(source="full")
    assert loaded.info.origin == "tfds:mnist"
    assert loaded[0][0].shape == (20, 28, 28) and loaded[0][0].dtype == np.uint8


def test_full_without_data_names_the_files():
    with pytest.raises(DataSourceError, match="mnist.npz or the four idx files"):
        mnist.load_arrays(source="full")
    with pytest.raises(DataSourceError, match="t10k-images-idx3-ubyte.gz"):
        mnist.load_arrays("fashion_mnist")  # no sample: auto cannot fall back


def test_corrupt_and_wrong_files_are_one_line_errors(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"not a zip file")
    with pytest.raises(DataSourceError, match=r"cannot read .*mnist.npz"):
        mnist.load_arrays(data_dir=tmp_path)
    np.savez(tmp_path / "mnist.npz", x_train=np.zeros((3, 5, 5)), y_train=np.zeros(3), x_test=np.zeros((1, 5, 5)), y_test=np.zeros(1))
    with pytest.raises(DataSourceError, match=r"expected \(N, 28, 28\)"):
        mnist.load_arrays(data_dir=tmp_path)


def test_unusable_data_dir_and_unknown_names():
    with pytest.raises(DataSourceError, match="is not a folder"):
        mnist.load_arrays(data_dir="/nonexistent/folder")
    with pytest.raises(DataSourceError, match="source='everything'"):
        mnist.load_arrays(source="everything")
    with pytest.raises(DataSourceError, match="dataset='kmnist'"):
        mnist.load_arrays("kmnist")


def test_load_applies_the_books_preprocessing():
    train, valid = mnist.load(flatten=True, batch_size=64, source="sample")
    images, labels = next(iter(train))
    assert images.shape == (64, 784) and labels.shape == (64, 10)
    assert images.dtype.name == "float32" and 0.0 <= float(np.min(images)) and float(np.max(images)) <= 1.0
    np.testing.assert_array_equal(np.sum(labels, axis=1), 1.0)
    images, _ = next(iter(mnist.load(flatten=False, batch_size=8, source="sample")[1]))
    assert images.shape == (8, 28, 28, 1)


def test_boston_split_is_keras_404_102():
    (x_train, y_train), (x_valid, y_valid) = boston_housing.load_arrays()
    assert x_train.shape == (404, 13) and x_valid.shape == (102, 13)
    with np.load(SAMPLES_DIR / "boston_housing.npz") as data:
        order = np.arange(506)
        np.random.RandomState(113).shuffle(order)  # keras.datasets.boston_housing's own split
        np.testing.assert_allclose(x_train, data["x"][order[:404]].astype(np.float32))
        np.testing.assert_allclose(y_valid, data["y"][order[404:]].astype(np.float32))

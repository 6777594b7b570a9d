"""Flowers 17 and hot dog loaders: sources, layouts, labels, bad files, the tf.data pipeline."""

import logging
import shutil
import tarfile

import numpy as np
import pytest

from zoo.datasets import images, flowers17, hotdog
from zoo.datasets import SAMPLES_DIR, DataSourceError

FLOWER_SAMPLE = SAMPLES_DIR / "flowers17" / "jpg"


def _copy_flowers(folder, count=None):
    """Some bundled Flowers 17 photos (original names) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    files = sorted(FLOWER_SAMPLE.glob("image_*.jpg"))[:count]
    for file in files:
        shutil.copy(file, folder / file.name)
    return files


def test_labels_follow_the_release_order():
    assert [flowers17.label_of(f"image_{n:04d}.jpg") for n in (1, 80, 81, 160, 1281, 1360)] == [0, 0, 1, 1, 16, 16]
    with pytest.raises(DataSourceError, match="image_0001.jpg .. image_1360.jpg"):
        flowers17.label_of("image_1361.jpg")


def test_flowers_sample_is_real_resized_and_split():
    (x_train, y_train), (x_val, y_val) = flowers17.load_arrays(image_size=(48, 64), source="sample", seed=1)
    assert x_train.dtype == np.uint8 and x_train.shape[1:] == (48, 64, 3)
    assert len(x_train) + len(x_val) == 102 and len(x_val) == 10  # 6 photos of each of 17 classes, 10% held out
    assert set(np.concatenate([y_train, y_val])) == set(range(17))
    assert x_train.std() > 20  # photos, not blank images
    # the split is seeded: the same seed gives the same split, another seed another one
    (_, y_train_again), _ = flowers17.load_arrays(image_size=16, source="sample", seed=1)
    (_, y_train_other), _ = flowers17.load_arrays(image_size=16, source="sample", seed=2)
    assert np.array_equal(y_train, y_train_again) and not np.array_equal(y_train, y_train_other)


def test_flowers_split_is_stratified_on_full_sized_classes(tmp_path):
    # 20 photos in each of 17 classes: a 10% split must take 2 of every class
    jpg = tmp_path / "jpg"
    jpg.mkdir()
    source = next(FLOWER_SAMPLE.glob("image_*.jpg"))
    for label in range(17):
        for k in range(1, 21):
            shutil.copy(source, jpg / f"image_{label * 80 + k:04d}.jpg")
    _, (_, y_val) = flowers17.load_arrays(image_size=8, source="full", data_dir=tmp_path)
    assert np.bincount(y_val, minlength=17).tolist() == [2] * 17


def test_flowers_from_the_release_tarball(tmp_path):
    files = _copy_flowers(tmp_path / "staging" / "jpg", count=12)
    archive = tmp_path / "data" / "17flowers" / "17flowers.tgz"
    archive.parent.mkdir(parents=True)
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "staging" / "jpg", arcname="jpg")
    loaded = flowers17.load(batch_size=4, image_size=32, source="full", data_dir=tmp_path / "data")
    assert loaded.info.source == "full" and loaded.info.origin.endswith("17flowers.tgz")
    assert loaded.info.n_train + loaded.info.n_validation == len(files)
    images, labels = next(iter(loaded[0]))
    assert images.shape == (4, 32, 32, 3) and labels.shape == (4, 17)
    assert 0.0 <= float(np.min(images)) and float(np.max(images)) <= 1.0  # the book's 1/255


def test_flowers_undecodable_photo_is_skipped_with_a_warning(tmp_path, caplog):
    _copy_flowers(tmp_path / "jpg", count=20)
    (tmp_path / "jpg" / "image_0500.jpg").write_bytes(b"not a jpeg at all")
    with caplog.at_level(logging.WARNING, logger="zoo.datasets"):
        loaded = flowers17.load(batch_size=4, image_size=16, source="full", data_dir=tmp_path)
    assert "image_0500.jpg" in caplog.text and "cannot be decoded" in caplog.text
    assert loaded.info.n_train + loaded.info.n_validation == 20
    assert loaded.info.notes["skipped"] == [str(tmp_path / "jpg" / "image_0500.jpg")]


def test_flowers_wrong_layout_and_missing_data_are_clear(tmp_path):
    (tmp_path / "jpg").mkdir()
    (tmp_path / "jpg" / "daisy.jpg").write_bytes((FLOWER_SAMPLE / "image_0001.jpg").read_bytes())
    with pytest.raises(DataSourceError, match="no image_NNNN.jpg files"):
        flowers17.load_arrays(source="full", data_dir=tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataSourceError, match="17flowers.tgz"):
        flowers17.load_arrays(source="full", data_dir=empty)


def test_hotdog_synthetic_sample_is_announced_and_flagged(caplog):
    with caplog.at_level(logging.WARNING, logger="zoo.datasets"):
        loaded = hotdog.load(batch_size=8, image_size=40, source="auto")
    assert "synthetic" in caplog.text
    assert loaded.info.source == "sample" and loaded.info.notes["synthetic"] is True
    assert (loaded.info.n_train, loaded.info.n_validation) == (32, 16)
    images, labels = next(iter(loaded[1]))
    assert images.shape == (8, 40, 40, 3) and labels.shape == (8, 2)


def test_hotdog_wrong_layout_names_what_is_missing(tmp_path):
    (tmp_path / "train" / "hot_dog").mkdir(parents=True)
    (tmp_path / "test" / "hot_dog").mkdir(parents=True)
    with pytest.raises(DataSourceError, match="missing train/not_hot_dog/, test/not_hot_dog/"):
        hotdog.load_arrays(source="auto", data_dir=tmp_path)


def test_hotdog_real_layout_from_data_dir(tmp_path):
    root = tmp_path / "hot-dog-not-hot-dog"
    shutil.copytree(SAMPLES_DIR / "hotdog_synthetic", root)
    (root / "train" / "hot_dog" / "broken.jpg").write_bytes(b"\xff\xd8\xff truncated")
    (x_train, y_train), (x_test, y_test) = hotdog.load_arrays(image_size=24, source="full", data_dir=tmp_path)
    assert x_train.shape == (32, 24, 24, 3) and np.bincount(y_train).tolist() == [16, 16]
    assert np.bincount(y_test).tolist() == [8, 8]


def test_pipeline_augments_training_only_and_preprocesses():
    (x, y), _ = hotdog.load_arrays(image_size=32, source="sample")
    train = images.pipeline(x, y, 2, batch_size=len(x), training=True, augment=True, preprocess="book", seed=3)
    plain = images.pipeline(x, y, 2, batch_size=len(x), training=False, preprocess="book")
    first, second = (next(iter(train))[0].numpy() for _ in range(2))
    assert not np.allclose(np.sort(first.ravel()), np.sort(second.ravel()))  # shuffled and augmented anew
    a, b = (next(iter(plain))[0].numpy() for _ in range(2))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a, x / 255.0, rtol=1e-6)
    imagenet = next(iter(images.pipeline(x, y, 2, batch_size=len(x), training=False, preprocess="imagenet")))[0]
    expected = x[..., ::-1].astype(np.float32) - np.array([103.939, 116.779, 123.68], dtype=np.float32)
    np.testing.assert_allclose(imagenet.numpy(), expected, atol=1e-3)  # BGR, ImageNet means removed


def test_bad_loader_arguments():
    with pytest.raises(ValueError, match="preprocess='caffe'"):
        hotdog.load(preprocess="caffe", source="sample")
    with pytest.raises(ValueError, match="image_size"):
        flowers17.load_arrays(image_size=(0, 10), source="sample")
    with pytest.raises(ValueError, match="validation_split"):
        flowers17.load_arrays(image_size=8, source="sample", validation_split=1.5)
    with pytest.raises(DataSourceError, match="source"):
        flowers17.load_arrays(source="internet")


def test_undecodable_only_files_are_an_error():
    with pytest.raises(DataSourceError, match="none of the 1 image files could be decoded"):
        images.decode([("bad.jpg", b"junk", 0)], 8, what="test")

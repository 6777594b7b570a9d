"""The IMDb loader: Keras' exact encoding, padding and truncation, num_words/skip_top, sources."""

import re

import numpy as np
import pytest

from zoo.datasets import imdb
from zoo.datasets import DataSourceError

# aclImdb train/pos/576_10.txt, and the indices keras.datasets.imdb.load_data(num_words=10000)
# gives for it as x_train[0] (the review every Keras tutorial prints).
REVIEW_576_10 = (
    "this film was just brilliant,casting,location scenery,story,direction,everyone's really suited the part "
    "they played,and you could just imagine being there,Robert Redford's is an amazing actor and now the same "
    "being director,Norman's father came from the same Scottish island as myself,so i loved the fact there was "
    "a real connection with this film,the witty remarks throughout the film were great,it was just brilliant,"
    "so much that i bought the film as soon as it was released for retail and would recommend it to everyone "
    "to watch,and the fly-fishing was amazing,really cried at the end it was so sad,and you know what they say "
    "if you cry at a film it must have been good,and this definitely was, also congratulations to the two "
    "little boy's that played the part's of Norman and Paul they were just brilliant,children are often left "
    "out of the praising list i think, because the stars that play them all grown up are such a big profile "
    "for the whole film,but these children are amazing and should be praised for what they have done, don't "
    "you think? the whole story was so lovely because it was true and was someone's life after all that was "
    "shared with us all."
)
KERAS_X_TRAIN_0 = [
    1, 14, 22, 16, 43, 530, 973, 1622, 1385, 65, 458, 4468, 66, 3941, 4, 173, 36, 256, 5, 25, 100, 43, 838,
    112, 50, 670, 2, 9, 35, 480, 284, 5, 150, 4, 172, 112, 167, 2, 336, 385, 39, 4, 172, 4536, 1111, 17, 546,
    38, 13, 447, 4, 192, 50, 16, 6, 147, 2025, 19, 14, 22, 4, 1920, 4613, 469, 4, 22, 71, 87, 12, 16, 43, 530,
    38, 76, 15, 13, 1247, 4, 22, 17, 515, 17, 12, 16, 626, 18, 2, 5, 62, 386, 12, 8, 316, 8, 106, 5, 4, 2223,
    5244, 16, 480, 66, 3785, 33, 4, 130, 12, 16, 38, 619, 5, 25, 124, 51, 36, 135, 48, 25, 1415, 33, 6, 22,
    12, 215, 28, 77, 52, 5, 14, 407, 16, 82, 2, 8, 4, 107, 117, 5952, 15, 256, 4, 2, 7, 3766, 5, 723, 36, 71,
    43, 530, 476, 26, 400, 317, 46, 7, 4, 2, 1029, 13, 104, 88, 4, 381, 15, 297, 98, 32, 2071, 56, 26, 141, 6,
    194, 7486, 18, 4, 226, 22, 21, 134, 476, 26, 480, 5, 144, 30, 5535, 18, 51, 36, 28, 224, 92, 25, 104, 4,
    226, 65, 16, 38, 1334, 88, 12, 16, 283, 5, 16, 4472, 113, 103, 32, 15, 16, 5345, 19, 178, 32,
]


def test_raw_text_encodes_exactly_as_keras_did():
    assert imdb.encode(REVIEW_576_10, num_words=10000) == KERAS_X_TRAIN_0


def test_word_index_is_keras():
    index = imdb.word_index()
    assert len(index) == 88584
    assert [index[w] for w in ("the", "and", "a", "of", "br")] == [1, 2, 3, 4, 7]


def test_decode_inverts_encode():
    text = "This film was BRILLIANT!<br /><br />I'd watch it again... a 10/10"
    sequence = imdb.encode(text)
    assert sequence[0] == imdb.START_CHAR
    assert imdb.decode(sequence) == "START this film was brilliant br br i'd watch it again a 10 10"
    # words cut by num_words come back as UNK, padding only when asked for
    limited = imdb.encode(text, num_words=100)
    assert imdb.decode(limited).split()[4] == "UNK"  # "brilliant" is rank 524
    assert imdb.decode([0, 0] + sequence[:3], padding=True) == "PAD PAD START this film"


def test_sample_is_real_balanced_and_decodes_to_english():
    (x_train, y_train), (x_valid, y_valid) = loaded = imdb.load_arrays(source="sample")
    assert loaded.info.source == "sample"
    assert (len(x_train), len(x_valid)) == (1000, 1000)
    assert y_train.mean() == y_valid.mean() == 0.5
    assert x_train.dtype == object and all(review[0] == imdb.START_CHAR for review in x_train[:50])
    words = imdb.decode(x_train[0]).split()
    assert words[0] == "START" and "UNK" not in words  # full vocabulary: every word known
    assert sum(w in ("the", "a", "and", "of", "to") for w in words) > len(words) / 20


def test_padding_and_truncation_are_at_the_start():
    (ragged, _), _ = imdb.load_arrays(source="sample", max_examples=60)
    (padded, _), _ = imdb.load_arrays(source="sample", max_examples=60, max_review_length=120)
    assert padded.shape == (60, 120) and padded.dtype == np.int32
    lengths = [len(r) for r in ragged]
    assert min(lengths) < 120 < max(lengths)  # both cases occur
    for review, row in zip(ragged, padded):
        if len(review) >= 120:
            assert row.tolist() == review[-120:]  # 'pre' truncation keeps the ending
        else:
            assert row[: 120 - len(review)].tolist() == [0] * (120 - len(review))
            assert row[120 - len(review):].tolist() == review
    (post, _), _ = imdb.load_arrays(source="sample", max_examples=60, max_review_length=120,
                                    padding="post", truncating="post")
    short = next(i for i, r in enumerate(ragged) if len(r) < 120)
    assert post[short, : len(ragged[short])].tolist() == ragged[short]


def test_num_words_and_skip_top_follow_keras():
    (full, _), (full_valid, _) = imdb.load_arrays(source="sample", max_examples=40)
    (cut, _), (cut_valid, _) = imdb.load_arrays(source="sample", max_examples=40, num_words=1000, skip_top=20)
    for original, limited in zip(list(full) + list(full_valid), list(cut) + list(cut_valid)):
        # Keras: an index outside [skip_top, num_words) becomes the unknown marker 2, start marker included
        assert limited == [w if 20 <= w < 1000 else 2 for w in original]
    assert max(max(r) for r in cut) < 1000


def test_load_gives_batched_int32_reviews_and_float_labels():
    train, valid = loaded = imdb.load(batch_size=32, num_words=5000, max_review_length=50, source="sample",
                                      max_examples=64)
    x, y = next(iter(train))
    assert x.shape == (32, 50) and x.dtype.name == "int32" and y.dtype.name == "float32"
    assert loaded.info.n_train == 64
    # validation keeps its order, so predictions line up with load_arrays
    (_, _), (x_valid, y_valid) = imdb.load_arrays(num_words=5000, max_review_length=50, source="sample",
                                                  max_examples=64)
    assert np.array_equal(np.concatenate([x for x, _ in valid]), x_valid)


def _write_acl(root, reviews):
    for (split, label, name), text in reviews.items():
        folder = root / "aclImdb" / split / label
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def test_raw_aclImdb_folder_is_tokenised(tmp_path):
    _write_acl(tmp_path, {
        ("train", "pos", "0_9.txt"): "A wonderful film.<br />Loved it!",
        ("train", "neg", "0_2.txt"): "Dull, dull, dull.",
        ("test", "pos", "3_8.txt"): "Great acting.",
        ("test", "neg", "5_1.txt"): "Terrible plot; zzzunknownword.",
    })
    (x_train, y_train), (x_valid, y_valid) = loaded = imdb.load_arrays(source="full", data_dir=tmp_path)
    assert loaded.info.source == "full" and loaded.info.origin.endswith("aclImdb")
    by_label = {int(y): imdb.decode(x) for x, y in zip(x_train, y_train)}
    assert by_label == {1: "START a wonderful film br loved it", 0: "START dull dull dull"}
    by_label = {int(y): imdb.decode(x) for x, y in zip(x_valid, y_valid)}
    assert by_label == {1: "START great acting", 0: "START terrible plot"}  # unknown words dropped


def test_keras_npz_is_read_with_start_and_offset(tmp_path):
    def ragged(*lists):
        array = np.empty(len(lists), dtype=object)
        array[:] = [list(x) for x in lists]
        return array

    np.savez(tmp_path / "imdb.npz", x_train=ragged([1, 2], [3]), y_train=np.array([1, 0]),
             x_test=ragged([4, 5, 6]), y_test=np.array([1]))
    (x_train, y_train), (x_valid, y_valid) = imdb.load_arrays(source="full", data_dir=tmp_path)
    assert sorted(map(list, x_train)) == [[1, 4, 5], [1, 6]]
    assert list(x_valid[0]) == [1, 7, 8, 9]


def test_missing_data_and_word_index_are_one_line_errors(tmp_path):
    with pytest.raises(DataSourceError) as error:
        imdb.load_arrays(source="full", data_dir=tmp_path)  # empty folder, downloads off in tests
    assert "imdb.npz" in str(error.value) and "\n" not in str(error.value)
    with pytest.raises(DataSourceError, match="word index .*missing.json not found"):
        imdb.word_index(tmp_path / "missing.json")
    _write_acl(tmp_path, {("train", "pos", "0_9.txt"): "good", ("test", "neg", "0_1.txt"): "bad"})
    with pytest.raises(DataSourceError, match="word index"):
        imdb.load_arrays(source="full", data_dir=tmp_path, word_index_path=tmp_path / "missing.json")
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(DataSourceError, match="broken.json is damaged .*; provide Keras' imdb_word_index.json"):
        imdb.word_index(tmp_path / "broken.json")
    for name, data, fragment in (("list.json", "[1, 2]", "is not a {word: rank} mapping"),
                                 ("empty.json", "{}", "is empty")):
        (tmp_path / name).write_text(data)
        with pytest.raises(DataSourceError, match=re.escape(f"{name} {fragment}")):
            imdb.word_index(tmp_path / name)


@pytest.mark.parametrize("arguments, message", [
    ({"num_words": 0}, "num_words=0"),
    ({"skip_top": -1}, "skip_top=-1"),
    ({"num_words": 10, "skip_top": 10}, "skip_top=10"),
    ({"max_review_length": 0}, "max_review_length=0"),
    ({"padding": "middle"}, "padding='middle'"),
    ({"source": "web"}, "source='web'"),
])
def test_bad_arguments_name_themselves(arguments, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        imdb.load_arrays(**arguments)


def test_prepared_tfds_imdb_reviews_are_tokenised(tmp_path, monkeypatch):
    tfds = pytest.importorskip("tensorflow_datasets")
    (tmp_path / "imdb_reviews").mkdir()
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "no_keras_cache"))
    with tfds.testing.mock_data(num_examples=6):  # tfds' own stand-in for prepared data: random text
        (x_train, y_train), (x_valid, y_valid) = loaded = imdb.load_arrays(source="full")
    assert loaded.info.source == "full" and loaded.info.origin == str(tmp_path)
    assert len(x_train) == len(x_valid) == 6 and set(y_train) | set(y_valid) <= {0, 1}
    assert all(review[0] == imdb.START_CHAR and min(review) >= 1 for review in list(x_train) + list(x_valid))

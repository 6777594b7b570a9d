"""The word map a person can read (every word a WebGL point, labels that do not overlap, a search
box that zooms to a word and its neighbours), the book's map one option away, and the TensorBoard
Embedding Projector's files. Chromium is not needed: the document's structure is checked."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from zoo import word2vec as w2v

N_WORDS = 80


@pytest.fixture(scope="module")
def vectors():
    from gensim.models import KeyedVectors

    wv = KeyedVectors(8)
    rng = np.random.default_rng(0)
    wv.add_vectors([f"word{i}" for i in range(N_WORDS)], rng.normal(size=(N_WORDS, 8)).astype(np.float32))
    return wv


@pytest.fixture(scope="module")
def coordinates(vectors):
    return w2v.tsne(vectors, perplexity=10)


def bokeh_models(html: str) -> list[dict]:
    """Every model object of the page's embedded Bokeh document."""
    documents = re.findall(r'<script type="application/json" id="[^"]+">\s*(.*?)\s*</script>', html, re.S)
    assert len(documents) == 1
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "object" and "name" in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(documents[0]))
    return found


def test_the_readable_map_searches_zooms_and_highlights_offline(vectors, coordinates, tmp_path):
    html = w2v.bokeh_map(coordinates, tmp_path / "map.html", vectors=vectors, n_labels=20,
                         n_neighbours=5).read_text()
    assert re.findall(r"<script[^>]*\bsrc\s*=", html) == [] and len(html) > 500_000  # BokehJS inlined
    models = bokeh_models(html)
    by_name = {}
    for model in models:
        by_name.setdefault(model["name"], []).append(model)
    search = by_name["AutocompleteInput"][0]["attributes"]
    assert sorted(search["completions"]) == sorted(vectors.index_to_key)
    callback = by_name["CustomJS"][0]["attributes"]
    assert "x_range.setv" in callback["code"] and "selected.indices" in callback["code"]
    neighbours = callback["args"]["entries"] if isinstance(callback["args"], dict) else callback["args"]
    assert "neighbours" in json.dumps(neighbours) and "min_span" in json.dumps(neighbours)
    plot = by_name["Figure"][0]["attributes"]
    assert plot["output_backend"] == "webgl"
    tooltips = json.dumps(by_name["HoverTool"][0]["attributes"]["tooltips"])
    assert "@token" in tooltips
    # every word is a point; a few frequent ones are labelled
    words = sorted(len(set(re.findall(r"word\d+", json.dumps(model["attributes"]["data"]))))
                   for model in by_name["ColumnDataSource"])
    assert words == [0, 20, N_WORDS]  # the search's highlights (empty at first), the labels, the points
    with pytest.raises(ValueError, match="style='fancy' is invalid"):
        w2v.bokeh_map(coordinates, tmp_path / "no.html", style="fancy")
    assert not (tmp_path / "no.html").exists()


def test_the_book_map_draws_sampled_words_as_text(coordinates, tmp_path):
    html = w2v.bokeh_map(coordinates, tmp_path / "book.html", style="book", n_tokens=30).read_text()
    models = bokeh_models(html)
    names = {model["name"] for model in models}
    assert "AutocompleteInput" not in names and "Text" in names


def test_neighbours_are_the_nearest_by_cosine_or_on_the_map(vectors, coordinates):
    neighbours = w2v.nearest_neighbours(coordinates, vectors, k=5)
    for row in (0, 17, N_WORDS - 1):
        word = coordinates.token[row]
        expected = [w for w, _ in vectors.most_similar(word, topn=5)]
        assert [coordinates.token[r] for r in neighbours[row]] == expected
    on_map = w2v.nearest_neighbours(coordinates, k=3)
    points = coordinates[["x", "y"]].to_numpy()
    distance = ((points - points[4]) ** 2).sum(axis=1)
    distance[4] = np.inf
    assert on_map[4] == list(np.argsort(distance)[:3])


def test_labels_go_to_frequent_words_and_never_overlap():
    # a crowded corner: the first (most frequent) of each pair on top of each other wins
    coordinates = pd.DataFrame({"token": ["aa", "bb", "cc", "dd", "far"], "x": [0.0, 0.01, 5.0, 5.01, 100.0],
                                "y": [0.0, 0.0, 0.0, 0.0, 100.0]})
    assert w2v.spread_labels(coordinates, n_labels=10, size=800) == [0, 2, 4]
    assert w2v.spread_labels(coordinates, n_labels=2, size=800) == [0, 2]


def test_projector_files_load_as_tensorboard_reads_them(vectors, tmp_path):
    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig
    from tensorboard.plugins.projector.projector_plugin import _read_tensor_tsv_file

    paths = w2v.projector_files(vectors, tmp_path / "log")
    config = text_format.Parse(paths["config"].read_text(), ProjectorConfig())
    (embedding,) = config.embeddings
    assert (embedding.tensor_path, embedding.metadata_path) == ("vectors.tsv", "metadata.tsv")
    tensor = _read_tensor_tsv_file(str(tmp_path / "log" / embedding.tensor_path))
    np.testing.assert_allclose(tensor, vectors.vectors, rtol=1e-6)
    words = (tmp_path / "log" / embedding.metadata_path).read_text().splitlines()
    assert words == vectors.index_to_key  # one column: no header line

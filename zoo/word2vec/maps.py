"""Word vectors drawn: t-SNE to two dimensions, the bokeh map (labels that do not overlap, a
search box over each word's nearest neighbours) and the TensorBoard Embedding Projector's files."""

from __future__ import annotations

from pathlib import Path

from zoo.files import atomic_path


def tsne(model_or_wv, max_tokens=None, perplexity=30.0, seed=42):
    """t-SNE (scikit-learn) of the word vectors to 2-D: a DataFrame with ``token, x, y``.

    The book embeds the whole vocabulary; ``max_tokens`` keeps only the most frequent ones.
    """
    import numpy as np
    import pandas as pd
    from sklearn.manifold import TSNE

    wv = getattr(model_or_wv, "wv", model_or_wv)
    tokens = list(wv.index_to_key if max_tokens is None else wv.index_to_key[:max_tokens])
    if len(tokens) < 3:
        raise ValueError(f"t-SNE needs at least 3 tokens; the vocabulary has {len(tokens)}")
    vectors = np.asarray([wv[t] for t in tokens], dtype=np.float32)
    perplexity = min(perplexity, (len(tokens) - 1) / 3)  # scikit-learn requires perplexity < samples
    # Barnes-Hut pays off only on large sets: on a few hundred words the exact gradient is faster (and exact)
    method = "exact" if len(tokens) <= 500 else "barnes_hut"
    coordinates = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed,
                       method=method).fit_transform(vectors)
    return pd.DataFrame({"token": tokens, "x": coordinates[:, 0], "y": coordinates[:, 1]})


MAP_STYLES = ("readable", "book")


def _write_text(path, text: str) -> Path:
    """Write under a temporary name and rename, so a reader never sees half a file."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return Path(path)


def nearest_neighbours(coordinates, vectors=None, k=8):
    """For each row of ``coordinates``, the row numbers of its ``k`` nearest other words: by cosine
    similarity of their ``vectors`` (gensim ``KeyedVectors`` holding every token) when given, else
    by distance on the 2-D map."""
    import numpy as np

    tokens = list(coordinates.token)
    k = min(k, len(tokens) - 1)
    if k < 1:
        return [[] for _ in tokens]
    if vectors is not None:
        points = np.asarray([vectors[token] for token in tokens], dtype=np.float32)
        points /= np.maximum(np.linalg.norm(points, axis=1, keepdims=True), 1e-12)
    else:
        points = coordinates[["x", "y"]].to_numpy(dtype=np.float32)
    neighbours = []
    for first in range(0, len(points), 1024):  # blocks: the full matrix of 10,000 words would be 400 MB
        block = points[first:first + 1024]
        if vectors is not None:
            distance = -block @ points.T
        else:
            distance = ((block[:, None, :] - points[None, :, :]) ** 2).sum(axis=-1)
        distance[np.arange(len(block)), np.arange(first, first + len(block))] = np.inf  # not itself
        nearest = np.argpartition(distance, k - 1, axis=1)[:, :k]
        order = np.take_along_axis(distance, nearest, axis=1).argsort(axis=1)
        neighbours.extend(np.take_along_axis(nearest, order, axis=1).tolist())
    return neighbours


def spread_labels(coordinates, n_labels=300, size=800, font_px=11, candidates=3000) -> list[int]:
    """Row numbers of up to ``n_labels`` words, most frequent first (the rows' order), whose labels
    do not overlap on a ``size``-pixel map at its first zoom: each label's box is estimated from its
    length in characters and kept only when it clears every label kept before it."""
    x, y = coordinates.x.to_numpy(), coordinates.y.to_numpy()
    x_per_px = max(float(x.max() - x.min()), 1e-9) * 1.1 / size
    y_per_px = max(float(y.max() - y.min()), 1e-9) * 1.1 / size
    kept, boxes = [], []
    for row, token in enumerate(coordinates.token[:candidates]):
        half_width = len(str(token)) * 0.3 * font_px * x_per_px
        half_height = 0.6 * font_px * y_per_px
        box = (x[row] - half_width, x[row] + half_width, y[row] - half_height, y[row] + half_height)
        if all(box[1] < other[0] or other[1] < box[0] or box[3] < other[2] or other[3] < box[2] for other in boxes):
            kept.append(row)
            boxes.append(box)
            if len(kept) == n_labels:
                break
    return kept


# the search box's callback: zoom to the word and its neighbours, select them (highlighted) and label them
_SEARCH_JS = """
const tokens = points.data.token;
const row = tokens.indexOf(search.value.trim());
if (row < 0) {
    info.text = search.value ? `"${search.value}" is not on the map` : "";
    points.selected.indices = [];
    found.data = {x: [], y: [], token: []};
    return;
}
const rows = [row, ...neighbours[row]];
points.selected.indices = rows;
const xs = rows.map(r => points.data.x[r]), ys = rows.map(r => points.data.y[r]);
found.data = {x: xs, y: ys, token: rows.map(r => tokens[r])};
// centred on the word, wide enough for its nearer half of neighbours (one far one would zoom out to
// the whole map), never more than a quarter of the map
const reach = rows.slice(1).map(r => Math.max(Math.abs(points.data.x[r] - xs[0]), Math.abs(points.data.y[r] - ys[0])))
    .sort((a, b) => a - b);
const span = Math.min(Math.max(2.4 * (reach[Math.floor((reach.length - 1) / 2)] || 0), min_span), max_span);
x_range.setv({start: xs[0] - span / 2, end: xs[0] + span / 2});
y_range.setv({start: ys[0] - span / 2, end: ys[0] + span / 2});
info.text = `<b>${tokens[row]}</b>: ${neighbours[row].map(r => tokens[r]).join(", ")}`;
"""


def bokeh_map(coordinates, path, n_tokens=5000, seed=42, title="word2vec: t-SNE of word vectors",
              size=800, style="readable", vectors=None, n_labels=300, n_neighbours=8) -> Path:
    """The word map as one HTML file that opens with no network (BokehJS inlined).

    ``style="readable"``: every word of ``coordinates`` (rows in frequency order, as :func:`tsne`
    gives them) as a WebGL point, the word on hover, labels for up to ``n_labels`` frequent
    words placed so that they do not overlap, and a search box that zooms to a word and
    highlights it with its ``n_neighbours`` nearest words (by cosine similarity of ``vectors``
    when given, else on the map). ``style="book"``: the book's map, ``n_tokens`` sampled words
    drawn as text. Returns the path; the file is written under a temporary name and renamed.
    """
    if style not in MAP_STYLES:
        raise ValueError(f"style={style!r} is invalid: expected one of {', '.join(MAP_STYLES)}")
    from bokeh.embed import file_html
    from bokeh.resources import INLINE

    plot = _book_map(coordinates, n_tokens, seed, title, size) if style == "book" else _readable_map(
        coordinates, title, size, vectors, n_labels, n_neighbours)
    return _write_text(path, file_html(plot, INLINE, title))


def _book_map(coordinates, n_tokens, seed, title, size):
    from bokeh.models import ColumnDataSource, HoverTool
    from bokeh.plotting import figure

    sample = coordinates.sample(n=min(n_tokens, len(coordinates)), random_state=seed)
    plot = figure(width=size, height=size, title=title, tools="pan,wheel_zoom,box_zoom,reset,save")
    source = ColumnDataSource(sample)
    plot.text(x="x", y="y", text="token", source=source, text_font_size="8pt", text_alpha=0.8)
    plot.scatter(x="x", y="y", source=source, size=2, alpha=0.0)  # invisible targets for the hover tool
    plot.add_tools(HoverTool(tooltips=[("token", "@token")]))
    return plot


def _readable_map(coordinates, title, size, vectors, n_labels, n_neighbours):
    from bokeh.layouts import column
    from bokeh.models import AutocompleteInput, ColumnDataSource, CustomJS, Div, HoverTool, Range1d
    from bokeh.plotting import figure

    coordinates = coordinates.reset_index(drop=True)
    tokens = [str(token) for token in coordinates.token]
    x, y = coordinates.x.astype(float), coordinates.y.astype(float)
    margin = 0.05 * max(float(x.max() - x.min()), float(y.max() - y.min()), 1e-9)
    x_range = Range1d(float(x.min()) - margin, float(x.max()) + margin)
    y_range = Range1d(float(y.min()) - margin, float(y.max()) + margin)
    plot = figure(width=size, height=size, title=title, output_backend="webgl", x_range=x_range, y_range=y_range,
                  tools="pan,wheel_zoom,box_zoom,reset,save", active_scroll="wheel_zoom")
    points = ColumnDataSource({"x": x.tolist(), "y": y.tolist(), "token": tokens})
    dots = plot.scatter(x="x", y="y", source=points, size=4, color="steelblue", alpha=0.5,
                        selection_color="crimson", selection_alpha=1.0, nonselection_alpha=0.15)
    dots.selection_glyph.size = 9
    plot.add_tools(HoverTool(renderers=[dots], tooltips=[("word", "@token")]))
    labelled = spread_labels(coordinates, n_labels=n_labels, size=size)
    labels = ColumnDataSource({"x": [x[r] for r in labelled], "y": [y[r] for r in labelled],
                               "token": [tokens[r] for r in labelled]})
    plot.text(x="x", y="y", text="token", source=labels, text_font_size="11px", text_color="#333333",
              text_align="center", text_baseline="middle")
    found = ColumnDataSource({"x": [], "y": [], "token": []})
    plot.text(x="x", y="y", text="token", source=found, text_font_size="13px", text_font_style="bold",
              text_color="crimson", x_offset=6, text_baseline="middle")
    plot.xaxis.visible = plot.yaxis.visible = False
    plot.grid.visible = False
    neighbours = nearest_neighbours(coordinates, vectors, k=n_neighbours)
    extent = max(float(x.max() - x.min()), float(y.max() - y.min()), 1e-9)
    info = Div(text="", width=size)
    search = AutocompleteInput(title=f"Find a word ({len(tokens):,} on the map)", completions=sorted(tokens),
                               placeholder="e.g. father", min_characters=1, case_sensitive=False,
                               max_completions=20, width=300)
    search.js_on_change("value", CustomJS(
        args={"search": search, "points": points, "found": found, "neighbours": neighbours, "info": info,
              "x_range": x_range, "y_range": y_range,
              "min_span": 0.03 * extent, "max_span": 0.25 * extent}, code=_SEARCH_JS))
    return column(search, info, plot)


def projector_files(wv, folder, tensor_name="word2vec") -> dict:
    """The TensorBoard Embedding Projector's files for word vectors ``wv``: ``vectors.tsv`` (one
    vector a line), ``metadata.tsv`` (one word a line, in the same order) and the
    ``projector_config.pbtxt`` that names them, so ``tensorboard --logdir FOLDER`` shows them in 3-D.

    Returns the paths by name.
    """
    import io

    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vectors = io.StringIO()
    for word in wv.index_to_key:
        vectors.write("\t".join(f"{value:.7g}" for value in wv[word]) + "\n")  # float32's 7 digits
    # one column: no header line (the projector expects one only when there are several); tokens hold
    # no white space, and a word-vectors file cannot hold such a word either
    metadata = "".join(f"{word}\n" for word in wv.index_to_key)
    paths = {"vectors": _write_text(folder / "vectors.tsv", vectors.getvalue()),
             "metadata": _write_text(folder / "metadata.tsv", metadata)}
    config = ProjectorConfig()
    embedding = config.embeddings.add()
    embedding.tensor_name = tensor_name
    embedding.tensor_path = paths["vectors"].name  # relative to the log folder, so it can move
    embedding.metadata_path = paths["metadata"].name
    # the file tensorboard.plugins.projector.visualize_embeddings writes, without loading TensorFlow for it
    paths["config"] = _write_text(folder / "projector_config.pbtxt", text_format.MessageToString(config))
    return paths

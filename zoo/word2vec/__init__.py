"""Chapter 11, word vectors: corpus cleaning, gensim word2vec, t-SNE and a bokeh map.

    from zoo.datasets import gutenberg
    from zoo import word2vec
    sentences, _ = gutenberg.load_sentences()
    clean = word2vec.clean_corpus(sentences)            # the book's lower-cased, bigrammed corpus
    model = word2vec.train(clean)                       # skip-gram, 64 dimensions, window 10
    model.wv.most_similar("father")
    coords = word2vec.tsne(model)                       # a DataFrame: token, x, y
    word2vec.bokeh_map(coords, "word_vectors.html", vectors=model.wv)  # searchable, opens with no network
    word2vec.projector_files(model.wv, "projector")     # tensorboard --logdir projector: the vectors in 3-D
    vectors, _ = word2vec.load_vectors("gutenberg")     # trained vectors: a name of zoo.pretrained or a file
    model = word2vec.train(clean, start_vectors=vectors)  # shared words start from them

- ``training``: corpus cleaning, training (from scratch or from trained vectors), loading
  vectors by name or file, and the book's queries;
- ``maps``: t-SNE, the bokeh map and the Embedding Projector's files.
"""

from zoo.word2vec.maps import (MAP_STYLES, bokeh_map, nearest_neighbours, projector_files, spread_labels,
                               tsne)
from zoo.word2vec.training import (ENGLISH_STOP_WORDS, GENSIM_FILES, VECTOR_FILE_ENDINGS, VECTOR_FILES_HELP,
                                   WORD2VEC_BINARY, WORD2VEC_TEXT, clean_corpus, load_vectors, log,
                                   odd_one_out_problem, queries, quiet_gensim, stop_words, take_over, train)

__all__ = ["ENGLISH_STOP_WORDS", "GENSIM_FILES", "MAP_STYLES", "VECTOR_FILES_HELP", "VECTOR_FILE_ENDINGS",
           "WORD2VEC_BINARY", "WORD2VEC_TEXT", "bokeh_map", "clean_corpus", "load_vectors", "log", "nearest_neighbours",
           "odd_one_out_problem", "projector_files", "queries", "quiet_gensim", "spread_labels", "stop_words",
           "take_over", "train", "tsne"]

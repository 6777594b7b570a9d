# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Word vectors with word2vec (chapter 11)
#
# gensim's word2vec learns 64-dimensional vectors of the words of Project Gutenberg books; t-SNE
# maps them to 2-D. `QUICK = True` trains one epoch on one bundled book, then the zoo's trained
# vectors (`"gutenberg"`) answer the book's queries and fill the map: search it for `father`.
# `QUICK = False` trains as the book on NLTK's 18 books and maps the whole vocabulary.

# %%
# Installs the zoo when it is missing (Colab: clone the repository, then open this notebook from it)
import importlib.util, site, subprocess, sys
from pathlib import Path

if importlib.util.find_spec("zoo") is None:
    root = next((folder for folder in (Path.cwd(), *Path.cwd().parents, *Path("/content").glob("*"))
                 if (folder / "zoo" / "__init__.py").is_file()), None)
    if root is None:
        raise RuntimeError("the zoo is not installed and no clone of its repository is here: "
                           "git clone the repository, then pip install -e it")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", f"{root}[tensorflow]"], check=True)
    for folder in site.getsitepackages():
        site.addsitedir(folder)  # the editable install's import hook, without restarting the kernel

# %% [markdown]
# ## Settings

# %%
QUICK = True  # False: the book's run on NLTK's 18 Gutenberg books (downloaded)
DATA = "sample" if QUICK else "full"
BOOKS = ["carroll-alice"] if QUICK else None
EPOCHS = 1 if QUICK else 5
MAP_TOKENS = 200 if QUICK else None  # t-SNE of the most frequent words (None: the whole vocabulary)

# %%
from IPython.display import IFrame

from zoo import word2vec
from zoo.datasets import gutenberg

# %% [markdown]
# ## Load and clean the corpus

# %%
sentences, info = gutenberg.load_sentences(DATA, books=BOOKS)
clean = word2vec.clean_corpus(sentences)  # lower case, no punctuation, bigrams: the book's final corpus
print(f"{len(clean):,} sentences")

# %% [markdown]
# ## Train
# Skip-gram, 64 dimensions, a window of 10 words either side, words seen at least 10 times.

# %%
model = word2vec.train(clean, vector_size=64, window=10, epochs=EPOCHS, min_count=10, sg=1, workers=2,
                       progress=False)
model.zoo_stats

# %% [markdown]
# ## The book's queries
# The vectors trained here (few, if quick), then the zoo's trained ones. A word that the
# vocabulary lacks is reported, not raised.

# %%
print("this run's vectors:")
word2vec.queries(model.wv)

# %%
vectors, _ = word2vec.load_vectors("gutenberg")
answers = word2vec.queries(vectors)
print("the zoo's vectors (gutenberg), most similar to father:", answers["most_similar"]["father"])

# %%
answers["doesnt_match"], answers["similarity"], answers["analogy"]

# %% [markdown]
# ## The map
# Every word a point, the frequent ones labelled; hover for a word, or type one in the search box
# to zoom to it and its nearest neighbours. The page opens with no network. `style="book"` draws
# the book's version: 5,000 words as text.

# %%
coordinates = word2vec.tsne(vectors, max_tokens=MAP_TOKENS)
word2vec.bokeh_map(coordinates, "word_vectors.html", vectors=vectors)
IFrame("word_vectors.html", width=850, height=950)

# %% [markdown]
# ## In 3-D: TensorBoard's Embedding Projector
# Run `tensorboard --logdir projector`, open http://localhost:6006 and pick the Projector tab.

# %%
word2vec.projector_files(vectors, "projector")

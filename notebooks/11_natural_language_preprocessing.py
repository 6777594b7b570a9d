# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Natural language preprocessing (chapter 11)
#
# The book's steps from raw text to a clean corpus: sentences, word tokens, lower case, no
# punctuation, (optionally) no stop words and stemming, and bigrams such as `new_york`.
# `QUICK = True` reads one bundled book; `QUICK = False` reads NLTK's 18 Gutenberg books.

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
QUICK = True  # False: NLTK's 18 Gutenberg books (downloaded)
DATA = "sample" if QUICK else "full"
BOOKS = ["carroll-alice"] if QUICK else None  # None: every book

# %%
from zoo import word2vec
from zoo.datasets import gutenberg

# %% [markdown]
# ## Load data
# Sentences, each a list of word tokens (NLTK's punkt splitter when its data is installed).

# %%
gutenberg.fileids(source=DATA)

# %%
sentences, info = gutenberg.load_sentences(DATA, books=BOOKS)
print(f"{len(sentences):,} sentences, {info.notes['tokens']:,} tokens")
sentences[5]

# %% [markdown]
# ## One sentence, step by step

# %%
sentence = sentences[5]
steps = {
    "lower case, no punctuation": dict(bigrams=False),
    "... no stop words": dict(remove_stopwords=True, bigrams=False),
    "... stemmed": dict(remove_stopwords=True, stem=True, bigrams=False),
}
for step, options in steps.items():
    print(f"{step:28} {word2vec.clean_corpus([sentence], **options)[0]}")

# %% [markdown]
# ## Bigrams
# gensim's `Phrases` joins word pairs that occur together far more often than apart. The book
# keeps stop words and does not stem: stop words carry meaning for word vectors.

# %%
clean = word2vec.clean_corpus(sentences, min_count=32 if not QUICK else 8, threshold=64 if not QUICK else 16)
bigrams = sorted({token for sentence in clean for token in sentence if "_" in token})
print(f"{len(clean):,} sentences; {len(bigrams)} bigrams, e.g. {bigrams[:10]}")

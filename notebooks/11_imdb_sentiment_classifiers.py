# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The nine IMDb sentiment classifiers (chapter 11)
#
# The book has one notebook per classifier; they share every step but the network, so this
# notebook walks through all nine side by side: the dense net in full (load, design, configure,
# train, evaluate), then each of the others' design, and at the end the models this run trained
# and the zoo's nine trained models (`weights="imdb"`) scored on the same held-out reviews,
# beside the book's ROC AUCs.
# `QUICK = True` trains the dense net one epoch on the 1,000 bundled training reviews; `QUICK =
# False` trains every network as the book does on IMDb's 25,000 reviews (downloaded).

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
QUICK = True  # False: every network's book run on the full data (downloads IMDb)
DATA = "sample" if QUICK else "full"
N_SCORED = 200 if QUICK else None  # held-out reviews the models are scored on (None: all of them)

# %%
import keras
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

import zoo
from zoo import plots, recipes
from zoo.datasets import imdb

# %matplotlib inline
keras.utils.set_random_seed(42)
CLASSIFIERS = [name for name in zoo.names() if name.endswith("_sentiment")]
pd.DataFrame({name: recipes.get(name).data for name in CLASSIFIERS}).T  # each notebook's data settings

# %% [markdown]
# ## The dense net, from start to end
# ### Load data
# Reviews as word indices (1 = start, 2 = a word outside the vocabulary), padded and truncated at
# the start to the same length.

# %%
recipe = recipes.get("dense_sentiment")
settings = recipe.data
(x_train, y_train), (x_valid, y_valid) = imdb.load_arrays(
    num_words=settings["n_unique_words"], skip_top=settings["n_words_to_skip"],
    max_review_length=settings["max_review_length"], padding=settings["padding"],
    truncating=settings["truncating"], source=DATA)
print(x_train.shape, x_valid.shape)
imdb.decode(x_train[0])

# %% [markdown]
# ### Design the network
# The book, layer by layer: an embedding, flattened, one dense layer, a sigmoid output.

# %%
book_model = keras.Sequential([
    keras.Input((settings["max_review_length"],)),
    keras.layers.Embedding(settings["n_unique_words"], 64),
    keras.layers.Flatten(),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dropout(0.5),
    keras.layers.Dense(1, activation="sigmoid"),
])
book_model.summary()

# %%
model = zoo.build_dense_sentiment(n_unique_words=5000, max_review_length=100, n_dim=64, n_dense=64, dropout=0.5)
model.summary()
assert model.count_params() == book_model.count_params() == recipe.parameters["dense_sentiment"]

# %% [markdown]
# ### Configure, train, evaluate

# %%
model.compile(**recipe.compile_kwargs())
history = model.fit(x_train, y_train, batch_size=recipe.batch_size, epochs=1 if QUICK else recipe.epochs,
                    validation_data=(x_valid, y_valid), verbose=0)
probabilities = model.predict(x_valid[:N_SCORED], verbose=0).ravel()
print(f"ROC AUC on {len(probabilities):,} held-out reviews after {len(history.epoch)} epoch(s) here: "
      f"{roc_auc_score(y_valid[:N_SCORED], probabilities):.4f}")

# %% [markdown]
# ## The other eight networks
# Each builder with its book settings (`recipes.get(name).data` holds the data's).

# %%
for name in CLASSIFIERS:
    network = zoo.get(name)(n_unique_words=recipes.get(name).data["n_unique_words"],
                            max_review_length=recipes.get(name).data["max_review_length"])
    assert network.count_params() == recipes.get(name).parameters[name]
    print(f"{name:26} {network.count_params():>10,} parameters:",
          ", ".join(layer.__class__.__name__ for layer in network.layers[1:]))

# %%
zoo.build_multi_convnet_sentiment().summary()  # the one with three parallel branches

# %% [markdown]
# ## Train them all (`QUICK = False`)

# %%
this_run = {"dense_sentiment": model}  # quick: the dense net above was this run's training
for name in [] if QUICK else CLASSIFIERS:
    recipe, settings = recipes.get(name), recipes.get(name).data
    (x_train, y_train), (x_valid, y_valid) = imdb.load_arrays(
        num_words=settings["n_unique_words"], skip_top=settings["n_words_to_skip"],
        max_review_length=settings["max_review_length"], padding=settings["padding"],
        truncating=settings["truncating"], source=DATA)
    network = recipe.build_compiled()
    best = keras.callbacks.ModelCheckpoint(f"{name}.weights.h5", save_weights_only=True, save_best_only=True)
    network.fit(x_train, y_train, batch_size=recipe.batch_size, epochs=recipe.epochs,
                validation_data=(x_valid, y_valid), callbacks=[best], verbose=2)
    network.load_weights(f"{name}.weights.h5")  # the epoch of lowest validation loss, as the book
    this_run[name] = network

# %% [markdown]
# ## This run's models and the zoo's trained weights against the book
# Each scored on the same held-out reviews of IMDb's test split, which the zoo's weights never
# trained on (quick: the first 200 of the 1,000 bundled ones).

# %%
rows, curves = [], {}
for name in CLASSIFIERS:
    settings = recipes.get(name).data
    (_, _), (reviews, labels) = imdb.load_arrays(
        num_words=settings["n_unique_words"], skip_top=settings["n_words_to_skip"],
        max_review_length=settings["max_review_length"], padding=settings["padding"],
        truncating=settings["truncating"], source=DATA)
    reviews, labels = reviews[:N_SCORED], labels[:N_SCORED]
    row = {"network": name, "this run": np.nan, "the zoo's weights": np.nan, "the book": recipes.get(name).reference.value}
    if name in this_run:
        row["this run"] = roc_auc_score(labels, this_run[name].predict(reviews, batch_size=200, verbose=0).ravel())
    try:
        trained = zoo.get(name)(weights="imdb")
    except ValueError as missing:  # a file that cannot be had, or that no longer fits the builder
        print(f"{name}: the zoo's weights not at hand: {missing}")
    else:
        curves[name] = trained.predict(reviews, batch_size=200, verbose=0).ravel()
        row["the zoo's weights"] = roc_auc_score(labels, curves[name])
    rows.append(row)
table = pd.DataFrame(rows).set_index("network")
print(f"ROC AUC on {len(labels):,} held-out reviews")
print(table.to_string(float_format="{:.4f}".format))

# %%
plots.roc_curve(labels, curves["conv_sentiment"], title="conv_sentiment, trained weights");

# %%
plots.probability_histogram(curves["conv_sentiment"], labels, title="conv_sentiment: predicted probabilities");

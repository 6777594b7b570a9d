# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # VGGNet in Keras (chapter 10)
#
# The book's VGGNet-inspired ConvNet for Oxford Flowers 17: five blocks of 3x3 convolutions,
# 33.7 million parameters. `QUICK = True` takes one training step on two bundled photos;
# `QUICK = False` trains as the book, 250 epochs on the 1,360 photos (downloaded). The book's
# run converged to no figure. Either way the notebook scores the model it trained on the
# validation photos, and beside it the zoo's trained weights (`weights="flowers17"`) when their
# file is at hand. The zoo has a card for them but publishes no file yet: the last cell says how
# to make one (`scripts/train_vggnet.py`, then `scripts/export_weights.py`).

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
QUICK = True  # False: the book's full run (downloads Oxford Flowers 17)
EPOCHS = 1 if QUICK else 250
DATA = "sample" if QUICK else "full"
N_TRAIN = 2 if QUICK else None  # photos to train on (None: all)
N_VALID = 4 if QUICK else None  # photos to score on (None: all); 33.7 million parameters are slow on a CPU
BATCH_SIZE = 2 if QUICK else 64
WEIGHTS = "flowers17"  # the zoo's trained weights, or the name you exported your own run under

# %%
import keras
import numpy as np

import zoo
from zoo import plots, recipes
from zoo.datasets import flowers17

# %matplotlib inline
keras.utils.set_random_seed(42)
recipe = recipes.get("vggnet")

# %% [markdown]
# ## Load data

# %%
(x_train, y_train), (x_valid, y_valid) = flowers17.load_arrays(image_size=224, source=DATA)
x_train = x_train[:N_TRAIN].astype("float32") / 255
x_valid = x_valid[:N_VALID].astype("float32") / 255
y_train, y_valid = keras.utils.to_categorical(y_train[:N_TRAIN], 17), keras.utils.to_categorical(y_valid[:N_VALID], 17)

# %% [markdown]
# ## Design the network
# The book, layer by layer: five conv-pool blocks, then two dense layers.

# %%
book_model = keras.Sequential([keras.Input((224, 224, 3))])
for filters, convolutions in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
    for _ in range(convolutions):
        book_model.add(keras.layers.Conv2D(filters, 3, activation="relu"))
    book_model.add(keras.layers.MaxPooling2D(2))
    book_model.add(keras.layers.BatchNormalization())
book_model.add(keras.layers.Flatten())
for _ in range(2):
    book_model.add(keras.layers.Dense(4096, activation="relu"))
    book_model.add(keras.layers.Dropout(0.5))
book_model.add(keras.layers.Dense(17, activation="softmax"))
book_model.count_params()

# %% [markdown]
# The zoo's builder:

# %%
model = zoo.build_vggnet(input_shape=(224, 224, 3), num_classes=17, n_dense=4096, dropout=0.5)
model.summary()
assert model.count_params() == book_model.count_params() == recipe.parameters["vggnet"]

# %% [markdown]
# ## Configure, train

# %%
model.compile(**recipe.compile_kwargs())
history = model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=EPOCHS, verbose=0,
                    validation_data=(x_valid, y_valid) if not QUICK else None)
if not QUICK:
    plots.learning_curves(history.history, "VGGNet")
history.history

# %% [markdown]
# ## Evaluate
# This run's model on the validation photos, beside the zoo's trained weights (`weights=WEIGHTS`)
# on the same photos when their file is at hand; the book reports no converged figure.

# %%
def accuracy(network):
    return np.mean(network.predict(x_valid, verbose=0).argmax(axis=1) == y_valid.argmax(axis=1))


print(f"validation accuracy on {len(x_valid)} {'bundled' if QUICK else 'held-out'} photos")
print(f"  this run's model ({EPOCHS} epoch(s) on {len(x_train)} photos): {accuracy(model):.1%}")
try:
    trained = zoo.build_vggnet(weights=WEIGHTS)
except ValueError as missing:  # no file here nor one to download: the message says how to make one
    trained = None
    print(f"  the zoo's weights ({WEIGHTS}): not at hand: {missing}")
else:
    # the bundled photos are a sample of all 1,360, most of them among the weights' training photos
    print(f"  the zoo's weights ({WEIGHTS}): {accuracy(trained):.1%}"
          + (" (mostly photos it trained on)" if QUICK else ""))
print(f"  the book: {recipe.reference.note}")

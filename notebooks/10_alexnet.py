# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # AlexNet in Keras (chapter 10)
#
# The book's AlexNet-inspired ConvNet classifies Oxford Flowers 17. `QUICK = True` takes one
# training step on a few bundled photos; `QUICK = False` trains as the book, 100 epochs on the
# 1,360 photos (downloaded). The zoo's trained weights (`weights="flowers17"`, 88 MB) are
# registered, not bundled: the last cell loads them when they are in Keras' cache.

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
EPOCHS = 1 if QUICK else 100
DATA = "sample" if QUICK else "full"
N_TRAIN = 16 if QUICK else None  # photos to train on (None: all)
BATCH_SIZE = 8 if QUICK else 64

# %%
import keras
import numpy as np

import zoo
from zoo import plots, pretrained, recipes
from zoo.datasets import flowers17

# %matplotlib inline
keras.utils.set_random_seed(42)
recipe = recipes.get("alexnet")

# %% [markdown]
# ## Load data
# Photos resized to 224x224, scaled to [0, 1]; 10% held out for validation.

# %%
(x_train, y_train), (x_valid, y_valid) = flowers17.load_arrays(image_size=224, source=DATA)
x_train = x_train[:N_TRAIN].astype("float32") / 255
x_valid = x_valid.astype("float32") / 255
y_train, y_valid = keras.utils.to_categorical(y_train[:N_TRAIN], 17), keras.utils.to_categorical(y_valid, 17)
plots.image_grid(x_train[:8], columns=8, size=1.5, title="training photos");

# %% [markdown]
# ## Design the network
# The book, layer by layer:

# %%
book_model = keras.Sequential([
    keras.Input((224, 224, 3)),
    keras.layers.Conv2D(96, kernel_size=(11, 11), strides=(4, 4), activation="relu"),
    keras.layers.MaxPooling2D(pool_size=(3, 3), strides=(2, 2)),
    keras.layers.BatchNormalization(),
    keras.layers.Conv2D(256, kernel_size=(5, 5), activation="relu"),
    keras.layers.MaxPooling2D(pool_size=(3, 3), strides=(2, 2)),
    keras.layers.BatchNormalization(),
    keras.layers.Conv2D(256, kernel_size=(3, 3), activation="relu"),
    keras.layers.Conv2D(384, kernel_size=(3, 3), activation="relu"),
    keras.layers.Conv2D(384, kernel_size=(3, 3), activation="relu"),
    keras.layers.MaxPooling2D(pool_size=(3, 3), strides=(2, 2)),
    keras.layers.BatchNormalization(),
    keras.layers.Flatten(),
    keras.layers.Dense(4096, activation="tanh"),
    keras.layers.Dropout(0.5),
    keras.layers.Dense(4096, activation="tanh"),
    keras.layers.Dropout(0.5),
    keras.layers.Dense(17, activation="softmax"),
])
book_model.count_params()

# %% [markdown]
# The zoo's builder:

# %%
model = zoo.build_alexnet(input_shape=(224, 224, 3), num_classes=17, n_dense=4096, dropout=0.5)
model.summary()
assert model.count_params() == book_model.count_params() == recipe.parameters["alexnet"]

# %% [markdown]
# ## Configure, train

# %%
model.compile(**recipe.compile_kwargs())
history = model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=EPOCHS, verbose=0, shuffle=True,
                    validation_data=(x_valid, y_valid) if not QUICK else None)
history.history

# %% [markdown]
# ## The trained weights
# The book shows no converged figure for AlexNet; the zoo's run of the book's 100 epochs:

# %%
card = pretrained.card("alexnet", "flowers17")
print(card["note"])
try:
    trained = zoo.build_alexnet(weights="flowers17")
except ValueError as missing:  # 88 MB, not bundled: fetched when online, else made by the training script
    print(missing)
else:
    trained.compile(**recipe.compile_kwargs())
    # most bundled photos were among its training photos: a check that it loads, not a held-out figure
    print("accuracy on the bundled validation photos:", trained.evaluate(x_valid, y_valid, verbose=0)[1])

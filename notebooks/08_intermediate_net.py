# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Intermediate net in Keras (chapter 8)
#
# Two hidden layers of 64 ReLU neurons, softmax output, cross-entropy cost and SGD with a
# learning rate of 0.1. `QUICK = True` trains one epoch on the bundled sample;
# `QUICK = False` trains as the book, 20 epochs on all 60,000 digits. Either way the model trained
# here is scored beside the zoo's trained weights (`weights="mnist"`) on the same held-out digits.

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
QUICK = True  # False: the book's full run (downloads MNIST)
EPOCHS = 1 if QUICK else 20
DATA = "sample" if QUICK else "full"

# %%
import keras
import numpy as np

import zoo
from zoo import plots, recipes
from zoo.datasets import mnist

# %matplotlib inline
keras.utils.set_random_seed(42)
recipe = recipes.get("intermediate_net")

# %% [markdown]
# ## Load data

# %%
(x_train, y_train), (x_valid, y_valid) = mnist.load_arrays("mnist", source=DATA)
x_train = x_train.reshape(-1, 784).astype("float32") / 255
x_valid = x_valid.reshape(-1, 784).astype("float32") / 255
y_train, y_valid = keras.utils.to_categorical(y_train, 10), keras.utils.to_categorical(y_valid, 10)

# %% [markdown]
# ## Design the network
# The book, layer by layer:

# %%
book_model = keras.Sequential([
    keras.Input((784,)),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
book_model.summary()

# %% [markdown]
# The zoo's builder:

# %%
model = zoo.build_intermediate_net(n_inputs=784, num_classes=10, n_dense=64, n_hidden=2)
model.summary()
assert model.count_params() == book_model.count_params() == recipe.parameters["intermediate_net"]

# %% [markdown]
# ## Configure the model

# %%
model.compile(**recipe.compile_kwargs())
recipe.loss, recipe.compile_kwargs()["optimizer"].get_config()["learning_rate"]

# %% [markdown]
# ## Train

# %%
history = model.fit(x_train, y_train, batch_size=recipe.batch_size, epochs=EPOCHS, verbose=0,
                    validation_data=(x_valid, y_valid))
plots.learning_curves(history.history, "intermediate net");

# %% [markdown]
# ## Evaluate
# This run's model beside the zoo's trained weights (`weights="mnist"`, the book's run), scored on
# the same held-out digits of MNIST's test split, which neither trained on: in quick mode the
# first 1,000 (bundled), else all 10,000.

# %%
if QUICK:
    x_test, y_test = mnist.load_test_sample()  # MNIST's first 1,000 test digits, bundled
else:
    x_test, y_test = x_valid, y_valid  # the full data's validation digits are MNIST's test split
trained = zoo.build_intermediate_net(weights="mnist")
trained.compile(**recipe.compile_kwargs())
print(f"test accuracy on {len(x_test):,} held-out digits")
print(f"  this run's model ({EPOCHS} epoch(s)): {model.evaluate(x_test, y_test, verbose=0)[1]:.1%}")
print(f"  the zoo's weights (mnist): {trained.evaluate(x_test, y_test, verbose=0)[1]:.1%}")
print(f"  the book: {recipe.reference.value:.1%} ({recipe.reference.note})")

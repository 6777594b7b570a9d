# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # LeNet in Keras (chapter 10)
#
# The book's LeNet-5-inspired ConvNet: two convolutional layers, max-pooling, dropout, a dense
# layer. `QUICK = True` trains for a moment on part of the bundled sample;
# `QUICK = False` trains as the book, 10 epochs on all 60,000 digits. Either way the model trained
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
EPOCHS = 1 if QUICK else 10
DATA = "sample" if QUICK else "full"
N_TRAIN = 1024 if QUICK else None  # digits to train on (None: all)

# %%
import keras
import numpy as np

import zoo
from zoo import plots, recipes
from zoo.datasets import mnist

# %matplotlib inline
keras.utils.set_random_seed(42)
recipe = recipes.get("lenet")

# %% [markdown]
# ## Load data
# Images keep their 28x28x1 shape for the convolutions.

# %%
(x_train, y_train), (x_valid, y_valid) = mnist.load_arrays("mnist", source=DATA)
x_train = x_train[:N_TRAIN].reshape(-1, 28, 28, 1).astype("float32") / 255
x_valid = x_valid.reshape(-1, 28, 28, 1).astype("float32") / 255
y_train, y_valid = keras.utils.to_categorical(y_train[:N_TRAIN], 10), keras.utils.to_categorical(y_valid, 10)

# %% [markdown]
# ## Design the network
# The book, layer by layer:

# %%
book_model = keras.Sequential([
    keras.Input((28, 28, 1)),
    keras.layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
    keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
    keras.layers.MaxPooling2D(pool_size=(2, 2)),
    keras.layers.Dropout(0.25),
    keras.layers.Flatten(),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dropout(0.5),
    keras.layers.Dense(10, activation="softmax"),
])
book_model.summary()

# %% [markdown]
# The zoo's builder:

# %%
model = zoo.build_lenet(input_shape=(28, 28, 1), num_classes=10, n_conv_1=32, n_conv_2=64, k_conv=3,
                        n_dense=128, conv_dropout=0.25, dense_dropout=0.5)
model.summary()
assert model.count_params() == book_model.count_params() == recipe.parameters["lenet"]

# %% [markdown]
# ## Configure, train

# %%
model.compile(**recipe.compile_kwargs())
history = model.fit(x_train, y_train, batch_size=recipe.batch_size, epochs=EPOCHS, verbose=0,
                    validation_data=(x_valid, y_valid))
plots.learning_curves(history.history, "LeNet");

# %% [markdown]
# ## Evaluate
# This run's model beside the zoo's trained weights (`weights="mnist"`, the book's run), scored on
# the same held-out digits of MNIST's test split, which neither trained on: in quick mode the
# first 1,000 (bundled), else all 10,000.

# %%
if QUICK:
    x_test, y_test = mnist.load_test_sample(flatten=False)  # MNIST's first 1,000 test digits, bundled
    labels = y_test.argmax(axis=1)
else:
    x_test, labels = x_valid, y_valid.argmax(axis=1)  # the full data's validation digits are MNIST's test split
trained = zoo.build_lenet(weights="mnist")
predicted = trained.predict(x_test, verbose=0).argmax(axis=1)
print(f"test accuracy on {len(x_test):,} held-out digits")
print(f"  this run's model ({EPOCHS} epoch(s)): {np.mean(model.predict(x_test, verbose=0).argmax(axis=1) == labels):.1%}")
print(f"  the zoo's weights (mnist): {np.mean(predicted == labels):.1%}")
print(f"  the book: {recipe.reference.value:.2%} ({recipe.reference.note})")

# %% [markdown]
# The digits it gets wrong:

# %%
wrong = np.flatnonzero(predicted != labels)[:12]
plots.image_grid(x_test[wrong, ..., 0], columns=6,
                 title="predicted " + " ".join(f"{p}({t})" for p, t in zip(predicted[wrong], labels[wrong])));

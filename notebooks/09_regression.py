# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Regression in Keras (chapter 9)
#
# A dense net predicts the median price of Boston houses from 13 features. `QUICK = True`
# trains a few epochs, `QUICK = False` the book's 32; then the model trained here and the zoo's
# trained weights (`weights="boston_housing"`) price the same held-out houses.

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
QUICK = True  # False: the book's 32 epochs (the whole table is bundled: no download either way)
EPOCHS = 4 if QUICK else 32

# %%
import keras
import numpy as np

import zoo
from zoo import plots, recipes
from zoo.datasets import boston_housing

# %matplotlib inline
keras.utils.set_random_seed(42)
recipe = recipes.get("regression_net")

# %% [markdown]
# ## Load data
# 404 houses to train on, 102 held out, as Keras' `boston_housing.load_data()` splits them.

# %%
(x_train, y_train), (x_valid, y_valid) = boston_housing.load_arrays(source="sample")
x_train.shape, x_valid.shape

# %% [markdown]
# ## Design the network
# The book, layer by layer:

# %%
book_model = keras.Sequential([
    keras.Input((13,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.BatchNormalization(),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.BatchNormalization(),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(1, activation="linear"),
])
book_model.summary()

# %% [markdown]
# The zoo's builder:

# %%
model = zoo.build_regression_net(n_inputs=13, n_dense_1=32, n_dense_2=16, dropout=0.2)
model.summary()
assert model.count_params() == book_model.count_params() == recipe.parameters["regression_net"]

# %% [markdown]
# ## Configure, train

# %%
model.compile(**recipe.compile_kwargs())
history = model.fit(x_train, y_train, batch_size=recipe.batch_size, epochs=EPOCHS, verbose=0,
                    validation_data=(x_valid, y_valid))
plots.learning_curves(history.history, "regression net");

# %% [markdown]
# ## Evaluate
# This run's model beside the zoo's trained weights (`weights="boston_housing"`, the book's 32
# epochs), on the same 102 held-out houses. The book predicts the price of one of them (its
# `x_valid[42]`):

# %%
trained = zoo.build_regression_net(weights="boston_housing")
predictions = trained.predict(x_valid, verbose=0).ravel()
print(f"house 42: the zoo's weights predict ${predictions[42]:.1f}k, this run's model "
      f"${model.predict(x_valid[42:43], verbose=0)[0, 0]:.1f}k; actual ${y_valid[42]:.1f}k")


def rmse(predicted):
    return float(np.sqrt(np.mean((np.ravel(predicted) - y_valid) ** 2)))


print(f"root mean squared error over the {len(y_valid)} held-out houses")
print(f"  this run's model ({EPOCHS} epochs): ${rmse(model.predict(x_valid, verbose=0)):.2f}k")
print(f"  the zoo's weights (boston_housing): ${rmse(predictions):.2f}k")
print(f"  predicting the mean price: ${np.std(y_valid):.2f}k")
print(f"  the book: {recipe.reference.note}")

# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Generative adversarial network: Quick, Draw! apples (chapter 12)
#
# A generator learns to draw apples by fooling a discriminator that learns to tell its drawings
# from people's. `QUICK = True` runs one of the book's training iterations on the bundled
# drawings; `QUICK = False` trains the book's 2,000 iterations on all 144,722 apples (downloaded).
# Then the zoo's trained generator (`weights="quickdraw_apple"`) draws the book's apples, and
# both generators are measured against people's drawings.

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
QUICK = True  # False: the book's 2,000 iterations on the full Quick, Draw! apples (downloaded)
DATA = "sample" if QUICK else "full"
ITERATIONS = 1 if QUICK else 2000
BATCH_SIZE = 32 if QUICK else 128
Z_DIM = 32

# %%
import keras
import numpy as np

import zoo
from zoo import gan, plots, recipes
from zoo.datasets import quickdraw

# %matplotlib inline
keras.utils.set_random_seed(42)
recipe = recipes.get("gan")

# %% [markdown]
# ## Load data
# 28x28 drawings, ink in [0, 1].

# %%
drawings = quickdraw.load_arrays("apple", source=DATA).astype("float32")[..., None] / 255
plots.image_grid(drawings[:16, ..., 0], columns=8, title="people's apples");

# %% [markdown]
# ## Design the networks
# The discriminator: four convolutions with dropout, a sigmoid output.

# %%
discriminator = zoo.build_discriminator()
discriminator.summary()

# %% [markdown]
# The generator: from 32 random numbers, a dense layer reshaped to 7x7, upsampled to 28x28.

# %%
generator = zoo.build_generator(z_dim=Z_DIM)
generator.summary()
assert discriminator.count_params() == recipe.parameters["discriminator"]
assert generator.count_params() == recipe.parameters["generator"]

# %% [markdown]
# ## Configure
# The book compiles the discriminator, freezes it, and compiles the adversarial network
# (generator, then discriminator) that trains the generator.

# %%
discriminator, generator, adversarial = gan.book_models(discriminator, generator, z_dim=Z_DIM)

# %% [markdown]
# ## Train: the book's loop

# %%
rng = np.random.default_rng(42)
d_history, a_history = [], []
for iteration in range(ITERATIONS):
    d_metrics, a_metrics = gan.book_iteration(drawings, discriminator, generator, adversarial, rng,
                                              batch_size=BATCH_SIZE)
    d_history.append(d_metrics)
    a_history.append(a_metrics)
print("discriminator [loss, accuracy]:", d_history[-1], "adversarial:", a_history[-1])

# %% [markdown]
# ## The trained generator's apples

# %%
trained = zoo.build_generator(weights="quickdraw_apple")
noise = gan.sample_noise(16, z_dim=Z_DIM, seed=7)
plots.image_grid(trained.predict(noise, verbose=0)[..., 0], columns=8, title="the trained generator's apples");

# %% [markdown]
# How close each generator's drawings are to people's (a Fréchet distance on pixels: lower is
# closer), from the same noise; the floor is two sets of people's drawings against each other.

# %%
quality = gan.PixelFrechetDistance(drawings[..., 0], n_samples=300, seed=11)
noise = gan.sample_noise(quality.n_samples, z_dim=Z_DIM, seed=12)
print(f"pixel Fréchet distance to {quality.n_samples} of people's apples (lower is closer)")
print(f"  this run's generator ({ITERATIONS} iteration(s)): {quality(generator.predict(noise, verbose=0)):.2f}")
print(f"  the zoo's generator (quickdraw_apple): {quality(trained.predict(noise, verbose=0)):.2f}")
print(f"  another {quality.n_samples} of people's apples: {quality.reference():.2f}")
print(f"  the book: {recipe.reference.note}")

# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Transfer learning: VGG19 for hot dog or not (chapter 10)
#
# VGG19's convolutions, trained on ImageNet and frozen, with a new softmax layer on top learn
# "hot dog / not hot dog". `QUICK = True` trains the new layer one epoch on the bundled
# synthetic drawings at 64x64, with ImageNet's weights when Keras has them cached (else random
# ones, say so); `QUICK = False` trains as the book, 16 epochs of 15 steps on the Kaggle photos
# at 224x224 (downloaded).

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
QUICK = True  # False: the book's full run (downloads the photos and VGG19's ImageNet weights)
EPOCHS = 1 if QUICK else 16
DATA = "sample" if QUICK else "full"
IMAGE_SIZE = 64 if QUICK else 224

# %%
import keras

import zoo
from zoo import plots, pretrained, recipes
from zoo.datasets import DataSourceError, hotdog

# %matplotlib inline
keras.utils.set_random_seed(42)
recipe = recipes.get("vgg19_transfer")

# %% [markdown]
# ## Design the network
# At the book's 224x224: VGG19's base (a nested model), Flatten, Dropout, softmax; only the new
# layer trains.

# %%
book_sized = zoo.build_vgg19_transfer(input_shape=(224, 224, 3), num_classes=2, weights=None)
book_sized.summary()
trainable = sum(keras.ops.size(w) for w in book_sized.trainable_weights)
assert book_sized.count_params() == recipe.parameters["vgg19_transfer"]
assert int(trainable) == recipe.trainable_parameters["vgg19_transfer"]

# %% [markdown]
# The network this run trains (ImageNet's weights when they can be had):

# %%
try:
    model = zoo.build_vgg19_transfer(input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3), num_classes=2, weights="imagenet")
    base = "ImageNet's base"
except DataSourceError as missing:
    print(missing, "-> a random base instead")
    model = zoo.build_vgg19_transfer(input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3), num_classes=2, weights=None)
    base = "a random base"

# %% [markdown]
# ## Load data
# The book's augmentation (rotation, flips) on the training photos, pixels divided by 255.

# %%
data = hotdog.load(batch_size=recipe.batch_size, image_size=IMAGE_SIZE, source=DATA, augment=True)
train, valid = data
images, labels = next(iter(train))
plots.image_grid(images.numpy()[:8], columns=8, size=1.2, title="augmented training images");

# %% [markdown]
# ## Configure, train

# %%
model.compile(**recipe.compile_kwargs())
history = model.fit(train, validation_data=valid, epochs=EPOCHS, verbose=0,
                    steps_per_epoch=None if QUICK else 15, validation_steps=None if QUICK else 15)
if not QUICK:
    plots.learning_curves(history.history, "VGG19 transfer")

# %% [markdown]
# ## Evaluate
# This run's model on every validation image, beside any trained weights the zoo publishes for
# this network, scored on the same images.

# %%
print(f"validation accuracy on {data.info.n_validation} {'synthetic drawings' if QUICK else 'photos'}")
print(f"  this run's model ({EPOCHS} epoch(s), {base}): {model.evaluate(valid, verbose=0)[1]:.1%}")
published = [entry.name for entry in pretrained.available("vgg19_transfer") if entry.published]
for name in published:
    try:
        trained = zoo.build_vgg19_transfer(input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3), num_classes=2, weights=name)
    except ValueError as missing:
        print(f"  the zoo's weights ({name}): not at hand: {missing}")
    else:
        trained.compile(**recipe.compile_kwargs())
        print(f"  the zoo's weights ({name}): {trained.evaluate(valid, verbose=0)[1]:.1%}")
if not published:
    print("  the zoo's weights: none published for this network")
print(f"  the book: {recipe.reference.value:.1%} ({recipe.reference.note})")

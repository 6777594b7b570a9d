"""Train the book's AlexNet-inspired ConvNet on Oxford Flowers 17 (chapter 10).

    python scripts/train_alexnet.py --data-dir ~/data/17flowers   # the book: 100 epochs, batch 64, 224x224
    python scripts/train_alexnet.py --epochs 1                      # a quick look on the bundled sample
    python scripts/train_alexnet.py --image-size 195 --augment      # smaller photos, augmented

The model: three conv-pool blocks and two tanh dense layers; Adam and cross-entropy, as the book.
Writes, besides the harness's artifacts, confusion_matrix.png and the per-class validation
accuracy in metrics.json.
"""

from zoo import cli

import _flowers17  # the body train_alexnet.py and train_vggnet.py share

if __name__ == "__main__":
    cli.main(lambda: _flowers17.main("alexnet", __doc__))

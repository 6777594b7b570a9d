"""Train the book's VGGNet-inspired ConvNet on Oxford Flowers 17 (chapter 10).

    python scripts/train_vggnet.py --data-dir ~/data/17flowers    # the book: 250 epochs, batch 64, 224x224
    python scripts/train_vggnet.py --epochs 1                       # a quick look on the bundled sample
    python scripts/train_vggnet.py --image-size 212 --batch-size 16 # the smallest photos VGGNet takes

VGGNet is about twenty times AlexNet's computation per photo: on a CPU, try
``--steps-per-epoch`` for a quick look.

The model: five blocks of 3x3 convolutions and two ReLU dense layers; Adam and cross-entropy, as the book.
Writes, besides the harness's artifacts, confusion_matrix.png and the per-class validation
accuracy in metrics.json.
"""

from zoo import cli

import _flowers17  # the body train_alexnet.py and train_vggnet.py share

if __name__ == "__main__":
    cli.main(lambda: _flowers17.main("vggnet", __doc__))

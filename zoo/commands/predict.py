"""``dli-zoo predict``: film reviews scored by a sentiment classifier, or digit images classified by
an MNIST net.

    dli-zoo predict conv_sentiment/imdb "A wonderful film." "A dull, tedious mess."
    dli-zoo predict dense_sentiment/imdb --file reviews.txt          # one review a line; - reads stdin
    dli-zoo predict lenet/mnist digit.png seven.jpg                   # PNG/JPEG digits

Reviews: see zoo.commands.reviews (encoded as the model's training reviews were). Images: made
grey, inverted when their background is light, resized to 28x28 and scaled to [0, 1] (see
zoo.commands.digits). Trains nothing and writes nothing.
"""

from __future__ import annotations

from zoo import cli
from zoo.commands import digits, options, reviews

MODELS = (*reviews.MODELS, *digits.MODELS)


def make_parser():
    made = options.parser("predict", __doc__.strip().splitlines()[0] + " " + __doc__.strip().splitlines()[1])
    options.add_source(made, MODELS, "the trained classifier")
    made.add_argument("inputs", nargs="*", metavar="TEXT|IMAGE",
                      help="reviews' text (sentiment classifiers) or image files (MNIST nets)")
    reviews.add_flags(made)
    return made


def main(argv) -> None:
    args = cli.parse_args(make_parser(), argv, load_backend=False)  # the flags checked first: a refusal is instant
    source = options.source_of(args, MODELS, "predict")
    if source.model in digits.MODELS:
        result = digits.classify(args, source, args.inputs)
    else:
        result = reviews.score(args, source, args.inputs)
    options.print_result(result)

"""tf.data loaders for the book's datasets, installed as ``zoo.datasets``.

Each module offers ``load(...)`` returning ``(train, validation)`` tf.data pipelines (with an
``.info`` attribute saying where the data came from) and ``load_arrays(...)`` returning NumPy
arrays shaped as ``keras.datasets`` returns them.
"""

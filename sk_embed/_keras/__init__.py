"""The Keras side: layers, networks, optimizers and training, free of scikit-learn.

Also the workarounds for scikeras, Keras and TensorFlow (``_compat``), the
quiet TensorFlow import (``_startup``) and the memory check of embedding
tables (``_memory``). Nothing here imports the estimators or the text
transformers.

This ``__init__`` imports nothing: ``sk_embed/__init__.py`` imports
``_startup`` before anything else touches TensorFlow, which an eager import
of the other modules here would defeat.
"""

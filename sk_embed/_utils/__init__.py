"""The ground floor: what every layer may use.

Docstring text, input checks, the version and the pickles' version stamp.

Nothing here imports another part of sk_embed, Keras or TensorFlow.
"""

"""The ground floor: docstring text and input checks that every layer may use.

Nothing here imports another part of sk_embed, Keras or TensorFlow.
"""

"""Text to token ids: the tokenizers and the padding transformer.

Raw documents go through :class:`SequenceTokenizer` (a fitted vocabulary) or
:class:`HashingSequenceTokenizer` (hashed ids, no vocabulary) into ragged
sequences of ids, which :class:`PadTransformer` turns into the fixed-width
matrix the models read. The same names are importable from ``sk_embed``.

Nothing here imports Keras, TensorFlow or the estimators.
"""

from ._hashing import HashingSequenceTokenizer
from ._padding import PadTransformer
from ._tokenizer import SequenceTokenizer

__all__ = ["HashingSequenceTokenizer", "PadTransformer", "SequenceTokenizer"]

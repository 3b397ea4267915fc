"""The old path of SequenceTokenizer, kept for pickles made before #20.

pickle and joblib record a class by the module that defines it, and
unpickling imports that module: such files name ``sk_embed._tokenizer``.
The class now lives in :mod:`sk_embed.text._tokenizer`. Remove this module only
together with support for those files.
"""

from .text._tokenizer import SequenceTokenizer  # noqa: F401

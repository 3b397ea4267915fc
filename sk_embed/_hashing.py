"""The old path of HashingSequenceTokenizer, kept for pickles made before #20.

pickle and joblib record a class by the module that defines it, and
unpickling imports that module: such files name ``sk_embed._hashing``.
The class now lives in :mod:`sk_embed.text._hashing`. Remove this module only
together with support for those files.
"""

from .text._hashing import HashingSequenceTokenizer  # noqa: F401

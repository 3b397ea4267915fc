"""sk_embed's version, written here only.

``sk_embed.__version__`` and the pickles' version stamp import it, and the
build reads it from this file without importing the package
(``[tool.setuptools.dynamic]`` in ``pyproject.toml``). It sits on the ground
floor so that every part of the package may stamp its pickles.
"""

__version__ = "0.1.0"

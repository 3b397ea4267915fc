"""Every public docstring has its shared texts filled in (``fill_doc``)."""

import inspect

import pytest

import sk_embed
import sk_embed.datasets
import sk_embed.distributed

PUBLIC = [
    getattr(module, name)
    for module in (sk_embed, sk_embed.datasets, sk_embed.distributed)
    for name in getattr(module, "__all__", [])
    if callable(getattr(module, name))
]


def _docstrings(obj):
    yield obj.__qualname__, obj.__doc__ or ""
    if inspect.isclass(obj):
        for name, member in vars(obj).items():
            if callable(member) and member.__doc__:
                yield f"{obj.__qualname__}.{name}", member.__doc__


@pytest.mark.parametrize("obj", PUBLIC, ids=lambda obj: obj.__qualname__)
def test_no_placeholder_is_left(obj):
    left = [name for name, doc in _docstrings(obj) if "%(" in doc]
    assert not left

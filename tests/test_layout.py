"""The package's layout: imports run one way, and old pickles still resolve.

``FLOORS`` is the map of ``sk_embed/`` that ``docs/contributing.rst``
describes. A module may import from its own part and from parts on lower
floors, never from a part on its own floor or above, so parts cannot import
each other in a cycle. A new folder or public module fails the test until it
is placed on the map.
"""

import ast
import importlib
import warnings
from pathlib import Path

import keras
import pytest

import sk_embed

PACKAGE = Path(__file__).resolve().parents[1] / "sk_embed"

#: sk_embed's parts, from the ground floor up. "estimators" stands for the
#: private modules at the top of the package (the estimators and their base,
#: the ready pipeline); "__init__" is the public face.
FLOORS = (
    ("_utils", "datasets", "distributed"),
    ("text", "_keras"),
    ("estimators",),
    ("_inspection",),
    ("__init__",),
)
FLOOR_OF = {part: floor for floor, parts in enumerate(FLOORS) for part in parts}

#: Where pickles made before the subpackages (issue #20) look for classes,
#: and the public name each must resolve to. The text transformers moved to
#: text/ then, and pickles of theirs from before are not supported (they
#: were never released); the models stayed where they were.
OLD_PICKLE_PATHS = {
    "sk_embed._classifier": "SequenceEmbeddingClassifier",
    "sk_embed._regressor": "SequenceEmbeddingRegressor",
}

#: Names under which saved Keras configs find sk_embed's layers and optimizer.
REGISTERED_KERAS_NAMES = (
    "BatchInvariantLayerNormalization",
    "EmbeddingBag",
    "LazyAdam",
    "MaskConsumingFlatten",
    "MaskedGlobalPooling1D",
    "MaskedMultiHeadAttention",
    "PaddingMask",
    "PositionEmbedding",
    "RowLookupEmbedding",
    "SoftmaxOutput",
)


def _dotted(path):
    """``sk_embed/text/_padding.py`` -> ("text", "_padding")."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[:-1] if parts[-1] == "__init__" else parts


def _part(dotted):
    """The part of the map that holds the module named by ``dotted``."""
    if not dotted:
        return "__init__"
    if (PACKAGE / dotted[0]).is_dir() or dotted[0] == "distributed":
        return dotted[0]
    return "estimators"


def _from_base(node, package):
    """The dotted module an ``ast.ImportFrom`` reads from, or None if not ours."""
    module = tuple(node.module.split(".")) if node.module else ()
    if node.level:
        return package[: len(package) - node.level + 1] + module
    return module[1:] if module[:1] == ("sk_embed",) else None


def _is_module(dotted):
    path = PACKAGE.joinpath(*dotted)
    return path.is_dir() or path.with_suffix(".py").is_file()


def _imported(path, tree):
    """sk_embed modules imported anywhere in ``tree``, as dotted tuples."""
    package = _dotted(path) if path.name == "__init__.py" else _dotted(path)[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name.split(".") for alias in node.names]
            yield from (tuple(n[1:]) for n in names if n[0] == "sk_embed")
        elif isinstance(node, ast.ImportFrom):
            base = _from_base(node, package)
            if base is None:
                continue
            # ``from sk_embed._keras import _trainers`` imports a module.
            for alias in node.names:
                candidate = base + (alias.name,)
                yield candidate if _is_module(candidate) else base


def _imports():
    """(importer, imported) pairs of dotted module names, for every module."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for target in _imported(path, tree):
            yield _dotted(path), target


def _name(dotted):
    return ".".join(("sk_embed",) + dotted)


def test_every_part_is_on_the_map():
    parts = {_part(_dotted(path)) for path in PACKAGE.rglob("*.py")}
    assert parts <= set(FLOOR_OF), f"place {parts - set(FLOOR_OF)} in FLOORS"


#: The most lines a module may have outside its docstrings: a longer one
#: holds more than one idea, and is split along them.
MAX_CODE_LINES = 400


def _docstring_lines(tree):
    """The number of lines taken by the docstrings of the module, its classes
    and its functions."""
    documented = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    total = 0
    for node in ast.walk(tree):
        if isinstance(node, documented) and ast.get_docstring(node) is not None:
            docstring = node.body[0]
            total += docstring.end_lineno - docstring.lineno + 1
    return total


def test_no_module_is_over_the_size_limit():
    sizes = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = len(source.splitlines()) - _docstring_lines(ast.parse(source))
        sizes[path.relative_to(PACKAGE.parent).as_posix()] = lines
    over = {name: lines for name, lines in sizes.items() if lines > MAX_CODE_LINES}
    assert not over, f"over {MAX_CODE_LINES} lines outside docstrings: {over}"
    # Guards the count: the classifier has long docstrings and code.
    assert 100 < sizes["sk_embed/_classifier.py"] < 495


def test_every_module_compiles_without_warnings():
    # An invalid escape such as \w in a non-raw docstring is a DeprecationWarning
    # today, a SyntaxWarning from Python 3.12 and an error later on.
    for path in sorted(PACKAGE.rglob("*.py")):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            compile(path.read_text(encoding="utf-8"), str(path), "exec")


def test_imports_go_down_the_floors():
    wrong = []
    for importer, target in _imports():
        source, destination = _part(importer), _part(target)
        if source != destination and FLOOR_OF[destination] >= FLOOR_OF[source]:
            wrong.append(
                f"{_name(importer)} ({source}, floor {FLOOR_OF[source]}) imports "
                f"{_name(target)} ({destination}, floor {FLOOR_OF[destination]})"
            )
    assert not wrong, "imports against the direction of FLOORS:\n" + "\n".join(wrong)


def test_the_checker_sees_relative_and_absolute_imports():
    # Guards the walk above: it must find the edges it is there to check.
    edges = set(_imports())
    assert (("text", "_padding"), ("_utils", "_validation")) in edges
    assert (("_inspection", "_words"), ("_base",)) in edges
    assert ((), ("_keras", "_startup")) in edges


def test_no_import_cycle_between_modules():
    graph = {}
    for importer, target in _imports():
        graph.setdefault(importer, set()).add(target)
    done, path = set(), []

    def visit(module):
        if module in path:
            cycle = path[path.index(module) :] + [module]
            pytest.fail("import cycle: " + " -> ".join(map(_name, cycle)))
        if module in done:
            return
        path.append(module)
        for target in sorted(graph.get(module, ())):
            visit(target)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


@pytest.mark.parametrize("module_name, name", sorted(OLD_PICKLE_PATHS.items()))
def test_old_pickle_paths_resolve_to_the_public_classes(module_name, name):
    module = importlib.import_module(module_name)
    assert getattr(module, name) is getattr(sk_embed, name)


#: The public classes and functions (not the data: a dict, a version string).
PUBLIC_CODE = sorted(
    name for name in sk_embed.__all__ if hasattr(getattr(sk_embed, name), "__qualname__")
)


@pytest.mark.parametrize("name", PUBLIC_CODE)
def test_public_objects_live_at_an_importable_path(name):
    # pickle records a class (and a function) by __module__ and __qualname__.
    obj = getattr(sk_embed, name)
    module = importlib.import_module(obj.__module__)
    assert getattr(module, obj.__qualname__) is obj


@pytest.mark.parametrize("name", REGISTERED_KERAS_NAMES)
def test_keras_objects_keep_their_registered_names(name):
    registered = keras.saving.get_registered_object(f"sk_embed>{name}")
    assert registered is not None and registered.__name__ == name

import importlib.util
import os
from pathlib import Path

# scikit-learn's check_array_api_input (with NumPy arrays and array-API
# dispatch on: the results must not change) skips itself unless SciPy's
# array-API mode is on, and SciPy reads this variable once, when first
# imported, which is why it is set here, before anything imports SciPy.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

# -- The skip policy --------------------------------------------------------
# On a user's machine a test whose prerequisite is missing (the IMDB data in
# SK_EMBED_DATA, Sphinx for the documentation build, ...) skips with its
# reason. Under CI=true a skip is no check, so it fails instead, naming what
# is missing. The one allowed skip, where nothing is missing: scikit-learn's
# check_classifiers_multilabel_output_format_decision_function, which skips
# because the classifier has no decision_function (as MLPClassifier).
ALLOWED_CI_SKIPS = ("check_classifiers_multilabel_output_format_decision_function",)


def _skip_is_a_failure(report):
    if os.environ.get("CI", "").lower() != "true" or not report.skipped:
        return False
    if hasattr(report, "wasxfail"):  # an expected failure, listed with its reason
        return False
    return not any(name in report.nodeid for name in ALLOWED_CI_SKIPS)


def _fail_skip(report):
    longrepr = report.longrepr
    reason = longrepr[-1] if isinstance(longrepr, tuple) else longrepr
    report.outcome = "failed"
    report.longrepr = (
        f"Skipped under CI=true, where every prerequisite must be present: {reason}"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if _skip_is_a_failure(report):
        _fail_skip(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    report = outcome.get_result()
    if _skip_is_a_failure(report):  # a module-level importorskip
        _fail_skip(report)


def make_token_data(n_samples=240, length=10, vocab=50, n_classes=2, seed=0):
    """Padded token ids whose class is decided by the last token.

    Learnable in a few epochs by the seed network, so tests stay fast.
    """
    rng = np.random.RandomState(seed)
    X = rng.randint(1, vocab, size=(n_samples, length))
    y = (X[:, -1] * n_classes) // vocab
    return X, y


@pytest.fixture(scope="session")
def token_data():
    return make_token_data()


@pytest.fixture(scope="session")
def fitted_classifier(token_data):
    from sk_embed import SequenceEmbeddingClassifier

    X, y = token_data
    labels = np.array(["neg", "pos"])[y]
    return SequenceEmbeddingClassifier(epochs=15, random_state=0).fit(X, labels)


@pytest.fixture
def no_new_figures():
    """Fail a test that leaves a matplotlib figure open."""
    plt = pytest.importorskip("matplotlib.pyplot")
    before = set(plt.get_fignums())
    yield
    assert set(plt.get_fignums()) == before


@pytest.fixture(scope="session")
def imdb_data_home():
    """The folder named by SK_EMBED_DATA, if it holds the IMDB data; else skip."""
    from sk_embed.datasets import fetch_imdb

    data_home = os.environ.get("SK_EMBED_DATA")
    if not data_home:
        pytest.skip("SK_EMBED_DATA is not set: it must name the IMDB data folder")
    try:
        fetch_imdb(subset="train", data_home=data_home)
    except OSError as error:
        pytest.skip(f"IMDB data not available: {error}")
    return data_home


def shared_data_home(*folders):
    """The folder named by SK_EMBED_DATA, if it holds ``folders`` (such as
    ``"sentences"``); else skip, which fails under CI=true."""
    data_home = os.environ.get("SK_EMBED_DATA")
    if not data_home or not all((Path(data_home) / f).exists() for f in folders):
        pytest.skip(f"SK_EMBED_DATA must name a folder holding {', '.join(folders)}")
    return data_home


REPO_ROOT = Path(__file__).parents[1]


def load_script(path):
    """The module of a script of the repository (``benchmarks/``,
    ``examples/``), given its path from the repository's root."""
    path = REPO_ROOT / path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def bench_datasets():
    """benchmarks/bench_datasets.py, whose readers and peer the tests share."""
    return load_script("benchmarks/bench_datasets.py")

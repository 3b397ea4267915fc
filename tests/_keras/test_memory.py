"""Embedding tables too large for memory are refused before TensorFlow tries."""

import time

import numpy as np
import pytest

from sk_embed import SequenceEmbeddingClassifier, SequenceEmbeddingRegressor
from sk_embed._keras import _memory, _networks


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test if a network (and so its table) were ever built."""

    def refuse(**network):
        raise AssertionError(f"a network of {network['vocab_size']} ids was built")

    monkeypatch.setattr(_networks, "build_embedding_network", refuse)


@pytest.mark.parametrize("how", ["fit", "partial_fit"])
def test_one_huge_id_is_a_clear_error(no_network, how):
    X = np.ones((4, 3), dtype=np.int64)
    X[0, 0] = 2**40
    y = [0, 1, 0, 1]
    clf = SequenceEmbeddingClassifier()
    start = time.perf_counter()
    with pytest.raises(ValueError) as error:
        if how == "fit":
            clf.fit(X, y)
        else:
            clf.partial_fit(X, y, classes=[0, 1])
    assert time.perf_counter() - start < 1.0
    message = str(error.value)
    # (2**40 + 2) rows of 8 float32.
    assert f"table of {(2**40 + 2) * 8 * 4:,} bytes" in message
    assert "inferred from the largest id in X" in message
    assert "Set vocab_size" in message and "out-of-vocabulary row" in message
    assert not hasattr(clf, "model_") and not hasattr(clf, "classes_")


def test_a_given_vocab_size_is_checked_too(no_network):
    X, y = np.ones((4, 3), dtype=int), [0.0, 1.0, 0.0, 1.0]
    reg = SequenceEmbeddingRegressor(vocab_size=2**36, embedding_dim=300)
    with pytest.raises(ValueError, match=r"vocab_size=68719476736 \(as given\)"):
        reg.fit(X, y)


def test_a_large_table_that_fits_is_allowed():
    _memory.check_embedding_fits(10_000_000, 16, inferred=False)  # 640 MB


def test_the_limit_counts_optimizer_slots_and_gradient(monkeypatch):
    table = (999 + 1) * 10 * 4
    monkeypatch.setattr(_memory, "memory_limit", lambda: 4 * table)
    _memory.check_embedding_fits(999, 10, inferred=False)
    monkeypatch.setattr(_memory, "memory_limit", lambda: 4 * table - 1)
    with pytest.raises(ValueError, match=f"{4 * table:,} bytes, more than"):
        _memory.check_embedding_fits(999, 10, inferred=False)


def test_ids_beyond_int32_are_refused_even_with_memory_to_spare(monkeypatch):
    monkeypatch.setattr(_memory, "memory_limit", lambda: 2**62)
    with pytest.raises(ValueError, match="int32"):
        _memory.check_embedding_fits(2**31, 1, inferred=True)
    monkeypatch.setattr(_memory, "memory_limit", lambda: None)  # unknown limit
    _memory.check_embedding_fits(2**31 - 2, 1, inferred=True)


@pytest.mark.parametrize("content, lower", [("1048576\n", True), ("max\n", False)])
def test_a_container_limit_lowers_the_machine_memory(
    tmp_path, monkeypatch, content, lower
):
    limit_file = tmp_path / "memory.max"
    limit_file.write_text(content)
    monkeypatch.setattr(_memory, "CGROUP_MEMORY_MAX", str(tmp_path / "missing"))
    physical = _memory.memory_limit()
    monkeypatch.setattr(_memory, "CGROUP_MEMORY_MAX", str(limit_file))
    assert _memory.memory_limit() == (2**20 if lower else physical)
    assert physical > 2**20

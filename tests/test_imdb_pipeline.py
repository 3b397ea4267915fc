"""The raw-text pipeline end to end on real IMDB reviews, and the example."""

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from sk_embed import PadTransformer, SequenceEmbeddingClassifier, SequenceTokenizer
from sk_embed.datasets import fetch_imdb
from sk_embed.datasets import _imdb

EXAMPLE = Path(__file__).parents[1] / "examples" / "plot_imdb_seed.py"


@pytest.fixture(scope="module")
def imdb():
    data_home = os.environ.get("SK_EMBED_DATA")
    if not data_home:
        pytest.skip("SK_EMBED_DATA is not set; it must name the folder with the IMDB data")
    try:
        train = fetch_imdb(subset="train", data_home=data_home, shuffle=True, random_state=0)
        test = fetch_imdb(subset="test", data_home=data_home, shuffle=True, random_state=0)
    except OSError as error:
        pytest.skip(f"IMDB data not available: {error}")
    return data_home, train, test


def _load_example():
    spec = importlib.util.spec_from_file_location("plot_imdb_seed", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.data
def test_fast_raw_text_pipeline_learns_sentiment(imdb):
    _, train, test = imdb
    pipe = make_pipeline(
        SequenceTokenizer(num_words=10_000),
        PadTransformer(maxlen=200),
        SequenceEmbeddingClassifier(
            pooling="average",
            embedding_dim=16,
            learning_rate=0.01,
            epochs=2,
            batch_size=64,
            random_state=0,
        ),
    )
    pipe.fit(train.data[:4000], train.target[:4000])
    score = pipe.score(test.data[:2000], test.target[:2000])
    print(f"accuracy {score:.3f}")
    assert score > 0.75
    proba = pipe.predict_proba(["An absolute masterpiece, wonderful acting."])
    assert proba.shape == (1, 2)


@pytest.mark.data
def test_example_runs_the_seed_model(imdb, capsys, tmp_path):
    data_home, _, _ = imdb
    curves = tmp_path / "curves.png"
    _load_example().main(
        ["--data-home", data_home, "--epochs", "1", "--no-grid", "--curves", str(curves)]
    )
    assert curves.read_bytes().startswith(b"\x89PNG")
    out = capsys.readouterr().out
    assert "25000 training and 25000 test reviews" in out
    accuracy = float(out.split("Test accuracy: ")[1].split()[0])
    assert accuracy > 0.65


def test_example_without_data_exits_with_the_loader_message(tmp_path, monkeypatch):
    monkeypatch.setattr(_imdb, "ARCHIVE_URL", (tmp_path / "missing.tar.gz").as_uri())
    monkeypatch.setenv("SK_EMBED_CACHE", str(tmp_path / "cache"))
    with pytest.raises(SystemExit) as exit_info:
        _load_example().main(["--data-home", str(tmp_path / "empty")])
    message = str(exit_info.value)
    assert message.startswith("Cannot run the IMDB example")
    assert "SK_EMBED_DATA" in message and "aclImdb_labeled.tar.gz" in message

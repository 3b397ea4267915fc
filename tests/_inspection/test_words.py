"""Tests of most_similar, plot_embeddings and save_word_vectors.

Most tests read a pipeline whose embedding is frozen at known vectors
(``embeddings=`` with ``trainable_embeddings=False``), so that every
similarity, projection and written value can be checked exactly against a
computation made here from those vectors.
"""

import os
from types import SimpleNamespace

import keras
import numpy as np
import pytest

# Never open a window: the tests only inspect the figures.
os.environ.setdefault("MPLBACKEND", "Agg")
plt = pytest.importorskip("matplotlib.pyplot")

from sklearn.decomposition import PCA, TruncatedSVD  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import PolynomialFeatures  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402

from sk_embed import (  # noqa: E402
    PadTransformer,
    SequenceEmbeddingClassifier,
    SequenceEmbeddingRegressor,
    SequenceTokenizer,
    load_word_vectors,
    make_text_classifier,
    most_similar,
    plot_embeddings,
    save_word_vectors,
)
from sk_embed._keras._layers import EmbeddingBag  # noqa: E402

TEXTS = [
    "good great fine film",
    "bad awful poor film",
    "good fine plot",
    "awful poor cast",
    "great cast",
    "bad plot",
] * 4
LABELS = [1, 0, 1, 0, 1, 0] * 4
#: Word whose frozen vector is all zeros: it has no direction.
ZERO_WORD = "cast"


def _known_vectors(tokenizer, dim=5):
    """Random rows (float32) for every id, zeros for padding and ZERO_WORD."""
    n_ids = max(tokenizer.vocabulary_.values()) + 1
    vectors = np.random.RandomState(0).normal(size=(n_ids, dim)).astype(np.float32)
    vectors[0] = 0.0
    vectors[tokenizer.vocabulary_[ZERO_WORD]] = 0.0
    return vectors


def _frozen_pipeline(**params):
    tokenizer = SequenceTokenizer().fit(TEXTS)
    vectors = _known_vectors(tokenizer)
    pipe = make_pipeline(
        tokenizer,
        PadTransformer(maxlen=4),
        SequenceEmbeddingClassifier(
            embeddings=vectors, trainable_embeddings=False, hidden_units=(),
            epochs=1, random_state=0, **params,
        ),
    )  # fmt: skip
    pipe.fit(TEXTS, LABELS)
    return pipe, vectors


@pytest.fixture(scope="module")
def frozen_bag():
    """A pipeline with known vectors in an EmbeddingBag."""
    return _frozen_pipeline(pooling="average")


@pytest.fixture(scope="module", params=["flatten", "average"])
def frozen(request):
    """A pipeline with known vectors: a Keras Embedding, then an EmbeddingBag."""
    if request.param == "average":
        return request.getfixturevalue("frozen_bag")
    return _frozen_pipeline(pooling=request.param)


def _cosine(u, v):
    u, v = np.asarray(u, np.float64), np.asarray(v, np.float64)
    return float(u @ v / np.sqrt((u @ u) * (v @ v)))


def _words_by_id(tokenizer):
    return sorted(tokenizer.vocabulary_, key=tokenizer.vocabulary_.get)


# -- most_similar -------------------------------------------------------------


def test_ranks_every_other_word_by_exact_cosine_similarity(frozen):
    pipe, vectors = frozen
    layer = pipe[-1].model_.get_layer("embedding")
    pooled = pipe[-1].pooling == "average"
    assert isinstance(layer, EmbeddingBag if pooled else keras.layers.Embedding)
    vocabulary = pipe[0].vocabulary_
    expected = sorted(
        (
            (word, _cosine(vectors[id_], vectors[vocabulary["good"]]))
            for word, id_ in vocabulary.items()
            if word not in ("good", ZERO_WORD)
        ),
        key=lambda pair: -pair[1],
    )
    neighbours = most_similar(pipe, "good", topn=100)
    assert [word for word, _ in neighbours] == [word for word, _ in expected]
    np.testing.assert_allclose(
        [similarity for _, similarity in neighbours],
        [similarity for _, similarity in expected],
        rtol=1e-6,
    )
    assert all(type(similarity) is float for _, similarity in neighbours)
    assert most_similar(pipe, "good", topn=3) == neighbours[:3]
    assert len(most_similar(pipe, "good")) == min(10, len(expected))
    frequent = set(_words_by_id(pipe[0])[:4])
    assert most_similar(pipe, "good", restrict_vocab=4) == [
        pair for pair in neighbours if pair[0] in frequent
    ]


def test_reserved_ids_and_zero_vectors_are_never_candidates(frozen_bag):
    pipe, _ = frozen_bag
    words = {word for word, _ in most_similar(pipe, "bad", topn=1000)}
    # Padding and out-of-vocabulary rows are not words; ZERO_WORD has no
    # direction; the query is not its own neighbour.
    assert words == set(pipe[0].vocabulary_) - {"bad", ZERO_WORD}
    with pytest.raises(ValueError, match=f"vector of '{ZERO_WORD}' is all zeros"):
        most_similar(pipe, ZERO_WORD)


def test_learned_vectors_bring_words_of_the_same_label_together():
    # "great" and "superb" only ever say 1, "awful" and "dull" only 0; the
    # filler words say both.
    texts = ["the great film", "a superb film", "the awful film", "a dull film"] * 10
    labels = [1, 1, 0, 0] * 10
    pipe = make_pipeline(
        SequenceTokenizer(),
        PadTransformer(maxlen=3),
        SequenceEmbeddingClassifier(
            embedding_dim=4, hidden_units=(), pooling="average", optimizer="adam",
            learning_rate=0.1, epochs=10, random_state=0,
        ),
    ).fit(texts, labels)  # fmt: skip
    # Seeds 0 to 3 all give about +0.999 and -0.999.
    neighbours = most_similar(pipe, "great", topn=10)
    assert neighbours[0][0] == "superb" and neighbours[0][1] > 0.9
    similarity = dict(neighbours)
    assert similarity["awful"] < -0.9 and similarity["dull"] < -0.9
    assert most_similar(pipe, "awful", topn=1)[0][0] == "dull"


def test_unknown_word_raises_key_error(frozen_bag):
    pipe, _ = frozen_bag
    with pytest.raises(KeyError, match="'superb' is not in the vocabulary"):
        most_similar(pipe, "superb")
    with pytest.raises(KeyError, match="lowercases texts: try 'good'"):
        most_similar(pipe, "Good")
    with pytest.raises(KeyError, match="<OOV>"):
        most_similar(pipe, "<OOV>")


def test_words_beyond_the_model_vocabulary_have_no_vector():
    # A regressor's pipeline reads the same way as a classifier's.
    pipe = make_pipeline(
        SequenceTokenizer(),
        PadTransformer(maxlen=4),
        SequenceEmbeddingRegressor(vocab_size=5, epochs=1, random_state=0),
    ).fit(TEXTS, LABELS)
    by_id = _words_by_id(pipe[0])
    # Ids 2, 3 and 4 have rows of their own; larger ids share row 5.
    neighbours = most_similar(pipe, by_id[0])
    assert [word for word, _ in neighbours] in (by_id[1:3], by_id[2:0:-1])
    table = pipe[-1].model_.get_layer("embedding").get_weights()[0]
    vocabulary = pipe[0].vocabulary_
    for word, similarity in neighbours:
        assert similarity == pytest.approx(
            _cosine(table[vocabulary[word]], table[vocabulary[by_id[0]]])
        )
    with pytest.raises(KeyError, match=f"'{by_id[3]}' has id 5.*vocab_size_=5"):
        most_similar(pipe, by_id[3])


def test_ngrams_are_neither_candidates_nor_queries():
    pipe = make_text_classifier(
        epochs=1, maxlen=20, validation_split=0.0, callbacks=None, random_state=0
    ).fit(TEXTS, LABELS)
    assert "good great" in pipe[0].vocabulary_
    unigrams = {word for word in pipe[0].vocabulary_ if " " not in word}
    neighbours = most_similar(pipe, "good", topn=1000)
    assert {word for word, _ in neighbours} == unigrams - {"good"}
    with pytest.raises(KeyError, match="'good great' is an n-gram"):
        most_similar(pipe, "good great")


def test_a_tokenizer_of_ngrams_only_has_no_words(frozen_bag):
    pipe, _ = frozen_bag
    # Steps fitted apart: most_similar only reads them.
    bigrams = SequenceTokenizer(ngram_range=(2, 2)).fit(TEXTS)
    with pytest.raises(ValueError, match=r"only n-grams.*ngram_range=\(1, n\)"):
        most_similar(make_pipeline(bigrams, pipe[-1]), "good")


def test_model_errors(frozen_bag):
    pipe, _ = frozen_bag
    unfitted = make_pipeline(
        SequenceTokenizer(), PadTransformer(), SequenceEmbeddingClassifier()
    )
    with pytest.raises(NotFittedError, match="Pipeline is not fitted.*most_similar"):
        most_similar(unfitted, "good")
    with pytest.raises(TypeError, match="has no SequenceTokenizer"):
        most_similar(make_pipeline(PadTransformer(), pipe[-1]), "good")
    with pytest.raises(TypeError, match="has no embedding estimator"):
        most_similar(make_pipeline(pipe[0], PadTransformer()), "good")
    with pytest.raises(TypeError, match="Classifier. Pass the whole pipeline"):
        most_similar(pipe[-1], "good")
    search = SimpleNamespace(best_estimator_=pipe)
    with pytest.raises(TypeError, match="got SimpleNamespace.*its best_estimator_"):
        most_similar(search, "good")
    with pytest.raises(InvalidParameterError, match="topn"):
        most_similar(pipe, "good", topn=0)
    with pytest.raises(InvalidParameterError, match="restrict_vocab"):
        most_similar(pipe, "good", restrict_vocab=0)
    with pytest.raises(InvalidParameterError, match="word"):
        most_similar(pipe, 3)


# -- save_word_vectors ----------------------------------------------------------


@pytest.mark.parametrize("format", ["glove", "word2vec"])
def test_text_formats_round_trip_through_load_word_vectors(
    frozen_bag, tmp_path, format
):
    pipe, vectors = frozen_bag
    path = tmp_path / "vectors.txt"
    assert save_word_vectors(pipe, path, format=format) == [path]
    lines = path.read_text(encoding="utf-8").splitlines()
    words = _words_by_id(pipe[0])
    if format == "word2vec":
        assert lines.pop(0) == f"{len(words)} {vectors.shape[1]}"
    assert [line.split(" ")[0] for line in lines] == words
    loaded = load_word_vectors(path, pipe[0], missing="zeros")
    assert loaded.n_covered == len(words)
    # Every float32 value reads back exactly.
    # Every word's float32 values read back exactly (rows 0 and 1 are not
    # words: load_word_vectors fills them with zeros).
    np.testing.assert_array_equal(loaded.matrix[2:], vectors[2:])


def test_projector_files(frozen_bag, tmp_path):
    pipe, vectors = frozen_bag
    folder = tmp_path / "new" / "projector"
    paths = save_word_vectors(pipe, str(folder), format="projector", n_words=4)
    assert paths == [folder / "vectors.tsv", folder / "metadata.tsv"]
    words = _words_by_id(pipe[0])[:4]
    assert (folder / "metadata.tsv").read_text(encoding="utf-8") == (
        "".join(f"{word}\n" for word in words)
    )
    values = np.loadtxt(folder / "vectors.tsv", delimiter="\t", dtype=np.float32)
    ids = [pipe[0].vocabulary_[word] for word in words]
    np.testing.assert_array_equal(values, vectors[ids])


def test_words_holding_whitespace_are_not_written(frozen_bag, tmp_path):
    pipe, _ = frozen_bag
    # Steps fitted apart: most_similar only reads them. Without n-grams, a
    # token holding a space is a word of its own.
    phrases = SequenceTokenizer(token_pattern="[^,]+").fit(["good film,bad plot"])
    pipe = make_pipeline(phrases, pipe[-1])
    assert most_similar(pipe, "good film") == [
        ("bad plot", pytest.approx(_cosine(*pipe[-1].embeddings[[2, 3]])))
    ]
    with pytest.raises(ValueError, match="'good film'.*whitespace"):
        save_word_vectors(pipe, tmp_path / "vectors.txt")
    assert not (tmp_path / "vectors.txt").exists()


# -- plot_embeddings ----------------------------------------------------------


def test_plot_draws_the_pca_projection_of_the_given_words(frozen_bag, no_new_figures):
    pipe, vectors = frozen_bag
    words = ["good", "great", "bad", "awful", "good"]
    fig, ax = plot_embeddings(pipe, words)
    try:
        assert ax.get_figure() is fig
        assert [text.get_text() for text in ax.texts] == words[:4]
        ids = [pipe[0].vocabulary_[word] for word in words[:4]]
        pca = PCA(n_components=2).fit(vectors[ids].astype(np.float64))
        np.testing.assert_allclose(
            ax.collections[0].get_offsets(), pca.transform(vectors[ids]), atol=1e-6
        )
        for text, point in zip(ax.texts, ax.collections[0].get_offsets()):
            np.testing.assert_allclose(text.xy, point)
        share = pca.explained_variance_ratio_[0]
        assert ax.get_xlabel() == f"Component 1 ({share:.1%} of the variance)"
        assert ax.get_title() == "PCA projection of 4 word vectors"
    finally:
        plt.close(fig)


#: The 21 words of the map of examples/plot_text_classifier.py (three query
#: words and their six nearest neighbours), at points like the example's:
#: two tight clusters, near-coincident pairs ("worse"/"poor", "avoid"/
#: "awful", "noir"/"fantastic") and a long word at the right edge.
MAP_WORDS = {
    "great": (-1.0, 0.3), "excellent": (-0.95, 0.25), "wonderful": (-0.9, 0.35),
    "fantastic": (-0.85, 0.1), "noir": (-0.84, 0.08), "perfect": (-1.05, 0.2),
    "superb": (-0.97, 0.32), "awful": (0.9, -0.1), "avoid": (0.91, -0.09),
    "terrible": (0.85, -0.05), "worst": (0.95, -0.15), "waste": (0.88, -0.2),
    "poor": (0.7, 0.0), "worse": (0.7, 0.005), "boring": (0.6, 0.5),
    "dull": (0.55, 0.45), "disappointment": (1.1, 0.2), "mess": (0.62, 0.4),
    "lame": (0.65, 0.55), "poorly": (0.58, 0.35), "fails": (0.5, 0.3),
}  # fmt: skip


def _map_pipeline():
    """A pipeline whose frozen 2-D vectors are MAP_WORDS' points."""
    texts = [" ".join(MAP_WORDS), "great", "awful"]
    tokenizer = SequenceTokenizer().fit(texts)
    vectors = np.zeros((len(tokenizer.vocabulary_) + 2, 2), np.float32)
    for word, point in MAP_WORDS.items():
        vectors[tokenizer.vocabulary_[word]] = point
    return make_pipeline(
        SequenceTokenizer(),
        PadTransformer(maxlen=4),
        SequenceEmbeddingClassifier(
            embeddings=vectors, trainable_embeddings=False, hidden_units=(),
            epochs=1, random_state=0,
        ),
    ).fit(texts, [0, 1, 0])  # fmt: skip


def _label_boxes(fig, ax):
    """The labels' text boxes (no leader line) and the axes', in pixels."""
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [Text.get_window_extent(text, renderer) for text in ax.texts]
    return boxes, ax.get_window_extent(renderer)


@pytest.mark.parametrize("figsize", [None, (4.0, 3.0)])
def test_plot_labels_neither_overlap_nor_leave_the_axes(figsize, no_new_figures):
    pipe = _map_pipeline()
    words = list(MAP_WORDS)
    ax = None if figsize is None else plt.subplots(figsize=figsize)[1]
    fig, ax = plot_embeddings(pipe, words, ax=ax)
    try:
        assert [text.get_text() for text in ax.texts] == words
        boxes, frame = _label_boxes(fig, ax)
        for word, box in zip(words, boxes):
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1, word
            assert frame.y0 <= box.y0 and box.y1 <= frame.y1, word
        for i, first in enumerate(boxes):
            for j in range(i + 1, len(boxes)):
                second = boxes[j]
                overlap = (
                    first.x0 < second.x1 and second.x0 < first.x1
                    and first.y0 < second.y1 and second.y0 < first.y1
                )  # fmt: skip
                assert not overlap, (words[i], words[j])
        # Each label still belongs to its point: anchored on it, near it,
        # and joined to it by a thin line when it had to move away.
        points = ax.transData.transform(ax.collections[0].get_offsets())
        for text, box, point in zip(ax.texts, boxes, points):
            np.testing.assert_allclose(ax.transData.transform(text.xy), point)
            gap = np.hypot(
                max(box.x0 - point[0], 0, point[0] - box.x1),
                max(box.y0 - point[1], 0, point[1] - box.y1),
            )
            assert gap < 0.25 * frame.width, text.get_text()
            if gap > 6.5 * fig.dpi / 72:  # more than 6 points away
                assert text.arrow_patch is not None, text.get_text()
        if figsize is not None:  # crowded: some labels had to move away
            assert any(text.arrow_patch is not None for text in ax.texts)
    finally:
        plt.close(fig)


def test_plot_defaults_to_the_most_frequent_words(frozen_bag, no_new_figures):
    pipe, _ = frozen_bag
    fig, ax = plot_embeddings(pipe, n_words=3)
    plt.close(fig)
    assert [text.get_text() for text in ax.texts] == _words_by_id(pipe[0])[:3]
    fig, ax = plot_embeddings(pipe)  # fewer words than the default 50
    plt.close(fig)
    assert len(ax.texts) == len(pipe[0].vocabulary_)


def test_plot_on_given_axes_with_another_projection(frozen_bag, no_new_figures):
    pipe, vectors = frozen_bag
    fig, given = plt.subplots()
    try:
        projection = TruncatedSVD(n_components=2, random_state=0)
        returned_fig, ax = plot_embeddings(pipe, n_words=6, projection=projection)
        plt.close(returned_fig)
        returned_fig, ax = plot_embeddings(
            pipe, n_words=6, projection=projection, ax=given
        )
        assert ax is given and returned_fig is fig
        assert not hasattr(projection, "components_")  # cloned, not fitted
        assert ax.get_xlabel() == "Component 1"
        assert ax.get_title() == "TruncatedSVD projection of 6 word vectors"
    finally:
        plt.close(fig)


def test_plot_errors(frozen_bag, no_new_figures):
    pipe, _ = frozen_bag
    with pytest.raises(KeyError, match="'superb' is not in the vocabulary"):
        plot_embeddings(pipe, ["good", "superb"])
    with pytest.raises(TypeError, match="'words' parameter.*Got 'good'"):
        plot_embeddings(pipe, "good")
    with pytest.raises(ValueError, match="at least 2 words; got 1"):
        plot_embeddings(pipe, ["good", "good"])
    with pytest.raises(ValueError, match="2 columns.*shape \\(3, 3\\)"):
        plot_embeddings(pipe, ["good", "bad", "fine"], projection=PCA(3))
    with pytest.raises(InvalidParameterError, match="projection"):
        plot_embeddings(pipe, projection="tsne")


def test_pca_needs_two_dimensions(no_new_figures):
    pipe = make_pipeline(
        SequenceTokenizer(),
        PadTransformer(maxlen=4),
        SequenceEmbeddingClassifier(embedding_dim=1, epochs=1, random_state=0),
    ).fit(TEXTS, LABELS)
    with pytest.raises(ValueError, match="single dimension: PCA"):
        plot_embeddings(pipe)
    # Another projection may map one dimension to two.
    fig, ax = plot_embeddings(pipe, projection=PolynomialFeatures(include_bias=False))
    plt.close(fig)
    np.testing.assert_allclose(
        ax.collections[0].get_offsets()[:, 1],
        ax.collections[0].get_offsets()[:, 0] ** 2,
        rtol=1e-5,
    )

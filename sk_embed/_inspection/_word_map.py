"""Maps of the word vectors a sequence-embedding estimator learned.

matplotlib is an optional dependency: it is imported only when a plot is
drawn, so this module (and :mod:`sk_embed`) imports without it.
"""

from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)

from .._utils._docstrings import fill_doc
from ._pyplot import import_pyplot
from ._words import word_table

__all__ = ["plot_embeddings"]


@fill_doc
@validate_params(
    {
        "model": "no_validation",
        "words": ["array-like", None],
        "n_words": [Interval(Integral, 2, None, closed="left")],
        "projection": [StrOptions({"pca"}), HasMethods(["fit_transform"])],
        "ax": "no_validation",
    },
    prefer_skip_nested_validation=True,
)
def plot_embeddings(model, words=None, *, n_words=50, projection="pca", ax=None):
    """Draw the learned word vectors of a fitted pipeline in two dimensions.

    Projects the vectors of the chosen words onto a plane (by default the
    first two principal components of those vectors) and draws each word as
    a labelled point: words the model treats alike land close together.

    Parameters
    ----------
    %(inspected_pipeline)s

    words : list of str, default=None
        The words to draw (repeats are drawn once). None draws the
        ``n_words`` most frequent words of the vocabulary.

    n_words : int, default=50
        Number of most frequent words drawn when ``words`` is None; ignored
        otherwise.

    projection : "pca" or transformer, default="pca"
        How the vectors are brought down to two dimensions: "pca" is
        :class:`~sklearn.decomposition.PCA` with two components; a
        scikit-learn transformer (such as ``TSNE(perplexity=10,
        random_state=0)``) is cloned, then its ``fit_transform`` must return
        two columns. It is fitted on the drawn words' vectors only.

    ax : matplotlib Axes, default=None
        Axes to draw on. If None, a new figure is created.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure holding the plot.

    ax : matplotlib Axes
        The Axes drawn on: one point per word (``ax.collections[0]``) and
        one text label per word (``ax.texts``, annotations of the points),
        in the order of the words.

    Raises
    ------
    ImportError
        If matplotlib is not installed.
    KeyError
        If a word of ``words`` has no vector of its own (see
        :func:`most_similar`).
    %(inspected_pipeline_errors)s
    ValueError
        If ``words`` is a single str (not a list), if fewer than two words
        are to be drawn, if ``projection="pca"`` and the embedding has a
        single dimension, or if ``projection`` does not return two columns.

    See Also
    --------
    most_similar : The nearest words of a word, by cosine similarity.
    save_word_vectors : Export the vectors, for TensorBoard's Embedding
        Projector among others.

    Notes
    -----
    The figure is never shown: call ``plt.show()`` or ``fig.savefig(...)``
    yourself, and ``plt.close(fig)`` to free it. With PCA, each axis label
    gives the share of the drawn vectors' variance its component explains;
    a small share means the plane hides much of how the words differ.

    The labels neither overlap one another nor leave the axes. Measured as
    the renderer draws them, each takes a free place around its point
    (above or below, right or left), and those still overlapping are
    pushed apart, deterministically; a label that ends away from its point
    is joined to it by a thin line. They are placed for the figure's size
    and the axes' limits at the time of the call: draw on ``ax`` sized as
    it will be saved. Where many words crowd a small area, the labels may
    still overlap; draw fewer words or a larger figure.

    Examples
    --------
    >>> from sk_embed import make_text_classifier, plot_embeddings
    >>> texts = ["a great film", "a superb cast", "an awful film",
    ...          "a dull plot"] * 10
    >>> labels = ["pos", "pos", "neg", "neg"] * 10
    >>> pipe = make_text_classifier(
    ...     epochs=1, validation_split=0.0, callbacks=None, random_state=0,
    ... ).fit(texts, labels)
    >>> fig, ax = plot_embeddings(pipe, ["great", "superb", "awful", "dull"])
    >>> [text.get_text() for text in ax.texts]
    ['great', 'superb', 'awful', 'dull']
    >>> ax.collections[0].get_offsets().shape
    (4, 2)
    >>> fig, ax = plot_embeddings(pipe, n_words=3)  # words only, no n-grams
    >>> [text.get_text() for text in ax.texts]
    ['a', 'film', 'great']
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    plt = import_pyplot("plot_embeddings")
    table = word_table(model, "plot_embeddings")
    rows = _rows_to_draw(table, words, n_words)
    points, projector = _project(table.vectors[rows], projection)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.0, 6.0))
    else:
        fig = ax.get_figure()
    ax.scatter(points[:, 0], points[:, 1], s=_MARKER_AREA)
    name = "PCA" if isinstance(projector, PCA) else type(projector).__name__
    ax.set_title(f"{name} projection of {len(rows)} word vectors")
    for axis, (set_label, component) in enumerate(
        [(ax.set_xlabel, "Component 1"), (ax.set_ylabel, "Component 2")]
    ):
        if isinstance(projector, PCA):
            share = projector.explained_variance_ratio_[axis]
            component = f"{component} ({share:.1%} of the variance)"
        set_label(component)
    _draw_labels(ax, [table.words[row] for row in rows], points)
    return fig, ax


#: Area of a word's marker, in points squared (matplotlib's ``s``).
_MARKER_AREA = 12
#: Where a label goes by default: this many points above and to the right
#: of its word's point.
_LABEL_OFFSET = 3.0
#: Room kept between two labels, and between a label and the axes' frame,
#: in points.
_LABEL_GAP = 1.0
#: A label farther than this from its point (in points) gets a leader line.
_LEADER_DISTANCE = 6.0
#: Most rounds of the repulsion.
_MAX_ROUNDS = 1000


def _draw_labels(ax, words, points):
    """Label each point with its word, the labels kept apart and inside the axes.

    The labels are measured as the renderer draws them (the pixel box of
    each text). Each, in order, takes the first of six places around its
    point (above right, above left, below right, below left, above, below)
    that overlaps no label placed before it, no point and not the axes'
    frame, or else the place that overlaps least. Overlaps left then push
    the labels apart, and off the points, by the smallest move that ends
    each (half each for two labels), round after round, inside the axes.
    Nothing is random. A label that ends farther than ``_LEADER_DISTANCE``
    from its point gets a thin leader line to it.

    The labels are placed for the axes' size and limits when this returns:
    resizing the figure or changing the limits afterwards may make them
    overlap again.
    """
    fig = ax.get_figure()
    # Settle the view limits and the axes' place (a layout engine moves it),
    # and give the texts a renderer to measure them with.
    fig.draw_without_rendering()
    offset = (_LABEL_OFFSET, _LABEL_OFFSET)

    def annotate(word, point, xytext=offset, arrowprops=None):
        return ax.annotate(
            word, point, xytext=xytext, textcoords="offset points",
            va="bottom", arrowprops=arrowprops,
        )  # fmt: skip

    texts = [annotate(word, point) for word, point in zip(words, points)]
    boxes = np.array([text.get_window_extent().extents for text in texts])
    for text in texts:
        text.remove()
    frame = ax.get_window_extent().extents
    pixels_per_point = fig.dpi / 72.0
    anchors = ax.transData.transform(points)
    marker_radius = np.sqrt(_MARKER_AREA) / 2.0 * pixels_per_point
    markers = np.hstack([anchors - marker_radius, anchors + marker_radius])
    gap = _LABEL_GAP * pixels_per_point
    shifts = _first_places(
        boxes, markers, frame, gap, _LABEL_OFFSET * pixels_per_point
    )
    boxes = boxes + np.tile(shifts, 2)
    more = _repel(boxes, markers, frame, gap)
    shifts, boxes = shifts + more, boxes + np.tile(more, 2)
    # From each point to the nearest point of its label's box.
    outside = np.maximum(boxes[:, :2] - anchors, anchors - boxes[:, 2:])
    distances = np.hypot(*np.maximum(outside, 0.0).T)
    leader = dict(arrowstyle="-", color="0.45", linewidth=0.6, shrinkA=0, shrinkB=2)
    for word, point, shift, distance in zip(
        words, points, shifts / pixels_per_point, distances / pixels_per_point
    ):
        annotate(
            word,
            point,
            xytext=tuple(np.add(offset, shift)),
            arrowprops=leader if distance > _LEADER_DISTANCE else None,
        )


def _overlap_areas(first, second, gap):
    """Overlap area of every box of ``first`` with every box of ``second``."""
    x, y = _overlaps(first, second, gap)
    return np.clip(x, 0.0, None) * np.clip(y, 0.0, None)


def _first_places(boxes, markers, frame, gap, offset):
    """Moves (in pixels) of each label box to the first of its six places
    that overlaps nothing, or else to the one that overlaps least."""
    sizes = boxes[:, 2:] - boxes[:, :2]
    shifts = np.zeros((len(boxes), 2))
    inner_frame = (frame + [gap, gap, -gap, -gap])[None, :]
    for index, (box, (width, height)) in enumerate(zip(boxes, sizes)):
        left = -(width + 2 * offset)
        centre = -(width / 2 + offset)
        down = -(height + 2 * offset)
        moves = np.array(
            [(0, 0), (left, 0), (0, down), (left, down), (centre, 0), (centre, down)]
        )
        places = box + np.tile(moves, 2)
        placed = boxes[:index] + np.tile(shifts[:index], 2)
        outside = width * height - _overlap_areas(places, inner_frame, 0.0)[:, 0]
        # A place next to another point than its own would read as that
        # point's label: it costs too, less than an overlap.
        others = np.delete(markers, index, axis=0)
        cost = (
            _overlap_areas(places, placed, gap).sum(axis=1)
            + _overlap_areas(places, markers, 0.0).sum(axis=1)
            + 0.25 * _overlap_areas(places, others, offset).sum(axis=1)
            + 10 * outside
        )
        shifts[index] = moves[np.argmin(cost)]
    return shifts


def _overlaps(first, second, gap):
    """Overlaps in x and in y of every box of ``first`` with every box of
    ``second`` (rows x0, y0, x1, y1), each counted ``gap`` wider; a pair
    overlaps when both are positive."""
    x = np.minimum(first[:, None, 2], second[None, :, 2]) - np.maximum(
        first[:, None, 0], second[None, :, 0]
    )
    y = np.minimum(first[:, None, 3], second[None, :, 3]) - np.maximum(
        first[:, None, 1], second[None, :, 1]
    )
    return x + gap, y + gap


def _pushes(first, second, gap, share, skip_same=False):
    """How far each box of ``first`` must move to end its overlaps with the
    boxes of ``second``, and whether it overlaps any.

    For each overlapping pair: ``share`` of the smaller of its two
    overlaps, along that axis, away from the other box (when the centres
    coincide, the box of lower index goes left or up). ``skip_same``
    ignores the pairs of a box with itself, for ``second is first``.
    """
    x, y = _overlaps(first, second, gap)
    overlapping = (x > 0) & (y > 0)
    if skip_same:
        np.fill_diagonal(overlapping, False)

    def centres(boxes):
        return (boxes[:, :2] + boxes[:, 2:]) / 2

    away = centres(first)[:, None, :] - centres(second)[None, :, :]
    lower = np.arange(len(first))[:, None] < np.arange(len(second))[None, :]
    tie = np.where(lower, -1.0, 1.0)
    sign_x = np.where(away[..., 0] != 0, np.sign(away[..., 0]), tie)
    sign_y = np.where(away[..., 1] != 0, np.sign(away[..., 1]), -tie)
    along_x = overlapping & (x < y)
    along_y = overlapping & ~along_x
    pushes = np.column_stack(
        [
            (np.where(along_x, x, 0.0) * sign_x).sum(axis=1),
            (np.where(along_y, y, 0.0) * sign_y).sum(axis=1),
        ]
    )
    return pushes * share, overlapping.any(axis=1)


def _repel(boxes, markers, frame, gap):
    """Moves (in pixels) that separate the label ``boxes`` from one another
    and from the ``markers`` and keep them inside ``frame`` (all as rows
    x0, y0, x1, y1), as far as room allows."""
    boxes = boxes.copy()
    shifts = np.zeros((len(boxes), 2))

    def move(by):
        nonlocal boxes, shifts
        shifts = shifts + by
        boxes = boxes + np.tile(by, 2)

    for _ in range(_MAX_ROUNDS):
        move(_inside(boxes, frame, gap))
        # Each pair is pushed a little more than its overlap apart, so that
        # it ends apart even when one of the two is held by the frame.
        between, on_labels = _pushes(boxes, boxes, gap + 0.5, 0.5, skip_same=True)
        from_markers, on_markers = _pushes(boxes, markers, 0.5, 1.0)
        if not (on_labels.any() or on_markers.any()):
            break
        move(between + from_markers)
    move(_inside(boxes, frame, gap))
    return shifts


def _inside(boxes, frame, gap):
    """Moves that bring each box inside ``frame``, ``gap`` from its edges
    (to the left or bottom edge if the box is larger than the frame)."""
    low = frame[:2] + gap - boxes[:, :2]
    high = frame[2:] - gap - boxes[:, 2:]
    return np.where(low > 0, low, np.minimum(high, 0.0))


def _rows_to_draw(table, words, n_words):
    """Rows of the table to draw: those of ``words``, or the most frequent."""
    if words is None:
        rows = table.head(n_words)
    else:
        rows = [table.index(word) for word in dict.fromkeys(words)]
    if len(rows) < 2:
        raise ValueError(f"A projection needs at least 2 words; got {len(rows)}.")
    return np.asarray(rows)


def _project(vectors, projection):
    """Return the 2-D points of ``vectors`` and the fitted projector."""
    if isinstance(projection, str):
        if vectors.shape[1] < 2:
            raise ValueError(
                "The embedding has a single dimension: PCA has no second "
                "component. Pass another projection, such as TSNE."
            )
        projector = PCA(n_components=2)
    else:
        projector = clone(projection)
    if hasattr(projector, "set_output"):
        # An internal step: NumPy points whatever set_config(transform_output=...).
        projector.set_output(transform="default")
    points = np.asarray(projector.fit_transform(vectors))
    if points.shape != (len(vectors), 2):
        raise ValueError(
            "projection must map the vectors to 2 columns; "
            f"{type(projector).__name__}.fit_transform returned shape "
            f"{points.shape}."
        )
    return points, projector

"""Training curves of the sequence-embedding estimators.

matplotlib is an optional dependency: it is imported only when a plot is
drawn, so this module (and :mod:`sk_embed`) imports without it.
"""

from collections.abc import Mapping

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._pyplot import import_pyplot

__all__ = ["plot_history"]

_VAL_PREFIX = "val_"


def _find_history(obj):
    """Return the history dict of an estimator, Pipeline, History or dict."""
    if isinstance(obj, Mapping):
        return obj, "the history"
    # A Pipeline (or any meta-estimator with steps): its last step.
    steps = getattr(obj, "steps", None)
    if isinstance(steps, list) and steps and hasattr(obj, "get_params"):
        return _find_history(steps[-1][1])
    if hasattr(obj, "get_params"):
        # A fitted search (GridSearchCV...) holds the refitted estimator.
        if hasattr(obj, "best_estimator_"):
            return _find_history(obj.best_estimator_)
        check_is_fitted(
            obj,
            "history_",
            msg=(
                "This %(name)s instance is not fitted yet, or has no training "
                "history: call 'fit' before plot_history."
            ),
        )
        return obj.history_, f"{type(obj).__name__}.history_"
    # A keras.callbacks.History (what Model.fit returns).
    history = getattr(obj, "history", None)
    if isinstance(history, Mapping):
        return history, "History.history"
    raise TypeError(
        "plot_history expects a fitted estimator with a history_ attribute, a "
        "Pipeline ending with one, a keras.callbacks.History or a dict of "
        f"metric name to per-epoch values; got {type(obj).__name__}."
    )


def _available_metrics(history):
    """Names of the recorded metrics without the val_ prefix, loss first."""
    names = []
    for key in history:
        name = key[len(_VAL_PREFIX) :] if key.startswith(_VAL_PREFIX) else key
        if name not in names:
            names.append(name)
    if "loss" in names:
        names.remove("loss")
        names.insert(0, "loss")
    return names


def _check_metrics(metrics, available, source):
    if metrics is None:
        if not available:
            raise ValueError(f"{source} is empty: there is nothing to plot.")
        return list(available)
    if isinstance(metrics, str):
        metrics = [metrics]
    metrics = list(metrics)
    if not metrics:
        raise ValueError("metrics is empty; pass at least one metric name.")
    for metric in metrics:
        if not isinstance(metric, str):
            raise TypeError(
                f"metrics must be metric names (str), got {type(metric).__name__}."
            )
        if metric in available:
            continue
        hint = ""
        if metric.startswith(_VAL_PREFIX) and metric[len(_VAL_PREFIX) :] in available:
            hint = (
                f" Pass {metric[len(_VAL_PREFIX):]!r}: its validation curve is "
                "drawn with the training curve."
            )
        raise ValueError(
            f"Unknown metric {metric!r}: {source} records "
            f"{', '.join(map(repr, available)) or 'nothing'}.{hint}"
        )
    return metrics


def _as_curve(history, key):
    values = history[key]
    try:
        values = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"history[{key!r}] must be a sequence of numbers, one per epoch."
        ) from error
    if values.ndim != 1:
        raise ValueError(
            f"history[{key!r}] must be a 1-D sequence of per-epoch values, got "
            f"shape {values.shape}."
        )
    return values


def _check_axes(ax, n_metrics):
    axes = np.asarray(ax, dtype=object).ravel()
    if axes.size != n_metrics:
        raise ValueError(
            f"ax must hold one Axes per metric: {n_metrics} metric(s) to plot "
            f"but {axes.size} Axes given."
        )
    return axes


def plot_history(estimator_or_history, metrics=None, *, ax=None):
    """Plot the training and validation curves of a fitted model.

    One subplot per metric, with epochs on the x axis (starting at 1): the
    training curve as dots and, when the model was fitted with a validation
    split, the validation curve as a line, as in the classic Keras
    plots of ``history.history``.

    Parameters
    ----------
    estimator_or_history : estimator, Pipeline, keras.callbacks.History or dict
        Where the per-epoch values come from: a fitted estimator with a
        ``history_`` attribute (such as :class:`SequenceEmbeddingClassifier`),
        a fitted :class:`~sklearn.pipeline.Pipeline` whose last step has one,
        a fitted search (``GridSearchCV``...) whose ``best_estimator_`` has
        one, the ``History`` object returned by Keras' ``Model.fit``, or a
        dict mapping metric names to lists of per-epoch values (validation
        metrics prefixed with ``"val_"``).

    metrics : str or list of str, default=None
        Metrics to plot, one subplot each, without the ``"val_"`` prefix:
        the validation curve of ``"loss"`` is drawn in the ``"loss"``
        subplot. None plots every recorded metric, ``"loss"`` first (for
        :class:`SequenceEmbeddingClassifier`: ``"loss"`` and
        ``"accuracy"``).

    ax : matplotlib Axes or array-like of Axes, default=None
        Axes to draw on, one per metric. If None, a new figure is created
        with the metrics side by side.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure holding the plots.

    axes : ndarray of matplotlib Axes of shape (n_metrics,)
        One Axes per metric, in the order of ``metrics`` (a 1-D array even
        for a single metric).

    Raises
    ------
    ImportError
        If matplotlib is not installed.
    sklearn.exceptions.NotFittedError
        If the estimator is not fitted.
    ValueError
        If a metric is not in the history (the message lists those that
        are), or if ``ax`` does not hold one Axes per metric.

    See Also
    --------
    SequenceEmbeddingClassifier : Records ``history_`` during ``fit``.
    SequenceEmbeddingRegressor : Records ``history_`` during ``fit``.

    Notes
    -----
    The figure is created with :func:`matplotlib.pyplot.subplots` and never
    shown: call ``plt.show()`` or ``fig.savefig(...)`` yourself, and
    ``plt.close(fig)`` to free it. The matplotlib backend is left as it is.

    Examples
    --------
    >>> from sk_embed import plot_history
    >>> history = {"loss": [0.69, 0.52, 0.41], "accuracy": [0.55, 0.74, 0.82],
    ...            "val_loss": [0.63, 0.55, 0.53],
    ...            "val_accuracy": [0.66, 0.72, 0.73]}
    >>> fig, axes = plot_history(history)
    >>> axes.shape
    (2,)
    >>> [line.get_label() for line in axes[0].get_lines()]
    ['Training loss', 'Validation loss']
    >>> axes[1].get_lines()[1].get_xdata().tolist()
    [1, 2, 3]
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    """
    plt = import_pyplot("plot_history")
    history, source = _find_history(estimator_or_history)
    metrics = _check_metrics(metrics, _available_metrics(history), source)
    from matplotlib.ticker import MaxNLocator

    if ax is None:
        fig, axes = plt.subplots(
            1, len(metrics), figsize=(5.0 * len(metrics), 4.0), squeeze=False
        )
        axes = axes.ravel()
    else:
        axes = _check_axes(ax, len(metrics))
        fig = axes[0].get_figure()

    for metric, axis in zip(metrics, axes):
        curves = [
            (key, label, style)
            for key, label, style in (
                (metric, "Training", "o"),
                (_VAL_PREFIX + metric, "Validation", "-"),
            )
            if key in history
        ]
        for key, label, style in curves:
            values = _as_curve(history, key)
            epochs = np.arange(1, values.size + 1)
            axis.plot(epochs, values, style, label=f"{label} {metric}")
        labels = " and ".join(label.lower() for _, label, _ in curves)
        axis.set_title(f"{labels.capitalize()} {metric}")
        axis.set_xlabel("Epoch")
        axis.set_ylabel(metric.replace("_", " ").capitalize())
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.legend()
    return fig, axes

"""The word-embedding regressor."""

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils.validation import check_array, column_or_1d

from ._base import BaseSequenceEmbedding
from ._keras._compat import SeededKerasRegressor
from ._utils._docstrings import fill_doc


@fill_doc
class SequenceEmbeddingRegressor(RegressorMixin, BaseSequenceEmbedding):
    """Keras word-embedding regressor for padded token-id sequences.

    The networks of :class:`SequenceEmbeddingClassifier` with one linear
    output and the mean squared error loss: for example, predicting a
    review's 1-10 rating from its text. Trained with scikeras'
    ``KerasRegressor``; ``score`` is the coefficient of determination R^2.

    Parameters
    ----------
    %(model_parameters)s
    %(training_parameters)s
    learning_rate : float, default=0.01
        Learning rate of the optimizer; None keeps the optimizer's own
        (0.001 for rmsprop). Ten times the classifier's default: a squared
        error on a standardised target moves slowly at 0.001 and leaves a
        small data set underfitted after 10 epochs. This is scikeras'
        ``optimizer__learning_rate``, as a plain parameter.
    %(run_parameters)s

    Attributes
    ----------
    %(fitted_attributes)s

    See Also
    --------
    SequenceEmbeddingClassifier : The same networks for class labels.
    PadTransformer : Makes the padded matrices this regressor expects.

    Notes
    -----
    Neural networks train best on targets of moderate scale; wrap the
    regressor in :class:`sklearn.compose.TransformedTargetRegressor` with a
    :class:`~sklearn.preprocessing.StandardScaler` for targets far from unit
    scale.

    A row's prediction does not depend on the rows predicted with it, on
    their number or on its place among them, on any CPU: the network runs
    on chunks of one fixed shape (see :ref:`estimator_checks`).

    scikit-learn's ``check_estimator`` passes but for one check that cannot
    hold for a model of token ids, listed with its reason in
    :data:`sk_embed.EXPECTED_FAILED_CHECKS`; pass
    ``expected_failed_checks=sk_embed.expected_failed_checks(reg)`` for a
    clean result. ``check_sample_weight_equivalence_on_dense_data`` feeds
    floats in [0, 1), and with integer ids could still not hold: it expects
    a row of weight 2 to train as the row repeated, which mini-batch
    training with RMSprop or Adam does not give.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_embed import SequenceEmbeddingRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randint(1, 20, size=(300, 6))
    >>> y = (X[:, -1] > 10).astype(float) * 2.0 - 1.0
    >>> reg = SequenceEmbeddingRegressor(epochs=20, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> bool(reg.score(X, y) > 0.8)
    True
    """

    def __init__(
        self,
        *,
        vocab_size=None,
        embedding_dim=8,
        hidden_units=(32,),
        pooling="flatten",
        encoder=None,
        encoder_units=32,
        bidirectional=False,
        transformer_blocks=1,
        attention_heads=2,
        dropout=0.0,
        embeddings=None,
        trainable_embeddings=True,
        optimizer="rmsprop",
        learning_rate=0.01,
        epochs=10,
        batch_size=32,
        validation_split=0.0,
        callbacks=None,
        steps_per_execution=32,
        verbose=0,
        random_state=None,
    ):
        super().__init__(
            vocab_size=vocab_size,
            embedding_dim=embedding_dim,
            hidden_units=hidden_units,
            pooling=pooling,
            encoder=encoder,
            encoder_units=encoder_units,
            bidirectional=bidirectional,
            transformer_blocks=transformer_blocks,
            attention_heads=attention_heads,
            dropout=dropout,
            embeddings=embeddings,
            trainable_embeddings=trainable_embeddings,
            optimizer=optimizer,
            learning_rate=learning_rate,
            epochs=epochs,
            batch_size=batch_size,
            validation_split=validation_split,
            callbacks=callbacks,
            steps_per_execution=steps_per_execution,
            verbose=verbose,
            random_state=random_state,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Build and train the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, sequence_length)
            Padded token ids (non-negative integers).
        y : array-like of shape (n_samples,)
            Continuous targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights in the loss.

        Returns
        -------
        self : SequenceEmbeddingRegressor
            The fitted regressor.
        """
        return self._fit(X, y, sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one pass over a batch, continuing from earlier calls.

        The first call builds the network (as :meth:`fit` would, from the
        same ``random_state``) and fixes its input width and
        ``vocab_size_``. Each later call trains the same model, with the
        same optimizer state, for one epoch over its batch; :meth:`fit`
        starts afresh. A call after :meth:`fit` continues the fitted model.

        Parameters
        ----------
        %(partial_fit_X)s
        y : array-like of shape (n_samples,)
            Continuous targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights in the loss.

        Returns
        -------
        self : SequenceEmbeddingRegressor
            The regressor, trained one more epoch.

        Notes
        -----
        %(partial_fit_notes)s

        Examples
        --------
        >>> import numpy as np
        >>> from sk_embed import SequenceEmbeddingRegressor
        >>> rng = np.random.RandomState(0)
        >>> X = rng.randint(1, 20, size=(300, 6))
        >>> y = (X[:, -1] > 10).astype(float) * 2.0 - 1.0
        >>> reg = SequenceEmbeddingRegressor(vocab_size=20, random_state=0)
        >>> for epoch in range(3):
        ...     for start in range(0, 300, 150):
        ...         batch = slice(start, start + 150)
        ...         reg = reg.partial_fit(X[batch], y[batch])
        >>> len(reg.history_["loss"])
        6
        >>> bool(reg.score(X, y) > 0.8)
        True
        """
        return self._partial_fit(X, y, sample_weight)

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, sequence_length)
            Padded token ids, of the length seen in :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The predictions.
        """
        return self._forward(X)[:, 0]

    # -- hooks of BaseSequenceEmbedding -------------------------------------
    def _validate_targets(self, y, sample_weight):
        y = check_array(
            y, ensure_2d=False, dtype=np.float64, ensure_all_finite=True, input_name="y"
        )
        return column_or_1d(y, warn=True)

    def _output_spec(self, y):
        return {
            "n_outputs": 1,
            "activation": "linear",
            "loss": "mean_squared_error",
            "metrics": ("mean_absolute_error",),
        }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = self._sees_bag_of_ids()
        return tags

    def _make_wrapper(self, stream, **params):
        return SeededKerasRegressor(**params)

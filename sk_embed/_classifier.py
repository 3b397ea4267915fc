"""The word-embedding classifier."""

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import column_or_1d

from ._base import BaseSequenceEmbedding
from ._compat import SeededKerasClassifier
from ._docstrings import fill_doc


@fill_doc
class SequenceEmbeddingClassifier(ClassifierMixin, BaseSequenceEmbedding):
    """Keras word-embedding classifier for padded token-id sequences.

    The default network is the classic IMDB one: ``Embedding(vocab_size,
    embedding_dim) -> Flatten -> Dense(32, relu) -> Dense(1, sigmoid)`` for two
    classes, with a ``Dense(n_classes, softmax)`` output for more. Pooling,
    convolutional and recurrent encoders and pretrained word vectors are
    options. It is trained with scikeras' ``KerasClassifier`` and behaves like
    any scikit-learn classifier: labels of any type, ``predict_proba``,
    ``score``, pipelines, grid search, cloning and pickling.

    Parameters
    ----------
    %(model_parameters)s
    %(training_parameters)s
    learning_rate : float, default=None
        Learning rate of the optimizer; None keeps the optimizer's own
        (0.001 for rmsprop and adam). This is scikeras'
        ``optimizer__learning_rate``, as a plain parameter.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as in scikit-learn; multiplied
        into ``sample_weight``.
    %(run_parameters)s

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        Number of classes.
    %(fitted_attributes)s

    See Also
    --------
    PadTransformer : Makes the padded matrices this classifier expects.
    SequenceTokenizer : Turns raw text into token-id sequences.
    SequenceEmbeddingRegressor : The same networks for continuous targets.

    Notes
    -----
    The input is a 2-D matrix of non-negative integer token ids, 0 being
    padding. Raw text, negative ids, NaN or non-integer values and sparse
    matrices raise errors that say how to fix the input. Floats are accepted
    when they hold whole numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_embed import SequenceEmbeddingClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randint(1, 50, size=(200, 10))
    >>> y = np.where(X[:, -1] > 25, "pos", "neg")
    >>> clf = SequenceEmbeddingClassifier(epochs=20, random_state=0).fit(X, y)
    >>> clf.classes_
    array(['neg', 'pos'], dtype='<U3')
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> bool(clf.score(X, y) > 0.9)
    True
    """

    _parameter_constraints = {
        **BaseSequenceEmbedding._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

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
        dropout=0.0,
        embeddings=None,
        trainable_embeddings=True,
        optimizer="rmsprop",
        learning_rate=None,
        epochs=10,
        batch_size=32,
        validation_split=0.0,
        class_weight=None,
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
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Build and train the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, sequence_length)
            Padded token ids (non-negative integers).
        y : array-like of shape (n_samples,)
            Class labels of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights in the loss.

        Returns
        -------
        self : SequenceEmbeddingClassifier
            The fitted classifier.
        """
        return self._fit(X, y, sample_weight)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, sequence_length)
            Padded token ids, of the length seen in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, columns ordered as ``classes_``.
        """
        output = self._forward(X)
        if self.n_classes_ == 2:
            return np.column_stack([1.0 - output[:, 0], output[:, 0]])
        return output

    def predict(self, X):
        """Most probable class of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, sequence_length)
            Padded token ids, of the length seen in :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, of the type of ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    # -- hooks of BaseSequenceEmbedding -------------------------------------
    def _validate_targets(self, y, sample_weight):
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        # Samples of weight 0 are dropped before training; they cannot
        # provide the second class.
        trained = y if sample_weight is None else y[sample_weight > 0]
        if np.unique(trained).size < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes "
                "(with a positive sample_weight), but the data contains only "
                "one class."
            )
        return y

    def _output_spec(self, y):
        n_classes = np.unique(y).size
        if n_classes == 2:
            return {
                "n_outputs": 1,
                "activation": "sigmoid",
                "loss": "binary_crossentropy",
                "metrics": ("accuracy",),
            }
        return {
            "n_outputs": n_classes,
            "activation": "softmax",
            "loss": "sparse_categorical_crossentropy",
            "metrics": ("accuracy",),
        }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = self._sees_bag_of_ids()
        return tags

    def _make_wrapper(self, **params):
        return SeededKerasClassifier(class_weight=self.class_weight, **params)

    def _harvest(self, wrapper):
        self.classes_ = wrapper.classes_
        self.n_classes_ = wrapper.n_classes_

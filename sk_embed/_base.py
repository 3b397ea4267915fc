"""What the sequence-embedding classifier and regressor share.

The scikit-learn side lives here: parameters, validation, seeding, the fit
lifecycle and pickling. The Keras side comes from :mod:`sk_embed._keras`: the
network from ``_networks``, the optimizer from ``_optimizers``, the model's
picklable state from ``_saving``, and the training loop is scikeras'
(through ``_compat``).
"""

import contextlib
from numbers import Integral, Real

import keras
import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    _num_samples,
    check_array,
    check_consistent_length,
    check_is_fitted,
)

from ._auto import (
    chooses_epochs,
    resolve_batch_size,
    resolve_dropout,
    resolve_embedding_dim,
    resolve_epochs,
)
from ._keras._memory import check_embedding_fits
from ._keras._networks import ENCODERS, POOLINGS, build_and_compile, set_output_bias
from ._keras._optimizers import make_optimizer
from ._keras._prediction import predict_in_chunks
from ._keras._saving import model_from_state, model_to_state
from ._keras._trainers import plan_trainer
from ._epoch_choice import choose_epochs
from ._utils._persistence import VersionedPickleMixin
from ._utils._validation import model_ids, validate_token_matrix


@contextlib.contextmanager
def _restore_on_failure(estimator):
    """Undo every attribute change if the block raises (even Ctrl-C).

    A fit that dies half-way must leave a previously fitted estimator as it
    was, never with a new ``n_features_in_`` beside an old model.
    """
    snapshot = dict(vars(estimator))
    try:
        yield
    except BaseException:
        vars(estimator).clear()
        vars(estimator).update(snapshot)
        raise


class BaseSequenceEmbedding(VersionedPickleMixin, BaseEstimator):
    """Shared base of the sequence-embedding estimators. Not public."""

    _parameter_constraints = {
        "vocab_size": [Interval(Integral, 1, None, closed="left"), None],
        "embedding_dim": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "hidden_units": ["array-like"],
        "pooling": [StrOptions(set(POOLINGS))],
        "encoder": [StrOptions(set(ENCODERS)), None],
        "encoder_units": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "transformer_blocks": [Interval(Integral, 1, None, closed="left")],
        "attention_heads": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left"), StrOptions({"auto"})],
        "embeddings": ["array-like", None],
        "trainable_embeddings": ["boolean"],
        "optimizer": [str, keras.optimizers.Optimizer, type],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
        "epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "validation_split": [Interval(Real, 0, 1, closed="left")],
        "callbacks": [list, keras.callbacks.Callback, None],
        "steps_per_execution": [Interval(Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
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
        transformer_blocks=1,
        attention_heads=2,
        dropout=0.0,
        embeddings=None,
        trainable_embeddings=True,
        optimizer="rmsprop",
        learning_rate=None,
        epochs=10,
        batch_size=32,
        validation_split=0.0,
        callbacks=None,
        steps_per_execution=32,
        verbose=0,
        random_state=None,
    ):
        self.vocab_size = vocab_size
        self.embedding_dim = embedding_dim
        self.hidden_units = hidden_units
        self.pooling = pooling
        self.encoder = encoder
        self.encoder_units = encoder_units
        self.bidirectional = bidirectional
        self.transformer_blocks = transformer_blocks
        self.attention_heads = attention_heads
        self.dropout = dropout
        self.embeddings = embeddings
        self.trainable_embeddings = trainable_embeddings
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_split = validation_split
        self.callbacks = callbacks
        self.steps_per_execution = steps_per_execution
        self.verbose = verbose
        self.random_state = random_state

    # -- subclass hooks ---------------------------------------------------
    def _validate_targets(self, y, sample_weight):
        """Return ``y`` checked: a 1-D array, or a dense 2-D float array of
        0 and 1 for a multi-label target (``_output_spec`` tells them apart
        by ``ndim``)."""
        raise NotImplementedError

    def _validate_batch_targets(self, y, classes):
        """Return the ``y`` of a ``partial_fit`` batch checked, as a 1-D array.

        A batch is checked as ``fit``'s data is; the classifier overrides
        this, as a batch may lack classes.
        """
        return self._validate_targets(y, None)

    def _output_spec(self, y):
        """Return the output layer and loss for ``y``: a dict with keys
        ``n_outputs``, ``activation``, ``loss`` and ``metrics``."""
        raise NotImplementedError

    def _initial_output_bias(self, y, sample_weight):
        """The output layer's starting bias for ``y`` (checked), or None to
        keep Keras' zeros."""
        return None

    def _positives_per_label(self, y):
        """The mean number of positive rows per label of ``y`` (checked), if
        it is a multi-label indicator matrix, which ``epochs="auto"`` trains
        longer when its labels are rare (see ``_auto``); None otherwise."""
        return None

    def _make_wrapper(self, stream, **params):
        """Return the scikeras estimator that trains the model; ``stream``
        is True in ``partial_fit``."""
        raise NotImplementedError

    def _harvest(self, wrapper):
        """Copy target metadata from the wrapper ``fit`` trained with."""

    # -- fitting ------------------------------------------------------------
    def _fit(self, X, y, sample_weight=None):
        """Build a new network and train it for ``epochs`` epochs."""
        with _restore_on_failure(self):
            y, sample_weight = self._check_targets(y, sample_weight)
            X = validate_token_matrix(self, X, reset=True)
            check_consistent_length(X, y)
            weight_seed, *data_seeds = self._draw_seeds()
            self._build(X, y, weight_seed)
            bias = self._initial_output_bias(y, sample_weight)
            if bias is not None:
                set_output_bias(self.model_, bias)
            self.history_ = {}
            self.batch_size_ = resolve_batch_size(self.batch_size, len(X))
            positives = self._positives_per_label(y)
            self.epochs_ = resolve_epochs(self.epochs, positives)
            self.held_out_loss_ = None
            if self._chooses_epochs(y) and chooses_epochs(
                self.epochs, positives, len(X), np.count_nonzero(X)
            ):
                self.epochs_, self.held_out_loss_ = choose_epochs(
                    self, X, y, sample_weight, data_seeds
                )
            wrapper = self._train(X, y, sample_weight, data_seeds, self.epochs_)
            self._harvest(wrapper)
            self._resumable = False
        return self

    def _chooses_epochs(self, y):
        """Whether ``epochs="auto"`` may choose fewer epochs for ``y``
        (checked) on held-out rows: the classifier's hook."""
        return False

    def _partial_fit(self, X, y, sample_weight=None, classes=None):
        """Train for one pass over a batch; the first call builds the network."""
        first_call = not hasattr(self, "model_")
        with _restore_on_failure(self):
            y, sample_weight = self._check_targets(
                y, sample_weight, batch=True, classes=classes
            )
            X = validate_token_matrix(self, X, reset=first_call)
            check_consistent_length(X, y)
            weight_seed, *data_seeds = self._draw_seeds(self._epochs_trained())
            if first_call:
                # A classifier's output layer has a unit for every class of
                # the stream (classes_, set by the check of y), not only for
                # those of this batch.
                self._build(X, getattr(self, "classes_", y), weight_seed)
                self.history_ = {}
            # A stream's size is unknown: "auto" takes the large-data batch.
            self.batch_size_ = resolve_batch_size(self.batch_size, None)
            self._train(X, y, sample_weight, data_seeds, 1, stream=True)
            # The pickle keeps the optimizer's state, to continue the stream.
            self._resumable = True
        return self

    def _build(self, X, y, weight_seed):
        """Set ``model_``, a new compiled network for ``X`` and ``y``, and
        ``vocab_size_``, ``embedding_dim_`` and ``dropout_``."""
        embeddings = self._check_embeddings()
        vocab_size = self._resolve_vocab_size(X, embeddings)
        output = self._output_spec(y)
        embedding_dim = (
            resolve_embedding_dim(self.embedding_dim, output["n_outputs"])
            if embeddings is None
            else embeddings.shape[1]
        )
        check_embedding_fits(
            vocab_size,
            embedding_dim,
            inferred=embeddings is None and self.vocab_size is None,
        )
        dropout = resolve_dropout(self.dropout, output["n_outputs"])
        network = dict(
            vocab_size=vocab_size,
            sequence_length=X.shape[1],
            embedding_dim=embedding_dim,
            hidden_units=tuple(self.hidden_units),
            n_outputs=output["n_outputs"],
            output_activation=output["activation"],
            pooling=self.pooling,
            encoder=self.encoder,
            encoder_units=self.encoder_units,
            bidirectional=self.bidirectional,
            transformer_blocks=self.transformer_blocks,
            attention_heads=self.attention_heads,
            dropout=dropout,
            embeddings=embeddings,
            trainable_embeddings=self.trainable_embeddings,
            seed=weight_seed,
        )
        compile_settings = dict(
            loss=output["loss"],
            metrics=output["metrics"],
            optimizer=make_optimizer(self.optimizer, self.learning_rate),
            steps_per_execution=self.steps_per_execution,
        )
        self.model_ = build_and_compile(network=network, **compile_settings)
        self._trainer_plan = plan_trainer(network, compile_settings)
        self.vocab_size_ = vocab_size
        self.embedding_dim_ = embedding_dim
        self.dropout_ = dropout

    def _train(
        self, X, y, sample_weight, data_seeds, epochs, stream=False,
        on_epoch_end=None, classes=None, trial=False,
    ):  # fmt: skip
        """Train ``model_`` for ``epochs`` more epochs, extend ``history_``
        and return the scikeras wrapper that did it.

        ``on_epoch_end(model)`` is called after each epoch and ends the
        training by returning True; ``classes`` are those of the outputs
        when ``y`` may lack some; ``trial=True`` (the epoch choice's
        training) trains without the user's callbacks, validation split and
        progress bar, and leaves ``model_`` as it was.
        """
        wrapper = self._make_wrapper(
            stream,
            model=self.model_,
            loss=self.model_.loss,
            epochs=epochs,
            batch_size=self.batch_size_,
            validation_split=0.0 if trial else self.validation_split,
            callbacks=None if trial else self.callbacks,
            verbose=0 if trial else self.verbose,
        )
        wrapper.on_epoch_end = on_epoch_end
        wrapper.trial = trial
        if classes is not None:
            wrapper.all_classes = classes
        wrapper.shuffle_seed, wrapper.split_seed = data_seeds
        # A user's callbacks get the estimator's own network, as they would
        # from Keras: a ModelCheckpoint saves model_, not a trainer with
        # more rows and an open width.
        if not self.callbacks or trial:
            wrapper.trainer_plan = getattr(self, "_trainer_plan", None)
        wrapper.epochs_before = self._epochs_trained()
        wrapper.catch_up_at_end = not stream
        wrapper.fit(model_ids(X, self.vocab_size_), y, sample_weight=sample_weight)
        history = {key: list(values) for key, values in self.history_.items()}
        for key, values in wrapper.history_.items():
            history.setdefault(key, []).extend(values)
        self.history_ = history
        return wrapper

    def _epochs_trained(self):
        """Epochs the current model was trained for (0 before any)."""
        return len(getattr(self, "history_", {}).get("loss", ()))

    def _check_targets(self, y, sample_weight, batch=False, classes=None):
        """Check ``y`` and ``sample_weight`` before X, whose checks cost more.

        ``batch`` is True in ``partial_fit``, with its ``classes``.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the "
                "target y is None."
            )
        if _num_samples(y) == 0:
            raise ValueError(
                f"Found 0 samples: a minimum of 1 is required by {type(self).__name__}."
            )
        if sample_weight is not None:
            # A copy: scikeras multiplies class weights into it in place.
            sample_weight = _check_sample_weight(sample_weight, y, copy=True)
        if batch:
            return self._validate_batch_targets(y, classes), sample_weight
        return self._validate_targets(y, sample_weight), sample_weight

    def _check_embeddings(self):
        if self.bidirectional and self.encoder not in ("lstm", "gru"):
            raise ValueError(
                f"bidirectional=True needs a recurrent encoder ('lstm' or "
                f"'gru'), got encoder={self.encoder!r}."
            )
        if self.embeddings is None:
            return None
        embeddings = check_array(self.embeddings, dtype=np.float32, input_name="embeddings")
        if self.vocab_size is not None and self.vocab_size != embeddings.shape[0]:
            raise ValueError(
                f"embeddings has {embeddings.shape[0]} rows but vocab_size="
                f"{self.vocab_size}; leave vocab_size=None to use the rows of "
                "embeddings."
            )
        return embeddings

    def _resolve_vocab_size(self, X, embeddings):
        if embeddings is not None:
            return embeddings.shape[0]
        if self.vocab_size is not None:
            return self.vocab_size
        return int(X.max()) + 1

    def _draw_seeds(self, epochs_before=0):
        """Three integer seeds (weights, data order, validation rows), or
        None each when unseeded.

        ``epochs_before``, the epochs of earlier ``partial_fit`` calls,
        shifts the last two: each call shuffles and splits its batch anew.
        """
        if self.random_state is None:
            return None, None, None
        rng = check_random_state(self.random_state)
        weights, order, validation = (int(s) for s in rng.randint(0, 2**30, size=3))
        return weights, order + epochs_before, validation + epochs_before

    # -- prediction -----------------------------------------------------------
    def _forward(self, X):
        """Validate ``X`` and return the network output as float64."""
        check_is_fitted(self)
        X = model_ids(validate_token_matrix(self, X, reset=False), self.vocab_size_)
        # In chunks of one fixed shape: a row's output does not depend on
        # the other rows, their number or its place among them.
        return predict_in_chunks(self.model_, X).astype(np.float64)

    # -- persistence ------------------------------------------------------------
    def __getstate__(self):
        state = super().__getstate__()
        if "model_" in state:
            state = dict(state)
            state["model_"] = model_to_state(
                state["model_"], state.get("_resumable", False)
            )
        return state

    def __setstate__(self, state):
        if "model_" in state:
            state = dict(state)
            state["model_"] = model_from_state(state["model_"])
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Token ids are integer category codes (CategoricalNB's precedent)
        # and embedding rows cannot be negative.
        tags.input_tags.categorical = True
        tags.input_tags.positive_only = True
        tags.input_tags.sparse = False
        return tags

    def _sees_bag_of_ids(self):
        """True when the network ignores token order (a poor-score model).

        Without an encoder, every pooling but flatten sees a bag of ids: they
        cannot tell which column an id came from, which is all that
        separates the common checks' rounded make_blobs features.
        """
        return self.encoder is None and self.pooling != "flatten"

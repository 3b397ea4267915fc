"""The one place where sk_embed works around scikeras, Keras and TensorFlow.

Every workaround sits in a private subclass or function of ours: nothing here
patches a third-party class or changes process-wide state. Each carries a
comment saying why it exists, so it can go when the upstream problem does.
"""

from collections import defaultdict

import keras
import numpy as np
import tensorflow as tf
from scikeras.utils.transformers import ClassifierLabelEncoder
from scikeras.wrappers import KerasClassifier, KerasRegressor
from sklearn import config_context
from sklearn.base import is_classifier
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
from sklearn.preprocessing import FunctionTransformer

from ._epochs import (
    EpochOrders,
    can_fit_epochs,
    end_epoch,
    fit_epochs,
    gather_batch,
    trims_padding,
)
from ._optimizers import catching_up_at_the_end
from ._startup import consume_onednn_bool_notice, keras_retracing_warnings_hidden
from ._trainers import trainer_for


def split_validation(arrays, validation_split, seed=None, stratify=None):
    """Hold out a random ``validation_split`` fraction of every array's rows.

    Drawn at random from ``seed``, stratified by ``stratify`` (a classifier's
    labels) when every class has at least two rows, as
    ``MLPClassifier(early_stopping=True)`` does; unstratified for a
    multi-label indicator matrix, whose rows have no single class. Keras' own
    ``validation_split`` holds out the last rows instead, so on data sorted
    by label (as IMDB's archive is) early stopping would watch one class
    only. The training rows keep their order; ``ShuffledBatches`` shuffles
    them every epoch.
    """
    if not validation_split:
        return arrays, None
    n_samples = len(arrays[0])
    n_train = int(n_samples * (1.0 - validation_split))
    if n_train == 0 or n_train == n_samples:
        raise ValueError(
            f"validation_split={validation_split} leaves no "
            f"{'training' if n_train == 0 else 'validation'} sample out of "
            f"{n_samples}; use more data or another validation_split."
        )
    n_validation = n_samples - n_train
    if stratify is not None and stratify.ndim == 2 and stratify.shape[1] > 1:
        stratify = None
    if stratify is not None:
        _, class_counts = np.unique(stratify, return_counts=True)
        if class_counts.min() < 2 or n_validation < len(class_counts):
            stratify = None
    splitter = (ShuffleSplit if stratify is None else StratifiedShuffleSplit)(
        n_splits=1, test_size=n_validation, random_state=seed
    )
    train_rows, validation_rows = next(splitter.split(arrays[0], stratify))
    train_rows.sort()
    train = tuple(array[train_rows] for array in arrays)
    validation = tuple(array[validation_rows] for array in arrays)
    return train, validation


class ShuffledBatches(keras.callbacks.Callback):
    """Batches of the training rows, in a new random order every epoch.

    Give ``dataset`` and ``steps_per_epoch`` to ``fit`` and this callback to
    its callbacks: at the start of each epoch it draws a new order of the
    rows, which the dataset's batches follow.

    Why: Keras shuffles array input with ``tf.random.shuffle`` and no
    operation seed, so a reproducible fit would need the *global* TensorFlow
    seed (which scikeras sets, together with ``TF_DETERMINISTIC_OPS``, and
    does not always restore). Here each epoch draws its own seed from a
    NumPy generator of this object's own and permutes the rows statelessly:
    reproducible epochs from purely local state. (A seeded ``Dataset.shuffle``
    or ``Dataset.random`` is not enough: TensorFlow combines its seed with the
    global one, so a user's ``tf.random.set_seed`` would change a fit with a
    fixed ``random_state``.)

    Why a callback and ``steps_per_epoch``: Keras makes a new iterator of the
    dataset for every epoch (two without ``steps_per_epoch``), and making one
    instantiates the dataset's functions, about 4 ms each. Drawing the order
    here, eagerly, leaves the dataset one small function (the gather of a
    batch's rows), where a dataset that drew the order itself had five: 34 ms
    of every epoch, most of a small fit's time.
    """

    def __init__(self, arrays, batch_size, seed, any_width=False):
        super().__init__()
        n_samples = len(arrays[0])
        self._orders = EpochOrders(n_samples, seed)
        self._order = tf.Variable(tf.range(n_samples, dtype=tf.int64), trainable=False)
        self.steps_per_epoch = -(-n_samples // batch_size)
        # With any_width, the batches of X have no static width, so a
        # network of any input width traces its train step once for every
        # width, and they lose their trailing padding (gather_batch).
        X = (
            tf.Variable(arrays[0], trainable=False, shape=[None, None])
            if any_width
            else tf.constant(arrays[0])
        )
        tensors = (X, *(tf.constant(array) for array in arrays[1:]))

        def batch(index):
            rows = self._order[index * batch_size : (index + 1) * batch_size]
            return gather_batch(tensors, rows, any_width)

        # No prefetch: the gather is cheap, and a prefetching iterator could
        # read the order before on_epoch_begin sets it. No autotuning
        # either: with it, one IMDB epoch in three or four ran on one core
        # of two (2.5 s instead of 1.5 s); the pipeline has nothing to tune.
        # A dataset's own options: TensorFlow's global state is untouched.
        options = tf.data.Options()
        options.autotune.enabled = False
        self.dataset = (
            tf.data.Dataset.range(self.steps_per_epoch).map(batch).with_options(options)
        )

    def on_epoch_begin(self, epoch, logs=None):
        self.reshuffle()

    def reshuffle(self):
        """Draw the order of the next epoch."""
        self._order.assign(self._orders.next())


def build_training_state(model, train):
    """Create the optimizer's and the metrics' variables before ``fit``.

    Why: with TensorFlow and no distribution strategy, Keras 3 defers
    building the optimizer and the compiled metrics to the first trace of
    its train step (``TensorFlowTrainer._maybe_symbolic_build`` returns
    early). A ``tf.function`` that creates variables on its first call is
    traced a second time, so every new model paid for two traces of its
    train step: 1.1 s of a 3 s bidirectional-GRU fit on 60 rows. Keras'
    ``_symbolic_build`` is what it runs on its other backends: it builds
    the same state from symbolic tensors shaped like one batch, so the
    train step is traced once. Without it (another Keras), fits are slower,
    not different.
    """
    symbolic_build = getattr(model, "_symbolic_build", None)
    if symbolic_build is None:
        return
    one_row = tuple(array[:1] for array in train)
    data_batch = one_row if len(one_row) == 3 else (*one_row, None)
    symbolic_build(data_batch=data_batch)


class _SeededFitMixin:
    """Replace scikeras' ``_fit_keras_model`` with a locally seeded one.

    Why: scikeras 0.13 wraps ``model.fit`` in ``tensorflow_random_state``,
    which sets ``TF_DETERMINISTIC_OPS`` and the global seeds; TensorFlow
    caches that variable on first read, so after one seeded fit every
    unseeded fit in the process fails with "Random ops require a seed". The
    wrapper is therefore never given a ``random_state``; sk_embed seeds the
    initialisers itself, and the data order and validation rows here,
    through ``shuffle_seed`` and ``split_seed``.
    """

    shuffle_seed = None
    split_seed = None
    #: The ``(key, network)`` plan of the model's network, to train it on a
    #: shared trainer (see ``sk_embed._keras._trainers.plan_trainer``), or
    #: None to train the model itself.
    trainer_plan = None
    #: Epochs the model was trained for before this wrapper got it (earlier
    #: ``partial_fit`` calls): Keras numbers the epochs on from there, as
    #: callbacks such as ``LearningRateScheduler`` expect.
    epochs_before = 0
    #: False in ``partial_fit``: LazyAdam's rows catch up when next used
    #: rather than at the end of each call (see ``LazyAdam``).
    catch_up_at_end = True
    #: ``on_epoch_end(model)``, called after each epoch with the model
    #: trained (its rows caught up); returning True ends the fit. None: no
    #: call.
    on_epoch_end = None
    #: True for the epoch choice's training, which leaves the model as it
    #: was (see ``trainer_for``): ``on_epoch_end`` sees what trained.
    trial = False
    #: Every class of the model's outputs, when y may lack some (a
    #: stream's batch, or the inner rows of an epoch choice); None to take
    #: those of y.
    all_classes = None

    def _fit_keras_model(
        self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs
    ):
        initial_epoch += self.epochs_before
        X = X.astype(np.int32, copy=False)
        arrays = (X, y) if sample_weight is None else (X, y, sample_weight)
        train, validation = split_validation(
            arrays,
            self.validation_split,
            seed=self.split_seed,
            stratify=y if is_classifier(self) else None,
        )
        data_structure = (sample_weight is not None, y.dtype.str, y.shape[1:])
        consume_onednn_bool_notice()
        with (
            keras_retracing_warnings_hidden(not self.verbose),
            trainer_for(
                self.model_, self.trainer_plan, data_structure, self.trial
            ) as trainer,
            catching_up_at_the_end(trainer.optimizer, self.catch_up_at_end),
        ):
            build_training_state(trainer, train)
            if can_fit_epochs(trainer, self._fit_callbacks, validation, self.verbose):
                history = fit_epochs(
                    trainer, train, self.batch_size, epochs, initial_epoch,
                    self.shuffle_seed, self.on_epoch_end,
                )  # fmt: skip
            else:
                history = self._keras_fit(
                    trainer, train, validation, epochs, initial_epoch
                )
        if not warm_start or not hasattr(self, "history_") or initial_epoch == 0:
            self.history_ = defaultdict(list)
        for key, values in history.items():
            self.history_[key] += [float(value) for value in values]

    def _keras_fit(self, trainer, train, validation, epochs, initial_epoch):
        """Keras' own ``fit``, for fits that callbacks, validation rows or
        a progress bar watch; returns the history as a dict of lists."""
        batches = ShuffledBatches(
            train, self.batch_size, self.shuffle_seed,
            any_width=trims_padding(trainer),
        )  # fmt: skip
        watch = [] if self.on_epoch_end is None else [_EpochEnd(self.on_epoch_end)]
        history = trainer.fit(
            batches.dataset,
            steps_per_epoch=batches.steps_per_epoch,
            epochs=initial_epoch + epochs,
            initial_epoch=initial_epoch,
            validation_data=validation,
            callbacks=[batches, *(self._fit_callbacks or []), *watch],
            verbose=self.verbose,
            # The dataset is already shuffled; Keras would only warn.
            shuffle=False,
        )
        return history.history


class _EpochEnd(keras.callbacks.Callback):
    """Calls ``on_epoch_end(model)`` after each epoch of Keras' ``fit``, as
    ``fit_epochs`` does, and stops the fit when it returns True."""

    def __init__(self, on_epoch_end):
        super().__init__()
        self._on_epoch_end = on_epoch_end

    def on_epoch_end(self, epoch, logs=None):
        if end_epoch(self.model, self._on_epoch_end):
            self.model.stop_training = True


class _ArrayLabelEncoder(ClassifierLabelEncoder):
    """scikeras' label encoder, handing back NumPy arrays whatever the
    scikit-learn output configuration.

    Why: ``ClassifierLabelEncoder`` encodes the labels with scikit-learn's
    ``OrdinalEncoder`` (or ``OneHotEncoder``, ``FunctionTransformer``),
    which it builds inside ``fit``. Under ``set_config(transform_output=
    "pandas")`` (or "polars") they return a DataFrame, and training fails
    with "'DataFrame' object has no attribute 'dtype'". The output
    configuration is reset to "default" only around this encoder's own
    calls (``config_context`` is thread-local and restored on exit).
    """

    def fit(self, y):
        with config_context(transform_output="default"):
            return super().fit(y)

    def transform(self, y):
        with config_context(transform_output="default"):
            return super().transform(y)


class _ArrayFeaturesMixin:
    """scikeras' feature encoder, fixed to NumPy output.

    Why: scikeras passes X through a ``FunctionTransformer()``, which under
    ``set_config(transform_output="pandas")`` (or "polars") warns on every
    fit that its function does not return a DataFrame. Its own
    ``set_output(transform="default")`` leaves the global setting alone.
    """

    @property
    def feature_encoder(self):
        return FunctionTransformer().set_output(transform="default")


class SeededKerasClassifier(_ArrayFeaturesMixin, _SeededFitMixin, KerasClassifier):
    """scikeras' classifier with reproducible, side-effect-free fits."""

    # all_classes (see _SeededFitMixin): scikeras' ``fit`` encodes the
    # labels against the classes of the y it is given, and a batch of a
    # stream may lack some of them.

    @property
    def target_encoder(self):
        categories = "auto" if self.all_classes is None else [self.all_classes]
        return _ArrayLabelEncoder(loss=self.loss, categories=categories)


class SeededKerasRegressor(_ArrayFeaturesMixin, _SeededFitMixin, KerasRegressor):
    """scikeras' regressor with reproducible, side-effect-free fits."""

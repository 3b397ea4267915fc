"""Compiled stand-ins that train small networks without tracing them anew.

Why: Keras traces a new model's train step into a TensorFlow graph on its
first ``fit``, and TensorFlow then optimizes that graph. For a small network
this costs more than the training: 0.5 s for the classic IMDB model, 1.5-2 s
with a recurrent encoder, paid again by every fold of a cross-validation,
every candidate of a grid search and every refit, although their networks
differ only in their weights. So a fit of a small network trains a *trainer*
instead: a compiled copy of the same architecture, loss and optimizer, kept
from an earlier fit with its traced functions. It is loaded with the new
network's initial weights, optimizer state and dropout seed states, trained,
and its final state is copied back, so the network ends exactly as if it had
been trained itself (``tests/_keras/test_trainers.py`` checks this).

Large networks train on themselves: their tracing is a small part of their
training, and a cached copy would hold their memory twice. The cache is
private to this module, bounded, thread-safe (a trainer is used by one fit at
a time) and changes no TensorFlow, Keras or NumPy global state.
"""

import collections
import contextlib
import threading

import keras

#: Networks with more weights than this train on themselves. The classic
#: IMDB network has about 85,000 weights on 10,000 words; a fastText-style
#: network on 600,000 n-grams has 9.6 million, and trains for many seconds.
MAX_TRAINER_PARAMETERS = 2_000_000
#: At most this many weights are kept in cached trainers, in all (about
#: 100 MB with two optimizer slots per weight); the least recently used
#: trainers go first.
MAX_CACHED_PARAMETERS = 8_000_000
#: At most this many trainers are kept, whatever their size: each also holds
#: its traced graphs, which its weight count does not show (about 6 MB more
#: per cached trainer of a small network, measured on 20 of them). Eight
#: were too few for the common checks of one recurrent configuration, which
#: fit about 16 distinct networks in turn: they took 86 s against 64 s.
MAX_CACHED_TRAINERS = 16

_cache = collections.OrderedDict()  # key -> list of idle trainers
_cache_lock = threading.Lock()


@contextlib.contextmanager
def trainer_for(model, key):
    """Yield a compiled model to train in place of ``model``.

    ``key`` names everything the traced train step depends on (architecture,
    input width, loss, metrics, optimizer, steps per execution, and the
    structure and dtypes of the training data); fits with equal keys share
    trainers. On normal exit, the trainer's weights, optimizer state and
    seed states are copied into ``model``; if the block raises, ``model`` is
    left as it was and the trainer is dropped.
    """
    if key is None or model.count_params() > MAX_TRAINER_PARAMETERS:
        yield model
        return
    trainer = _checkout(key) or _compiled_copy(model)
    copy_training_state(model, trainer)
    # Set by keras.callbacks.BackupAndRestore; a fresh model has none.
    trainer._initial_epoch = None
    yield trainer
    copy_training_state(trainer, model)
    _checkin(key, trainer)


def copy_training_state(source, target):
    """Assign ``source``'s weights, optimizer variables and seed states to
    ``target``, a network of the same architecture and optimizer.

    An optimizer not yet built is built first, with its initial state.
    """
    for model in (source, target):
        if not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
    pairs = [
        *zip(source.weights, target.weights),
        *zip(source.optimizer.variables, target.optimizer.variables),
        *zip(seed_states(source), seed_states(target)),
    ]
    for source_variable, target_variable in pairs:
        target_variable.assign(source_variable)


def seed_states(model):
    """The states of the seed generators (of the dropout layers): variables
    that training advances, but not weights."""
    weights = {id(weight) for weight in model.weights}
    return [v for v in model.non_trainable_variables if id(v) not in weights]


def trainer_key(network, compile_settings):
    """What a network's traced train step depends on, as a hashable string
    (see this module's docstring): everything but its initial weights."""
    network = dict(network, seed=None)
    if network["embeddings"] is not None:
        network["embeddings"] = network["embeddings"].shape
    optimizer = compile_settings["optimizer"]
    # Keras names each new optimizer uniquely ("adam_2"); the name is not
    # part of the computation.
    optimizer_config = dict(optimizer.get_config(), name=None)
    settings = dict(
        compile_settings, optimizer=(type(optimizer).__qualname__, optimizer_config)
    )
    return repr((sorted(network.items()), sorted(settings.items())))


def clear_trainers():
    """Forget every cached trainer (they are rebuilt when needed)."""
    with _cache_lock:
        _cache.clear()


def _compiled_copy(model):
    """A new model of ``model``'s architecture, compiled as it is."""
    copy = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(model)
    )
    copy.compile_from_config(model.get_compile_config())
    return copy


def _checkout(key):
    with _cache_lock:
        idle = _cache.get(key)
        if idle is None:
            return None
        trainer = idle.pop()
        if not idle:
            del _cache[key]
        return trainer


def _checkin(key, trainer):
    with _cache_lock:
        _cache.setdefault(key, []).append(trainer)
        _cache.move_to_end(key)
        while len(_cache) > 1 and (
            _cached_parameters() > MAX_CACHED_PARAMETERS
            or _cached_trainers() > MAX_CACHED_TRAINERS
        ):
            _cache.popitem(last=False)


def _cached_parameters():
    return sum(t.count_params() for idle in _cache.values() for t in idle)


def _cached_trainers():
    return sum(len(idle) for idle in _cache.values())

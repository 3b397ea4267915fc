"""A Keras model as plain picklable state, and back.

The estimators pickle their fitted network through this state (see
``BaseSequenceEmbedding.__getstate__``): its serialized config, weights and
compile settings, plus the optimizer and dropout seed states a
``partial_fit`` needs to resume exactly.
"""

import keras

from ._trainers import seed_states


def model_to_state(model, resumable):
    """Architecture, weights and compile settings; with ``resumable``, also
    what ``partial_fit`` needs to continue exactly where it stopped."""
    state = {
        "config": keras.saving.serialize_keras_object(model),
        "weights": model.get_weights(),
        "compile_config": model.get_compile_config() if model.compiled else None,
    }
    if resumable:
        optimizer = {}
        model.optimizer.save_own_variables(optimizer)
        state["optimizer"] = optimizer
        state["seed_states"] = [variable.numpy() for variable in seed_states(model)]
    return state


def model_from_state(state):
    """The model ``model_to_state`` describes, compiled if it was."""
    model = keras.saving.deserialize_keras_object(state["config"])
    model.set_weights(state["weights"])
    if state["compile_config"] is not None:
        # This builds the optimizer, with fresh slots.
        model.compile_from_config(state["compile_config"])
    if "optimizer" in state:
        model.optimizer.load_own_variables(state["optimizer"])
        for variable, value in zip(seed_states(model), state["seed_states"]):
            variable.assign(value)
    return model

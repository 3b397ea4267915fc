"""Refusing embedding tables that cannot fit in memory, before TensorFlow tries.

One id is enough to ask for an impossible table: ``vocab_size=None`` takes
the largest id plus one, and a hashed id can be ``2**40``. TensorFlow would
then die allocating it (``ResourceExhaustedError``), or the system would
kill the process. The check here turns that into a ``ValueError`` that says
how to fix it.
"""

import os

import numpy as np

from ._networks import OOV_ROWS

#: Copies of the embedding table that training holds at once: the weights,
#: their gradient (Keras' optimizers densify an embedding's sparse gradient)
#: and two optimizer slots (Adam's moments; RMSprop keeps one, SGD none).
#: A lower bound: the optimizers' temporaries come on top.
TRAINING_COPIES = 4
#: Bytes of one float32 weight.
WEIGHT_BYTES = 4
#: Largest vocabulary whose ids (the out-of-vocabulary row included) fit the
#: model's int32 input.
MAX_VOCAB_SIZE = np.iinfo(np.int32).max - OOV_ROWS
#: The memory limit of this process's cgroup (version 2), where Linux
#: containers such as Docker's set it: lower than the machine's memory.
CGROUP_MEMORY_MAX = "/sys/fs/cgroup/memory.max"


def memory_limit():
    """Bytes of memory this process can have, or None where unknown.

    The machine's physical memory, or the container's limit when lower.
    Windows, which has no ``os.sysconf``, reports None: no limit is applied.
    """
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None
    try:
        with open(CGROUP_MEMORY_MAX) as file:
            container = file.read().strip()
    except OSError:
        return physical
    return min(physical, int(container)) if container.isdigit() else physical


def check_embedding_fits(vocab_size, embedding_dim, *, inferred):
    """Raise ``ValueError`` if training a ``vocab_size`` table cannot fit.

    Parameters
    ----------
    vocab_size : int
        Ids the model knows; the table has ``vocab_size + 1`` rows.
    embedding_dim : int
        Width of a row.
    inferred : bool
        True when ``vocab_size`` was taken from the largest id of ``X``.
    """
    origin = (
        "inferred from the largest id in X, as vocab_size=None does"
        if inferred
        else "as given"
    )
    fix = (
        "Set vocab_size to the number of ids the model should learn, for "
        "example vocab_size=2**20: ids at or above it share the "
        "out-of-vocabulary row."
    )
    limit = memory_limit()
    table_bytes = (vocab_size + OOV_ROWS) * embedding_dim * WEIGHT_BYTES
    needed = TRAINING_COPIES * table_bytes
    if limit is not None and needed > limit:
        raise ValueError(
            f"vocab_size={vocab_size} ({origin}) asks for an embedding table "
            f"of {table_bytes:,} bytes ({vocab_size + OOV_ROWS:,} rows of "
            f"{embedding_dim} float32), and training holds {TRAINING_COPIES} "
            f"such copies (weights, gradient, optimizer slots): {needed:,} "
            f"bytes, more than the {limit:,} bytes of memory here. {fix}"
        )
    if vocab_size > MAX_VOCAB_SIZE:
        raise ValueError(
            f"vocab_size={vocab_size} ({origin}) is above {MAX_VOCAB_SIZE:,}, "
            f"the most the model's int32 ids can address. {fix}"
        )

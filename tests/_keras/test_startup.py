"""TensorFlow's start-up lines: hidden by default, shown at the user's level."""

import os
import subprocess
import sys

import pytest

from sk_embed._keras._startup import _kept_lines

STARTUP_LINES = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
    "I0000 00:00:1795676472.139586   17916 port.cc:153] oneDNN custom operations are on.\n",
    "I0000 00:00:1795678192.682141   24886 cpu_feature_guard.cc:227] This TensorFlow binary\n",
    "To enable the following instructions: AVX2 FMA, rebuild TensorFlow.\n",
    "W0000 00:00:1795678192.682141   24886 some.cc:1] a warning\n",
    "E0000 00:00:1795676470.817272   17649 cuda_platform.cc:52] failed call to cuInit\n",
    "a line printed by someone else\n",
]


#: Imports sk_embed, then does the same in a child process, as joblib does.
PARENT_AND_CHILD = """
import os, subprocess, sys
import sk_embed, tensorflow as tf
tf.constant(1) + 1
subprocess.run([sys.executable, "-c", "import sk_embed; import tensorflow as tf; tf.constant(1)"], check=True)
"""


def test_importing_sk_embed_prints_nothing_in_parent_or_child_process():
    env = {
        key: value
        for key, value in os.environ.items()
        if "TF_CPP_MIN_LOG_LEVEL" not in key
    }
    result = subprocess.run(
        [sys.executable, "-c", PARENT_AND_CHILD],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout == ""


@pytest.mark.parametrize(
    "min_rank, expected",
    [
        (0, STARTUP_LINES),
        (1, STARTUP_LINES[4:]),
        (2, STARTUP_LINES[5:]),
        (3, []),
    ],
)
def test_startup_lines_below_the_level_are_dropped(min_rank, expected):
    assert _kept_lines(STARTUP_LINES, min_rank) == expected

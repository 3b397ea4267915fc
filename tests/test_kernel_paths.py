"""scikit-learn's contract on both of TensorFlow's CPU kernel paths.

TensorFlow runs its CPU kernels through oneDNN on CPUs with AVX-512 VNNI,
BF16 or AMX, and through Eigen everywhere else, unless
``TF_ENABLE_ONEDNN_OPTS`` says otherwise; the two round differently, and a
row's prediction once depended on its place in the batch on one and not on
the other. So ``_kernel_path_checks.py`` runs in a fresh Python process
with the variable set to 0 and to 1 (in the child's environment only:
TensorFlow reads it once, when it loads):

- on both paths, a row's prediction alone, among others, in any order and
  in subsets, for every model configuration;
- on the path this process does *not* run, ``check_estimator`` over every
  public estimator with its default parameters and the public expected
  failures. On this process's own path, ``test_common.py`` runs the same
  checks, one test each; running them here again would double the suite's
  longest part for nothing.

A pass here on one machine is a pass on CPUs of either kind.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _kernel_path_checks import onednn_in_this_process

CHECKS = Path(__file__).resolve().with_name("_kernel_path_checks.py")
TIMEOUT_SECONDS = 900


@pytest.mark.slow
@pytest.mark.parametrize("onednn", ["0", "1"])
def test_row_independence_on_both_kernel_paths_and_estimator_checks(onednn):
    other_path = (onednn == "1") != onednn_in_this_process()
    command = [sys.executable, str(CHECKS)] + (["--estimator-checks"] * other_path)
    result = subprocess.run(
        command,
        cwd=CHECKS.parent,
        env=dict(os.environ, TF_ENABLE_ONEDNN_OPTS=onednn),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    assert result.returncode == 0, result.stderr[-6000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"TF_ENABLE_ONEDNN_OPTS={onednn}: seconds {report['seconds']}")
    # The variable reached TensorFlow in the child: the path is the one asked.
    assert report["onednn"] == (onednn == "1")
    assert ("check_public_estimators" in report["seconds"]) == other_path
    assert report["failures"] == [], "\n".join(report["failures"])

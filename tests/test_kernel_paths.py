"""scikit-learn's contract on both of TensorFlow's CPU kernel paths.

TensorFlow runs its CPU kernels through oneDNN on CPUs with AVX-512 VNNI,
BF16 or AMX, and through Eigen everywhere else, unless
``TF_ENABLE_ONEDNN_OPTS`` says otherwise; the two round differently, and a
row's prediction once depended on its place in the batch on one and not on
the other. So ``_kernel_path_checks.py`` runs in a fresh Python process
with the variable set to 0 and to 1 (in the child's environment only:
TensorFlow reads it once, when it loads): ``check_estimator`` over every
public estimator with its default parameters and the public expected
failures, and a row's prediction alone, among others, in any order and in
subsets, for every model configuration. A pass here on one machine is a
pass on CPUs of either kind.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CHECKS = Path(__file__).resolve().with_name("_kernel_path_checks.py")
TIMEOUT_SECONDS = 900


@pytest.mark.slow
@pytest.mark.parametrize("onednn", ["0", "1"])
def test_estimator_checks_and_row_independence_on_both_kernel_paths(onednn):
    env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS=onednn)
    result = subprocess.run(
        [sys.executable, str(CHECKS)],
        cwd=CHECKS.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    assert result.returncode == 0, result.stderr[-6000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"TF_ENABLE_ONEDNN_OPTS={onednn}: seconds {report['seconds']}")
    assert report["failures"] == [], "\n".join(report["failures"])

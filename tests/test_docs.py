"""The documentation site builds with warnings as errors.

Runs ``sphinx-build -W --keep-going -b html docs <out>`` in a subprocess on a
copy of ``docs/`` and ``examples/`` in ``tmp_path``, so that the stubs and
gallery pages Sphinx generates next to the sources never land in the
checkout. The gallery scripts are not executed here (``-D plot_gallery=0``):
a build with the data runs them on the small samples of
``docs/example_runs.py``, about 25 s more, and ``test_examples.py`` already
runs them with the same arguments. The test extra installs the
documentation tools; without them the test skips, and under ``CI=true``
fails (see ``conftest.py``).
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("numpydoc")
pytest.importorskip("sphinx_gallery")

REPO_ROOT = Path(__file__).resolve().parents[1]
#: What the build writes next to the sources; not copied.
GENERATED = shutil.ignore_patterns(
    "_build", "generated", "auto_examples", "gen_modules", "sg_execution_times.rst",
    "sg_api_usage.rst", "__pycache__",
)
TIMEOUT_SECONDS = 600


def test_docs_build_without_warnings(tmp_path):
    for folder in ("docs", "examples"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder, ignore=GENERATED)
    out = tmp_path / "html"
    env = dict(os.environ)
    # conf.py puts the folder above docs/ on sys.path, here tmp_path: make
    # sure this checkout's sk_embed is the one documented.
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    command = [
        sys.executable, "-m", "sphinx", "-D", "plot_gallery=0",
        "-W", "--keep-going", "-b", "html", "docs", str(out),
    ]  # fmt: skip
    start = time.perf_counter()
    result = subprocess.run(
        command,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    elapsed = time.perf_counter() - start
    print(f"sphinx-build took {elapsed:.1f} s")
    assert result.returncode == 0, (
        f"sphinx-build failed (exit {result.returncode}) after {elapsed:.0f} s:\n"
        f"{result.stderr[-6000:]}"
    )
    for page in (
        "index.html",
        "api.html",
        "quick_start.html",
        "user_guide/index.html",
        "auto_examples/index.html",
        "auto_examples/plot_imdb_seed.html",
        "generated/sk_embed.SequenceEmbeddingClassifier.html",
        "generated/sk_embed.plot_history.html",
        "generated/sk_embed.most_similar.html",
        "user_guide/inspecting_embeddings.html",
        "generated/sk_embed.datasets.fetch_imdb.html",
    ):
        assert (out / page).is_file(), page

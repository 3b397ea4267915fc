"""Helpers shared by the dataset loaders: safe writes and progress reports.

Like :mod:`sklearn.datasets._base`, they know nothing of any one dataset:
writing a file so that an interruption never leaves it half written, telling
whether a folder may be written to, and reporting a long download or parse on
stderr.
"""

import contextlib
import os
import stat
import sys
import tempfile

#: Bytes read at a time when streaming a download or an archive.
_CHUNK_BYTES = 1 << 20


def _is_writable_dir(path):
    # os.access alone is not enough: root passes it even for a folder whose
    # permission bits say read-only (like a shared data folder), and writing
    # there would surprise its owner.
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    write_bits = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
    return stat.S_ISDIR(mode) and bool(mode & write_bits) and os.access(path, os.W_OK)


def _atomic_write(path, write):
    """Call ``write(file)`` on a temporary file, then rename it to ``path``.

    The temporary file is in the same folder (so the rename is atomic) and is
    deleted if ``write`` raises: ``path`` is either absent or complete.
    """
    fd, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".part"
    )
    try:
        with os.fdopen(fd, "wb") as file:
            # mkstemp's 0o600 would hide the file from other users of a
            # shared data_home or cache folder.
            os.fchmod(file.fileno(), 0o644)
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class _Progress:
    """Report ``label: 42% (detail)`` on stderr.

    On a terminal the line is rewritten in place at each percent; elsewhere
    (logs, CI) a new line is written every 10 % to keep the output short.
    """

    def __init__(self, label, enabled):
        self.label = label
        self.enabled = enabled
        self._is_terminal = enabled and sys.stderr.isatty()
        self._step = 1 if self._is_terminal else 10
        self._shown = -1
        self._detail = ""

    def update(self, fraction, detail=""):
        if not self.enabled:
            return
        self._detail = detail
        # 100 % is left to done(): a file position may reach the end of the
        # file before the last items are processed (read-ahead buffers).
        percent = min(int(fraction * 100), 99)
        percent -= percent % self._step
        if percent > self._shown:
            self._shown = percent
            self._write(percent)

    def done(self, detail=None):
        if not self.enabled:
            return
        if detail is not None:
            self._detail = detail
        self._write(100)
        if self._is_terminal:
            sys.stderr.write("\n")
            sys.stderr.flush()

    def _write(self, percent):
        detail = f" ({self._detail})" if self._detail else ""
        line = f"{self.label}: {percent:3d}%{detail}"
        sys.stderr.write(f"\r{line}" if self._is_terminal else f"{line}\n")
        sys.stderr.flush()

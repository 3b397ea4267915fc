"""Tests for sk_embed.datasets.fetch_imdb.

Most tests build a tiny archive in the dataset's layout; the tests marked
``data`` read the real archive from ``SK_EMBED_DATA`` and skip without it.
Nothing is downloaded: the download tests use a file:// URL.
"""

import gzip
import hashlib
import io
import os
import stat
import tarfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from sk_embed.datasets import (
    IMDBCorruptDataError,
    IMDBDataNotFoundError,
    _imdb_parse,
    _imdb_source,
    fetch_imdb,
)

# Read before the autouse fixture below removes it from the environment.
REAL_DATA_HOME = os.environ.get("SK_EMBED_DATA")

# (split, label, id, rating, text). Ids 2 and 10 check the numeric sort,
# the texts that the raw text (HTML breaks, non-ASCII) is kept as is.
REVIEWS = [
    ("train", "neg", 10, 1, "Awful.<br /><br />Avoid."),
    ("train", "neg", 2, 4, "Not great, not terrible."),
    ("train", "neg", 0, 3, "Boring <br />plot."),
    ("train", "pos", 7, 10, "Amélie-level charm — 5★."),
    ("train", "pos", 1, 7, "Pretty good.<br />"),
    ("test", "neg", 3, 2, "Meh.\nTwo lines."),
    ("test", "neg", 12, 4, "Could be worse."),
    ("test", "pos", 5, 8, "Loved it!<br /><br />Again!"),
    ("test", "pos", 40, 9, "A classic."),
]


def review_path(split, label, review_id, rating):
    return f"aclImdb/{split}/{label}/{review_id}_{rating}.txt"


def expected(subset):
    """The REVIEWS of a subset in the documented order."""
    splits = ["train", "test"] if subset == "all" else [subset]
    rows = [row for row in REVIEWS if row[0] in splits]
    rows.sort(key=lambda row: (splits.index(row[0]), row[1], row[2]))
    return rows


def official_members(reviews=REVIEWS):
    """{path: bytes} of an archive in the official layout, with the extras
    (README, unlabeled reviews, feature files) that the loader must ignore."""
    members = {review_path(*row[:4]): row[4].encode("utf-8") for row in reviews}
    members.update(
        {
            "aclImdb/README": b"Large Movie Review Dataset v1.0",
            "aclImdb/imdb.vocab": b"the\nand\n",
            "aclImdb/train/unsup/0_0.txt": b"Unlabeled review.",
            "aclImdb/train/unsup/1_0.txt": b"Another unlabeled one.",
            "aclImdb/train/labeledBow.feat": b"0 0:9 1:1\n",
            "aclImdb/train/urls_pos.txt": b"http://www.imdb.com/title/tt0453418/\n",
            "aclImdb/test/neg/notes.md": b"not a review",
        }
    )
    return members


def write_archive(path, members):
    """A .tar.gz holding ``members`` ({path: bytes}) plus their folders."""
    folders = sorted({str(Path(name).parent) for name in members} | {"aclImdb"})
    with tarfile.open(path, "w:gz") as tar:
        for folder in folders:
            info = tarfile.TarInfo(folder)
            info.type = tarfile.DIRTYPE
            tar.addfile(info)
        # Reversed so that the loader, not the archive, provides the order.
        for name, content in reversed(list(members.items())):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


def write_directory(data_home, members):
    for name, content in members.items():
        path = Path(data_home) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return Path(data_home) / "aclImdb"


def cache_files(folder):
    """Cache files and leftover temporary files in ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(
        p.name for p in folder.iterdir() if p.name.startswith(("imdb-", ".imdb-"))
    )


def assert_same_bunch(left, right):
    assert left.data == right.data
    np.testing.assert_array_equal(left.target, right.target)
    np.testing.assert_array_equal(left.rating, right.rating)
    np.testing.assert_array_equal(left.filenames, right.filenames)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path):
    """Keep every test away from the developer's home, data and cache."""
    monkeypatch.delenv("SK_EMBED_DATA", raising=False)
    monkeypatch.setenv("SK_EMBED_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def data_home(tmp_path):
    """A data_home holding the tiny official archive."""
    home = tmp_path / "data"
    home.mkdir()
    write_archive(home / "aclImdb_v1.tar.gz", official_members())
    return home


@pytest.fixture
def cache_dir(tmp_path):
    return tmp_path / "cache"


def fail_if_called(*args, **kwargs):
    raise AssertionError("the data was read again instead of the cache")


def forbid_parsing(monkeypatch):
    """Make any attempt to open an archive fail."""
    monkeypatch.setattr(tarfile, "open", fail_if_called)


# ---------------------------------------------------------------------------
# Content
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("subset", ["train", "test", "all"])
def test_subset_content_and_order(data_home, subset):
    bunch = fetch_imdb(subset, data_home=data_home)
    rows = expected(subset)

    assert bunch.data == [row[4] for row in rows]
    assert bunch.target.dtype == np.int64
    assert bunch.target.tolist() == [["neg", "pos"].index(row[1]) for row in rows]
    assert bunch.rating.tolist() == [row[3] for row in rows]
    assert bunch.filenames.tolist() == [review_path(*row[:4]) for row in rows]
    assert bunch.target_names == ["neg", "pos"]
    assert "Large Movie Review Dataset" in bunch.DESCR


def test_sizes_per_subset(data_home):
    sizes = {
        s: len(fetch_imdb(s, data_home=data_home).data)
        for s in ["train", "test", "all"]
    }
    assert sizes == {"train": 5, "test": 4, "all": 9}


def test_text_is_kept_raw(data_home):
    data = fetch_imdb("all", data_home=data_home).data
    assert "Awful.<br /><br />Avoid." in data
    assert "Amélie-level charm — 5★." in data
    assert "Meh.\nTwo lines." in data


def test_unlabeled_and_extra_files_are_ignored(data_home):
    bunch = fetch_imdb("all", data_home=data_home)
    assert not any("unsup" in name for name in bunch.filenames)
    assert "Unlabeled review." not in bunch.data
    assert set(bunch.rating) <= set(range(1, 11))


def test_return_X_y(data_home):
    X, y = fetch_imdb("test", data_home=data_home, return_X_y=True)
    bunch = fetch_imdb("test", data_home=data_home)
    assert bunch.data == X
    np.testing.assert_array_equal(y, bunch.target)


def test_shuffle_is_reproducible_and_keeps_columns_aligned(data_home):
    plain = fetch_imdb("all", data_home=data_home)
    first = fetch_imdb("all", data_home=data_home, shuffle=True, random_state=0)
    again = fetch_imdb("all", data_home=data_home, shuffle=True, random_state=0)
    other = fetch_imdb("all", data_home=data_home, shuffle=True, random_state=1)

    assert_same_bunch(first, again)
    assert first.data != plain.data
    assert first.data != other.data
    assert sorted(first.data) == sorted(plain.data)
    # Each review keeps its own label, rating and file name.
    row_of = {row[4]: row for row in REVIEWS}
    for text, target, rating, name in zip(
        first.data, first.target, first.rating, first.filenames, strict=True
    ):
        split, label, review_id, expected_rating, _ = row_of[text]
        assert target == ["neg", "pos"].index(label)
        assert rating == expected_rating
        assert name == review_path(split, label, review_id, expected_rating)


def test_shuffle_with_return_X_y_keeps_pairs(data_home):
    X, y = fetch_imdb(
        "all", data_home=data_home, shuffle=True, random_state=3, return_X_y=True
    )
    label_of = {row[4]: ["neg", "pos"].index(row[1]) for row in REVIEWS}
    assert y.tolist() == [label_of[text] for text in X]


@pytest.mark.parametrize("subset", ["validation", "TRAIN", "", None, ["train"]])
def test_bad_subset_raises_value_error(tmp_path, subset):
    # Checked first: no lookup, no download attempt for a missing data_home.
    with pytest.raises(ValueError, match="subset must be one of"):
        fetch_imdb(subset, data_home=tmp_path / "missing")


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------


def test_extracted_directory_gives_the_same_result(data_home, tmp_path):
    directory_home = tmp_path / "extracted"
    write_directory(directory_home, official_members())
    for subset in ["train", "test", "all"]:
        assert_same_bunch(
            fetch_imdb(subset, data_home=directory_home),
            fetch_imdb(subset, data_home=data_home),
        )


def test_labeled_only_archive(tmp_path):
    home = tmp_path / "labeled"
    home.mkdir()
    labeled = {review_path(*row[:4]): row[4].encode() for row in REVIEWS}
    labeled["aclImdb/README"] = b"labeled part only"
    write_archive(home / "aclImdb_labeled.tar.gz", labeled)

    bunch = fetch_imdb("all", data_home=home, download_if_missing=False)
    assert bunch.data == [row[4] for row in expected("all")]


def test_data_home_from_environment(data_home, monkeypatch):
    monkeypatch.setenv("SK_EMBED_DATA", str(data_home))
    assert len(fetch_imdb("train", download_if_missing=False).data) == 5


def test_default_data_home_is_in_home(tmp_path):
    default_home = tmp_path / "home" / "sk_embed_data"
    with pytest.raises(IMDBDataNotFoundError) as error:
        fetch_imdb(download_if_missing=False)
    assert str(default_home) in str(error.value)

    default_home.mkdir(parents=True)
    write_archive(default_home / "aclImdb_v1.tar.gz", official_members())
    assert len(fetch_imdb(download_if_missing=False).data) == 5


# ---------------------------------------------------------------------------
# Cache
# ---------------------------------------------------------------------------


def test_second_call_reads_the_cache(data_home, cache_dir, monkeypatch):
    first = fetch_imdb("all", data_home=data_home)
    assert len(cache_files(cache_dir)) == 1

    forbid_parsing(monkeypatch)
    assert_same_bunch(fetch_imdb("all", data_home=data_home), first)
    # One cache serves every subset.
    assert len(fetch_imdb("train", data_home=data_home).data) == 5


def test_directory_source_is_cached(tmp_path, cache_dir, monkeypatch):
    home = tmp_path / "extracted"
    write_directory(home, official_members())
    first = fetch_imdb("all", data_home=home)

    monkeypatch.setattr(_imdb_parse, "_parse_directory", fail_if_called)
    assert_same_bunch(fetch_imdb("all", data_home=home), first)


def test_changed_archive_is_parsed_again(data_home, cache_dir):
    archive = data_home / "aclImdb_v1.tar.gz"
    fetch_imdb("train", data_home=data_home)
    old_cache = cache_files(cache_dir)

    changed = [(*row[:4], row[4].upper()) for row in REVIEWS]
    write_archive(archive, official_members(changed))
    later = archive.stat().st_mtime_ns + 5_000_000_000
    os.utime(archive, ns=(later, later))  # a new mtime even on coarse clocks

    bunch = fetch_imdb("train", data_home=data_home)
    assert bunch.data == [row[4].upper() for row in expected("train")]
    new_cache = cache_files(cache_dir)
    assert len(new_cache) == 1 and new_cache != old_cache  # the outdated one is gone


def test_changed_directory_is_parsed_again(tmp_path):
    home = tmp_path / "extracted"
    root = write_directory(home, official_members())
    fetch_imdb("train", data_home=home)

    (root / "train" / "pos" / "1_7.txt").write_text("Edited.", encoding="utf-8")
    (root / "train" / "pos" / "99_8.txt").write_text("Added.", encoding="utf-8")
    data = fetch_imdb("train", data_home=home).data
    assert "Edited." in data and "Added." in data


def test_cache_goes_to_writable_data_home_without_cache_variable(
    data_home, monkeypatch
):
    monkeypatch.delenv("SK_EMBED_CACHE")
    fetch_imdb(data_home=data_home)
    assert len(cache_files(data_home)) == 1


def test_read_only_data_home_uses_fallback_cache(data_home, tmp_path, monkeypatch):
    monkeypatch.delenv("SK_EMBED_CACHE")
    before = sorted(os.listdir(data_home))
    data_home.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    try:
        first = fetch_imdb(data_home=data_home)
        fallback = tmp_path / "home" / ".cache" / "sk_embed"
        assert len(cache_files(fallback)) == 1
        assert sorted(os.listdir(data_home)) == before  # nothing written there

        forbid_parsing(monkeypatch)
        assert_same_bunch(fetch_imdb(data_home=data_home), first)
    finally:
        data_home.chmod(0o755)


def test_cache_variable_wins_over_data_home(data_home, cache_dir):
    fetch_imdb(data_home=data_home)
    assert len(cache_files(cache_dir)) == 1
    assert cache_files(data_home) == []


def test_damaged_cache_is_rebuilt(data_home, cache_dir):
    first = fetch_imdb("all", data_home=data_home)
    (cache_file,) = cache_files(cache_dir)
    (cache_dir / cache_file).write_bytes(b"not an npz file")

    assert_same_bunch(fetch_imdb("all", data_home=data_home), first)
    assert np.load(cache_dir / cache_file, allow_pickle=False)["split"].size == 9


def test_failed_cache_write_warns_and_leaves_nothing(data_home, cache_dir, monkeypatch):
    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.warns(RuntimeWarning, match="Could not write the IMDB cache"):
        bunch = fetch_imdb(data_home=data_home)
    assert len(bunch.data) == 5
    assert cache_files(cache_dir) == []  # no cache, no temporary file


def test_unwritable_cache_folder_warns(data_home, tmp_path, monkeypatch):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    monkeypatch.setenv("SK_EMBED_CACHE", str(not_a_folder / "cache"))
    with pytest.warns(RuntimeWarning, match="SK_EMBED_CACHE"):
        assert len(fetch_imdb(data_home=data_home).data) == 5


# ---------------------------------------------------------------------------
# Missing data and download
# ---------------------------------------------------------------------------


def test_missing_data_error_names_paths_and_fix(tmp_path):
    empty = tmp_path / "empty"
    with pytest.raises(IMDBDataNotFoundError) as error:
        fetch_imdb(data_home=empty, download_if_missing=False)

    assert isinstance(error.value, FileNotFoundError)
    message = str(error.value)
    for candidate in ["aclImdb_labeled.tar.gz", "aclImdb_v1.tar.gz", "aclImdb"]:
        assert str(empty / candidate) in message
    assert "SK_EMBED_DATA" in message and "data_home" in message
    assert "download_if_missing=False" in message
    assert not empty.exists()  # looking does not create anything


@pytest.fixture
def served_archive(tmp_path, monkeypatch):
    """Point the download URL and checksum at a local copy of the tiny archive."""
    served = write_archive(tmp_path / "served.tar.gz", official_members())
    monkeypatch.setattr(_imdb_source, "ARCHIVE_URL", served.as_uri())
    monkeypatch.setattr(
        _imdb_source, "ARCHIVE_SHA256", hashlib.sha256(served.read_bytes()).hexdigest()
    )
    return served


def test_download_when_missing(served_archive, tmp_path, monkeypatch, capsys):
    home = tmp_path / "new_home"
    bunch = fetch_imdb("all", data_home=home)

    assert bunch.data == [row[4] for row in expected("all")]
    assert (home / "aclImdb_v1.tar.gz").read_bytes() == served_archive.read_bytes()
    assert [p.name for p in home.iterdir() if p.name.startswith(".")] == []
    assert "Downloading aclImdb_v1.tar.gz: 100%" in capsys.readouterr().err

    def no_network(*args, **kwargs):
        raise AssertionError("downloaded again")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    assert len(fetch_imdb(data_home=home).data) == 5


def test_download_checksum_mismatch_leaves_no_file(
    served_archive, tmp_path, monkeypatch
):
    monkeypatch.setattr(_imdb_source, "ARCHIVE_SHA256", "0" * 64)
    home = tmp_path / "new_home"
    with pytest.raises(IMDBDataNotFoundError, match="sha256 mismatch") as error:
        fetch_imdb(data_home=home)

    assert isinstance(error.value.__cause__, OSError)
    assert list(home.iterdir()) == []  # neither the archive nor a temporary file
    assert "SK_EMBED_DATA" in str(error.value)


def test_download_failure_raises_clear_error(tmp_path, monkeypatch):
    missing_url = (tmp_path / "nowhere.tar.gz").as_uri()
    monkeypatch.setattr(_imdb_source, "ARCHIVE_URL", missing_url)
    home = tmp_path / "new_home"
    with pytest.raises(IMDBDataNotFoundError) as error:
        fetch_imdb(data_home=home)

    message = str(error.value)
    assert missing_url in message and str(home / "aclImdb_v1.tar.gz") in message
    assert isinstance(error.value.__cause__, urllib.error.URLError)
    assert list(home.iterdir()) == []


def test_download_into_read_only_data_home_raises_clear_error(served_archive, tmp_path):
    home = tmp_path / "read_only"
    home.mkdir(mode=0o555)
    try:
        with pytest.raises(IMDBDataNotFoundError, match="not writable"):
            fetch_imdb(data_home=home)
        assert list(home.iterdir()) == []
    finally:
        home.chmod(0o755)


# ---------------------------------------------------------------------------
# Corrupt data
# ---------------------------------------------------------------------------


def truncated(path):
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])


def flipped_byte(path):
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0xFF
    path.write_bytes(bytes(content))


def not_gzip(path):
    path.write_bytes(b"<html>404 Not Found</html>")


def gzip_not_tar(path):
    path.write_bytes(gzip.compress(b"just some text, not a tar archive" * 50))


def without_test_split(path):
    members = {k: v for k, v in official_members().items() if "/test/" not in k}
    write_archive(path, members)


def with_latin1_review(path):
    members = official_members()
    members["aclImdb/train/pos/50_9.txt"] = "Amélie".encode("latin-1")
    write_archive(path, members)


@pytest.mark.parametrize(
    "damage, message",
    [
        (truncated, "Cannot read the IMDB archive"),
        (flipped_byte, "Cannot read the IMDB archive"),
        (not_gzip, "Cannot read the IMDB archive"),
        (gzip_not_tar, "Cannot read the IMDB archive"),
        (without_test_split, "aclImdb/test/neg/, aclImdb/test/pos/"),
        (with_latin1_review, "aclImdb/train/pos/50_9.txt"),
    ],
)
def test_corrupt_archive_raises_and_caches_nothing(
    data_home, cache_dir, damage, message
):
    archive = data_home / "aclImdb_v1.tar.gz"
    damage(archive)
    with pytest.raises(IMDBCorruptDataError, match=message) as error:
        fetch_imdb(data_home=data_home)

    assert isinstance(error.value, ValueError)
    assert str(archive) in str(error.value)
    assert cache_files(cache_dir) == []
    assert cache_files(data_home) == []


def test_incomplete_directory_raises(tmp_path, cache_dir):
    home = tmp_path / "extracted"
    root = write_directory(home, official_members())
    for review in (root / "test" / "pos").iterdir():
        review.unlink()
    (root / "test" / "pos").rmdir()

    with pytest.raises(IMDBCorruptDataError, match="test/pos"):
        fetch_imdb(data_home=home)
    assert cache_files(cache_dir) == []


def test_undecodable_file_in_directory_names_it(tmp_path):
    home = tmp_path / "extracted"
    root = write_directory(home, official_members())
    bad = root / "test" / "neg" / "7_1.txt"
    bad.write_bytes(b"\xff\xfe broken")
    with pytest.raises(IMDBCorruptDataError, match="7_1.txt"):
        fetch_imdb(data_home=home)


# ---------------------------------------------------------------------------
# Progress
# ---------------------------------------------------------------------------


def test_progress_only_while_parsing(data_home, capsys):
    fetch_imdb(data_home=data_home)
    first = capsys.readouterr().err
    assert "Parsing aclImdb_v1.tar.gz:" in first
    assert "100% (9 reviews)" in first

    fetch_imdb(data_home=data_home)
    assert capsys.readouterr().err == ""


def test_verbose_false_is_silent(data_home, capsys):
    fetch_imdb(data_home=data_home, verbose=False)
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------------------
# The real data (SK_EMBED_DATA)
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_data_cache(tmp_path_factory):
    """One cache for the module, so the real archive is parsed only once."""
    return tmp_path_factory.mktemp("real_data_cache")


@pytest.fixture
def real_data_home(real_data_cache, monkeypatch):
    if not REAL_DATA_HOME:
        pytest.skip(
            "SK_EMBED_DATA is not set; it must name the folder with the IMDB data"
        )
    home = Path(REAL_DATA_HOME)
    if _imdb_source._find_source(home.absolute()) is None:
        pytest.skip(
            f"no IMDB archive or aclImdb/ folder in SK_EMBED_DATA={REAL_DATA_HOME}"
        )
    monkeypatch.setenv("SK_EMBED_CACHE", str(real_data_cache))
    return home


@pytest.mark.data
def test_real_train(real_data_home):
    bunch = fetch_imdb("train", data_home=real_data_home, download_if_missing=False)
    assert len(bunch.data) == 25_000
    assert np.bincount(bunch.target).tolist() == [12_500, 12_500]
    assert bunch.rating[bunch.target == 0].max() <= 4
    assert bunch.rating[bunch.target == 1].min() >= 7
    assert bunch.rating.min() >= 1 and bunch.rating.max() <= 10
    assert any("<br />" in text for text in bunch.data)
    assert all(name.startswith("aclImdb/train/") for name in bunch.filenames)


@pytest.mark.data
def test_real_test_and_all(real_data_home):
    test = fetch_imdb("test", data_home=real_data_home, download_if_missing=False)
    assert len(test.data) == 25_000
    assert np.bincount(test.target).tolist() == [12_500, 12_500]
    everything = fetch_imdb("all", data_home=real_data_home, download_if_missing=False)
    assert len(everything.data) == 50_000
    assert everything.data[25_000:] == test.data


@pytest.mark.data
def test_real_data_from_environment(real_data_home, monkeypatch):
    monkeypatch.setenv("SK_EMBED_DATA", str(real_data_home))
    X, y = fetch_imdb("train", return_X_y=True, download_if_missing=False)
    assert len(X) == len(y) == 25_000


@pytest.mark.data
def test_real_cached_call_is_fast(real_data_home, real_data_cache, monkeypatch):
    fetch_imdb("train", data_home=real_data_home)  # parses unless cached already
    forbid_parsing(monkeypatch)
    start = time.perf_counter()
    bunch = fetch_imdb("all", data_home=real_data_home)
    elapsed = time.perf_counter() - start
    assert len(bunch.data) == 50_000
    assert elapsed < 1.0, f"cached call took {elapsed:.2f} s"

"""segscope.io.sources: fsspec URLs and file lists paired as folders are, one pair fetched."""

from __future__ import annotations

from pathlib import Path

import pytest

from segscope.errors import MissingFileError, PairingError
from segscope.io import Pair, fetch_pair, is_url, pair_folders, pair_sources

fsspec = pytest.importorskip("fsspec")


@pytest.fixture
def memory():
    fs = fsspec.filesystem("memory")
    root = "/segscope-io-sources"
    for name in ("a.png", "sub/b.png", "c.tif", ".hidden.png", "notes.txt"):
        fs.pipe(f"{root}/pred/{name}", b"p")
    for name in ("a.png", "sub/b.tif", "d.png"):
        fs.pipe(f"{root}/target/{name}", b"t")
    yield fs, root
    fs.rm(root, recursive=True)


def test_url_folders_pair_like_local_folders(memory, tmp_path):
    fs, root = memory
    got = pair_sources(f"memory://{root}/pred", f"memory://{root}/target")
    assert [p.name for p in got.pairs] == ["a", "sub/b"]
    assert got.pairs[1].pred == f"memory://{root}/pred/sub/b.png"
    assert got.unpaired_pred == (f"memory://{root}/pred/c.tif",)
    assert got.unpaired_target == (f"memory://{root}/target/d.png",)
    # the same tree on disk pairs the same way
    for url in fs.find(root):
        local = tmp_path / url[len(root) + 1:]
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(fs.cat(url))
    here = pair_folders(tmp_path / "pred", tmp_path / "target")
    assert [p.name for p in here.pairs] == [p.name for p in got.pairs]
    stem = pair_sources(f"memory://{root}/pred", f"memory://{root}/target", match="stem")
    assert [p.name for p in stem.pairs] == ["a", "b"]


def test_url_errors(memory):
    fs, root = memory
    with pytest.raises(MissingFileError, match="no such file or folder"):
        pair_sources(f"memory://{root}/nothing", f"memory://{root}/target")
    with pytest.raises(PairingError, match="both be files or both be folders"):
        pair_sources(f"memory://{root}/pred/a.png", f"memory://{root}/target")
    fs.pipe(f"{root}/pred/x/a.tif", b"p")
    with pytest.raises(PairingError, match="same key 'a'"):
        pair_sources(f"memory://{root}/pred", f"memory://{root}/target", match="stem")
    one = pair_sources(f"memory://{root}/pred/a.png", f"memory://{root}/target/a.png")
    assert [p.name for p in one.pairs] == ["a"]


def test_lists_pair_by_position():
    got = pair_sources(["p/x.png", "memory://b/y.png"], [Path("t/x.tif"), "t/z.png"])
    assert [(p.name, p.pred, p.target) for p in got.pairs] == [
        ("x", Path("p/x.png"), Path("t/x.tif")), ("z", "memory://b/y.png", Path("t/z.png"))]
    with pytest.raises(PairingError, match="same length"):
        pair_sources(["a.png"], ["a.png", "b.png"])
    with pytest.raises(PairingError, match="lists of files or neither"):
        pair_sources(["a.png"], "t")


def test_fetch_pair_copies_urls_and_keeps_paths(memory, tmp_path):
    _, root = memory
    pair = Pair("a", f"memory://{root}/pred/a.png", Path("t/a.png"))  # type: ignore[arg-type]
    got = fetch_pair(pair, tmp_path)
    assert got.pred == tmp_path / "pred" / "a.png" and got.pred.read_bytes() == b"p"
    assert got.target == Path("t/a.png")
    local = tmp_path / "here.png"
    local.write_bytes(b"x")
    assert fetch_pair(Pair("h", f"file://{local}", local), tmp_path).pred == local  # type: ignore[arg-type]
    with pytest.raises(MissingFileError):
        fetch_pair(Pair("m", f"memory://{root}/none.png", local), tmp_path)  # type: ignore[arg-type]
    assert is_url("s3://b/k") and not is_url(Path("s3:/b")) and not is_url("a/b")

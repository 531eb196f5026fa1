"""Pairing two folders by relative path or by stem."""

from __future__ import annotations

import pytest

from segscope.errors import MissingFileError, PairingError, ParameterError
from segscope.io import list_files, pair_folders, pair_inputs


def _touch(root, *names):
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")


def test_path_match_allows_other_suffix_and_lists_unpaired(tmp_path):
    _touch(tmp_path, "pred/a.png", "pred/sub/b.png", "pred/only_pred.png",
           "gt/a.tif", "gt/sub/b.nii.gz", "gt/only_gt.npy")
    pairing = pair_folders(tmp_path / "pred", tmp_path / "gt")
    assert [(p.name, p.pred.name, p.target.name) for p in pairing.pairs] == [
        ("a", "a.png", "a.tif"), ("sub/b", "b.png", "b.nii.gz")]
    assert [p.name for p in pairing.unpaired_pred] == ["only_pred.png"]
    assert [p.name for p in pairing.unpaired_target] == ["only_gt.npy"]
    assert not pairing.complete
    text = pairing.describe_unpaired()
    assert "only_pred.png" in text and "only_gt.npy" in text


def test_path_match_requires_same_folder(tmp_path):
    _touch(tmp_path, "pred/x/a.png", "gt/a.png")
    pairing = pair_folders(tmp_path / "pred", tmp_path / "gt")
    assert len(pairing) == 0
    assert len(pairing.unpaired_pred) == 1 and len(pairing.unpaired_target) == 1


def test_stem_match_ignores_folders(tmp_path):
    _touch(tmp_path, "pred/a.png", "pred/b.png", "gt/deep/er/a.tif", "gt/other/b.png")
    pairing = pair_folders(tmp_path / "pred", tmp_path / "gt", match="stem")
    assert [p.name for p in pairing.pairs] == ["a", "b"]
    assert pairing.complete


def test_duplicate_stem_names_both_files(tmp_path):
    _touch(tmp_path, "pred/x/a.png", "pred/y/a.png", "gt/a.png")
    with pytest.raises(PairingError, match=r"x/a\.png.*y/a\.png"):
        pair_folders(tmp_path / "pred", tmp_path / "gt", match="stem")
    # with match="path" they are distinct keys
    pairing = pair_folders(tmp_path / "pred", tmp_path / "gt", match="path")
    assert len(pairing.pairs) == 0 and len(pairing.unpaired_pred) == 2


def test_same_key_two_suffixes_is_an_error(tmp_path):
    _touch(tmp_path, "pred/a.png", "pred/a.tif", "gt/a.png")
    with pytest.raises(PairingError, match=r"a\.png and .*a\.tif"):
        pair_folders(tmp_path / "pred", tmp_path / "gt")


def test_hidden_and_foreign_files_are_ignored(tmp_path):
    _touch(tmp_path, "pred/a.png", "pred/.b.png", "pred/.git/c.png", "pred/readme.txt",
           "gt/a.png", "gt/.DS_Store")
    pairing = pair_folders(tmp_path / "pred", tmp_path / "gt")
    assert [p.name for p in pairing.pairs] == ["a"]
    assert pairing.complete


def test_list_files_extensions(tmp_path):
    _touch(tmp_path, "a.png", "b.TIF", "c.nii.gz", "d.jpg", "e.txt")
    assert [p.name for p in list_files(tmp_path)] == ["a.png", "b.TIF", "c.nii.gz", "d.jpg"]
    assert [p.name for p in list_files(tmp_path, extensions=("jpg",))] == ["d.jpg"]


def test_pair_inputs_files_and_mixed(tmp_path):
    _touch(tmp_path, "p.png", "t.tif", "dir/a.png")
    pairing = pair_inputs(tmp_path / "p.png", tmp_path / "t.tif")
    assert len(pairing) == 1 and pairing.pairs[0].name == "p"
    with pytest.raises(PairingError, match="both be files or both be folders"):
        pair_inputs(tmp_path / "dir", tmp_path / "t.tif")
    with pytest.raises(MissingFileError, match="nope"):
        pair_inputs(tmp_path / "nope", tmp_path / "t.tif")
    with pytest.raises(MissingFileError):
        pair_folders(tmp_path / "nope", tmp_path / "dir")


def test_bad_match():
    with pytest.raises(ParameterError, match="match"):
        pair_folders(".", ".", match="name")

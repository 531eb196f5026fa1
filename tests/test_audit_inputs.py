"""The audit as a user meets it: folders reached through links, empty files and folders,
split names, outputs to standard output."""

from __future__ import annotations

import json
import os

import pytest
from PIL import Image
from typer.testing import CliRunner

from _audit_data import jpeg, photos
from segscope.audit import find_duplicates
from segscope.cli import app

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symbolic links")


@pytest.fixture()
def linked(tmp_path):
    base = photos()
    root, outside = tmp_path / "images", tmp_path / "elsewhere" / "more"
    (root / "sub").mkdir(parents=True)
    outside.mkdir(parents=True)
    Image.fromarray(base["camera"]).save(root / "camera.png")
    Image.fromarray(base["coins"]).save(root / "sub" / "coins.png")
    Image.fromarray(jpeg(base["camera"], 50)).save(outside / "camera.jpg")
    os.symlink(outside.parent, root / "a_link")  # a folder kept elsewhere: searched
    os.symlink(outside.parent, root / "sub" / "b_again")  # the same folder again: reported
    os.symlink(root, root / "sub" / "up")  # a loop: reported
    os.symlink(root / "sub", root / "sub_link")  # a folder of the tree itself: reported
    return root


def test_folders_reached_through_links_are_searched_once(linked):
    result = find_duplicates(linked)
    assert sorted(result.names) == ["a_link/more/camera.jpg", "camera.png", "sub/coins.png"]
    assert [sorted(g) for g in result.groups] == [["a_link/more/camera.jpg", "camera.png"]]
    skipped = dict(result.skipped)
    assert set(skipped) == {"sub/b_again", "sub/up", "sub_link"}
    assert all("symbolic link" in why for why in skipped.values())


def test_empty_file_and_empty_folder_are_said(tmp_path):
    (tmp_path / "none").mkdir()
    (tmp_path / "some").mkdir()
    (tmp_path / "some" / "blank.jpg").write_bytes(b"")
    Image.fromarray(photos()["camera"]).save(tmp_path / "some" / "camera.png")
    result = find_duplicates(tmp_path / "some")
    assert dict(result.skipped)["blank.jpg"].endswith("empty file (0 bytes); it holds no image")
    r = CliRunner().invoke(app, ["dedup", str(tmp_path / "none")])
    assert r.exit_code == 0, r.output
    assert "no image files found in" in r.output
    r = CliRunner().invoke(app, ["leakage", str(tmp_path / "some"), str(tmp_path / "none")])
    assert r.exit_code == 0, r.output
    assert "no image files found in" in r.output and "none" in r.output
    r = CliRunner().invoke(app, ["dedup", str(tmp_path / "some")])
    assert "no image files found" not in r.output


def test_split_named_as_given_not_by_link_target(tmp_path):
    base = photos()
    train = tmp_path / "train"
    train.mkdir()
    Image.fromarray(base["camera"]).save(train / "camera.png")
    os.symlink(train, tmp_path / "val")  # the val split is a link to the training folder
    r = CliRunner().invoke(app, ["leakage", str(train), str(tmp_path / "val"), "--json", "-",
                                 "-q"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["splits"] == ["train", "val"]
    assert [(p["name_a"], p["name_b"]) for p in data["pairs"]] == [("train/camera.png",
                                                                    "val/camera.png")]


def test_max_pixels_checked(tmp_path):
    from segscope.errors import ParameterError

    Image.fromarray(photos()["camera"]).save(tmp_path / "camera.png")
    for bad in (-5, 0, 1.5, True):
        with pytest.raises(ParameterError, match="max_pixels"):
            find_duplicates(tmp_path, max_pixels=bad)
    r = CliRunner().invoke(app, ["dedup", str(tmp_path), "--max-pixels", "-5"])
    assert r.exit_code == 2 and "--max-pixels" in r.output
    r = CliRunner().invoke(app, ["dedup", str(tmp_path), "--max-pixels", "0", "-q"])
    assert r.exit_code == 0, r.output


def test_names_with_control_characters_cannot_drive_the_terminal_or_break_lists(tmp_path):
    cam = photos()["camera"]
    root = tmp_path / "in"
    root.mkdir()
    Image.fromarray(cam).save(root / "camera.png")
    for name in ("\x1b[31mred\x1b[0m.png", "two\nlines.png", "tab\there.png"):
        Image.fromarray(jpeg(cam, 60)).save(root / name, format="PNG")
    (root / "\x1b]0;title\x07.png").write_bytes(b"not an image")
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["dedup", str(root), "--drops", str(out / "drops.txt"),
                                 "--json", str(out / "a.json")])
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.output and "\x07" not in r.output
    assert "\\x1b[31mred" in r.output  # shown, escaped
    listed = (out / "drops.txt").read_text(encoding="utf-8").splitlines()
    assert all((root / name).is_file() for name in listed)  # every line names a file
    assert "two\nlines.png" not in listed and "line break" in r.output
    data = json.loads((out / "a.json").read_text(encoding="utf-8"))
    assert "two\nlines.png" in data["suggested_drops"]  # the exact names stay in JSON

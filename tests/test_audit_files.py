"""The audit on files: bad inputs reported, files untouched, the on-disk index, the CLI."""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from _audit_data import jpeg, noise, photos
from segscope.audit import find_duplicates, find_leakage
from segscope.cli import app
from segscope.io.thumbnails import read_thumbnail


def _digest(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def _bomb_png(path, side=100_000):
    """A valid PNG header claiming side × side pixels (10^10), with a tiny body."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + header
    data = (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)))
    path.write_bytes(data + b"\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture()
def folder(tmp_path):
    base = photos()
    root = tmp_path / "images"
    (root / "sub").mkdir(parents=True)
    Image.fromarray(base["camera"]).save(root / "camera.png")
    Image.fromarray(jpeg(base["camera"], 40)).save(root / "sub" / "camera copy.jpg")
    Image.fromarray(base["coffee"]).save(root / "coffee.webp", lossless=True)
    Image.fromarray(noise(base["coffee"], 0.03)).save(root / "sub" / "кофе ☕.png")
    Image.fromarray(base["coins"]).save(root / "coins.gif")
    Image.fromarray(base["page"]).save(root / "=cmd|' ;rm -rf.png")  # hostile name
    (root / "empty.png").write_bytes(b"")
    (root / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    good = (root / "camera.png").read_bytes()
    (root / "truncated.png").write_bytes(good[: len(good) // 3])
    Image.fromarray(np.zeros((1, 1), np.uint8)).save(root / "tiny.png")
    _bomb_png(root / "bomb.png")
    os.symlink(root, root / "sub" / "loop")  # a folder symlink loop
    os.symlink(root / "missing.png", root / "dangling.png")
    os.symlink(root / "loop_b.png", root / "loop_a.png")  # a file symlink loop
    os.symlink(root / "loop_a.png", root / "loop_b.png")
    return root


def test_bad_inputs_reported_and_files_untouched(folder, tmp_path):
    before = _digest(folder)
    result = find_duplicates(folder, threads=2)
    skipped = dict(result.skipped)
    assert set(skipped) == {"empty.png", "corrupt.jpg", "truncated.png", "tiny.png",
                            "bomb.png", "dangling.png", "loop_a.png", "loop_b.png",
                            "sub/loop"}
    assert "max_pixels" in skipped["bomb.png"]
    assert "loop" in skipped["sub/loop"] and "empty file" in skipped["empty.png"]
    assert "too small" in skipped["tiny.png"]
    assert {g for g in result.groups} == {("camera.png", "sub/camera copy.jpg"),
                                          ("coffee.webp", "sub/кофе ☕.png")}
    assert "=cmd|' ;rm -rf.png" in result.names
    assert _digest(folder) == before
    assert not any(p.name.startswith(".") for p in folder.rglob("*"))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs a non-root POSIX user (root reads mode-000 files)")
def test_unreadable_file_reported(folder):
    target = folder / "camera.png"
    target.chmod(0)
    try:
        result = find_duplicates(folder)
    finally:
        target.chmod(0o644)
    assert "camera.png" in dict(result.skipped)


def test_thumbnail_orientation_and_modes(tmp_path):
    from PIL import ImageOps

    img = photos()["astronaut"]
    for orientation in range(1, 9):
        path = tmp_path / f"o{orientation}.jpg"
        exif = Image.Exif()
        exif[0x0112] = orientation
        Image.fromarray(img[:, :200]).save(path, exif=exif, quality=95)
        with Image.open(path) as im:
            want = ImageOps.exif_transpose(im).convert("L")
        t = read_thumbnail(path, size=32)
        assert (t.height, t.width) == (want.height, want.width)
        ref = np.asarray(want.resize((32, 32), Image.Resampling.BOX), dtype=float)
        assert np.corrcoef(ref.ravel(), t.pixels.ravel())[0, 1] > 0.98, orientation
    grey = (np.asarray(Image.fromarray(img).convert("L")))
    deep = (grey.astype(np.uint16) * 257)
    Image.fromarray(deep).save(tmp_path / "deep.png")
    import tifffile

    tifffile.imwrite(tmp_path / "deep.tif", deep)
    Image.fromarray(img).convert("CMYK").save(tmp_path / "cmyk.jpg", quality=95)
    Image.fromarray(img).convert("RGBA").save(tmp_path / "rgba.png")
    Image.fromarray(img).convert("P").save(tmp_path / "palette.gif")
    ref = read_thumbnail(tmp_path / "o1.jpg").pixels  # not the same crop: compare among modes
    thumbs = [read_thumbnail(tmp_path / n).pixels.astype(float)
              for n in ("deep.png", "deep.tif", "cmyk.jpg", "rgba.png", "palette.gif")]
    for t in thumbs[1:]:
        assert np.corrcoef(thumbs[0].ravel(), t.ravel())[0, 1] > 0.97
    assert ref.shape == (64, 64)


def test_index_incremental_equals_fresh_run(folder, tmp_path):
    index = tmp_path / "audit.sqlite"
    fresh = find_duplicates(folder)
    first = find_duplicates(folder, index=index)
    assert first.pairs == fresh.pairs
    assert first.skipped == fresh.skipped  # the symlink loops too
    base = photos()
    Image.fromarray(base["chelsea"]).save(folder / "chelsea.png")
    Image.fromarray(jpeg(base["chelsea"], 60)).save(folder / "sub" / "chelsea.jpg")
    from segscope.io import thumbnails

    calls = []
    real = thumbnails.read_thumbnail

    def counting(path, **kw):
        calls.append(os.path.basename(path))
        return real(path, **kw)

    import segscope.io.thumbnails as mod

    mod.read_thumbnail = counting
    try:
        again = find_duplicates(folder, index=index)
    finally:
        mod.read_thumbnail = real
    assert sorted(calls) == ["chelsea.jpg", "chelsea.png"]  # only the new files are read
    assert again.pairs == find_duplicates(folder).pairs
    assert again.skipped == find_duplicates(folder).skipped
    assert ("chelsea.png", "sub/chelsea.jpg") in again.groups


def test_interrupted_run_resumes(tmp_path):
    from segscope.audit import describe as describe_mod

    base = photos()
    root = tmp_path / "many"
    root.mkdir()
    rng = np.random.default_rng(0)
    for k in range(40):
        tile = base["astronaut"][:, :, k % 3]
        y, x = rng.integers(0, 128, 2)
        Image.fromarray(tile[y:y + 128, x:x + 128]).save(root / f"{k:02d}.png")
    index = tmp_path / "audit.sqlite"
    real = describe_mod._thumb
    seen = []

    def interrupt(item, size, max_pixels):
        if len(seen) == 25:
            raise KeyboardInterrupt
        seen.append(item.name)
        return real(item, size, max_pixels)

    describe_mod._CHUNK, old_chunk = 10, describe_mod._CHUNK
    describe_mod._thumb = interrupt
    try:
        with pytest.raises(KeyboardInterrupt):
            find_duplicates(root, index=index, threads=1)
        seen.clear()
        describe_mod._thumb = lambda item, size, mp: (seen.append(item.name),
                                                       real(item, size, mp))[1]
        resumed = find_duplicates(root, index=index, threads=1)
    finally:
        describe_mod._thumb = real
        describe_mod._CHUNK = old_chunk
    assert len(seen) == 20  # the two finished chunks of ten were kept
    assert resumed.pairs == find_duplicates(root).pairs


def test_cli_dedup_outputs(folder, tmp_path):
    before = _digest(folder)
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["dedup", str(folder), "--json", str(out / "a.json"),
                                 "--csv", str(out / "a.csv"), "-o", str(out / "sheet.png"),
                                 "--drops", str(out / "drops.txt"), "-q"])
    assert r.exit_code == 0, r.output
    data = json.loads((out / "a.json").read_text(encoding="utf-8"))
    assert len(data["pairs"]) == 2 and len(data["skipped"]) == 9
    assert (out / "a.csv").read_text(encoding="utf-8").startswith("name_a,name_b")
    with Image.open(out / "sheet.png") as im:
        assert im.size[0] > 0
    # equal sizes: the first name of each group is kept
    assert (out / "drops.txt").read_text(encoding="utf-8").splitlines() == \
        ["sub/camera copy.jpg", "sub/кофе ☕.png"]
    assert _digest(folder) == before


def test_cli_csv_neutralises_hostile_names(tmp_path):
    base = photos()
    root = tmp_path / "in"
    root.mkdir()
    Image.fromarray(base["camera"]).save(root / "=HYPERLINK(1).png")
    Image.fromarray(jpeg(base["camera"], 50)).save(root / "a,b.jpg")
    r = CliRunner().invoke(app, ["dedup", str(root), "--csv", "-", "-q"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("name_a,name_b,split_a,split_b,distance")
    assert lines[1].startswith("'=HYPERLINK(1).png,\"a,b.jpg\",images,images,")


def test_cli_refuses_output_that_is_an_input(folder):
    before = _digest(folder)
    r = CliRunner().invoke(app, ["dedup", str(folder), "--csv", str(folder / "camera.png")])
    assert r.exit_code == 2
    assert "input" in r.output
    r = CliRunner().invoke(app, ["dedup", str(folder), "-o", str(folder / "sheet.png")])
    assert r.exit_code == 2
    assert _digest(folder) == before


def test_cli_leakage_summary(tmp_path):
    base = photos()
    train, val = tmp_path / "train", tmp_path / "val"
    train.mkdir()
    val.mkdir()
    for name in ("camera", "coins", "page"):
        Image.fromarray(base[name]).save(train / f"{name}.png")
    Image.fromarray(jpeg(base["coins"], 40)).save(val / "coins.jpg")
    Image.fromarray(base["chelsea"]).save(val / "cat.png")
    r = CliRunner().invoke(app, ["leakage", str(train), str(val), "--resplit",
                                 str(tmp_path / "resplit.csv")])
    assert r.exit_code == 0, r.output
    assert "1 of 2 val images have a near-twin in train (50.0 %)" in r.output
    rows = (tmp_path / "resplit.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "name,split" and "val/coins.jpg,train" in rows
    api = find_leakage([train, val])
    assert [(p.name_a, p.name_b) for p in api.pairs] == [("train/coins.png", "val/coins.jpg")]


def test_cli_index_second_run_gives_the_same_json(folder, tmp_path):
    index = tmp_path / "idx" / "audit.sqlite"
    args = ["dedup", str(folder), "--index", str(index), "--json", "-", "-q"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert index.is_file()
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    assert json.loads(first.output) == json.loads(second.output)


def test_cli_leakage_three_splits_json(tmp_path):
    base = photos()
    folders = [tmp_path / n for n in ("train", "val", "test")]
    for f in folders:
        f.mkdir()
    Image.fromarray(base["camera"]).save(folders[0] / "camera.png")
    Image.fromarray(base["coins"]).save(folders[1] / "coins.png")
    Image.fromarray(jpeg(base["coins"], 40)).save(folders[2] / "coins.jpg")
    Image.fromarray(noise(base["camera"], 0.03)).save(folders[2] / "camera.png")
    r = CliRunner().invoke(app, ["leakage", *map(str, folders), "--json", "-", "-q"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["splits"] == ["train", "val", "test"]
    assert data["summary"][:3] == [
        "0 of 1 val images have a near-twin in train (0.0 %)",
        "1 of 2 test images have a near-twin in train (50.0 %)",
        "1 of 2 test images have a near-twin in val (50.0 %)"]
    assert data["resplit"]["test/coins.jpg"] == "val"


def test_cli_thresholds(folder):
    strict = CliRunner().invoke(app, ["dedup", str(folder), "--min-ssim", "0.9999",
                                      "--min-ncc", "0.9999", "--min-match", "0.9999",
                                      "--min-ncc-low", "0.9999", "--min-ssim-low", "0.9999",
                                      "--json", "-", "-q"])
    assert strict.exit_code == 0, strict.output
    assert json.loads(strict.output)["pairs"] == []
    bad = CliRunner().invoke(app, ["dedup", str(folder), "--min-ssim", "3"])
    assert bad.exit_code == 2 and "min_ssim" in bad.output


def test_gif_first_frame_and_16bit_png_thumbnails(tmp_path):
    base = photos()
    frames = [Image.fromarray(base["camera"]), Image.fromarray(base["coins"][:256, :256])]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    first = read_thumbnail(tmp_path / "anim.gif").pixels.astype(float)
    camera = read_thumbnail(tmp_path / "anim.gif").pixels  # read twice: same result
    ref = np.asarray(frames[0].resize((64, 64), Image.Resampling.BOX), dtype=float)
    assert np.corrcoef(first.ravel(), ref.ravel())[0, 1] > 0.99
    assert np.array_equal(camera, read_thumbnail(tmp_path / "anim.gif").pixels)
    # a 16-bit image that uses only 12 bits keeps its contrast (stretched, not quantised)
    low = (base["camera"].astype(np.uint16) * 16)
    Image.fromarray(low).save(tmp_path / "twelve.png")
    t = read_thumbnail(tmp_path / "twelve.png")
    assert t.pixels.max() == 255 and len(np.unique(t.pixels)) > 100
    assert 0 < t.contrast < 0.1


@pytest.mark.parametrize("command", ["dedup", "leakage"])
def test_cli_threshold_defaults_are_the_library_defaults(command):
    # the CLI spells its defaults out (importing the audit at --help time would cost the
    # cold start); this keeps them equal to audit.Thresholds
    import dataclasses
    import inspect

    from segscope.audit import Thresholds
    from segscope.cli import dedup, leakage

    function = {"dedup": dedup.dedup, "leakage": leakage.leakage}[command]
    params = inspect.signature(function).parameters
    for field in dataclasses.fields(Thresholds):
        assert params[field.name].default == getattr(Thresholds(), field.name), field.name

"""read_mask and colormaps: every format round-trips, spacing is kept, bad files are errors."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
import tifffile
from PIL import Image

from segscope.errors import (
    DependencyError,
    DTypeError,
    FileFormatError,
    LabelError,
    MissingFileError,
)
from segscope.io import Mask, apply_colormap, parse_colour, read_colormap, read_mask

RNG = np.random.default_rng(1)


def _labels(shape=(9, 7), high=4, dtype=np.uint8):
    return RNG.integers(0, high, shape).astype(dtype)


def test_grey_png_round_trip(tmp_path):
    arr = _labels()
    Image.fromarray(arr).save(tmp_path / "m.png")
    mask = read_mask(tmp_path / "m.png")
    assert isinstance(mask, Mask)
    np.testing.assert_array_equal(mask.labels, arr)
    assert mask.spacing is None
    assert mask.path == tmp_path / "m.png"
    assert mask.shape == arr.shape


def test_16bit_png_round_trip(tmp_path):
    arr = _labels(high=40000, dtype=np.uint16)
    Image.fromarray(arr).save(tmp_path / "m.png")
    mask = read_mask(tmp_path / "m.png")
    assert mask.labels.dtype == np.uint16
    np.testing.assert_array_equal(mask.labels, arr)


def test_palette_png_gives_index_like_voc(tmp_path):
    arr = np.array([[0, 1, 2], [255, 2, 0]], dtype=np.uint8)
    im = Image.fromarray(arr, mode="P")
    palette = [0, 0, 0, 128, 0, 0, 0, 128, 0] + [0, 0, 0] * 252 + [224, 224, 192]
    im.putpalette(palette)
    im.save(tmp_path / "voc.png")
    np.testing.assert_array_equal(read_mask(tmp_path / "voc.png").labels, arr)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int32])
def test_tiff_round_trip(tmp_path, dtype):
    arr = _labels(high=200, dtype=dtype)
    tifffile.imwrite(tmp_path / "m.tif", arr)
    mask = read_mask(tmp_path / "m.tif")
    assert mask.labels.dtype == dtype
    np.testing.assert_array_equal(mask.labels, arr)
    assert mask.spacing is None


def test_tiff_3d_round_trip(tmp_path):
    arr = _labels((4, 5, 6))
    tifffile.imwrite(tmp_path / "m.tif", arr, photometric="minisblack")
    np.testing.assert_array_equal(read_mask(tmp_path / "m.tif").labels, arr)


def test_imagej_tiff_spacing(tmp_path):
    arr = _labels((3, 5, 6))
    tifffile.imwrite(tmp_path / "ij.tif", arr, imagej=True, resolution=(1 / 0.5, 1 / 0.25),
                     metadata={"spacing": 2.0, "unit": "um", "axes": "ZYX"})
    mask = read_mask(tmp_path / "ij.tif")
    np.testing.assert_array_equal(mask.labels, arr)
    assert mask.spacing == pytest.approx((2.0, 0.25, 0.5))


def test_imagej_tiff_2d_spacing(tmp_path):
    arr = _labels((5, 6))
    tifffile.imwrite(tmp_path / "ij.tif", arr, imagej=True, resolution=(1 / 0.5, 1 / 0.25))
    assert read_mask(tmp_path / "ij.tif").spacing == pytest.approx((0.25, 0.5))


def test_ome_tiff_spacing(tmp_path):
    arr = _labels((3, 5, 6))
    tifffile.imwrite(tmp_path / "m.ome.tif", arr, ome=True,
                     metadata={"axes": "ZYX", "PhysicalSizeX": 0.5, "PhysicalSizeY": 0.25,
                               "PhysicalSizeZ": 3.0})
    mask = read_mask(tmp_path / "m.ome.tif")
    np.testing.assert_array_equal(mask.labels, arr)
    assert mask.spacing == pytest.approx((3.0, 0.25, 0.5))


def test_npy_round_trip(tmp_path):
    arr = _labels(dtype=np.int64)
    np.save(tmp_path / "m.npy", arr)
    np.testing.assert_array_equal(read_mask(tmp_path / "m.npy").labels, arr)


def test_npz_single_array_and_spacing(tmp_path):
    arr = _labels((3, 4, 5))
    np.savez_compressed(tmp_path / "a.npz", whatever=arr)
    np.testing.assert_array_equal(read_mask(tmp_path / "a.npz").labels, arr)
    np.savez(tmp_path / "b.npz", labels=arr, image=arr * 2, spacing=np.array([2.0, 1.0, 0.5]))
    mask = read_mask(tmp_path / "b.npz")
    np.testing.assert_array_equal(mask.labels, arr)
    assert mask.spacing == (2.0, 1.0, 0.5)
    np.savez(tmp_path / "c.npz", mask=arr, image=arr)
    np.testing.assert_array_equal(read_mask(tmp_path / "c.npz").labels, arr)


def test_npz_ambiguous_lists_keys(tmp_path):
    np.savez(tmp_path / "a.npz", first=_labels(), second=_labels())
    with pytest.raises(FileFormatError, match=r"first.*second"):
        read_mask(tmp_path / "a.npz")


def test_nifti_keeps_anisotropic_spacing(tmp_path):
    nib = pytest.importorskip("nibabel")
    arr = _labels((4, 5, 6), dtype=np.int16)
    img = nib.Nifti1Image(arr, affine=np.diag([0.5, 0.7, 3.0, 1.0]))
    for name in ("m.nii", "m.nii.gz"):
        nib.save(img, tmp_path / name)
        mask = read_mask(tmp_path / name)
        np.testing.assert_array_equal(mask.labels, arr)
        assert mask.spacing == pytest.approx((0.5, 0.7, 3.0))
        assert mask.orientation == "RAS"


def test_nifti_fractional_values_are_refused(tmp_path):
    nib = pytest.importorskip("nibabel")
    arr = RNG.random((3, 3, 3)).astype(np.float32)
    nib.save(nib.Nifti1Image(arr, affine=np.eye(4)), tmp_path / "p.nii.gz")
    with pytest.raises(DTypeError, match="fractional"):
        read_mask(tmp_path / "p.nii.gz")


def test_nifti_without_nibabel_names_the_extra(tmp_path, monkeypatch):
    import sys

    header = bytearray(400)  # the start of a NIfTI-1 header: sizeof_hdr 348, magic "n+1"
    header[:4] = (348).to_bytes(4, "little")
    header[344:348] = b"n+1\0"
    (tmp_path / "m.nii").write_bytes(bytes(header))
    monkeypatch.setitem(sys.modules, "nibabel", None)
    with pytest.raises(DependencyError, match=r"segscope\[nifti\]"):
        read_mask(tmp_path / "m.nii")


def test_truncated_nifti_gz(tmp_path):
    nib = pytest.importorskip("nibabel")
    nib.save(nib.Nifti1Image(_labels((20, 20, 20), dtype=np.int16), np.eye(4)),
             tmp_path / "m.nii.gz")
    data = (tmp_path / "m.nii.gz").read_bytes()
    (tmp_path / "cut.nii.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(FileFormatError, match=r"cut\.nii\.gz"):
        read_mask(tmp_path / "cut.nii.gz")


@pytest.mark.parametrize("suffix", [".png", ".tif", ".npy", ".npz"])
def test_truncated_files_are_clear_errors(tmp_path, suffix):
    arr = _labels((64, 64), high=200)
    full = tmp_path / f"full{suffix}"
    if suffix == ".png":
        Image.fromarray(arr).save(full)
    elif suffix == ".tif":
        tifffile.imwrite(full, arr)
    elif suffix == ".npy":
        np.save(full, arr)
    else:
        np.savez_compressed(full, labels=arr)
    data = full.read_bytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileFormatError, match="cut"):
        read_mask(cut)


def test_gzip_garbage_is_clear_error(tmp_path):
    (tmp_path / "x.nii.gz").write_bytes(gzip.compress(b"not a nifti header"))
    pytest.importorskip("nibabel")
    with pytest.raises(FileFormatError, match=r"x\.nii\.gz"):
        read_mask(tmp_path / "x.nii.gz")


def test_missing_and_unsupported(tmp_path):
    with pytest.raises(MissingFileError):
        read_mask(tmp_path / "nope.png")
    (tmp_path / "a.csv").write_text("1,2")
    with pytest.raises(FileFormatError, match="unsupported mask suffix"):
        read_mask(tmp_path / "a.csv")


def test_jpeg_mask_is_refused(tmp_path):
    Image.fromarray(_labels()).save(tmp_path / "m.jpg")
    with pytest.raises(FileFormatError, match="lossy"):
        read_mask(tmp_path / "m.jpg")


def test_webp_lossless_is_read_and_lossy_refused(tmp_path):
    arr = _labels(high=3)
    Image.fromarray(arr).save(tmp_path / "ok.webp", lossless=True)
    np.testing.assert_array_equal(read_mask(tmp_path / "ok.webp").labels, arr)
    Image.fromarray(arr).save(tmp_path / "bad.webp", quality=90)
    with pytest.raises(FileFormatError, match="lossy WebP"):
        read_mask(tmp_path / "bad.webp")


def test_jpeg_compressed_tiff_is_refused(tmp_path):
    tifffile.imwrite(tmp_path / "j.tif", _labels((16, 16), high=3))
    with tifffile.TiffFile(tmp_path / "j.tif", mode="r+b") as tif:  # mark it JPEG (7)
        tif.pages[0].tags["Compression"].overwrite(7)
    with pytest.raises(FileFormatError, match="JPEG-compressed TIFF"):
        read_mask(tmp_path / "j.tif")


def test_deflate_tiff_is_read(tmp_path):
    arr = _labels((16, 16), high=3)
    tifffile.imwrite(tmp_path / "z.tif", arr, compression="zlib")
    np.testing.assert_array_equal(read_mask(tmp_path / "z.tif").labels, arr)


def test_float_masks(tmp_path):
    np.save(tmp_path / "whole.npy", np.array([[0.0, 1.0], [2.0, 0.0]]))
    assert read_mask(tmp_path / "whole.npy").labels.tolist() == [[0, 1], [2, 0]]
    np.save(tmp_path / "probs.npy", np.array([[0.2, 0.9]]))
    with pytest.raises(DTypeError, match="fractional"):
        read_mask(tmp_path / "probs.npy")
    np.save(tmp_path / "nan.npy", np.array([[0.0, np.nan]]))
    with pytest.raises(LabelError, match="NaN"):
        read_mask(tmp_path / "nan.npy")


def test_float_tiff_with_fractions_is_refused(tmp_path):
    tifffile.imwrite(tmp_path / "p.tif", RNG.random((4, 4)).astype(np.float32))
    with pytest.raises(DTypeError):
        read_mask(tmp_path / "p.tif")


def test_max_pixels_guard(tmp_path):
    np.savez_compressed(tmp_path / "big.npz", labels=np.zeros((100, 100), np.uint8))
    with pytest.raises(FileFormatError, match="max_pixels"):
        read_mask(tmp_path / "big.npz", max_pixels=9999)
    Image.fromarray(np.zeros((100, 100), np.uint8)).save(tmp_path / "big.png")
    with pytest.raises(FileFormatError, match="max_pixels"):
        read_mask(tmp_path / "big.png", max_pixels=9999)
    assert read_mask(tmp_path / "big.png", max_pixels=10000).shape == (100, 100)


# --- colour masks -------------------------------------------------------------------------

COLOURS = {(0, 0, 0): 0, (255, 0, 0): 1, (0, 255, 0): 2}


def _rgb_mask(labels):
    lut = np.array([[0, 0, 0], [255, 0, 0], [0, 255, 0]], dtype=np.uint8)
    return lut[labels]


def test_rgb_png_with_colormap_json_and_csv(tmp_path):
    labels = _labels(high=3)
    Image.fromarray(_rgb_mask(labels)).save(tmp_path / "c.png")
    (tmp_path / "map.json").write_text(json.dumps({"#000000": 0, "#FF0000": 1, "0,255,0": 2}))
    (tmp_path / "map.csv").write_text("r,g,b,class\n0,0,0,0\n255,0,0,1\n# comment\n0,255,0,2\n")
    for cmap_file in ("map.json", "map.csv"):
        assert read_colormap(tmp_path / cmap_file) == COLOURS
        mask = read_mask(tmp_path / "c.png", colormap=tmp_path / cmap_file)
        np.testing.assert_array_equal(mask.labels, labels)
    np.testing.assert_array_equal(read_mask(tmp_path / "c.png", colormap=COLOURS).labels, labels)


def test_rgba_png_and_rgb_tiff_with_colormap(tmp_path):
    labels = _labels(high=3)
    rgba = np.concatenate([_rgb_mask(labels), np.full((*labels.shape, 1), 255, np.uint8)], -1)
    Image.fromarray(rgba, mode="RGBA").save(tmp_path / "c.png")
    np.testing.assert_array_equal(read_mask(tmp_path / "c.png", colormap=COLOURS).labels, labels)
    tifffile.imwrite(tmp_path / "c.tif", _rgb_mask(labels), photometric="rgb")
    np.testing.assert_array_equal(read_mask(tmp_path / "c.tif", colormap=COLOURS).labels, labels)


def test_rgb_without_colormap_is_an_error_unless_grey(tmp_path):
    labels = _labels(high=3)
    Image.fromarray(_rgb_mask(labels)).save(tmp_path / "c.png")
    with pytest.raises(LabelError, match="colormap"):
        read_mask(tmp_path / "c.png")
    grey = np.repeat(labels[..., None], 3, axis=-1)
    Image.fromarray(grey).save(tmp_path / "g.png")
    np.testing.assert_array_equal(read_mask(tmp_path / "g.png").labels, labels)


def test_unknown_colour_is_named_with_its_count(tmp_path):
    rgb = _rgb_mask(np.zeros((4, 4), dtype=int))
    rgb[0, :3] = (1, 2, 3)
    with pytest.raises(LabelError, match=r"#010203 \(3 pixels\)"):
        apply_colormap(rgb, COLOURS, name="m.png")


def test_colormap_file_errors(tmp_path):
    (tmp_path / "dup.csv").write_text("0,0,0,0\n0,0,0,1\n")
    with pytest.raises(FileFormatError, match="two classes"):
        read_colormap(tmp_path / "dup.csv")
    (tmp_path / "bad.json").write_text('{"#zz0000": 1}')
    with pytest.raises(FileFormatError, match="zz0000"):
        read_colormap(tmp_path / "bad.json")
    (tmp_path / "neg.json").write_text('{"#000000": -1}')
    with pytest.raises(FileFormatError, match="non-negative"):
        read_colormap(tmp_path / "neg.json")
    (tmp_path / "short.csv").write_text("0,0,0\n")
    with pytest.raises(FileFormatError, match="4 values"):
        read_colormap(tmp_path / "short.csv")
    (tmp_path / "empty.json").write_text("{}")
    with pytest.raises(FileFormatError, match="no entries"):
        read_colormap(tmp_path / "empty.json")


def test_parse_colour():
    assert parse_colour("#00ff7f") == (0, 255, 127)
    assert parse_colour(" 1, 2 ,3") == (1, 2, 3)
    with pytest.raises(ValueError):
        parse_colour("256,0,0")


# --- real data ----------------------------------------------------------------------------

def test_real_nuclei_instance_mask(shared_data):
    path = shared_data("nuclei", "mask2d.tif")
    mask = read_mask(path)
    assert mask.shape == (512, 512)
    ids = np.unique(mask.labels)
    assert ids[0] == 0 and len(ids) == 126 and ids.max() == 183


def test_real_anisotropic_nifti(shared_data):
    pytest.importorskip("nibabel")
    path = shared_data("mri", "KmeansTest_T1KmeansPrelimSegmentation.nii.gz")
    mask = read_mask(path)
    assert mask.shape == (128, 128, 62)
    assert mask.spacing == pytest.approx((2.0, 2.0, 3.0))
    assert set(np.unique(mask.labels).tolist()) <= set(range(7))


def test_input_file_unchanged(tmp_path):
    labels = _labels(high=3)
    Image.fromarray(_rgb_mask(labels)).save(tmp_path / "c.png")
    before = (tmp_path / "c.png").read_bytes()
    read_mask(tmp_path / "c.png", colormap=COLOURS)
    assert (tmp_path / "c.png").read_bytes() == before

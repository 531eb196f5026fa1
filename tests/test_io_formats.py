"""Files are read by what they are (issue 10): each case here failed on the earlier main.

Format sniffed from the bytes, 16-bit colour and grey+alpha PNG kept at 16 bits, multi-page
TIFFs read whole (or refused), a grey stack never taken for RGB, unusable NIfTI voxel sizes
refused, the memory a file needs checked from its header also when max_pixels is raised.
"""

from __future__ import annotations

import struct
import time
import zlib

import numpy as np
import pytest
import tifffile
from PIL import Image

from _png16 import write_png16
from segscope.errors import FileFormatError, ResourceError
from segscope.files import ScoreOptions, evaluate_paths
from segscope.io import load_image, read_image, read_mask

RNG = np.random.default_rng(10)


def _jpeg_bytes(arr: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="JPEG", quality=75)
    return buf.getvalue()


# ----------------------------------------------------------------- format from the bytes


def test_jpeg_data_named_png_is_refused_as_a_mask(tmp_path):
    mask = np.zeros((32, 32), np.uint8)
    mask[8:24, 8:24] = 255
    (tmp_path / "mask.png").write_bytes(_jpeg_bytes(mask))
    with pytest.raises(FileFormatError, match=r"JPEG data \(named \.png\).*lossy"):
        read_mask(tmp_path / "mask.png")


def test_jpeg_named_png_cannot_be_scored(tmp_path):
    mask = np.zeros((32, 32), np.uint8)
    mask[8:24, 8:24] = 1
    (tmp_path / "pred.png").write_bytes(_jpeg_bytes(mask * 255))
    Image.fromarray(mask).save(tmp_path / "target.png")
    with pytest.raises(FileFormatError, match="JPEG"):
        evaluate_paths(tmp_path / "pred.png", tmp_path / "target.png", num_classes=256)


def test_png_data_named_tif_is_read_as_png(tmp_path):
    mask = RNG.integers(0, 4, (6, 7), dtype=np.uint8)
    Image.fromarray(mask).save(tmp_path / "mask.tif", format="PNG")
    np.testing.assert_array_equal(read_mask(tmp_path / "mask.tif").labels, mask)


def test_unknown_bytes_and_empty_files_are_named(tmp_path):
    (tmp_path / "a.png").write_bytes(b"hello world, not an image")
    (tmp_path / "b.png").write_bytes(b"")
    with pytest.raises(FileFormatError, match="not a format segscope reads"):
        read_mask(tmp_path / "a.png")
    with pytest.raises(FileFormatError, match="empty"):
        read_image(tmp_path / "b.png")


def test_jpeg_named_png_is_still_read_as_an_image(tmp_path):
    arr = RNG.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    (tmp_path / "photo.png").write_bytes(_jpeg_bytes(arr))
    assert read_image(tmp_path / "photo.png").shape == (16, 16, 3)


# --------------------------------------------------------------------- 16-bit PNG masks


@pytest.mark.parametrize("channels", [2, 3, 4])
def test_16bit_colour_and_grey_alpha_png_masks_keep_their_values(tmp_path, channels):
    labels = RNG.integers(0, 1200, (10, 12)).astype(np.uint16)   # values above 255
    planes = [labels] * (channels if channels != 2 else 1)
    if channels in (2, 4):
        planes = [*planes[: channels - 1], np.full_like(labels, 65535)]  # alpha
    write_png16(tmp_path / "m.png", np.stack(planes, axis=-1))
    got = read_mask(tmp_path / "m.png").labels
    assert got.dtype == np.uint16
    np.testing.assert_array_equal(got, labels)


def test_identical_16bit_rgb_masks_score_iou_one(tmp_path):
    labels = np.zeros((16, 16), np.uint16)
    labels[4:12, 4:12] = 256          # one class whose id does not fit 8 bits
    rgb = np.stack([labels] * 3, axis=-1)
    write_png16(tmp_path / "p.png", rgb)
    write_png16(tmp_path / "t.png", rgb)
    r = evaluate_paths(tmp_path / "p.png", tmp_path / "t.png", num_classes=257,
                       options=ScoreOptions(metrics=("iou",), labels=(256,)))
    assert r["iou"].value == 1.0


# ------------------------------------------------------------------------- TIFF stacks


def test_page_per_series_tiff_is_read_as_a_volume(tmp_path):
    stack = RNG.integers(0, 5, (3, 8, 9), dtype=np.uint8)
    for page in stack:
        tifffile.imwrite(tmp_path / "m.tif", page, append=True)
    with tifffile.TiffFile(tmp_path / "m.tif") as tif:
        assert len(tif.series) == 3    # the case the earlier reader cut to page 1
    np.testing.assert_array_equal(read_mask(tmp_path / "m.tif").labels, stack)
    np.testing.assert_array_equal(read_image(tmp_path / "m.tif"), stack)


def test_tiff_of_differently_shaped_images_is_refused(tmp_path):
    tifffile.imwrite(tmp_path / "m.tif", np.zeros((8, 8), np.uint8), append=True)
    tifffile.imwrite(tmp_path / "m.tif", np.zeros((4, 5), np.uint8), append=True)
    with pytest.raises(FileFormatError, match="2 images of different shapes"):
        read_mask(tmp_path / "m.tif")
    with pytest.raises(FileFormatError, match="never one page"):
        read_image(tmp_path / "m.tif")


@pytest.mark.parametrize("shape", [(4, 5, 3), (3, 6, 7), (4, 6, 4)])
def test_a_grey_stack_is_never_taken_for_rgb(tmp_path, shape):
    stack = RNG.integers(0, 256, shape, dtype=np.uint8)
    tifffile.imwrite(tmp_path / "s.tif", stack, photometric="minisblack")
    found = load_image(tmp_path / "s.tif")
    assert not found.is_colour and found.channel_axis is None
    np.testing.assert_array_equal(read_image(tmp_path / "s.tif", colour="grey"), stack)
    assert read_image(tmp_path / "s.tif", colour="rgb").shape == (*shape, 3)
    np.testing.assert_array_equal(read_mask(tmp_path / "s.tif").labels, stack)


def test_an_rgb_tiff_is_colour(tmp_path):
    rgb = RNG.integers(0, 256, (5, 6, 3), dtype=np.uint8)
    tifffile.imwrite(tmp_path / "c.tif", rgb, photometric="rgb")
    found = load_image(tmp_path / "c.tif")
    assert found.is_colour and found.channel_axis == -1
    assert read_image(tmp_path / "c.tif", colour="grey").shape == (5, 6)


def test_animated_gif_mask_is_refused(tmp_path):
    frames = [Image.fromarray(np.full((4, 4), v, np.uint8)) for v in (0, 1)]
    frames[0].save(tmp_path / "m.gif", save_all=True, append_images=frames[1:])
    with pytest.raises(FileFormatError, match="2 frames"):
        read_mask(tmp_path / "m.gif")


# ------------------------------------------------------------------- NIfTI voxel sizes


@pytest.mark.parametrize("zooms", [(1.0, 0.0, 1.0), (1.0, -2.0, 1.0), (np.nan, 1.0, 1.0)])
def test_unusable_nifti_voxel_sizes_are_an_error(tmp_path, zooms):
    nib = pytest.importorskip("nibabel")
    import gzip

    nib.save(nib.Nifti1Image(np.zeros((4, 5, 6), np.uint8), np.eye(4)), tmp_path / "m.nii")
    data = bytearray((tmp_path / "m.nii").read_bytes())
    data[80:92] = struct.pack("<3f", *zooms)  # pixdim[1:4], as a broken writer leaves them
    (tmp_path / "m.nii.gz").write_bytes(gzip.compress(bytes(data)))
    with pytest.raises(FileFormatError, match=r"voxel size.*--spacing"):
        read_mask(tmp_path / "m.nii.gz")
    assert read_mask(tmp_path / "m.nii.gz", read_spacing=False).spacing is None


def test_npz_spacing_of_the_wrong_length_is_an_error(tmp_path):
    np.savez(tmp_path / "m.npz", labels=np.zeros((4, 4), np.uint8), spacing=[1.0, 2.0, 3.0])
    with pytest.raises(FileFormatError, match="3 values for a 2-D mask"):
        read_mask(tmp_path / "m.npz")


# ----------------------------------------------------------------- decompression bombs


def _png_claiming(path, width: int, height: int) -> None:
    """A tiny PNG whose header claims width x height grey pixels."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("max_pixels", [None, 2**62])
@pytest.mark.parametrize("reader", [read_mask, read_image])
def test_bomb_guard_checks_the_header_also_when_the_limit_is_raised(tmp_path, max_pixels,
                                                                    reader):
    _png_claiming(tmp_path / "bomb.png", 2**31 - 1, 2**31 - 1)
    start = time.perf_counter()
    with pytest.raises(ResourceError, match="memory"):
        reader(tmp_path / "bomb.png", max_pixels=max_pixels)
    assert time.perf_counter() - start < 1.0


def test_bomb_guard_on_npy_and_tiff_headers(tmp_path):
    header = {"descr": "<u2", "fortran_order": False, "shape": (2**20, 2**20, 64)}
    with open(tmp_path / "bomb.npy", "wb") as fh:
        np.lib.format.write_array_header_2_0(fh, header)
    with pytest.raises(ResourceError, match="memory"):
        read_mask(tmp_path / "bomb.npy", max_pixels=None)
    with pytest.raises(FileFormatError, match="max_pixels"):
        read_mask(tmp_path / "bomb.npy")


def test_a_folder_says_which_images_are_colour(tmp_path):
    from segscope.io.image_folder import read_image_folder

    tifffile.imwrite(tmp_path / "stack.tif", np.zeros((4, 5, 3), np.uint8),
                     photometric="minisblack")
    tifffile.imwrite(tmp_path / "rgb.tif", np.zeros((4, 5, 3), np.uint8), photometric="rgb")
    found = read_image_folder(tmp_path)
    assert dict(zip(found.names, found.is_colour, strict=True)) == {"rgb.tif": True,
                                                                 "stack.tif": False}

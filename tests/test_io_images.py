"""read_image: formats, bit depth, orientation, palette, alpha, grey conversion, bad files."""

from __future__ import annotations

import numpy as np
import pytest
import tifffile
from PIL import Image

from _png16 import write_png16
from segscope.errors import FileFormatError, MissingFileError, ParameterError
from segscope.io import read_image, to_grey

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("suffix", [".png", ".bmp", ".tif", ".gif", ".webp"])
def test_grey_uint8_round_trip(tmp_path, suffix):
    arr = RNG.integers(0, 256, (7, 5), dtype=np.uint8)
    path = tmp_path / f"a{suffix}"
    if suffix == ".webp":
        Image.fromarray(arr).save(path, lossless=True)
        out = read_image(path, colour="grey")  # WebP stores RGB
    else:
        Image.fromarray(arr).save(path)
        out = read_image(path)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, arr)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16bit_grey_is_kept(tmp_path, suffix):
    arr = RNG.integers(0, 65536, (6, 4)).astype(np.uint16)
    path = tmp_path / f"deep{suffix}"
    if suffix == ".png":
        Image.fromarray(arr).save(path)
    else:
        tifffile.imwrite(path, arr)
    out = read_image(path)
    assert out.dtype == np.uint16
    np.testing.assert_array_equal(out, arr)


@pytest.mark.parametrize("channels", [2, 3, 4])
@pytest.mark.parametrize("interlace", [False, True])
def test_16bit_colour_and_grey_alpha_png_keep_16_bits(tmp_path, channels, interlace):
    # Pillow reads these as 8-bit (the high byte); segscope decodes them itself
    path = tmp_path / "deep.png"
    arr = RNG.integers(0, 65536, (9, 11, channels)).astype(np.uint16)
    write_png16(path, arr, interlace=interlace)
    out = read_image(path)
    assert out.dtype == np.uint16
    want = arr[..., 0] if channels == 2 else arr[..., :3]  # alpha dropped
    np.testing.assert_array_equal(out, want)


def test_16bit_png_decoder_agrees_with_pillow_on_grey(tmp_path):
    from segscope.io._png16 import read_png16

    arr = RNG.integers(0, 65536, (13, 17)).astype(np.uint16)
    Image.fromarray(arr).save(tmp_path / "g.png")  # Pillow's encoder picks its own filters
    np.testing.assert_array_equal(read_png16(tmp_path / "g.png", None), arr)
    np.testing.assert_array_equal(np.array(Image.open(tmp_path / "g.png")), arr)


def test_16bit_colour_tiff_is_kept(tmp_path):
    arr = RNG.integers(0, 65536, (3, 4, 3)).astype(np.uint16)
    tifffile.imwrite(tmp_path / "rgb16.tif", arr, photometric="rgb")
    out = read_image(tmp_path / "rgb16.tif")
    assert out.dtype == np.uint16
    np.testing.assert_array_equal(out, arr)


def test_float_tiff_keeps_dtype(tmp_path):
    arr = RNG.random((4, 4)).astype(np.float32)
    tifffile.imwrite(tmp_path / "f.tif", arr)
    out = read_image(tmp_path / "f.tif")
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, arr)


def test_tiff_stack_is_3d(tmp_path):
    arr = RNG.integers(0, 256, (3, 5, 6), dtype=np.uint8)
    tifffile.imwrite(tmp_path / "stack.tif", arr, photometric="minisblack")
    np.testing.assert_array_equal(read_image(tmp_path / "stack.tif"), arr)


def test_planar_rgb_tiff_is_channel_last(tmp_path):
    arr = RNG.integers(0, 256, (3, 5, 6), dtype=np.uint8)
    tifffile.imwrite(tmp_path / "planar.tif", arr, photometric="rgb", planarconfig="separate")
    np.testing.assert_array_equal(read_image(tmp_path / "planar.tif"), np.moveaxis(arr, 0, -1))


def test_rgba_drops_alpha(tmp_path):
    arr = RNG.integers(0, 256, (4, 4, 4), dtype=np.uint8)
    Image.fromarray(arr, mode="RGBA").save(tmp_path / "a.png")
    out = read_image(tmp_path / "a.png")
    np.testing.assert_array_equal(out, arr[..., :3])


def test_grey_alpha_drops_alpha(tmp_path):
    arr = RNG.integers(0, 256, (4, 4, 2), dtype=np.uint8)
    Image.fromarray(arr, mode="LA").save(tmp_path / "a.png")
    np.testing.assert_array_equal(read_image(tmp_path / "a.png"), arr[..., 0])


def test_palette_becomes_rgb(tmp_path):
    idx = np.array([[0, 1], [2, 1]], dtype=np.uint8)
    im = Image.fromarray(idx, mode="P")
    im.putpalette([10, 20, 30, 200, 0, 0, 0, 0, 255] + [0] * (256 * 3 - 9))
    im.save(tmp_path / "p.png")
    out = read_image(tmp_path / "p.png")
    assert out.shape == (2, 2, 3)
    assert out[0, 0].tolist() == [10, 20, 30]
    assert out[0, 1].tolist() == [200, 0, 0]
    assert out[1, 0].tolist() == [0, 0, 255]


def test_grey_palette_becomes_grey(tmp_path):
    idx = np.array([[0, 1], [2, 3]], dtype=np.uint8)
    im = Image.fromarray(idx, mode="P")
    im.putpalette([v for g in range(256) for v in (255 - g,) * 3])
    im.save(tmp_path / "p.png")
    out = read_image(tmp_path / "p.png")
    assert out.shape == (2, 2)
    assert out.tolist() == [[255, 254], [253, 252]]


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_exif_orientation_is_applied(tmp_path, suffix):
    arr = np.zeros((20, 40), dtype=np.uint8)
    arr[:, :10] = 255  # bright left strip of a wide image
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    path = tmp_path / f"rot{suffix}"
    Image.fromarray(arr).save(path, exif=exif.tobytes(), **({"quality": 100}
                                                            if suffix == ".jpg" else {}))
    out = read_image(path)
    assert out.shape == (40, 20)
    expected = np.rot90(arr, k=-1)  # clockwise: left strip becomes the top strip
    assert np.abs(out.astype(int) - expected).max() < 10
    assert out[:10].mean() > 200 and out[12:].mean() < 50


def test_grey_mode_uses_bt601_luma(tmp_path):
    arr = RNG.integers(0, 256, (5, 5, 3), dtype=np.uint8)
    Image.fromarray(arr).save(tmp_path / "c.png")
    out = read_image(tmp_path / "c.png", colour="grey")
    expected = np.rint(arr[..., 0] * 0.299 + arr[..., 1] * 0.587 + arr[..., 2] * 0.114)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, expected.astype(np.uint8))


def test_rgb_mode_repeats_grey(tmp_path):
    arr = RNG.integers(0, 256, (3, 3), dtype=np.uint8)
    Image.fromarray(arr).save(tmp_path / "g.png")
    out = read_image(tmp_path / "g.png", colour="rgb")
    assert out.shape == (3, 3, 3)
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], arr)


def test_to_grey_keeps_float_and_grey():
    rgb = np.ones((2, 2, 3), dtype=np.float32)
    assert to_grey(rgb).dtype == np.float32
    np.testing.assert_allclose(to_grey(rgb), 1.0, rtol=1e-6)
    grey = np.arange(4).reshape(2, 2)
    assert to_grey(grey) is grey


def test_one_bit_image_becomes_0_255(tmp_path):
    arr = np.array([[0, 1], [1, 0]], dtype=bool)
    Image.fromarray(arr).save(tmp_path / "b.png")
    out = read_image(tmp_path / "b.png")
    assert out.dtype == np.uint8
    assert out.tolist() == [[0, 255], [255, 0]]


def test_truncated_png_is_a_clear_error(tmp_path):
    arr = RNG.integers(0, 256, (64, 64), dtype=np.uint8)
    Image.fromarray(arr).save(tmp_path / "full.png")
    data = (tmp_path / "full.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(FileFormatError, match=r"cut\.png"):
        read_image(tmp_path / "cut.png")


def test_not_an_image_is_a_clear_error(tmp_path):
    (tmp_path / "x.png").write_text("hello")
    with pytest.raises(FileFormatError, match=r"x\.png"):
        read_image(tmp_path / "x.png")


def test_missing_file(tmp_path):
    with pytest.raises(MissingFileError, match=r"nope\.png"):
        read_image(tmp_path / "nope.png")


def test_unsupported_suffix(tmp_path):
    (tmp_path / "a.xyz").write_bytes(b"0")
    with pytest.raises(FileFormatError, match="unsupported image suffix"):
        read_image(tmp_path / "a.xyz")


def test_bad_colour():
    with pytest.raises(ParameterError, match=r"colour='gray'.*'grey'"):
        read_image("whatever.png", colour="gray")


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_max_pixels_guard(tmp_path, suffix):
    arr = np.zeros((10, 10), dtype=np.uint8)
    path = tmp_path / f"big{suffix}"
    Image.fromarray(arr).save(path)
    with pytest.raises(FileFormatError, match="max_pixels"):
        read_image(path, max_pixels=99)
    assert read_image(path, max_pixels=None).shape == (10, 10)


def test_input_file_is_not_modified(tmp_path):
    arr = RNG.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    Image.fromarray(arr).save(tmp_path / "c.png")
    before = (tmp_path / "c.png").read_bytes()
    read_image(tmp_path / "c.png", colour="grey")
    assert (tmp_path / "c.png").read_bytes() == before


def test_einstein_gif_is_grey(shared_data):
    path = shared_data("einstein", "einstein.gif")
    out = read_image(path)
    assert out.ndim == 2 and out.dtype == np.uint8
    assert out.std() > 10

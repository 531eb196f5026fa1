"""The audit on a Dask cluster of 2 worker processes gives the one-machine result."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from _audit_data import caption, crop, jpeg, noise, photos, resize
from segscope.audit import find_duplicates, find_leakage
from segscope.audit.candidates import hash_all, merge_matches, pairs_from_hashes, searches
from segscope.audit.index import TABLES

pytest.importorskip("distributed")
from segscope.dask import audit as dask_audit


def _planted(root, names):
    """Photos and copies (JPEG, resized, cropped, noisy, captioned) in ``root``, plus bad
    files; returns the files written."""
    base = photos()
    root.mkdir(parents=True)
    rng = np.random.default_rng(3)
    for name in names:
        img = base[name]
        Image.fromarray(img).save(root / f"{name}.png")
        Image.fromarray(jpeg(img, 40)).save(root / f"{name} jpeg.jpg")
        Image.fromarray(resize(crop(img, 0.06), 0.7)).save(root / f"{name} crop.png")
        Image.fromarray(noise(img, 0.03)).save(root / f"{name} noise.png")
        Image.fromarray(caption(img)).save(root / f"{name} caption.png")
    for k in range(6):  # distractors
        Image.fromarray(rng.integers(0, 256, (48, 48), dtype=np.uint8)).save(
            root / f"random {k}.png")
    (root / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    Image.fromarray(np.zeros((1, 1), np.uint8)).save(root / "tiny.png")


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("audit")
    _planted(root / "train", ["camera", "coffee", "coins", "astronaut"])
    _planted(root / "val", ["rocket", "chelsea"])
    Image.fromarray(jpeg(photos()["camera"], 60)).save(root / "val" / "camera leak.jpg")
    return root


def test_dedup_on_the_cluster_equals_one_machine(dask_client, folders):
    here = find_duplicates(folders / "train", threads=1)
    assert len(here.pairs) >= 16 and len(here.skipped) == 2
    for shard_size, levels in ((None, None), (3, 0), (7, 5)):
        there = dask_audit.find_duplicates(folders / "train", client=dask_client,
                                           shard_size=shard_size, levels=levels)
        assert there.to_dict() == here.to_dict()  # pairs and scores, groups, drops, skipped
        assert there.pixels == here.pixels and there.names == here.names
    # the bad files are reported once each, as on one machine
    assert sorted(n for n, _ in there.skipped) == ["corrupt.jpg", "tiny.png"]


def test_leakage_on_the_cluster_equals_one_machine(dask_client, folders):
    splits = {"train": folders / "train", "val": folders / "val"}
    here = find_leakage(splits, threads=1, flips=True)
    there = dask_audit.find_leakage(splits, client=dask_client, shard_size=4, flips=True)
    assert there.to_dict() == here.to_dict()
    assert ("train/camera.png", "val/camera leak.jpg") in {(p.name_a, p.name_b)
                                                            for p in there.pairs}
    assert there.resplit() == here.resplit()


def _codes(n=3000, seed=0):
    """Thumbnails of random images and of near copies of them (candidates of every kind)."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (n // 3, 16, 16)).astype(np.float32)
    big = np.kron(base, np.ones((1, 4, 4), np.float32))  # smooth enough to hash stably
    near = big + rng.normal(0, 12, big.shape)
    shifted = np.roll(big, 2, axis=2)
    thumbs = np.clip(np.concatenate([big, near, shifted]), 0, 255).astype(np.uint8)
    return thumbs[rng.permutation(len(thumbs))]


@pytest.mark.parametrize("levels", [0, 3, 8])
def test_split_search_gives_the_one_machine_candidates(levels):
    """Every part of the split search, run here, merged: the candidates of one search."""
    thumbs = _codes(1800)
    hashes = hash_all(thumbs, flips=True)
    split_of = np.arange(len(thumbs)) % 3
    for radius, cross in ((10, False), (13, True)):
        want = pairs_from_hashes(hashes, radius=radius, split_of=split_of, cross_only=cross)
        found = []
        for search in searches(hashes):
            for table in range(TABLES):
                parts = dask_audit._parts(search, table, split_of if cross else None, radius,
                                          levels)
                n_targets = max((p[0].size for p in parts), default=0)
                if levels == 8 and radius == 10:  # no part holds all frame hashes
                    assert n_targets < 0.25 * len(thumbs)  # 14 % if codes were uniform
                found += [dask_audit._search_part(p) for p in parts]
        a, t, d, v = (np.concatenate(x) for x in zip(*found, strict=True))
        got = merge_matches(a[::-1], t[::-1], d[::-1], v[::-1], hashes, split_of=split_of,
                            cross_only=cross)  # in any order
        assert want.lo.size > 300
        for field in want._fields:
            np.testing.assert_array_equal(getattr(got, field), getattr(want, field))


def test_candidates_on_the_cluster_equal_one_machine(dask_client):
    thumbs = _codes(900, seed=1)
    hashes = hash_all(thumbs)
    split_of = np.zeros(len(thumbs), np.int64)
    want = pairs_from_hashes(hashes, radius=10)
    got = dask_audit._candidates(dask_client, hashes, split_of, radius=10, cross_only=False,
                                 levels=4, progress=False)
    for field in want._fields:
        np.testing.assert_array_equal(getattr(got, field), getattr(want, field))


class KillOnce:
    """An image that kills the worker process reading it, the first time (a marker file
    remembers)."""

    def __init__(self, image: np.ndarray, marker: str) -> None:
        self.image, self.marker = image, marker

    def __array__(self, dtype=None, copy=None):
        if not os.path.exists(self.marker):
            with open(self.marker, "w"):
                pass
            os._exit(1)
        return self.image if dtype is None else self.image.astype(dtype)


def test_a_worker_killed_mid_run_changes_nothing(dask_client, tmp_path):
    base = photos()
    images = []
    for name in ("camera", "coins", "rocket"):
        images += [base[name], jpeg(base[name], 50), noise(base[name], 0.02)]
    here = find_duplicates(images, threads=1)
    marker = str(tmp_path / "killed")
    mined = list(images)
    mined[4] = KillOnce(images[4], marker)
    there = dask_audit.find_duplicates(mined, client=dask_client, shard_size=2)
    assert os.path.exists(marker)
    assert there.to_dict() == here.to_dict()
    assert len(here.groups) == 3
    dask_client.wait_for_workers(2)


def test_hashes_do_not_depend_on_the_block():
    thumbs = _codes(300, seed=2)
    whole = hash_all(thumbs, flips=True, rotations=True)
    for start, n in ((0, 1), (7, 13), (100, 200)):
        part = hash_all(thumbs[start:start + n], flips=True, rotations=True)
        for field in whole._fields:
            np.testing.assert_array_equal(getattr(part, field),
                                          getattr(whole, field)[start:start + n])


def test_nothing_to_compare_on_the_cluster(dask_client):
    for images in ([np.ones((4, 4), np.uint8)], [np.zeros((20, 20), np.uint8)] * 2):
        here = find_duplicates(images, threads=1)
        assert dask_audit.find_duplicates(images, client=dask_client).to_dict() == \
            here.to_dict()


def test_cli_dedup_and_leakage_on_a_scheduler(dask_client, folders, tmp_path):
    import json

    from typer.testing import CliRunner

    from segscope.cli import app

    address = dask_client.scheduler.address
    for args in (["dedup", str(folders / "train")],
                 ["leakage", str(folders / "train"), str(folders / "val")]):
        here = CliRunner().invoke(app, [*args, "--json", "-", "-q"])
        there = CliRunner().invoke(app, [*args, "--scheduler", address, "--json", "-", "-q"])
        assert here.exit_code == 0 and there.exit_code == 0, there.output
        assert json.loads(there.output) == json.loads(here.output)
    refused = CliRunner().invoke(app, ["dedup", str(folders / "train"), "--workers", "2",
                                       "--index", str(tmp_path / "i.sqlite")])
    assert refused.exit_code != 0 and "--index" in refused.output
    url = (folders / "train").as_uri()
    by_url = CliRunner().invoke(app, ["dedup", url, "--scheduler", address, "--json", "-",
                                      "-q", "-o", str(tmp_path / "sheet.png")])
    assert by_url.exit_code == 0, by_url.output
    local = json.loads(CliRunner().invoke(app, ["dedup", str(folders / "train"), "--json",
                                                "-", "-q"]).output)
    assert json.loads(by_url.output)["pairs"] == local["pairs"]
    here = CliRunner().invoke(app, ["dedup", url])  # a URL needs a cluster
    assert here.exit_code != 0 and "--workers" in here.output


def _same_audit(a, b):
    assert a.pairs == b.pairs and a.groups == b.groups and a.names == b.names
    assert [n for n, _ in a.skipped] == [n for n, _ in b.skipped]


def test_fsspec_urls_on_the_cluster_and_here(dask_client, folders):
    import fsspec

    here = find_duplicates(folders / "train", threads=1)
    url = (folders / "train").as_uri()  # file:// is read in place, on any worker
    there = dask_audit.find_duplicates(url, client=dask_client)
    _same_audit(there, here)
    corrupt = dict(there.skipped)["corrupt.jpg"]
    assert corrupt.startswith(f"{url}/corrupt.jpg: ")  # reasons name the URL
    fs = fsspec.filesystem("memory")  # memory:// lives in this process: read here
    for path in sorted((folders / "val").iterdir()):
        fs.pipe(f"/audit-val/{path.name}", path.read_bytes())
    _same_audit(find_leakage({"train": folders / "train", "val": "memory://audit-val"},
                             threads=1),
                find_leakage({"train": folders / "train", "val": folders / "val"},
                             threads=1))

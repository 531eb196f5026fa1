"""The public API matches tests/api_snapshot.txt: no name disappears or changes by accident.

After a deliberate rename or signature change, regenerate the snapshot and commit it with
the change: ``PYTHONPATH=src python tests/_api_snapshot.py --update``.
"""

from __future__ import annotations

from _api_snapshot import read_snapshot, snapshot


def test_public_api_matches_the_snapshot():
    lines, missing = snapshot()
    old = [line for line in read_snapshot()
           if not any(line.startswith(f"{m}:") for m in missing)]
    removed = sorted(set(old) - set(lines))
    added = sorted(set(lines) - set(old))
    assert not removed and not added, (
        "the public API differs from tests/api_snapshot.txt; if the change is deliberate, run "
        "`PYTHONPATH=src python tests/_api_snapshot.py --update` and commit the file\n"
        + "\n".join([f"- {line}" for line in removed] + [f"+ {line}" for line in added]))


def test_the_snapshot_covers_the_package():
    lines = read_snapshot()
    assert any(line.startswith("segscope:evaluate(") for line in lines)
    assert any(line.startswith("segscope.similarity:ssim(") for line in lines)

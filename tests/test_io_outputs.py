"""Outputs as one transaction (issue 10): validated first, written whole or not at all.

Each case failed on the earlier main (which wrote each file as soon as it was ready, with
mode 0600, and accepted an input file or a folder as an output path).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from segscope.errors import OutputError
from segscope.io import Outputs, write_bytes, write_text

ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0
SRC = str(Path(__file__).resolve().parents[1] / "src")


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_an_input_file_is_never_an_output(tmp_path):
    mask = tmp_path / "target.png"
    mask.write_bytes(b"\x89PNG original")
    out = Outputs(inputs=[mask])
    with pytest.raises(OutputError, match=r"--json .*target\.png: is one of the input files"):
        out.claim(mask, option="--json")
    (tmp_path / "link.png").symlink_to(mask)
    with pytest.raises(OutputError, match="input files"):
        out.claim(tmp_path / "link.png", option="--json")
    os.link(mask, tmp_path / "hard.png")
    with pytest.raises(OutputError, match="input files"):
        out.claim(tmp_path / "hard.png", option="--csv")
    with pytest.raises(OutputError, match="input files"):
        out.claim(tmp_path / "sub" / ".." / "target.png", option="--json")
    assert mask.read_bytes() == b"\x89PNG original"


def test_an_output_that_would_be_read_as_an_input_is_refused(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    out = Outputs(read_folders=[(images, (".png", ".jpg"))])
    with pytest.raises(OutputError, match="lies in the folder being read"):
        out.claim(images / "heatmap.png", option="--heatmap")
    with pytest.raises(OutputError, match="folder being read"):
        out.claim(images / "deep" / "x.PNG", option="-o")
    assert out.claim(images / "matrix.csv", option="-o") == images / "matrix.csv"
    assert out.claim(images / ".cache" / "h.png", option="--heatmap") is not None


def test_a_folder_is_not_an_output_file(tmp_path):
    with pytest.raises(OutputError, match="is a folder"):
        Outputs().claim(tmp_path, option="--json")


def test_a_file_in_the_way_of_the_folder_is_named(tmp_path):
    (tmp_path / "plain").write_text("x")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        Outputs().claim(tmp_path / "plain" / "r.json", option="--json")


@pytest.mark.skipif(ROOT_USER, reason="root may write anywhere")
def test_a_read_only_folder_is_refused_before_any_work(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="cannot be written"):
            Outputs().claim(ro / "r.json", option="--json")
    finally:
        ro.chmod(0o755)


def test_two_options_naming_one_file_are_refused(tmp_path):
    out = Outputs()
    out.claim(tmp_path / "r.json", option="--json")
    with pytest.raises(OutputError, match="--json already writes this file"):
        out.claim(tmp_path / "r.json", option="--csv")


def test_nothing_is_written_when_the_work_fails(tmp_path):
    with pytest.raises(RuntimeError), Outputs() as out:
        out.write_text(out.claim(tmp_path / "a.json", option="--json"), "{}")
        out.write_text(out.claim(tmp_path / "b.csv", option="--csv"), "x\n")
        raise RuntimeError("the work failed after the JSON was ready")
    assert _listing(tmp_path) == []


def test_a_failing_commit_leaves_no_output_and_no_temporary_file(tmp_path):
    (tmp_path / "a").mkdir()
    out = Outputs()
    out.write_text(out.claim(tmp_path / "a" / "x.json"), "{}")
    out.write_text(out.claim(tmp_path / "b" / "y.json"), "{}")  # b/ is created at commit
    (tmp_path / "b").write_text("now a file is in the way")
    with pytest.raises(OutputError, match="nothing was written"):
        out.commit()
    assert _listing(tmp_path) == ["a", "b"]


def test_missing_parent_folders_are_created_at_commit(tmp_path):
    write_text(tmp_path / "new" / "deeper" / "r.json", "{}")
    assert (tmp_path / "new" / "deeper" / "r.json").read_text() == "{}"


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_new_files_get_the_umask_permissions(tmp_path, umask):
    old = os.umask(umask)
    try:
        write_text(tmp_path / "r.json", "{}")
        write_bytes(tmp_path / "r.bin", b"\0")
    finally:
        os.umask(old)
    for name in ("r.json", "r.bin"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("old")
    target.chmod(0o644)
    write_text(target, "new")
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o644


def test_standard_output_is_written_after_the_files(tmp_path, capsys):
    with Outputs() as out:
        out.claim("-", option="--json")
        out.write_text("-", "{}\n")
        out.write_text(out.claim(tmp_path / "r.csv", option="--csv"), "a\n")
        assert capsys.readouterr().out == ""
    assert capsys.readouterr().out == "{}\n"
    with pytest.raises(OutputError, match="standard output is already used by --json"):
        o = Outputs()
        o.claim("-", option="--json")
        o.claim("-", option="--csv")


def _run(code: str, cwd: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=SRC)
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_sigterm_during_the_work_leaves_nothing_behind(tmp_path):
    proc = _run("""
        import sys, time
        from segscope.io import Outputs
        with Outputs() as out:
            out.write_bytes(out.claim("big.npy"), b"x" * (16 << 20))
            print("ready", flush=True)
            time.sleep(30)
    """, tmp_path)
    assert proc.stdout.readline().strip() == b"ready"
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)  # waits, and closes the pipes
    assert proc.returncode == -signal.SIGTERM
    assert _listing(tmp_path) == []


def test_a_signal_during_the_commit_is_held_until_the_files_are_in_place(tmp_path):
    proc = _run("""
        import os, signal
        from segscope.io import outputs
        real = outputs._commit_files
        def commit_with_a_signal(data):
            os.kill(os.getpid(), signal.SIGTERM)   # arrives in the middle of the commit
            real(data)
        outputs._commit_files = commit_with_a_signal
        with outputs.Outputs() as out:
            out.write_text(out.claim("a.json"), "{}")
            out.write_text(out.claim("b.csv"), "x")
        print("not reached: SIGTERM is delivered once the commit is done")
    """, tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGTERM, err.decode()
    assert out == b""
    assert _listing(tmp_path) == ["a.json", "b.csv"]

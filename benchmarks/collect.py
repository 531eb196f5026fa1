"""Assemble BENCHMARKS.md from the latest tables in benchmarks/results/*.md.

Each benchmark script writes its own table (with the command that made it and the date)
to ``benchmarks/results/<name>.md``; this script puts them together in a fixed order.

Run:  python -m benchmarks.collect
"""

from __future__ import annotations

from pathlib import Path

ORDER = ["cold_start", "confusion", "boundary", "torch_boundary", "torch_metrics", "losses",
         "instances", "similarity", "superpixels"]

HEADER = """# Benchmarks

Each capability has a script in `benchmarks/` that times segscope and the libraries a
user would otherwise pick **side by side in one process**, checks that the values agree,
and prints medians and ratios. Absolute times on a shared machine are noise; the ratios
measured in one run are the figure. Each section names the command that produced it and
when. Regenerate a section by running its script with `--out benchmarks/results/<name>.md`,
then `python -m benchmarks.collect`.

"""


def main() -> None:
    root = Path(__file__).resolve().parent
    results = root / "results"
    found = {p.stem: p for p in results.glob("*.md")}
    names = [n for n in ORDER if n in found] + sorted(set(found) - set(ORDER))
    body = "\n".join(found[n].read_text().strip() + "\n" for n in names)
    (root.parent / "BENCHMARKS.md").write_text(HEADER + body)
    print(f"BENCHMARKS.md: {', '.join(names)}")


if __name__ == "__main__":
    main()

"""Write or check the public API of segscope: every public name and its signature.

The snapshot ``tests/api_snapshot.txt`` holds one line per public name of ``segscope`` and of
each public module and subpackage (their ``__all__``): functions and classes with their
signatures, the public methods and properties of each class, and the value of small
constants (the vocabulary tuples). ``tests/test_api_snapshot.py`` fails when the package
and the file differ, so a name cannot disappear or change its signature by accident.

After a deliberate change, regenerate the file and commit it with the change:

    PYTHONPATH=src python tests/_api_snapshot.py --update

Modules whose optional dependency is missing (torch, dask) are left out of the comparison.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import pkgutil
import re
import sys
import typing
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).resolve().parent / "api_snapshot.txt"

# segscope.keras is read on the torch backend: keras' own default (TensorFlow, also a test
# dependency) would load TensorFlow into the test process for a list of signatures.
os.environ.setdefault("KERAS_BACKEND", "torch")

# Not library API: the command line (its options are documented in docs/cli.md) and `-m`.
EXCLUDED = {"segscope.cli", "segscope.__main__"}


def public_modules() -> list[str]:
    """``segscope`` and its public top-level modules and subpackages."""
    import segscope

    names = ["segscope"]
    for info in pkgutil.iter_modules(segscope.__path__, prefix="segscope."):
        if not info.name.rsplit(".", 1)[1].startswith("_") and info.name not in EXCLUDED:
            names.append(info.name)
    return sorted(names)


def _clean(text: str) -> str:
    return re.sub(r" at 0x[0-9a-fA-F]+", "", text)


def _signature(obj: Any) -> str:
    try:
        return _clean(str(inspect.signature(obj)))
    except (TypeError, ValueError):
        return "(...)"


def _constant(value: Any) -> str:
    if isinstance(value, (bool, int, float, str)) or value is None:
        return repr(value)
    if isinstance(value, (tuple, frozenset)) and all(isinstance(v, (str, int, float))
                                                     for v in value):
        return repr(tuple(sorted(value, key=str)) if isinstance(value, frozenset) else value)
    return type(value).__name__


def _class_lines(prefix: str, cls: type) -> list[str]:
    lines = [f"{prefix}{cls.__name__}{_signature(cls)}  [class]"]
    own = [klass for klass in cls.__mro__ if klass.__module__.split(".")[0] == "segscope"]
    seen: set[str] = set()
    for klass in own:
        for attr, member in vars(klass).items():
            if (attr.startswith("_") and attr != "__call__") or attr in seen:
                continue
            seen.add(attr)
            if isinstance(member, property):
                lines.append(f"{prefix}{cls.__name__}.{attr}  [property]")
            elif isinstance(member, (staticmethod, classmethod)):
                lines.append(f"{prefix}{cls.__name__}.{attr}{_signature(member.__func__)}")
            elif inspect.isfunction(member):
                lines.append(f"{prefix}{cls.__name__}.{attr}{_signature(member)}")
    return sorted(lines)


def describe(module_name: str) -> list[str]:
    """The snapshot lines of one module."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, v in vars(module).items() if not n.startswith("_")
                 and getattr(v, "__module__", module_name) == module_name]
    lines = []
    for name in sorted(set(names)):
        prefix = f"{module_name}:"
        try:
            value = getattr(module, name)
        except Exception as err:  # a broken public name is part of the picture
            lines.append(f"{prefix}{name}  [unavailable: {type(err).__name__}]")
            continue
        if typing.get_origin(value) is not None:  # a type alias such as Literal[...]
            lines.append(f"{prefix}{name} = {value!r}")
        elif inspect.ismodule(value):
            lines.append(f"{prefix}{name}  [module {value.__name__}]")
        elif inspect.isclass(value):
            lines += [f"{prefix}{line[len(prefix):]}" for line in _class_lines(prefix, value)]
        elif callable(value):
            lines.append(f"{prefix}{name}{_signature(value)}")
        else:
            lines.append(f"{prefix}{name} = {_constant(value)}")
    return lines


def snapshot() -> tuple[list[str], list[str]]:
    """(lines, modules left out because an optional dependency is missing)."""
    lines: list[str] = []
    missing: list[str] = []
    for name in public_modules():
        try:
            lines += describe(name)
        except ImportError:
            missing.append(name)
    return lines, missing


def read_snapshot() -> list[str]:
    return [line for line in SNAPSHOT.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite tests/api_snapshot.txt")
    args = parser.parse_args(argv)
    lines, missing = snapshot()
    if missing:
        print(f"cannot import {', '.join(missing)}: install the optional dependencies "
              "before writing the snapshot", file=sys.stderr)
        return 1
    if args.update:
        header = ("# The public API of segscope, one line per name. Regenerate after a "
                  "deliberate change:\n#   PYTHONPATH=src python tests/_api_snapshot.py "
                  "--update\n")
        SNAPSHOT.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
        print(f"{SNAPSHOT}: {len(lines)} lines")
        return 0
    old = read_snapshot()
    removed = sorted(set(old) - set(lines))
    added = sorted(set(lines) - set(old))
    for line in removed:
        print(f"- {line}")
    for line in added:
        print(f"+ {line}")
    return 1 if removed or added else 0


if __name__ == "__main__":
    raise SystemExit(main())

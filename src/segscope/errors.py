"""One error hierarchy for segscope.

Every error segscope raises derives from :class:`SegscopeError` and also from the
built-in exception a Python user would expect (``ValueError``, ``TypeError``,
``FileNotFoundError``, ...), so ``except ValueError`` keeps working.

Messages name the argument, what was expected, what was received and the fix.

Examples
--------
>>> from segscope.errors import ShapeError
>>> try:
...     raise ShapeError("pred and target must have the same shape; got (2, 2) and (3, 3)")
... except ValueError as err:
...     print(type(err).__name__)
ShapeError
"""

from __future__ import annotations

__all__ = [
    "DTypeError",
    "DataRangeError",
    "DependencyError",
    "FileFormatError",
    "LabelError",
    "MissingFileError",
    "ModelError",
    "OutputError",
    "PairingError",
    "ParameterError",
    "ResourceError",
    "SegscopeError",
    "SegscopeWarning",
    "ShapeError",
    "UnreliableFitWarning",
    "ValueRangeWarning",
    "require",
]


class SegscopeError(Exception):
    """Base class of every error raised by segscope."""


class ParameterError(SegscopeError, ValueError):
    """An option has a value outside what it accepts (unknown name, bad range)."""


class ShapeError(SegscopeError, ValueError):
    """Arrays have shapes that do not fit together or do not fit the operation."""


class DTypeError(SegscopeError, TypeError):
    """An array has a dtype the operation cannot use (e.g. float where labels are expected)."""


class LabelError(SegscopeError, ValueError):
    """Label values are outside ``[0, num_classes)`` or otherwise invalid (NaN, negative)."""


class DataRangeError(SegscopeError, ValueError):
    """The intensity scale (``data_range``) is missing or inconsistent with the data."""


class MissingFileError(SegscopeError, FileNotFoundError):
    """A path given by the user does not exist."""


class FileFormatError(SegscopeError, OSError):
    """A file exists but cannot be read as the expected format (truncated, unknown type)."""


class ModelError(SegscopeError, RuntimeError):
    """A user's model (a classifier given to ``explain``) raised or returned something unusable."""


class OutputError(SegscopeError, OSError):
    """An output path cannot be used: its folder is missing or read-only, it is a folder, it is
    one of the inputs, or it lies where the inputs are read from."""


class PairingError(SegscopeError, ValueError):
    """Files in two folders cannot be paired one to one."""


class ResourceError(SegscopeError, MemoryError):
    """A request needs more memory (or time) than the machine has; the message names the limit."""


class DependencyError(SegscopeError, ImportError):
    """An optional dependency is needed and not installed; the message names the extra."""


class SegscopeWarning(UserWarning):
    """A result that is computed as asked but may mislead; the message says why and the fix."""


class ValueRangeWarning(SegscopeWarning):
    """Values lie outside the intensity span (``data_range``) given for them."""


class UnreliableFitWarning(SegscopeWarning):
    """A fitted model (e.g. LIME's surrogate) has too few samples to mean anything."""


def require(module: str, extra: str, purpose: str):
    """Import an optional dependency or raise :class:`DependencyError` with the fix.

    Parameters
    ----------
    module : str
        Importable module name, e.g. ``"nibabel"``.
    extra : str
        The segscope extra that installs it, e.g. ``"nifti"``.
    purpose : str
        What it is needed for, shown in the message.

    Returns
    -------
    module
        The imported module.

    Examples
    --------
    >>> np = require("numpy", "core", "arrays")
    >>> np.__name__
    'numpy'
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise DependencyError(
            f"{purpose} needs the optional package {module!r}, which is not installed; "
            f"install it with: pip install 'segscope[{extra}]'"
        ) from err

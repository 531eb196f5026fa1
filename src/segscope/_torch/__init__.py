"""The private torch backend of segscope, imported only when an input is a torch tensor.

Public functions recognise a tensor with :func:`segscope._backend.is_tensor` (which never
imports torch) and only then import a module of this package.
"""

from __future__ import annotations

from ..errors import require

require("torch", "torch", "torch tensor input")

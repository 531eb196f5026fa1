"""The private torch backend of segscope, imported only when an input is a torch tensor.

Public functions recognise a tensor with :func:`segscope._backend.is_tensor` (which never
imports torch) and only then import a module of this package, so NumPy callers never
import torch. Its modules:

- :mod:`.inputs`: tensor checks and ``decision`` (scores → labels), on the tensor's device;
- :mod:`.confusion`: confusion counts of tensors (a histogram on CUDA/MPS, the compiled
  host loop on the CPU);
- :mod:`.kernels`: the fused argmax-and-count loop for CPU score tensors;
- :mod:`.boundary`: batches of tensors turned into host label maps for boundary metrics;
- :mod:`.distributed`: sums and gathers over ``torch.distributed`` processes.

The scores themselves come from the backend-neutral modules (:mod:`segscope.metrics` for
every overlap formula), so the numbers equal those of the NumPy path.
"""

from __future__ import annotations

from ..errors import require

require("torch", "torch", "torch tensor input")

"""A small U-Net (Ronneberger, Fischer & Brox, MICCAI 2015) sized for a CPU.

``depth`` poolings, ``width`` channels at full resolution doubled at each level, two
3×3 convolution + batch-norm + ReLU per block, transposed-convolution upsampling and skip
connections by concatenation; the head is a 1×1 convolution to one logit per class.
Inputs need sides divisible by ``2**depth``.

Examples
--------
>>> import torch
>>> net = UNet(1, 2, width=4, depth=2)
>>> net(torch.zeros(1, 1, 16, 16)).shape
torch.Size([1, 2, 16, 16])
>>> sum(p.numel() for p in net.parameters())
7482
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ..errors import ParameterError, ShapeError

__all__ = ["UNet"]


def _block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    """A U-Net with ``depth`` levels and ``width`` channels at the top level.

    Parameters
    ----------
    in_channels : int
        Image channels (1 grey, 3 colour).
    num_classes : int
        Output channels: one logit per class.
    width : int
        Channels of the first level (then ``2 width``, ``4 width``, ...).
    depth : int
        Number of 2× poolings (1 to 6).
    """

    def __init__(self, in_channels: int, num_classes: int, *, width: int = 8,
                 depth: int = 3) -> None:
        super().__init__()
        for label, value, low, high in (("in_channels", in_channels, 1, 64),
                                        ("num_classes", num_classes, 2, 1024),
                                        ("width", width, 1, 512), ("depth", depth, 1, 6)):
            if isinstance(value, bool) or int(value) != value or not low <= value <= high:
                raise ParameterError(f"{label} must be a whole number in [{low}, {high}]; got "
                                     f"{value!r}")
        self.depth = int(depth)
        channels = [int(width) * 2 ** k for k in range(self.depth + 1)]
        self.down = nn.ModuleList(
            _block(in_channels if k == 0 else channels[k - 1], channels[k])
            for k in range(self.depth))
        self.bottom = _block(channels[-2], channels[-1])
        self.up = nn.ModuleList(
            nn.ConvTranspose2d(channels[k + 1], channels[k], 2, stride=2)
            for k in reversed(range(self.depth)))
        self.merge = nn.ModuleList(
            _block(2 * channels[k], channels[k]) for k in reversed(range(self.depth)))
        self.head = nn.Conv2d(channels[0], int(num_classes), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(N, num_classes, H, W)`` of images ``(N, in_channels, H, W)``."""
        step = 2 ** self.depth
        if x.shape[-1] % step or x.shape[-2] % step:
            raise ShapeError(f"the U-Net of depth {self.depth} needs image sides divisible by "
                             f"{step}; got {tuple(x.shape[-2:])}. Change size/crop or depth")
        skips = []
        for block in self.down:
            x = block(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.bottom(x)
        for up, merge in zip(self.up, self.merge):
            x = merge(torch.cat([up(x), skips.pop()], dim=1))
        return self.head(x)

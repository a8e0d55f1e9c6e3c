"""Conv -> GroupNorm (-> ReLU), the block of every pixel decoder's convs."""
from torch import nn


def conv_gn(in_ch: int, out_ch: int, kernel: int, bias: bool, groups: int,
            relu: bool = False) -> nn.Sequential:
    """``kernel`` x ``kernel`` conv (same padding) -> GroupNorm (-> ReLU);
    the conv is index 0 of the returned ``Sequential`` (checkpoint keys
    ``<name>.0.weight``, ``<name>.1.weight``)."""
    layers = [nn.Conv2d(in_ch, out_ch, kernel, padding=kernel // 2, bias=bias),
              nn.GroupNorm(groups, out_ch)]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)

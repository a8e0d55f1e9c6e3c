"""What both exporters trace with: example images and the symbolic sizes of
a dynamic export."""
import os
import os.path as osp
from typing import Optional, Tuple

import torch

#: Image sides a dynamic export accepts: from 33 px (the 1/32 map at least
#: 2 wide: torch.export specialises dimensions of size 1) to 8192.
MIN_SIDE, MAX_SIDE = 33, 8192


def example_images(shape: Tuple[int, int], batch: int,
                   dynamic: bool) -> torch.Tensor:
    """Random (B, H, W, 3) uint8 images to trace with; 2 at least when
    ``dynamic`` (torch.export fixes a dimension traced at size 1)."""
    batch = max(batch, 2) if dynamic else batch
    return torch.randint(0, 256, (batch, *shape, 3), dtype=torch.uint8)


def image_dims(dynamic: bool) -> Optional[tuple]:
    """``dynamic_shapes`` of the images: symbolic batch, height and width
    (:data:`MIN_SIDE` to :data:`MAX_SIDE`)."""
    if not dynamic:
        return None
    dim = torch.export.Dim
    return ({0: dim('batch', min=1, max=64),
             1: dim('height', min=MIN_SIDE, max=MAX_SIDE),
             2: dim('width', min=MIN_SIDE, max=MAX_SIDE)}, )


def trace_inputs(original_size: bool, shape: Tuple[int, int], batch: int,
                 dynamic: bool) -> Tuple[tuple, Optional[tuple], list]:
    """(example inputs, their ``dynamic_shapes``, input names) of a
    :class:`DeployModel`: the images, and with ``original_size`` a ``(2,)``
    int64 size (a value, never specialised: any size runs)."""
    images = example_images(shape, batch, dynamic)
    dims = image_dims(dynamic)
    if not original_size:
        return (images, ), dims, ['images']
    size = torch.tensor([shape[0] + 3, shape[1] + 5], dtype=torch.int64)
    return ((images, size), None if dims is None else dims + (None, ),
            ['images', 'original_size'])


def make_out_folder(out_file: str) -> None:
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)

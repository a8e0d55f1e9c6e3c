"""The flattened multi-scale layout of deformable attention's values
(Deformable DETR, Sec. 4.1): levels concatenated lowest resolution first,
each row-major, and the normalised pixel centres that serve as reference
points."""
from typing import NamedTuple, Optional, Sequence, Tuple

import torch
from torch import Tensor


class FeatureLevels(NamedTuple):
    """The flattened multi-scale layout, built once per forward.

    ``shapes`` as Python ints for the paths that loop over levels, and the
    same as tensors for the compiled kernels, so no layer converts them
    again. Under ``torch.export`` (ONNX export included) the tensors are None:
    making them would freeze the traced sizes, and only the pure-PyTorch
    paths, which loop over ``shapes``, can be exported.
    """

    #: L pairs (h_l, w_l), the order the values are concatenated in.
    shapes: Tuple[Tuple[int, int], ...]
    #: (L, 2) long, the same pairs; None under torch.export.
    spatial_shapes: Optional[Tensor]
    #: (L,) long, where each level starts in the flat values; None under
    #: torch.export.
    level_start_index: Optional[Tensor]

    def normalizer(self, like: Tensor) -> Tensor:
        """(L, 2) the (w_l, h_l) pairs, as ``like``'s dtype and device."""
        if self.spatial_shapes is not None:
            return self.spatial_shapes.flip(-1).to(like.dtype)
        # under torch.export: filled from the symbolic sizes
        return torch.stack([torch.stack([like.new_full((), w),
                                         like.new_full((), h)])
                            for h, w in self.shapes])

    @classmethod
    def of(cls, shapes: Sequence[Tuple[int, int]], device) -> 'FeatureLevels':
        shapes = tuple((h, w) for h, w in shapes)
        if torch.compiler.is_exporting():
            return cls(shapes, None, None)
        sizes = [h * w for h, w in shapes]
        starts = [sum(sizes[:i]) for i in range(len(sizes))]
        return cls(shapes,
                   torch.as_tensor(shapes, dtype=torch.long, device=device),
                   torch.as_tensor(starts, dtype=torch.long, device=device))


def reference_points_of(spatial_shapes, device) -> Tensor:
    """Pixel centres of every level, normalised to [0, 1].

    Args:
        spatial_shapes: sequence of (h, w).

    Returns:
        (1, sum(h*w), 1, 2) (x, y) points, level after level, row-major.
    """
    points = []
    for h, w in spatial_shapes:
        ys = (torch.arange(h, dtype=torch.float32, device=device) + 0.5) / h
        xs = (torch.arange(w, dtype=torch.float32, device=device) + 0.5) / w
        grid_y, grid_x = torch.meshgrid(ys, xs, indexing='ij')
        points.append(torch.stack([grid_x.flatten(), grid_y.flatten()], -1))
    return torch.cat(points)[None, :, None, :]

"""Point sampling for the mask losses and match costs (PointRend-style).

Mask2Former supervises masks at K sampled points instead of every pixel
(paper Sec. 3.3): uniform points for matching, importance-sampled points
(uncertainty ``-|logit|``) for the final losses.
"""
import torch
from mmcv.ops import point_sample
from torch import Tensor


def sample_points(maps: Tensor, point_coords: Tensor) -> Tensor:
    """Bilinearly sample maps, or mask tubes, at normalised points.

    Args:
        maps: (N, H, W) maps (logits or float targets), or (N, T, H, W) tubes
            of a clip: every frame at the same points, as the official
            video matcher samples them.
        point_coords: (N, P, 2) or (1, P, 2) (x, y) in [0, 1]; a leading 1 is
            shared by all N maps.

    Returns:
        (N, P) sampled values, or (N, T*P) for tubes, frame after frame.
    """
    if point_coords.shape[0] != maps.shape[0]:
        point_coords = point_coords.expand(maps.shape[0], -1, -1)
    planes = maps if maps.dim() == 4 else maps.unsqueeze(1)  # (N, T or 1, H, W)
    return point_sample(planes, point_coords,
                        align_corners=False).flatten(1)  # (N, [T*]P)


def uncertain_point_coords(mask_logits: Tensor, num_points: int,
                           oversample_ratio: float,
                           importance_sample_ratio: float) -> Tensor:
    """Choose points where the predictions are most uncertain, plus random ones.

    Draws ``num_points * oversample_ratio`` uniform points, keeps the
    ``importance_sample_ratio * num_points`` with the highest ``-|logit|``
    and fills up with fresh uniform points.

    Args:
        mask_logits: (N, H, W) mask logits.
        num_points: points per mask, P.
        oversample_ratio: >= 1.
        importance_sample_ratio: in [0, 1].

    Returns:
        (N, P, 2) point coordinates in [0, 1].
    """
    if oversample_ratio < 1:
        raise ValueError(f'oversample_ratio must be >= 1, got {oversample_ratio}')
    if not 0 <= importance_sample_ratio <= 1:
        raise ValueError('importance_sample_ratio must be in [0, 1], got '
                         f'{importance_sample_ratio}')
    num_masks = mask_logits.shape[0]
    num_sampled = int(num_points * oversample_ratio)
    candidates = torch.rand(num_masks, num_sampled, 2, device=mask_logits.device)
    uncertainty = -sample_points(mask_logits, candidates).abs()  # (N, P*r)
    num_uncertain = int(importance_sample_ratio * num_points)
    top = uncertainty.topk(num_uncertain, dim=1).indices  # (N, P_u)
    coords = torch.gather(candidates, 1, top[..., None].expand(-1, -1, 2))
    num_random = num_points - num_uncertain
    if num_random > 0:
        coords = torch.cat([
            coords,
            torch.rand(num_masks, num_random, 2, device=mask_logits.device)
        ], dim=1)
    return coords

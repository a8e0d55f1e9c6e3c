"""Training targets of both faces: mmdet / mmseg ground truth of one image ->
the per-image labels and binary masks the set loss matches against."""
from typing import Optional, Tuple

import torch
from torch import Tensor


def semantic_map(sample) -> Optional[Tensor]:
    """(H, W) label map of a sample's ``gt_sem_seg``, or None.

    mmdet names the field ``sem_seg``, mmseg ``data``.
    """
    if 'gt_sem_seg' not in sample:
        return None
    seg = sample.gt_sem_seg
    seg = seg.sem_seg if 'sem_seg' in seg else seg.data
    return seg.reshape(seg.shape[-2:])


def image_targets(sample, *, num_things: int, num_classes: int,
                  ignore_index: int, device) -> Tuple[Tensor, Tensor]:
    """Labels and masks of one image.

    Things (labels ``[0, num_things)``) come from ``gt_instances``, one per
    instance; every other class gets one mask of its pixels in
    ``gt_sem_seg`` (``ignore_index`` marks unlabelled and padded pixels).
    A semantic model has ``num_things=0`` and no ``gt_instances``.

    Args:
        sample: a ``DetDataSample`` or ``SegDataSample``.
        num_things: thing classes.
        num_classes: all classes, things first.
        ignore_index: label of ignored pixels.
        device: where the targets go.

    Returns:
        labels (M,) long, masks (M, H, W) bool: things first, then the other
        classes present, in increasing order.

    Raises:
        ValueError: a label outside the configured classes, naming the image.
    """
    where = sample.metainfo.get('img_path', 'a training image')
    if num_things:
        instances = sample.gt_instances
        labels = instances.labels.to(device).long()
        masks = instances.masks.to_tensor(dtype=torch.bool, device=device)
        if labels.numel() and not 0 <= int(labels.min()) <= int(
                labels.max()) < num_things:
            raise ValueError(
                f'{where}: thing label {int(labels.max())} is outside '
                f'0..{num_things - 1}: the dataset\'s classes do not match '
                f'num_things_classes={num_things}')
    else:
        labels = torch.zeros(0, dtype=torch.long, device=device)
        masks = None
    sem = semantic_map(sample)
    if sem is None or num_classes == num_things:
        return labels, masks
    sem = sem.to(device)
    present = torch.unique(sem)
    unknown = present[((present < 0) | (present >= num_classes))
                      & (present != ignore_index)]
    if unknown.numel():
        raise ValueError(
            f'{where}: semantic label {int(unknown[0])} is outside '
            f'0..{num_classes - 1} ({ignore_index} = ignored): the dataset\'s '
            f'classes do not match the model\'s num_classes = {num_classes}')
    others = present[(present >= num_things) & (present < num_classes)]
    if masks is None or (masks.shape[0] == 0 and masks.shape[-2:] != sem.shape):
        masks = torch.zeros((0, ) + sem.shape, dtype=torch.bool, device=device)
    other_masks = sem[None] == others[:, None, None]  # (S, H, W)
    return (torch.cat([labels, others.long()]),
            torch.cat([masks, other_masks]))

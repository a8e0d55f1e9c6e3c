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


def tube_targets(frames, *, num_things: int, device) -> Tuple[Tensor, Tensor]:
    """Labels and mask tubes of one clip: every instance id seen in any
    frame, in increasing id order, with its masks on all T frames (empty
    where the instance is absent: annotation ``None`` in YouTube-VIS).

    Args:
        frames: T ``DetDataSample``s of one clip, each with ``gt_instances``
            holding ``labels``, ``masks`` and ``instances_ids``.
        num_things: the thing classes (VIS has no stuff).
        device: where the targets go.

    Returns:
        labels (M,) long, masks (M, T, H, W) bool.

    Raises:
        ValueError: a label outside the configured classes, or one instance
            id with two labels, naming the video.
    """
    per_frame = [(image_targets(f, num_things=num_things,
                                num_classes=num_things, ignore_index=-1,
                                device=device),
                  f.gt_instances.instances_ids.to(device).long())
                 for f in frames]
    height, width = frames[0].batch_input_shape if 'batch_input_shape' in \
        frames[0] else frames[0].img_shape[:2]
    ids = torch.unique(torch.cat([i for _, i in per_frame]))  # sorted
    labels = torch.full((len(ids), ), -1, dtype=torch.long, device=device)
    masks = torch.zeros((len(ids), len(frames), height, width),
                        dtype=torch.bool, device=device)
    for t, ((frame_labels, frame_masks), frame_ids) in enumerate(per_frame):
        rows = torch.searchsorted(ids, frame_ids)
        seen = labels[rows]
        if ((seen >= 0) & (seen != frame_labels)).any():
            where = frames[t].metainfo.get('img_path', 'a training video')
            raise ValueError(f'{where}: an instance id has two categories '
                             'in one video')
        labels[rows] = frame_labels
        h, w = frame_masks.shape[-2:]
        masks[rows, t, :h, :w] = frame_masks
    return labels, masks

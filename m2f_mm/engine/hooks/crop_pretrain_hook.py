"""Pre-train a from-scratch backbone on thing crops of the training split.

The paper's backbones start from ImageNet weights, which carry the shape
features that its class predictions read. Nothing can be downloaded on our
machines, so for a backbone trained from scratch this hook first trains it
for a few hundred steps as a plain classifier of the training split's things
(crops centred on each thing, at native scale, global-average-pooled last
stage + a linear layer that is thrown away), then hands it to the Mask2Former
training. It runs once, before the first iteration: not on resume, not when
``load_from`` is set.
"""
import time

import mmcv
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.dist import broadcast
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from m2f_mm.datasets.object_crops import object_crops
from m2f_mm.registry import HOOKS


def thing_crops(dataset, size: int):
    """(crops (N, size, size, 3) uint8 BGR, labels (N,), num thing classes)
    of every thing of a dataset read through ``get_data_info``."""
    if not hasattr(dataset, 'get_data_info'):
        raise TypeError(f'CropPretrainHook: {type(dataset).__name__} has no '
                        'get_data_info(); use an mmdet/mmengine BaseDataset')
    meta = dataset.metainfo
    num_things = len(meta.get('thing_classes', meta.get('classes', ())))
    crops, labels = [], []
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        things = [inst for inst in info.get('instances', [])
                  if inst.get('is_thing', True) and not inst.get('ignore_flag', 0)]
        if not things:
            continue
        image = mmcv.imread(info['img_path'])
        if image is None:
            raise FileNotFoundError(f"{info['img_path']}: cannot read image")
        crops.append(object_crops(image, [t['bbox'] for t in things], size))
        labels.extend(int(t['bbox_label']) for t in things)
    if not labels:
        raise ValueError(f"CropPretrainHook: no things in "
                         f"{getattr(dataset, 'ann_file', type(dataset).__name__)}")
    labels = np.array(labels)
    if labels.min() < 0 or labels.max() >= num_things:
        raise ValueError(f'CropPretrainHook: thing label {labels.max()} outside '
                         f'the {num_things} thing classes of the dataset')
    return np.concatenate(crops), labels, num_things


def pretrain_classifier(backbone: torch.nn.Module, images: torch.Tensor,
                        labels: torch.Tensor, num_classes: int, steps: int,
                        batch_size: int, lr: float, weight_decay: float,
                        seed: int, log=None, log_interval: int = 50) -> float:
    """Train ``backbone`` + global pooling + a linear layer as a classifier of
    ``images`` (N, 3, S, S), already normalised; returns the training
    accuracy over the last ``log_interval`` steps."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        channels = backbone(images[:1])[-1].shape[1]
    classifier = torch.nn.Linear(channels, num_classes)
    params = list(backbone.parameters()) + list(classifier.parameters())
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    backbone.train()
    correct, seen, start = 0, 0, time.time()
    for step in range(1, steps + 1):
        idx = torch.randint(len(labels), (batch_size, ), generator=generator)
        batch = images[idx]  # (B, 3, S, S)
        if torch.rand(1, generator=generator).item() < 0.5:
            batch = batch.flip(-1)
        logits = classifier(backbone(batch)[-1].mean((2, 3)))  # (B, K)
        loss = F.cross_entropy(logits, labels[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        correct += int((logits.argmax(1) == labels[idx]).sum())
        seen += batch_size
        if step % log_interval == 0 or step == steps:
            accuracy = correct / seen
            if log is not None:
                eta = (time.time() - start) / step * (steps - step)
                log(f'crop pre-training [{step}/{steps}] loss {loss.item():.3f} '
                    f'accuracy {accuracy:.2f} eta {eta:.0f} s')
            if step != steps:
                correct, seen = 0, 0
    return accuracy


@HOOKS.register_module()
class CropPretrainHook(Hook):
    """Before training, pre-train the model's backbone as a classifier of the
    training split's thing crops (see the module docstring).

    Args:
        crop_size: crop side in pixels (objects keep their size).
        steps: optimiser steps. batch_size: crops per step.
        lr, weight_decay: AdamW's. seed: crop sampling and flips.
        log_interval: steps between log lines.
    """
    priority = 'VERY_HIGH'

    def __init__(self, crop_size: int = 64, steps: int = 300,
                 batch_size: int = 32, lr: float = 1e-3,
                 weight_decay: float = 0.05, seed: int = 0,
                 log_interval: int = 50):
        self.crop_size = crop_size  # crop side, native scale
        self.steps = steps  # optimiser steps
        self.batch_size = batch_size  # crops per step
        self.lr = lr  # AdamW learning rate
        self.weight_decay = weight_decay  # AdamW weight decay
        self.seed = seed  # crop sampling and flips
        self.log_interval = log_interval  # steps between log lines

    def before_train(self, runner) -> None:
        """Pre-train once, unless training resumes or starts from weights."""
        if runner.iter > 0 or runner._load_from is not None:
            runner.logger.info('crop pre-training skipped: training starts '
                               'from a checkpoint')
            return
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        start = time.time()
        crops, labels, num_things = thing_crops(
            runner.train_dataloader.dataset, self.crop_size)
        images = torch.from_numpy(crops).permute(0, 3, 1, 2).float()  # (N, 3, S, S) BGR
        preprocessor = model.data_preprocessor
        if getattr(preprocessor, '_channel_conversion', False):
            images = images[:, [2, 1, 0]]
        if getattr(preprocessor, '_enable_normalize', False):
            images = (images - preprocessor.mean.cpu()) / preprocessor.std.cpu()
        device = next(model.backbone.parameters()).device
        accuracy = pretrain_classifier(
            model.backbone, images.to(device), torch.from_numpy(labels).to(device),
            num_things, self.steps, self.batch_size, self.lr,
            self.weight_decay, self.seed, runner.logger.info, self.log_interval)
        for tensor in model.backbone.state_dict().values():
            broadcast(tensor, 0)  # every process continues from rank 0's backbone
        runner.logger.info(
            f'crop pre-training of the backbone on {len(labels)} things: '
            f'{self.steps} steps in {time.time() - start:.0f} s, training '
            f'accuracy {accuracy:.2f}')

"""Where a panoptic model loses its things: segmentation or classification.

    python tools/analysis/thing_diagnosis.py CONFIG CHECKPOINT [--split val]

For every ground-truth thing of the split, the query whose final mask (logit
> 0) overlaps it best: that IoU, and whether the query's best thing class is
the true one. Prints the share of things with a query at IoU > 0.5, the class
accuracy of those queries and the mean probability of the true class, by
object area, and the confusion matrix (rows: truth, columns: predicted).
"""
import argparse
from collections import defaultdict

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner, load_checkpoint

import m2f_mm  # noqa: F401
from m2f_mm.registry import MODELS

AREAS = ((0, 100), (100, 300), (300, 800), (800, 10**9))


@torch.no_grad()
def diagnose(cfg: Config, checkpoint: str, split: str = 'val') -> dict:
    """Per-thing (area, best IoU, predicted thing class, true class, p_true)."""
    init_default_scope(cfg.get('default_scope', 'm2f_mm'))
    model = MODELS.build(cfg.model)
    load_checkpoint(model, checkpoint, map_location='cpu')
    model.eval()
    loader_cfg = cfg.val_dataloader
    loader_cfg.num_workers, loader_cfg.persistent_workers = 0, False
    if split == 'train':
        train = cfg.train_dataloader.dataset
        loader_cfg.dataset.ann_file = train.ann_file
        loader_cfg.dataset.data_prefix = train.data_prefix
    loader = Runner.build_dataloader(loader_cfg)
    num_things = model.num_things
    rows = []
    for batch in loader:
        data = model.data_preprocessor(batch, False)
        preds = model.head(model.extract_feat(data['inputs']))
        size = data['inputs'].shape[-2:]
        for b, sample in enumerate(data['data_samples']):
            probs = preds.final_class_logits[b].softmax(-1)  # (Q, K+1)
            masks = F.interpolate(preds.final_mask_logits[b][None], size=size,
                                  mode='bilinear')[0] > 0  # (Q, H, W)
            gt_masks = sample.gt_instances.masks.to_tensor(torch.bool, 'cpu')
            for gt_mask, label in zip(gt_masks, sample.gt_instances.labels):
                inter = (masks & gt_mask).flatten(1).sum(1).float()
                union = (masks | gt_mask).flatten(1).sum(1).float()
                iou = inter / union.clamp(min=1)
                q = int(iou.argmax())
                rows.append((int(gt_mask.sum()), float(iou[q]),
                             int(probs[q, :num_things].argmax()), int(label),
                             float(probs[q, label])))
    return dict(rows=np.array(rows), num_things=num_things)


def report(result: dict) -> str:
    rows, k = result['rows'], result['num_things']
    found = rows[:, 1] > 0.5
    lines = [f'{len(rows)} things; a query at IoU > 0.5 for '
             f'{found.mean():.1%} (mean best IoU {rows[:, 1].mean():.2f}); '
             f'its class right for {(rows[found, 2] == rows[found, 3]).mean():.1%}'
             f', p(true class) {rows[found, 4].mean():.2f}']
    for low, high in AREAS:
        part = rows[(rows[:, 0] >= low) & (rows[:, 0] < high)]
        if len(part):
            ok = part[:, 1] > 0.5
            acc = (part[ok, 2] == part[ok, 3]).mean() if ok.any() else 0.0
            lines.append(f'  area {low}-{high} px: {len(part)} things, '
                         f'IoU > 0.5 {ok.mean():.1%}, class right {acc:.1%}')
    confusion = defaultdict(int)
    for row in rows[found]:
        confusion[(int(row[3]), int(row[2]))] += 1
    lines.append('confusion (rows truth, columns predicted):')
    for truth in range(k):
        lines.append('  ' + ' '.join(f'{confusion[(truth, p)]:4d}'
                                     for p in range(k)))
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--split', default='val', choices=['val', 'train'])
    args = parser.parse_args()
    print(report(diagnose(Config.fromfile(args.config), args.checkpoint,
                          args.split)))


if __name__ == '__main__':
    main()

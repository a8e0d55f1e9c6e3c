"""GFLOPs and parameters of a config's model at an input size, beside the
paper's figures where it gives them.

    python tools/analysis/get_flops.py CONFIG [--shape H W]

Counts one forward pass (backbone, pixel decoder, transformer decoder and
the prediction heads, no post-processing) with mmengine's FlopAnalyzer on a
zero image. The paper averages COCO FLOPs over 100 val images (short side
800, long side <= 1333); the default shape here, 800 x 1216, is a typical
one of them. Ops the analyzer cannot count (the deformable sampling) are
listed by mmengine and left out, as fvcore does for the paper's numbers.
"""
import argparse
import os.path as osp

import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.config import Config
from mmengine.registry import init_default_scope
from torch import nn

from m2f_mm.utils import register_all_modules
from m2f_mm.registry import MODELS
from m2f_mm.utils.cli import config_file

#: Mask2Former paper, Table 1 (COCO panoptic): (GFLOPs, M params).
PAPER = {
    'm2f_r50_coco_panoptic': (226, 44),
    'm2f_r101_coco_panoptic': (293, 63),
    'm2f_swint_coco_panoptic': (232, 47),
    'm2f_swins_coco_panoptic': (313, 69),
    'm2f_swinb_coco_panoptic': (466, 107),
    'm2f_swinl_coco_panoptic': (868, 216),
}


class _Forward(nn.Module):
    """Image -> class and mask logits of every set, for either side."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, image):
        feats = self.model.extract_feat(image)
        head = getattr(self.model, 'head', None) or \
            self.model.decode_head.head
        preds = head(feats)
        return preds.final_class_logits, preds.final_mask_logits


def complexity(config: str, shape=(800, 1216)):
    """(GFLOPs, M params) of ``config``'s model on a (1, 3, H, W) input."""
    cfg = Config.fromfile(config)
    init_default_scope(cfg.get('default_scope', 'm2f_mm'))
    cfg.model.backbone.init_cfg = None
    model = _Forward(MODELS.build(cfg.model)).eval()
    with torch.no_grad():
        info = get_model_complexity_info(
            model, inputs=(torch.zeros(1, 3, *shape), ), show_table=False,
            show_arch=False)
    return info['flops'] / 1e9, info['params'] / 1e6


def main(argv=None):
    register_all_modules()  # safe checkpoints, m2f_mm:: names (utils/setup_env.py)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', type=config_file)
    parser.add_argument('--shape', type=int, nargs=2, default=[800, 1216])
    args = parser.parse_args(argv)
    gflops, params = complexity(args.config, tuple(args.shape))
    name = osp.splitext(osp.basename(args.config))[0]
    line = (f'{name}: {gflops:.1f} GFLOPs at {args.shape[0]}x{args.shape[1]},'
            f' {params:.1f} M parameters')
    if name in PAPER:
        line += (f' (paper Table 1: {PAPER[name][0]} GFLOPs averaged over '
                 f'COCO val, {PAPER[name][1]} M)')
    print(line)


if __name__ == '__main__':
    main()

"""Draw a config's training (or val) samples after its pipeline, ground truth
overlaid, to check data and augmentation before training.

    python tools/analysis/browse_dataset.py CONFIG --output-dir DIR
        [--split train|val] [--max 10] [--cfg-options k=v ...]

Uses the config's dataset and pipeline and its visualiser (mmdet's for
panoptic/instance configs, mmseg's for semantic ones).
"""
import argparse
import os
import os.path as osp

import numpy as np
from mmengine.config import Config, DictAction
from mmengine.registry import VISUALIZERS, init_default_scope
from mmengine.runner import Runner

from m2f_mm.utils import register_all_modules
from m2f_mm.utils.cli import config_file, work_dir


def browse(cfg: Config, output_dir: str, split: str = 'train',
           max_samples: int = 10) -> int:
    """Writes up to ``max_samples`` pictures; returns how many."""
    init_default_scope(cfg.get('default_scope', 'm2f_mm'))
    loader_cfg = cfg[f'{split}_dataloader']
    dataset = Runner.build_dataloader(
        dict(loader_cfg, num_workers=0, persistent_workers=False,
             batch_size=1)).dataset
    cfg.visualizer.name = f'browse_{id(cfg)}'
    visualizer = VISUALIZERS.build(cfg.visualizer)
    visualizer.dataset_meta = dataset.metainfo
    os.makedirs(output_dir, exist_ok=True)
    count = min(max_samples, len(dataset))
    for index in range(count):
        item = dataset[index]
        sample = item['data_samples']
        image = item['inputs'].permute(1, 2, 0).numpy()[..., ::-1]  # RGB
        image = np.ascontiguousarray(np.clip(image, 0, 255).astype(np.uint8))
        name = osp.splitext(osp.basename(sample.img_path))[0]
        if 'gt_instances' in sample:  # mmdet's drawer wants plain arrays
            instances = sample.gt_instances
            if hasattr(instances.get('bboxes', None), 'tensor'):
                instances.bboxes = instances.bboxes.tensor
            if instances.get('masks', None) is not None and \
                    hasattr(instances.masks, 'to_ndarray'):
                instances.masks = instances.masks.to_ndarray().astype(bool)
        visualizer.add_datasample(
            name, image, sample, draw_pred=False, show=False,
            out_file=osp.join(output_dir, f'{index:04d}_{name}.jpg'))
    return count


def main(argv=None):
    register_all_modules()  # safe checkpoints, m2f_mm:: names (utils/setup_env.py)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', type=config_file)
    parser.add_argument('--output-dir', required=True, type=work_dir)
    parser.add_argument('--split', default='train', choices=['train', 'val'])
    parser.add_argument('--max', type=int, default=10)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    count = browse(cfg, args.output_dir, args.split, args.max)
    print(f'{count} pictures in {args.output_dir}')


if __name__ == '__main__':
    main()

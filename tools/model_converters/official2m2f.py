"""Convert an official facebookresearch/Mask2Former checkpoint to m2f_mm's.

    python tools/model_converters/official2m2f.py SRC.pkl DST.pth --config CFG
        [--source-classes cityscapes|NAMES.txt]

SRC: the official ``model_final_*.pkl`` (detectron2's pickle of numpy arrays,
read without running any code from it) or a ``.pth``. CFG: the m2f_mm config
the weights are for; the converted weights are loaded into the model it builds
(strictly: every parameter, right shapes) before DST is written.

detectron2 numbers classes in its dataset order; m2f_mm's panoptic models
number things first. ``--source-classes`` gives the official order (a text
file of class names, one a line, or ``cityscapes`` for Cityscapes' train ids)
and the classifier rows are reordered to the config's dataset classes. COCO
and the semantic datasets need none.
"""
import argparse
import sys

import torch
from mmengine.config import Config

import m2f_mm  # noqa: F401
from m2f_mm.converters import (UnsafePickleError, check_fits_config,
                               class_order_by_name, head_prefix_of,
                               convert_official_state_dict,
                               load_official_checkpoint)
from m2f_mm.datasets import train_dataset_classes
from m2f_mm.datasets.panoptic_json import CITYSCAPES_STUFF, CITYSCAPES_THINGS
from m2f_mm.utils import UnsafeCheckpointError

#: Cityscapes' train-id order (detectron2's): stuff, then things.
CITYSCAPES_TRAIN_IDS = CITYSCAPES_STUFF + CITYSCAPES_THINGS


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='official checkpoint (.pkl or .pth)')
    parser.add_argument('dst', help='where to write the m2f_mm checkpoint')
    parser.add_argument('--config', required=True,
                        help='the m2f_mm config the weights are for')
    parser.add_argument('--source-classes',
                        help="the official class order: 'cityscapes' or a "
                        'text file of names, one a line')
    args = parser.parse_args(argv)
    try:
        cfg = Config.fromfile(args.config)
        state = load_official_checkpoint(args.src)
        class_order = None
        if args.source_classes:
            if args.source_classes == 'cityscapes':
                official = CITYSCAPES_TRAIN_IDS
            else:
                with open(args.source_classes) as f:
                    official = [line.strip() for line in f if line.strip()]
            class_order = class_order_by_name(train_dataset_classes(cfg), official)
        converted = convert_official_state_dict(
            state, head_prefix_of(cfg), class_order)
        check_fits_config(cfg, converted)
    except (UnsafeCheckpointError, UnsafePickleError) as err:
        print(f'error: {err}', file=sys.stderr)  # names the file
        return 1
    except (FileNotFoundError, KeyError, ValueError, RuntimeError,
            OSError) as err:
        print(f'error: {args.src}: {err}', file=sys.stderr)
        return 1
    torch.save({'state_dict': converted,
                'meta': {'converted_from': args.src, 'config': args.config}},
               args.dst)
    print(f'wrote {len(converted)} tensors to {args.dst}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

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

from mmengine.config import Config

from m2f_mm.utils import register_all_modules
from m2f_mm.utils.cli import config_file, existing_file, output_path
from m2f_mm.converters import (check_fits_config, class_order_by_name,
                               convert_official_state_dict, head_prefix_of,
                               load_official_checkpoint, run_conversion)
from m2f_mm.datasets import train_dataset_classes
from m2f_mm.datasets.panoptic_json import CITYSCAPES_STUFF, CITYSCAPES_THINGS

#: Cityscapes' train-id order (detectron2's): stuff, then things.
CITYSCAPES_TRAIN_IDS = CITYSCAPES_STUFF + CITYSCAPES_THINGS


def main(argv=None) -> int:
    register_all_modules()  # safe checkpoints, m2f_mm:: names (utils/setup_env.py)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', type=existing_file, help='official checkpoint (.pkl or .pth)')
    parser.add_argument('dst', type=output_path, help='where to write the m2f_mm checkpoint')
    parser.add_argument('--config', required=True, type=config_file,
                        help='the m2f_mm config the weights are for')
    parser.add_argument('--source-classes',
                        help="the official class order: 'cityscapes' or a "
                        'text file of names, one a line')
    args = parser.parse_args(argv)

    def convert():
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
        return converted, {'converted_from': args.src, 'config': args.config}
    return run_conversion(args.src, args.dst, convert)


if __name__ == '__main__':
    sys.exit(main())

"""Convert a Hugging Face (transformers) Mask2Former checkpoint to m2f_mm's.

    python tools/model_converters/hf2m2f.py SRC DST.pth --config CFG
        [--source-classes NAMES.txt | --keep-class-order]

SRC: a ``Mask2FormerForUniversalSegmentation`` model folder (as
``save_pretrained`` or the hub's snapshot: ``model.safetensors`` or
``pytorch_model.bin``, sharded or not, and ``config.json``) or one weights
file. ``.safetensors`` are read as tensors; ``.bin`` files with
``weights_only`` (a file that pickles code is refused). Swin and ResNet
backbones. CFG: the m2f_mm config the weights are for; the converted weights
are loaded into the model it builds (strictly: every parameter, right shapes)
before DST is written.

Classes: the HF model's classifier rows follow its ``id2label``; they are
reordered to the config's dataset classes by name, from ``config.json``
beside the weights or from ``--source-classes`` (a text file, one name a
line). ``--keep-class-order`` keeps the HF order (for a config whose dataset
numbers its classes as the HF model does under other names).
"""
import argparse
import json
import os.path as osp
import sys

from mmengine.config import Config

from m2f_mm.utils import register_all_modules
from m2f_mm.utils.cli import config_file, existing_path, output_path
from m2f_mm.converters import (check_fits_config, class_order_by_name,
                               convert_hf_state_dict, head_prefix_of,
                               load_hf_checkpoint, run_conversion)
from m2f_mm.datasets import train_dataset_classes


def hf_class_names(src: str, source_classes: str = None):
    """The HF model's class names in its label order: ``--source-classes``,
    else ``config.json``'s ``id2label`` beside the weights, else None."""
    if source_classes:
        with open(source_classes) as f:
            return [line.strip() for line in f if line.strip()]
    folder = src if osp.isdir(src) else osp.dirname(src)
    path = osp.join(folder, 'config.json')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        id2label = json.load(f).get('id2label') or {}
    return [id2label[k] for k in sorted(id2label, key=int)] or None


def main(argv=None) -> int:
    register_all_modules()  # safe checkpoints, m2f_mm:: names (utils/setup_env.py)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', type=existing_path, help='HF model folder or weights file')
    parser.add_argument('dst', type=output_path, help='where to write the m2f_mm checkpoint')
    parser.add_argument('--config', required=True, type=config_file,
                        help='the m2f_mm config the weights are for')
    order = parser.add_mutually_exclusive_group()
    order.add_argument('--source-classes',
                       help="the HF model's class names, one a line, in its "
                       'label order (default: config.json id2label)')
    order.add_argument('--keep-class-order', action='store_true',
                       help="keep the HF model's class order")
    args = parser.parse_args(argv)

    def convert():
        cfg = Config.fromfile(args.config)
        state = load_hf_checkpoint(args.src)
        class_order = None
        names = None if args.keep_class_order else hf_class_names(
            args.src, args.source_classes)
        if names is not None:
            ours = train_dataset_classes(cfg)
            if list(ours) != list(names):
                class_order = class_order_by_name(ours, names)
        converted = convert_hf_state_dict(
            state, head_prefix_of(cfg), class_order)
        check_fits_config(cfg, converted)
        return converted, {'converted_from': args.src, 'config': args.config,
                           'class_order': class_order}
    return run_conversion(args.src, args.dst, convert)


if __name__ == '__main__':
    sys.exit(main())

"""Convert an mmdet/mmseg Mask2Former checkpoint to m2f_mm's names.

    python tools/model_converters/mmdet2m2f.py SRC.pth DST.pth

The source is read with ``weights_only=True``; the output holds
``state_dict`` (and ``meta`` with the source path).
"""
import argparse
import sys

import torch

from m2f_mm.converters import convert_mmdet_state_dict
from m2f_mm.utils import register_all_modules
from m2f_mm.utils.cli import existing_file, output_path
from m2f_mm.utils.checkpoint import (CorruptCheckpointError,
                                     UnsafeCheckpointError,
                                     load_local_checkpoint)


def main(argv=None) -> int:
    register_all_modules()  # safe checkpoints, m2f_mm:: names (utils/setup_env.py)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', type=existing_file, help='mmdet or mmseg Mask2Former checkpoint')
    parser.add_argument('dst', type=output_path, help='where to write the m2f_mm checkpoint')
    args = parser.parse_args(argv)
    try:
        ckpt = load_local_checkpoint(args.src, map_location='cpu')
    except FileNotFoundError:
        print(f'error: {args.src}: no such file', file=sys.stderr)
        return 1
    except (UnsafeCheckpointError, CorruptCheckpointError) as err:
        print(f'error: {err}', file=sys.stderr)  # names the file
        return 1
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict) or not all(
            isinstance(v, torch.Tensor) for v in state.values()):
        print(f'error: {args.src}: holds no state dict of tensors',
              file=sys.stderr)
        return 1
    try:
        converted = convert_mmdet_state_dict(state)
    except KeyError as err:
        print(f'error: {args.src}: {err.args[0]}', file=sys.stderr)
        return 1
    torch.save({'state_dict': converted, 'meta': {'converted_from': args.src}},
               args.dst)
    print(f'wrote {len(converted)} tensors to {args.dst}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

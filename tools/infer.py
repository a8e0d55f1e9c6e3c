"""Predict with a trained model on images, folders or videos.

    python tools/infer.py CONFIG CHECKPOINT INPUT [INPUT ...]
        --task {panoptic,instance,semantic} [--out-dir DIR] [--device cpu]

Writes, per image (or video frame), to --out-dir: the COCO-panoptic PNG and
its JSON, the instance masks as RLE JSON, or the semantic label PNG, plus an
overlay picture (mmdet's / mmseg's visualiser); a video also gets
overlay.mp4. Python: ``m2f_mm.apis.Mask2FormerInferencer``.
"""
import argparse
import sys

from m2f_mm.apis import infer_files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('inputs', nargs='+',
                        help='images, folders of images or videos')
    parser.add_argument('--task', default='panoptic',
                        choices=['panoptic', 'instance', 'semantic'])
    parser.add_argument('--out-dir', default='outputs',
                        help='where outputs and overlays go')
    parser.add_argument('--device', default=None, help="e.g. 'cpu', 'cuda'")
    args = parser.parse_args(argv)
    try:
        count = infer_files(args.config, args.checkpoint, args.inputs,
                            args.task, args.out_dir, args.device)
    except (FileNotFoundError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(f'{count} images predicted; outputs in {args.out_dir}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

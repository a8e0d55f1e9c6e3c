"""Predict with a trained model on images, folders or videos.

    python tools/infer.py CONFIG CHECKPOINT INPUT [INPUT ...]
        --task {panoptic,instance,semantic} [--out-dir DIR] [--device cpu]
    python tools/infer.py CONFIG --onnx FILE.onnx [--onnx ...] INPUT ...

Writes, per image (or video frame), to --out-dir: the COCO-panoptic PNG and
its JSON, the instance masks as RLE JSON, or the semantic label PNG, plus an
overlay picture (mmdet's / mmseg's visualiser); a video also gets
<video>_overlay.mp4. An unreadable file does not stop the others: every bad input
is listed at the end and the exit code is then 1. A checkpoint that does not
fit the config's model is refused unless --non-strict. With --onnx, the
files of tools/deploy/export.py are run by ONNX Runtime instead (the config
gives the pipeline and class names; CHECKPOINT is left out). Python:
``m2f_mm.apis.Mask2FormerInferencer``.
"""
import argparse
import sys

from m2f_mm.apis import infer_files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint',
                        help='checkpoint file (left out with --onnx)')
    parser.add_argument('inputs', nargs='*',
                        help='images, folders of images or videos')
    parser.add_argument('--onnx', action='append', metavar='FILE',
                        help='run this exported file with ONNX Runtime '
                        'instead of a checkpoint (repeat: one per task)')
    parser.add_argument('--task', default='panoptic',
                        choices=['panoptic', 'instance', 'semantic'])
    parser.add_argument('--out-dir', default='outputs',
                        help='where outputs and overlays go')
    parser.add_argument('--device', default=None, help="e.g. 'cpu', 'cuda'")
    parser.add_argument('--non-strict', action='store_true',
                        help='load a checkpoint that does not fit the model '
                        '(default: refuse it, listing the keys that differ)')
    args = parser.parse_args(argv)
    checkpoint, inputs = args.checkpoint, args.inputs
    if args.onnx:  # no checkpoint: the first positional is an input
        checkpoint, inputs = None, [args.checkpoint] + inputs
    if not inputs:
        parser.error('no INPUT given')
    try:
        count, failed = infer_files(args.config, checkpoint, inputs,
                                    args.task, args.out_dir, args.device,
                                    strict=not args.non_strict,
                                    onnx=args.onnx)
    except (FileNotFoundError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(f'{count} images predicted; outputs in {args.out_dir}')
    if failed:
        print(f'{len(failed)} inputs could not be read:', file=sys.stderr)
        for message in failed:
            print(f'  {message}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""Predict with a trained model on images, folders or videos.

    python tools/infer.py CONFIG CHECKPOINT INPUT [INPUT ...]
        --task {panoptic,instance,semantic} [--out-dir DIR] [--device cpu]
    python tools/infer.py CONFIG --onnx FILE.onnx [--onnx ...] INPUT ...
    python tools/infer.py VIDEO_CONFIG CHECKPOINT video.mp4|frames/ --task video
        [--window N] [--out-dir DIR]

Writes, per image (or video frame), to --out-dir: the COCO-panoptic PNG and
its JSON, the instance masks as RLE JSON, or the semantic label PNG, plus an
overlay picture (mmdet's / mmseg's visualiser); a video also gets
<video>_overlay.mp4. An unreadable file does not stop the others: every bad input
is listed at the end and the exit code is then 1. A checkpoint that does not
fit the config's model is refused unless --non-strict. With --onnx, the
files of tools/deploy/export.py are run by ONNX Runtime instead (the config
gives the pipeline and class names; CHECKPOINT is left out). Python:
``m2f_mm.apis.Mask2FormerInferencer``.

With --task video (a video config), each INPUT is one video (a video file or
a folder of its frames): its tracks, one id each for the whole video, go to
<name>_tracks.json (YouTube-VIS result format) and <name>_overlay.mp4 (a
track keeps its colour and id). All frames are predicted at once (the
official mode), or with --window N in windows of N frames linked by their
query embeddings, in memory that does not grow with the video's length.
Python: ``m2f_mm.apis.VideoTracker``.
"""
import argparse
import sys

from m2f_mm.apis import VideoTracker, infer_files
from m2f_mm.utils.cli import config_file, existing_file, existing_path, \
    work_dir


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', type=config_file, help='config file')
    parser.add_argument('checkpoint', type=existing_path,
                        help='checkpoint file (left out with --onnx)')
    parser.add_argument('inputs', nargs='*',
                        help='images, folders of images or videos')
    parser.add_argument('--onnx', action='append', metavar='FILE',
                        type=existing_file,
                        help='run this exported file with ONNX Runtime '
                        'instead of a checkpoint (repeat: one per task)')
    parser.add_argument('--task', default='panoptic',
                        choices=['panoptic', 'instance', 'semantic', 'video'])
    parser.add_argument('--window', type=int, default=0,
                        help='--task video: frames a window (0: the whole '
                        'video at once)')
    parser.add_argument('--out-dir', default='outputs', type=work_dir,
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
    if args.task == 'video':
        return _track_videos(args, checkpoint, inputs)
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


def _track_videos(args, checkpoint, inputs) -> int:
    """--task video: every input a video; the bad ones listed at the end."""
    try:
        tracker = VideoTracker(args.config, checkpoint, args.device or 'cpu')
    except (FileNotFoundError, ValueError, TypeError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    failed = []
    for video_id, video in enumerate(inputs, 1):
        try:
            tracks = tracker(video, window=args.window, out_dir=args.out_dir,
                             video_id=video_id)
            print(f'{video}: {len(tracks.scores)} tracks')
        except (FileNotFoundError, ValueError) as err:
            failed.append(str(err))
    print(f'{len(inputs) - len(failed)} videos tracked; outputs in '
          f'{args.out_dir}')
    for message in failed:
        print(f'  {message}', file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

"""Whole-video against windowed video inference: peak memory and seconds per
frame on moving-shapes videos of several lengths, each run in its own process
(peak RSS, Linux VmHWM, reset after the model is built), and the YouTube-VIS
AP of both modes on the val videos of the video quickstart.

    python tools/analysis/benchmark_video.py [--checkpoint CKPT]
        [--lengths 20 100 400] [--window 10] [--size 96]
        [--ap-data data/shape_videos]

Without --checkpoint the model keeps its initialisation (speed and memory
need no training; the AP comparison then says nothing and is skipped). The
machine is printed with the figures.
"""
import argparse
import json
import subprocess
import sys
import time

import torch

from m2f_mm.testing.benchmarking import (machine, reset_peak_resident,
                                         resident_mib)
from m2f_mm.utils.cli import config_file, existing_file

CONFIG = 'configs/quickstart/m2f_r18_shape_videos_vis.py'


def _frames(length: int, size: int):
    from m2f_mm.datasets import make_video
    frames, _ = make_video(1, length, size)
    return frames


def worker(args) -> None:
    """One mode on one length; print {seconds_per_frame, peak_mib} as JSON."""
    from m2f_mm.apis import VideoTracker
    torch.manual_seed(0)
    tracker = VideoTracker(args.config, args.checkpoint)
    frames = _frames(args.length, args.size)
    reset_peak_resident()
    base = resident_mib('VmRSS')
    start = time.perf_counter()
    tracker.track(frames, window=args.window_of_run)
    seconds = time.perf_counter() - start
    print(json.dumps(dict(seconds_per_frame=seconds / len(frames),
                          peak_mib=resident_mib('VmHWM'), base_mib=base)))


def _run_worker(args, length: int, window: int) -> dict:
    cmd = [sys.executable, sys.argv[0], '--worker', '--length', str(length),
           '--window-of-run', str(window), '--size', str(args.size),
           '--config', args.config]
    if args.checkpoint:
        cmd += ['--checkpoint', args.checkpoint]
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def video_ap(config: str, checkpoint: str, data_root: str, window: int):
    """YouTube-VIS mask AP of the tracker's results on the val videos."""
    import os.path as osp

    from mmdet.evaluation.functional import YTVIS, YTVISeval

    from m2f_mm.apis import VideoTracker
    from m2f_mm.evaluation.m2f_youtube_vis_metric import _numpy_float_alias
    tracker = VideoTracker(config, checkpoint)
    ann_file = osp.join(data_root, 'annotations', 'ytvis_val.json')
    with open(ann_file) as f:
        gt = json.load(f)
    results = []
    for video in gt['videos']:
        folder = osp.join(data_root, 'videos', 'val', 'JPEGImages',
                          osp.dirname(video['file_names'][0]))
        results += tracker(folder, window=window,
                           video_id=video['id']).to_youtube_vis(video['id'])
    ytvis = YTVIS(ann_file)
    evaluation = YTVISeval(ytvis, ytvis.loadRes(results), 'segm')
    with _numpy_float_alias():
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return 100 * evaluation.stats[0]


def main(argv=None):
    from m2f_mm.utils import register_all_modules
    register_all_modules()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=CONFIG, type=config_file)
    parser.add_argument('--checkpoint', type=existing_file)
    parser.add_argument('--lengths', type=int, nargs='+',
                        default=[20, 100, 400])
    parser.add_argument('--window', type=int, default=10)
    parser.add_argument('--size', type=int, default=96)
    parser.add_argument('--ap-data', default='data/shape_videos',
                        help='the video quickstart\'s data (for the AP)')
    parser.add_argument('--worker', action='store_true',
                        help=argparse.SUPPRESS)
    parser.add_argument('--length', type=int, help=argparse.SUPPRESS)
    parser.add_argument('--window-of-run', type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    print(f'machine: CPU, {machine()}; {args.size} px frames, window '
          f'{args.window}')
    print(f'{"frames":>6} | {"whole: s/frame":>14} {"peak MiB":>9} | '
          f'{"windowed: s/frame":>17} {"peak MiB":>9}')
    for length in args.lengths:
        whole = _run_worker(args, length, 0)
        windowed = _run_worker(args, length, args.window)
        print(f'{length:6d} | {whole["seconds_per_frame"]:14.3f} '
              f'{whole["peak_mib"]:9.0f} | '
              f'{windowed["seconds_per_frame"]:17.3f} '
              f'{windowed["peak_mib"]:9.0f}')
    if args.checkpoint:
        whole = video_ap(args.config, args.checkpoint, args.ap_data, 0)
        windowed = video_ap(args.config, args.checkpoint, args.ap_data,
                            args.window)
        print(f'val videos of {args.ap_data}: VIS mask AP whole video '
              f'{whole:.1f}, windows of {args.window} {windowed:.1f}')



if __name__ == '__main__':
    main()

"""The main job: synthetic data -> train -> evaluate -> pictures, on a CPU.

    python3 tools/quickstart.py [--work-dir work_dirs/quickstart] [--config ...]
        [--cfg-options k=v ...]
    python3 tools/quickstart.py --task video [--work-dir work_dirs/quickstart_video]

``--data-root DIR`` generates (or reuses) the data there instead of under
data/ and points the config at it.

1. writes the synthetic shapes scenes to data/shapes/ (once; COCO panoptic,
   COCO instances and semantic PNGs),
2. trains the quickstart Mask2Former with tools/train.py (progress and ETA in
   the log), validating PQ as it goes,
3. evaluates the last checkpoint with tools/test.py: PQ (mmdet's
   CocoPanopticMetric), mask AP (CocoMetric) and mIoU (mmseg's IoU) from one
   model, and saves overlay pictures of the val predictions,
4. cross-checks PQ with panopticapi's own pq_compute on the saved predictions,
5. plots loss and PQ over iterations, and prints where everything is.

With ``--task video`` the same for video instance segmentation: the
moving-shapes videos (data/shape_videos/, YouTube-VIS JSON), the video
quickstart model (configs/quickstart/m2f_r18_shape_videos_vis.py), YouTube-VIS
mask AP on the val videos (mmdet's metric), and an overlay video per val
video in which a track keeps one colour and one id.
"""
import argparse
import glob
import json
import os.path as osp
import subprocess
import sys
import time

from m2f_mm.utils import cli

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = 'configs/quickstart/m2f_r18_shapes_panoptic.py'
VIDEO_CONFIG = 'configs/quickstart/m2f_r18_shape_videos_vis.py'


def run(cmd):
    print('+', ' '.join(cmd), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True)


def latest_scalars(work_dir):
    """Records of the newest run's scalars.json (mmengine LocalVisBackend)."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not files:
        return []
    with open(files[-1]) as f:
        return [json.loads(line) for line in f if line.strip()]


def plot_curves(train_records, out_file, metric='coco_panoptic/PQ',
                parts=('coco_panoptic/PQ_th', 'coco_panoptic/PQ_st')):
    """PNG with the training loss and a validation metric over iterations
    (PQ with its things and stuff parts; video: mask AP, scaled to 100)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    losses = [(r['iter'], r['loss']) for r in train_records if 'loss' in r]
    scale = 100 if metric.startswith('youtube_vis') else 1
    pqs = [(r['step'], r[metric] * scale,
            *[r.get(p, float('nan')) * scale for p in parts])
           for r in train_records if metric in r]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    if losses:
        ax1.plot(*zip(*losses))
    ax1.set(xlabel='iteration', ylabel='total loss', title='training loss',
            yscale='log')
    name = metric.split('/')[-1]
    if pqs:
        steps, value, *rest = zip(*pqs)
        ax2.plot(steps, value, 'o-', label=name)
        for part, values in zip(parts, rest):
            ax2.plot(steps, values, 's--', label=part.split('/')[-1])
        ax2.legend()
    ax2.set(xlabel='iteration', ylabel=name, title=f'val {name}',
            ylim=(0, 100))
    fig.tight_layout()
    fig.savefig(out_file, dpi=100)


def panopticapi_pq(data_root, prefix):
    """PQ of the saved prediction PNG/JSON by panopticapi's pq_compute."""
    from panopticapi.evaluation import pq_compute
    gt_json = osp.join(data_root, 'annotations', 'panoptic_val.json')
    with open(f'{prefix}.panoptic.json') as f:
        pred = json.load(f)
    with open(gt_json) as f:
        gt = json.load(f)
    pred_json = f'{prefix}.panopticapi.json'
    with open(pred_json, 'w') as f:  # panopticapi wants the gt's header too
        json.dump(dict(gt, annotations=pred['annotations']), f)
    result = pq_compute(gt_json, pred_json,
                        gt_folder=osp.join(data_root, 'annotations', 'panoptic_val'),
                        pred_folder=f'{prefix}.panoptic')
    return 100 * result['All']['pq']


def _data_root_options(root: str, video: bool):
    """--cfg-options pointing the quickstart config's loaders (and the
    panoptic evaluators' annotation files) at ``root``."""
    options = [f'{loader}.dataset.data_root={root}' for loader in
               ('train_dataloader', 'val_dataloader', 'test_dataloader')]
    if not video:
        for evaluator in ('val_evaluator', 'test_evaluator'):
            options += [
                f'{evaluator}.0.ann_file={root}annotations/panoptic_val.json',
                f'{evaluator}.0.seg_prefix={root}annotations/panoptic_val/',
                f'{evaluator}.1.ann_file={root}annotations/instances_val.json']
    return options


def _data_and_work_dir(args, start, video: bool):
    """(work dir, data root): the synthetic data generated there unless it
    is complete, and the config pointed at it when it is not the default."""
    from m2f_mm.datasets import generate, generate_videos
    name, write, what = (('shape_videos', generate_videos,
                          'moving-shapes videos') if video else
                         ('shapes', generate, 'synthetic scenes'))
    data_root = args.data_root or osp.join(ROOT, 'data', name)
    if args.data_root:
        root = osp.join(osp.abspath(data_root), '')
        args.cfg_options = _data_root_options(root, video) + args.cfg_options
    if write(data_root):
        print(f'wrote the {what} to {data_root} '
              f'({time.time() - start:.0f} s)')
    else:
        print(f'using the {what} in {data_root}')
    return osp.abspath(osp.join(ROOT, args.work_dir)), data_root


def _train(args, work_dir):
    """tools/train.py on the config; (its scalars, its last checkpoint)."""
    run([sys.executable, 'tools/train.py', args.config, '--work-dir', work_dir]
        + (['--cfg-options'] + args.cfg_options if args.cfg_options else []))
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return latest_scalars(work_dir), f.read().strip()


def video_main(args, start):
    """--task video: videos -> train -> YouTube-VIS AP -> overlay videos."""
    work_dir, data_root = _data_and_work_dir(args, start, video=True)
    train_records, checkpoint = _train(args, work_dir)
    options = ['--cfg-options'] + args.cfg_options if args.cfg_options else []
    run([sys.executable, 'tools/test.py', args.config, checkpoint,
         '--work-dir', work_dir] + options)
    metrics = latest_scalars(work_dir)[-1]
    curves = osp.join(work_dir, 'curves.png')
    plot_curves(train_records, curves, 'youtube_vis/segm_mAP',
                ('youtube_vis/segm_mAP_50', 'youtube_vis/segm_mAP_75'))
    overlays = osp.join(work_dir, 'val_overlays')
    videos = sorted(glob.glob(osp.join(data_root, 'videos', 'val',
                                       'JPEGImages', '*')))
    from m2f_mm.apis import VideoTracker
    from m2f_mm.utils import register_all_modules
    register_all_modules()
    tracker = VideoTracker(args.config, checkpoint)
    for video_id, video in enumerate(videos, 1):
        tracker(video, out_dir=overlays, video_id=video_id)
    ap = {k.split('/')[-1]: 100 * v for k, v in metrics.items()
          if k.startswith('youtube_vis/')}
    print('\n==== m2f_mm video quickstart ====')
    print(f"VIS mask AP {ap.get('segm_mAP', float('nan')):.1f} | "
          f"AP50 {ap.get('segm_mAP_50', float('nan')):.1f} | "
          f"AP75 {ap.get('segm_mAP_75', float('nan')):.1f} "
          f'({len(videos)} val videos, YouTube-VIS metric)')
    print(f'wall time {time.time() - start:.0f} s')
    print(f'loss and AP curves: {curves}')
    print(f'overlay videos:     {overlays} (one colour and id per track)')
    print(f'checkpoint:         {checkpoint}')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--task', choices=['panoptic', 'video'],
                        default='panoptic',
                        help='panoptic (the image model: PQ, mask AP, mIoU '
                        'from one model) or video (video instance '
                        'segmentation: YouTube-VIS AP)')
    parser.add_argument('--config', default=None, type=cli.config_file,
                        help=f'default: {CONFIG}, or {VIDEO_CONFIG} for '
                        '--task video')
    parser.add_argument('--work-dir', default=None, type=cli.work_dir,
                        help='default: work_dirs/quickstart[_video]')
    parser.add_argument('--data-root', default=None,
                        help='where the synthetic data goes (default: '
                        'data/shapes or data/shape_videos)')
    parser.add_argument('--cfg-options', nargs='+', default=[])
    args = parser.parse_args(argv)
    start = time.time()
    video = args.task == 'video'
    args.config = args.config or (VIDEO_CONFIG if video else CONFIG)
    args.work_dir = args.work_dir or ('work_dirs/quickstart_video' if video
                                      else 'work_dirs/quickstart')
    if video:
        return video_main(args, start)
    work_dir, data_root = _data_and_work_dir(args, start, video=False)
    train_records, checkpoint = _train(args, work_dir)
    prefix = osp.join(work_dir, 'val_predictions')
    run([sys.executable, 'tools/test.py', args.config, checkpoint,
         '--work-dir', work_dir, '--show-dir', 'val_overlays',
         '--cfg-options', f'test_evaluator.0.outfile_prefix={prefix}']
        + args.cfg_options)
    test_records = latest_scalars(work_dir)
    metrics = test_records[-1] if test_records else {}
    curves = osp.join(work_dir, 'curves.png')
    plot_curves(train_records, curves)
    api_pq = panopticapi_pq(data_root, prefix)
    overlays = sorted(glob.glob(osp.join(work_dir, '*', 'val_overlays')))
    pq = metrics.get('coco_panoptic/PQ', float('nan'))
    print('\n==== m2f_mm quickstart ====')
    print(f"PQ {pq:.1f} (things {metrics.get('coco_panoptic/PQ_th', float('nan')):.1f}, "
          f"stuff {metrics.get('coco_panoptic/PQ_st', float('nan')):.1f}) | "
          f"mask AP {100 * metrics.get('coco/segm_mAP', float('nan')):.1f} | "
          f"mIoU {metrics.get('mIoU', float('nan')):.1f}")
    print(f'panopticapi pq_compute on the saved predictions: PQ {api_pq:.1f} '
          f'(differs from mmdet by {abs(api_pq - pq):.2f})')
    print(f'wall time {time.time() - start:.0f} s')
    print(f'loss and PQ curves: {curves}')
    print(f"overlay pictures:   {overlays[-1] if overlays else 'none'}")
    print(f'checkpoint:         {checkpoint}')


if __name__ == '__main__':
    main()

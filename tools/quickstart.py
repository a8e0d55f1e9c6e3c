"""The main job: synthetic data -> train -> evaluate -> pictures, on a CPU.

    python3 tools/quickstart.py [--work-dir work_dirs/quickstart] [--config ...]
        [--cfg-options k=v ...]

1. writes the synthetic shapes scenes to data/shapes/ (once; COCO panoptic,
   COCO instances and semantic PNGs),
2. trains the quickstart Mask2Former with tools/train.py (progress and ETA in
   the log), validating PQ as it goes,
3. evaluates the last checkpoint with tools/test.py: PQ (mmdet's
   CocoPanopticMetric), mask AP (CocoMetric) and mIoU (mmseg's IoU) from one
   model, and saves overlay pictures of the val predictions,
4. cross-checks PQ with panopticapi's own pq_compute on the saved predictions,
5. plots loss and PQ over iterations, and prints where everything is.
"""
import argparse
import glob
import json
import os.path as osp
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = 'configs/quickstart/m2f_r18_shapes_panoptic.py'


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


def plot_curves(train_records, out_file):
    """PNG with the training loss and the validation PQ over iterations."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    losses = [(r['iter'], r['loss']) for r in train_records if 'loss' in r]
    pqs = [(r['step'], r['coco_panoptic/PQ'], r.get('coco_panoptic/PQ_th'),
            r.get('coco_panoptic/PQ_st'))
           for r in train_records if 'coco_panoptic/PQ' in r]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    if losses:
        ax1.plot(*zip(*losses))
    ax1.set(xlabel='iteration', ylabel='total loss', title='training loss',
            yscale='log')
    if pqs:
        steps, pq, th, st = zip(*pqs)
        ax2.plot(steps, pq, 'o-', label='PQ')
        ax2.plot(steps, th, 's--', label='PQ things')
        ax2.plot(steps, st, '^--', label='PQ stuff')
        ax2.legend()
    ax2.set(xlabel='iteration', ylabel='PQ', title='val PQ', ylim=(0, 100))
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=CONFIG)
    parser.add_argument('--work-dir', default='work_dirs/quickstart')
    parser.add_argument('--cfg-options', nargs='+', default=[])
    args = parser.parse_args(argv)
    start = time.time()
    work_dir = osp.abspath(osp.join(ROOT, args.work_dir))
    data_root = osp.join(ROOT, 'data', 'shapes')  # the configs' data_root

    from m2f_mm.datasets import generate
    if generate(data_root):
        print(f'wrote the synthetic scenes to {data_root} '
              f'({time.time() - start:.0f} s)')
    else:
        print(f'using the synthetic scenes in {data_root}')

    run([sys.executable, 'tools/train.py', args.config, '--work-dir', work_dir]
        + (['--cfg-options'] + args.cfg_options if args.cfg_options else []))
    train_records = latest_scalars(work_dir)
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
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

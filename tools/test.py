"""Evaluate a checkpoint with mmengine's Runner (mmdet's tools/test.py, for m2f_mm).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE.pkl]
        [--show-dir DIR] [--non-strict] [--cfg-options k=v ...] [--launcher ...]
    python tools/test.py CONFIG --onnx FILE.onnx [--onnx FILE.onnx ...] [...]
    python tools/test.py CONFIG CHECKPOINT --tta [...]

A checkpoint that does not fit the config's model is refused (the error
lists the first keys that differ) unless --non-strict. With --onnx, files
written by tools/deploy/export.py (one per task) are evaluated with ONNX
Runtime in place of the model, on the config's data and metrics. With
--tta, the config's ``tta_pipeline`` (every scale x flip of its dataset
base) replaces the test pipeline and its ``tta_model`` (M2FTTAModel)
wraps the model, merging the views per query, as mmdet's and mmseg's
``tools/test.py --tta`` do.
"""
import argparse
import os.path as osp

from mmengine.evaluator import DumpResults
from mmengine.runner import Runner

from m2f_mm.utils import register_all_modules
from m2f_mm.utils.cli import (add_common_args, config_file, existing_file,
                              load_config, output_path,
                              setup_cpu_distributed)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test an m2f_mm model')
    parser.add_argument('config', type=config_file, help='config file')
    parser.add_argument('checkpoint', nargs='?', type=existing_file,
                        help='checkpoint file (not with --onnx)')
    parser.add_argument('--onnx', action='append', metavar='FILE',
                        type=existing_file,
                        help='evaluate this exported file with ONNX Runtime '
                        'instead of a checkpoint (repeat: one per task)')
    parser.add_argument('--tta', action='store_true',
                        help="test-time augmentation: the config's "
                        'tta_pipeline and tta_model')
    parser.add_argument('--out', type=output_path,
                        help='dump predictions to this .pkl file')
    parser.add_argument('--show-dir', help='save overlay pictures here '
                        '(inside the run\'s timestamped folder)')
    parser.add_argument('--non-strict', action='store_true',
                        help='load a checkpoint that does not fit the model '
                        '(default: refuse it, listing the keys that differ)')
    add_common_args(parser)
    args = parser.parse_args(argv)
    if (args.checkpoint is None) == (args.onnx is None):
        parser.error('give either a CHECKPOINT or --onnx FILE (one per task)')
    return args


def use_tta(cfg, config_path: str, onnx: bool = False) -> None:
    """Swap in the config's test-time augmentation (in place)."""
    if onnx:
        raise SystemExit('--tta runs the model on every view: give a '
                         'CHECKPOINT, not --onnx files')
    missing = [k for k in ('tta_pipeline', 'tta_model') if not cfg.get(k)]
    if missing:
        raise SystemExit(f'{config_path} has no {" or ".join(missing)}: '
                         'test-time augmentation is set in the dataset base '
                         '(tta_pipeline) and the runtime base (tta_model)')
    dataset = cfg.test_dataloader.dataset
    while 'dataset' in dataset:  # wrappers
        dataset = dataset['dataset']
    dataset.pipeline = cfg.tta_pipeline
    cfg.tta_model.module = cfg.model
    cfg.model = cfg.tta_model


def main(argv=None):
    register_all_modules()  # safe checkpoints, m2f_mm:: names (utils/setup_env.py)
    args = parse_args(argv)
    for path in [args.checkpoint] if args.checkpoint else args.onnx:
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path}: no such file')
    cfg = load_config(args)
    setup_cpu_distributed(cfg)
    if args.tta:
        use_tta(cfg, args.config, onnx=bool(args.onnx))
    if args.onnx:
        cfg.model = dict(type='m2f_mm.M2FOnnxModel', onnx_files=args.onnx)
    else:
        cfg.load_from = args.checkpoint
    if args.checkpoint and not args.non_strict:
        cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
            dict(type='CheckpointFitHook', checkpoint=args.checkpoint,
                 config=args.config)]
    if args.show_dir:
        cfg.default_hooks.visualization.update(draw=True,
                                               test_out_dir=args.show_dir)
    runner = Runner.from_cfg(cfg)
    if args.out:
        runner.test_evaluator.metrics.append(DumpResults(out_file_path=args.out))
    runner.test()


if __name__ == '__main__':
    main()

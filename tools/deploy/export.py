"""Export a trained model and one task's post-processing to one ONNX file.

    python tools/deploy/export.py CONFIG CHECKPOINT
        --task {panoptic,instance,semantic} --out model.onnx
        [--shape H W] [--static] [--opset 18]
    python tools/deploy/export.py CONFIG CHECKPOINT --task ... --out model.pt2

An --out ending in .pt2 writes the same graph as a torch.export program
instead (torch.export.save; run it with torch.export.load(f).module()(images)),
for deployments that stay in PyTorch.

The graph takes ``images``, (B, H, W, 3) uint8 BGR as cv2.imread reads
them (stacked), and does the config's normalisation and padding inside; by
default any batch, height and width run (``--static``: only --shape and the
traced batch). Outputs, at H x W (see README "Export and deploy"):

- panoptic: ``panoptic`` (B, H, W) int32, mmdet's encoding (stuff: label;
  things: label + id * 1000; K: void), and per query ``segment_ids``
  (-1: no segment), ``labels``, ``scores``, ``is_thing``;
- instance: per (query, class) pair, best first, ``scores``, ``labels``,
  ``masks`` (B, N, H, W) bool, ``bboxes`` xyxy, ``valid`` (False: a stuff
  class, dropped by the PyTorch model), ``queries`` (the pair's query slot);
- semantic: ``sem_seg`` (B, H, W) labels and ``seg_logits`` (B, K, H, W);
- every task also ``class_logits`` and ``mask_logits`` (1/4 of the padded
  input) of the final prediction set.

Only standard ONNX operators (the deformable attention's sampling is
GridSample, opset >= 16): ONNX Runtime and other runtimes need no custom-op
library. The checkpoint is loaded weights-only and refused if it does not
fit the config's model.
"""
import argparse
import sys

from m2f_mm.apis import init_model
from m2f_mm.deploy import DeployModel, export_onnx, export_program
from m2f_mm.deploy.onnx_export import DEFAULT_OPSET


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--task', required=True,
                        choices=['panoptic', 'instance', 'semantic'])
    parser.add_argument('--out', required=True,
                        help='the .onnx file (.pt2: a torch.export program)')
    parser.add_argument('--shape', type=int, nargs=2, default=[512, 512],
                        metavar=('H', 'W'), help='size of the traced example')
    parser.add_argument('--static', action='store_true',
                        help='fixed batch and size (default: dynamic)')
    parser.add_argument('--opset', type=int, default=DEFAULT_OPSET)
    args = parser.parse_args(argv)
    try:
        model, _, _ = init_model(args.config, args.checkpoint, 'cpu')
        deploy_model = DeployModel(model, args.task)
        if args.out.endswith('.pt2'):
            export_program(deploy_model, args.out, tuple(args.shape),
                           dynamic=not args.static)
        else:
            export_onnx(deploy_model, args.out, tuple(args.shape),
                        dynamic=not args.static, opset=args.opset)
    except (FileNotFoundError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(f'wrote {args.out} ({args.task}; input images (B, H, W, 3) uint8 '
          f'BGR, {"fixed size" if args.static else "any size"})')
    return 0


if __name__ == '__main__':
    sys.exit(main())

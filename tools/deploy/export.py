"""Export a trained model and one task's post-processing to one ONNX file.

    python tools/deploy/export.py CONFIG CHECKPOINT
        --task {panoptic,instance,semantic} --out model.onnx
        [--shape H W] [--static] [--opset 18]
        [--original-size auto|yes|no] [--int8 [--calib N] [--calib-split train|val]]
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

Where the config's test pipeline resizes (--original-size auto, the
default; yes/no to force), the graph takes a second input,
``original_size`` (2,) int64 (H0, W0), the size before that resize, and
resizes as the model's predict does (bilinear, before thresholding): its
outputs are at H0 x W0 and equal the checkpoint's.

Only standard ONNX operators (the deformable attention's sampling is
GridSample, opset >= 16): ONNX Runtime and other runtimes need no custom-op
library. The checkpoint is loaded weights-only and refused if it does not
fit the config's model.

--int8 writes the graph with its convolutions and matrix products in INT8
(ONNX Runtime's static quantization, QDQ format: standard
QuantizeLinear/DequantizeLinear, run in INT8 by ONNX Runtime and OpenVINO),
calibrated on N images of the config's own train (or val) set through its
test pipeline; the deformable attention's offsets and weights and the
prediction heads stay float32 (docs/deploy.md has the measurements).
"""
import argparse
import os.path as osp
import sys
import tempfile

from m2f_mm.apis import init_model
from m2f_mm.apis.calibration import calibration_images
from m2f_mm.apis.inferencer import test_pipeline_resizes
from m2f_mm.deploy import DeployModel, export_onnx, export_program
from m2f_mm.deploy.onnx_export import DEFAULT_OPSET
from m2f_mm.deploy.quantize import quantize_int8
from m2f_mm.deploy.trace_inputs import make_out_folder
from m2f_mm.utils.cli import config_file, existing_file, output_path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', type=config_file)
    parser.add_argument('checkpoint', type=existing_file)
    parser.add_argument('--task', required=True,
                        choices=['panoptic', 'instance', 'semantic'])
    parser.add_argument('--out', required=True, type=output_path,
                        help='the .onnx file (.pt2: a torch.export program)')
    parser.add_argument('--shape', type=int, nargs=2, default=[512, 512],
                        metavar=('H', 'W'), help='size of the traced example')
    parser.add_argument('--static', action='store_true',
                        help='fixed batch and size (default: dynamic)')
    parser.add_argument('--opset', type=int, default=DEFAULT_OPSET)
    parser.add_argument('--original-size', default='auto',
                        choices=['auto', 'yes', 'no'],
                        help='a second input, the size before the test '
                        "pipeline's resize (auto: where it resizes)")
    parser.add_argument('--int8', action='store_true',
                        help='convolutions and matrix products in INT8')
    parser.add_argument('--calib', type=int, default=32, metavar='N',
                        help='--int8: calibration images (default 32)')
    parser.add_argument('--calib-split', default='train',
                        choices=['train', 'val'],
                        help='--int8: the dataset they come from')
    args = parser.parse_args(argv)
    if args.int8 and args.out.endswith('.pt2'):
        parser.error('--int8 writes ONNX: give an --out ending in .onnx')
    if args.calib < 1:
        parser.error(f'--calib: at least 1 image, not {args.calib}')
    try:
        model, cfg, _ = init_model(args.config, args.checkpoint, 'cpu')
        original_size = args.original_size == 'yes' or (
            args.original_size == 'auto' and test_pipeline_resizes(cfg))
        deploy_model = DeployModel(model, args.task,
                                   original_size=original_size)
        if args.out.endswith('.pt2'):
            export_program(deploy_model, args.out, tuple(args.shape),
                           dynamic=not args.static)
        elif args.int8:
            images = calibration_images(args.config, args.calib,
                                        args.calib_split)
            with tempfile.TemporaryDirectory() as tmp:
                float_file = export_onnx(
                    deploy_model, osp.join(tmp, 'float32.onnx'),
                    tuple(args.shape), dynamic=not args.static,
                    opset=args.opset)
                make_out_folder(args.out)
                done = quantize_int8(float_file, args.out, images)
            print(f'INT8: {done["quantized"]} convolutions and matrix '
                  f'products quantized, {done["float"]} kept float32, '
                  f'calibrated on {done["calibration"]} {args.calib_split} '
                  'images')
        else:
            export_onnx(deploy_model, args.out, tuple(args.shape),
                        dynamic=not args.static, opset=args.opset)
    except (FileNotFoundError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    inputs = 'images (B, H, W, 3) uint8 BGR'
    if original_size:
        inputs += ' and original_size (2,) int64'
    print(f'wrote {args.out} ({args.task}; inputs {inputs}, '
          f'{"fixed size" if args.static else "any size"})')
    return 0


if __name__ == '__main__':
    sys.exit(main())

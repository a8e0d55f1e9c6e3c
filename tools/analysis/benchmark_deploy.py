"""Images/s of an exported model (ONNX Runtime, and OpenVINO's runtime when
installed) against the PyTorch model's predict, same weights and inputs, and
how far their outputs are apart.

    python tools/analysis/benchmark_deploy.py CONFIG [--checkpoint CKPT]
        [--onnx FILE] [--task panoptic] [--shape 800 1216] [--images 3]
        [--int8 N] [--profile]

Without --onnx the model is exported first (dynamic sizes, as
tools/deploy/export.py writes it, into a temporary folder); without
--checkpoint it keeps its initialisation (random weights: speed needs no
training). The runtimes predict the same random images one at a time,
taking turns on each image (one warm-up run each first); printed: the
median seconds per image and the ratio to PyTorch's,
the largest difference of the raw class and mask logits from the PyTorch
graph's, and whether the task's outputs equal PyTorch predict's (panoptic
and semantic maps identical; instance: the largest score difference and the
share of mask pixels that differ).

With --int8 N: also the file quantized to INT8 (tools/deploy/export.py
--int8; calibrated on N other random images), timed in the same turns, its
ratio to the float32 file in the same runtime and how much of its output
agrees with the float32 file's.

With --profile: where the time goes instead, seconds per image by model
stage (preprocess, backbone, pixel decoder, transformer decoder, upsample,
postprocess) for PyTorch (timers around its modules), ONNX Runtime (its
profiler) and OpenVINO (its performance counters), then each runtime's most
expensive operators by stage.
"""
import argparse
import os.path as osp
import tempfile
import time

import numpy as np
import torch
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmseg.structures import SegDataSample

from m2f_mm.apis import init_model
from m2f_mm.deploy import DeployModel, export_onnx, output_names
from m2f_mm.deploy.quantize import quantize_int8
from m2f_mm.deploy.profiling import (format_profile, profile_onnxruntime,
                                     profile_openvino, profile_pytorch)
from m2f_mm.models.segmentors import M2FDetector
from m2f_mm.testing.benchmarking import machine
from m2f_mm.utils.cli import config_file, existing_file




def eager_predict(model, image: np.ndarray, task: str):
    """PyTorch predict of one (H, W, 3) uint8 BGR image, the task only
    (either face: mmdet's M2FDetector or mmseg's EncoderDecoder)."""
    height, width = image.shape[:2]
    detector = isinstance(model, M2FDetector)
    sample = (DetDataSample if detector else SegDataSample)(
        metainfo=dict(img_shape=(height, width), ori_shape=(height, width)))
    data = model.data_preprocessor(dict(
        inputs=[torch.from_numpy(image).permute(2, 0, 1).contiguous()],
        data_samples=[sample]), False)
    kwargs = dict(infer_cfg=model.infer_cfg.only(task)) if detector else {}
    with torch.no_grad():
        return model.predict(data['inputs'], data['data_samples'],
                             **kwargs)[0]


def runtimes(onnx_file: str, names, suffix: str = ''):
    """{name: run(images) -> list of arrays} for the runtimes installed."""
    found = {}
    import onnxruntime as ort
    session = ort.InferenceSession(onnx_file,
                                   providers=['CPUExecutionProvider'])
    found['onnxruntime' + suffix] = lambda x: session.run(None, {'images': x})
    if 'openvino' in names:
        try:
            import openvino
        except ImportError:
            print('openvino is not installed: skipped')
        else:
            # float32: its CPU plugin otherwise runs in bfloat16 where the
            # CPU has it (logits then ~4e-2 off); an INT8 file's quantized
            # operators still run in INT8
            compiled = openvino.Core().compile_model(
                onnx_file, 'CPU', {'INFERENCE_PRECISION_HINT': 'f32'})
            found['openvino' + suffix] = \
                lambda x: list(compiled([x]).values())
    return found


def median_seconds(fns: dict, images) -> dict:
    """{name: median seconds per image}, the functions taking turns on each
    image (one warm-up run each first), so that the machine's drift hits
    them alike."""
    for fn in fns.values():
        fn(images[0])  # warm-up
    times = {name: [] for name in fns}
    for image in images:
        for name, fn in fns.items():
            start = time.perf_counter()
            fn(image)
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}


def agreement(task: str, reference, outputs) -> dict:
    """How far an INT8 file's outputs are from the float32 file's in the
    same runtime: the share of identical pixels of the task's map, and of
    the map of each pixel's highest mask logit over the queries (1/4 size;
    meaningful also where random weights keep no segment)."""
    ref = dict(zip(output_names(task), reference))
    got = dict(zip(output_names(task), outputs))
    result = {}
    key = dict(panoptic='panoptic', semantic='sem_seg').get(task)
    if key:
        result[f'same_{key}_pixels'] = float(
            (np.asarray(ref[key]) == np.asarray(got[key])).mean())
    result['same_query_map_pixels'] = float(
        (np.asarray(ref['mask_logits']).argmax(1) ==
         np.asarray(got['mask_logits']).argmax(1)).mean())
    return result


def gaps(model, task: str, image: np.ndarray, outputs) -> dict:
    """How far a runtime's outputs for one image are from PyTorch's: raw
    logits (largest difference from the PyTorch graph's) and the task's
    results (against predict)."""
    got = {name: torch.from_numpy(np.asarray(value))
           for name, value in zip(output_names(task), outputs)}
    with torch.no_grad():
        graph = DeployModel(model, task)(torch.from_numpy(image[None]))
    result = dict(
        class_logits=(got['class_logits'] - graph[-2]).abs().max().item(),
        mask_logits=(got['mask_logits'] - graph[-1]).abs().max().item())
    sample = eager_predict(model, image, task)
    if task == 'panoptic':
        result['same_panoptic'] = torch.equal(
            got['panoptic'][0], sample.pred_panoptic_seg.sem_seg[0])
    elif task == 'semantic':
        result['same_labels'] = torch.equal(
            got['sem_seg'][0], sample.pred_sem_seg.sem_seg[0])
    else:
        valid = got['valid'][0]
        scores = got['scores'][0][valid].sort(descending=True)
        expected = sample.pred_instances.scores.sort(descending=True)
        result['scores'] = (scores.values - expected.values).abs().max().item()
        masks = got['masks'][0][valid][scores.indices]
        wanted = sample.pred_instances.masks[expected.indices]
        result['mask_pixels_differing'] = (masks != wanted).float().mean().item()
    return result


def model_and_images(config, checkpoint, shape, count):
    cfg = Config.fromfile(config)
    if checkpoint is None:
        cfg.model.backbone.init_cfg = None  # no download
    torch.manual_seed(0)
    model, _, _ = init_model(cfg, checkpoint)
    rng = np.random.RandomState(0)
    images = [rng.randint(0, 256, (1, *shape, 3)).astype(np.uint8)
              for _ in range(count)]
    return model, images


def profile(config, checkpoint, onnx_file, task, shape, count,
            names=('onnxruntime', 'openvino'), int8_calib: int = 0) -> dict:
    """{runtime: dict(stages={stage: s/image}, ops={(stage, op): s})}; with
    ``int8_calib`` the INT8 file's too ('<runtime> int8')."""
    model, images = model_and_images(config, checkpoint, shape, count)
    with tempfile.TemporaryDirectory() as tmp:
        if onnx_file is None:
            onnx_file = export_onnx(DeployModel(model, task),
                                    osp.join(tmp, f'{task}.onnx'), shape)
        files = {'': onnx_file}
        if int8_calib:
            files[' int8'] = osp.join(tmp, f'{task}_int8.onnx')
            quantize_int8(onnx_file, files[' int8'],
                          random_images(shape, int8_calib))
        profiles = dict(pytorch=profile_pytorch(
            model, lambda: eager_predict(model, images[0][0], task), count))
        for suffix, path in files.items():
            if 'onnxruntime' in names:
                profiles['onnxruntime' + suffix] = profile_onnxruntime(
                    path, images)
            if 'openvino' in names:
                profiles['openvino' + suffix] = profile_openvino(path, images)
    return profiles


def random_images(shape, count: int, seed: int = 1):
    """Calibration images for the INT8 file: other random images than the
    timed ones (seed 0)."""
    rng = np.random.RandomState(seed)
    return [rng.randint(0, 256, (1, *shape, 3)).astype(np.uint8)
            for _ in range(count)]


def compare(config, checkpoint, onnx_file, task, shape, count,
            names=('onnxruntime', 'openvino'), int8_calib: int = 0) -> dict:
    """{runtime: dict(seconds, gaps)}, PyTorch's under 'pytorch'; with
    ``int8_calib`` also the INT8 file's (calibrated on that many other
    random images) under '<runtime> int8', with its agreement with the
    float32 file."""
    model, images = model_and_images(config, checkpoint, shape, count)
    with tempfile.TemporaryDirectory() as tmp:
        if onnx_file is None:
            onnx_file = export_onnx(DeployModel(model, task),
                                    osp.join(tmp, f'{task}.onnx'), shape)
        fns = dict(pytorch=lambda x: eager_predict(model, x[0], task))
        fns.update(runtimes(onnx_file, names))
        if int8_calib:
            int8_file = osp.join(tmp, f'{task}_int8.onnx')
            quantize_int8(onnx_file, int8_file,
                          random_images(shape, int8_calib))
            fns.update(runtimes(int8_file, names, ' int8'))
        seconds = median_seconds(fns, images)
        results = {}
        for name, fn in fns.items():
            results[name] = dict(seconds=seconds[name])
            if name == 'pytorch':
                continue
            outputs = fn(images[0])
            if name.endswith(' int8'):
                float_name = name[:-len(' int8')]
                results[name]['gaps'] = agreement(
                    task, fns[float_name](images[0]), outputs)
            else:
                results[name]['gaps'] = gaps(model, task, images[0][0],
                                             outputs)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', type=config_file)
    parser.add_argument('--checkpoint', type=existing_file)
    parser.add_argument('--onnx', type=existing_file, help='an exported file (default: export)')
    parser.add_argument('--task', default='panoptic',
                        choices=['panoptic', 'instance', 'semantic'])
    parser.add_argument('--shape', type=int, nargs=2, default=[800, 1216])
    parser.add_argument('--images', type=int, default=3)
    parser.add_argument('--int8', type=int, default=0, metavar='N',
                        help='also the INT8 file, calibrated on N images')
    parser.add_argument('--profile', action='store_true',
                        help='time per model stage and operator instead')
    args = parser.parse_args(argv)
    print(f'machine: CPU, {machine()}')
    if args.profile:
        print(f'{args.task}, {args.shape[0]}x{args.shape[1]}, seconds per '
              f'image by stage, {args.images} images one at a time (PyTorch: '
              'preprocess and upsample counted in postprocess):')
        print(format_profile(profile(args.config, args.checkpoint, args.onnx,
                                     args.task, tuple(args.shape),
                                     args.images, int8_calib=args.int8)))
        return
    results = compare(args.config, args.checkpoint, args.onnx, args.task,
                      tuple(args.shape), args.images, int8_calib=args.int8)
    base = results['pytorch']['seconds']
    print(f'{args.task} predict, {args.shape[0]}x{args.shape[1]}, '
          f'{args.images} images one at a time, runtimes taking turns, '
          'median:')
    for name, result in results.items():
        line = (f'  {name:17s} {result["seconds"]:.3f} s/image, '
                f'{result["seconds"] / base:.2f}x PyTorch')
        if name.endswith(' int8'):
            float_seconds = results[name[:-len(' int8')]]['seconds']
            line += f', {result["seconds"] / float_seconds:.2f}x float32'
        if 'gaps' in result:
            line += '; ' + ', '.join(
                f'{k} {v:.2%}' if k.endswith('_pixels') else
                f'{k} {v:.1e}' if isinstance(v, float) else f'{k} {v}'
                for k, v in result['gaps'].items())
        print(line)


if __name__ == '__main__':
    main()

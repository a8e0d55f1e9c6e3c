"""tools/deploy/export.py: one ONNX file per task, standard operators only,
run by ONNX Runtime at sizes and batches other than the traced one, equal
to the PyTorch model's predict on the same images."""
import os.path as osp
import re
import subprocess
import sys

import cv2
import numpy as np
import onnx
import pytest
import torch
from mmengine.config import Config

from m2f_mm.apis import init_model
from m2f_mm.deploy import DeployModel, export_onnx, output_names
from m2f_mm.models.postprocess import resize_masks
from m2f_mm.testing.deploy_files import (image_batches, padded_shape,
                                         run_onnx)
from m2f_mm.testing.shapes_cli import data_options
from m2f_mm.testing.tools import REPO_ROOT, load_tool

pytestmark = pytest.mark.slow  # runs tools/ end to end (full suite)

ROOT = REPO_ROOT
eager_predict = load_tool('tools/analysis/benchmark_deploy.py').eager_predict


@pytest.fixture(scope='module')
def exported(files):
    """The three tasks' files, by tools/deploy/export.py's main."""
    main = load_tool('tools/deploy/export.py').main
    paths = {}
    for task in ('panoptic', 'instance', 'semantic'):
        paths[task] = str(files['root'] / f'{task}.onnx')
        assert main([files['config'], files['checkpoint'], '--task', task,
                     '--out', paths[task], '--shape', '128', '128']) == 0
    return paths


def _raw_logits_agree(model, images, out):
    """Class and mask logits of the final set within 1e-4 of PyTorch's."""
    deploy = DeployModel(model, 'semantic')
    with torch.no_grad():
        ref = deploy(torch.from_numpy(images))
    torch.testing.assert_close(out['class_logits'], ref[-2], rtol=0,
                               atol=1e-4)
    torch.testing.assert_close(out['mask_logits'], ref[-1], rtol=0,
                               atol=1e-4)


def test_panoptic_onnx_equals_eager(files, exported):
    path = exported['panoptic']
    graph = onnx.load(path)
    # standard operators only: no custom domain to load
    assert {node.domain for node in graph.graph.node} <= {'', 'ai.onnx'}
    assert any(node.op_type == 'GridSample' for node in graph.graph.node)
    _check_panoptic(files, lambda images: run_onnx(path, images))


def _check_panoptic(files, run):
    """``run(images)``'s panoptic outputs equal eager predict's, and its raw
    logits are within 1e-4 of PyTorch's."""
    model, _, _ = init_model(files['config'], files['checkpoint'])
    segments = 0
    for images in image_batches(files['images']):
        out = run(images)
        _raw_logits_agree(model, images, out)
        for b, image in enumerate(images):
            expected = eager_predict(
                model, image, 'panoptic').pred_panoptic_seg.sem_seg[0]
            assert torch.equal(out['panoptic'][b], expected)
            ids = out['segment_ids'][b]
            assert set(ids[ids >= 0].tolist()) == set(
                expected.unique().tolist()) - {model.num_classes}
            segments += len(set(ids[ids >= 0].tolist()))
    assert segments >= 6  # the comparison saw segments, not void maps


def test_torch_export_program_equals_eager(files, tmp_path):
    """--out *.pt2: the same graph as a torch.export program, saved, loaded
    and run at other sizes and batches."""
    main = load_tool('tools/deploy/export.py').main
    out = str(tmp_path / 'panoptic.pt2')
    assert main([files['config'], files['checkpoint'], '--task', 'panoptic',
                 '--out', out, '--shape', '128', '128']) == 0
    program = torch.export.load(out).module()

    def run(images):
        with torch.no_grad():
            outputs = program(torch.from_numpy(images))
        return dict(zip(output_names('panoptic'), outputs))
    _check_panoptic(files, run)


def test_instance_onnx_equals_eager(files, exported):
    path = exported['instance']
    model, _, _ = init_model(files['config'], files['checkpoint'])
    flipped = pixels = 0
    for images in image_batches(files['images']):
        out = run_onnx(path, images)
        assert out['masks'].shape[-2:] == images.shape[1:3]
        for b, image in enumerate(images):
            expected = eager_predict(model, image, 'instance').pred_instances
            valid = out['valid'][b]
            assert valid.sum() == len(expected.scores) > 0
            order = expected.scores.argsort(descending=True)
            scores = out['scores'][b][valid]
            got = scores.argsort(descending=True)
            torch.testing.assert_close(scores[got], expected.scores[order],
                                       rtol=0, atol=1e-4)
            assert torch.equal(out['labels'][b][valid][got],
                               expected.labels[order])
            # masks identical except where the mask logit lies within the
            # logits' bound (1e-4) of the threshold: there float rounding
            # (here: resizing all queries at once or a few) decides
            logits = resize_masks(out['mask_logits'][b],
                                  padded_shape(images), images.shape[1:3])
            boundary = logits[out['queries'][b][valid][got]].abs() < 1e-4
            flips = out['masks'][b][valid][got] != expected.masks[order]
            assert not (flips & ~boundary).any()
            flipped += int(flips.sum())
            pixels += flips.numel()
            same = ~flips.flatten(1).any(1)  # boxes of unflipped masks
            assert torch.equal(out['bboxes'][b][valid][got][same],
                               expected.bboxes[order][same])
    assert flipped < 1e-5 * pixels  # seen: 2 (one query's, with 2 labels)


def test_semantic_onnx_equals_eager(files, exported):
    path = exported['semantic']
    model, _, _ = init_model(files['config'], files['checkpoint'])
    for images in image_batches(files['images']):
        out = run_onnx(path, images)
        for b, image in enumerate(images):
            expected = eager_predict(model, image, 'semantic')
            assert torch.equal(out['sem_seg'][b],
                               expected.pred_sem_seg.sem_seg[0])
            torch.testing.assert_close(out['seg_logits'][b],
                                       expected.seg_logits.data, rtol=0,
                                       atol=1e-4)


def test_bad_requests_are_refused(files, tmp_path):
    main = load_tool('tools/deploy/export.py').main
    model, _, _ = init_model(files['config'])
    with pytest.raises(ValueError, match='opset 13'):
        export_onnx(DeployModel(model, 'panoptic'), str(tmp_path / 'a.onnx'),
                    opset=13)
    with pytest.raises(ValueError, match='task must be one of'):
        DeployModel(model, 'depth')
    with pytest.raises(ValueError, match=r'\(B, H, W, 3\) uint8'):
        DeployModel(model, 'panoptic')(torch.zeros(1, 3, 64, 64,
                                                   dtype=torch.uint8))
    semantic_cfg = osp.join(ROOT, 'configs', 'quickstart',
                            'm2f_r18_shapes_semantic.py')
    assert main([semantic_cfg, files['checkpoint'], '--task', 'panoptic',
                 '--out', str(tmp_path / 'b.onnx')]) == 1


def _metrics(output):
    """{name: value} of the last test line of tools/test.py's log."""
    line = [l for l in output.splitlines() if 'Iter(test)' in l][-1]
    return {key: float(value) for key, value in
            re.findall(r'([\w/]+): (-?[0-9]+\.[0-9]+)', line)}


def test_test_tool_scores_the_onnx_files_as_the_checkpoint(files, exported,
                                                            tmp_path):
    """tools/test.py --onnx: PQ, mask AP and mIoU of the config's val split
    from ONNX Runtime equal the checkpoint's (to 0.1; seen identical)."""
    root = str(files['root'] / 'shapes') + '/'
    options = ['--cfg-options', *data_options('panoptic', root)]
    runs = {}
    for name, model in (('eager', [files['checkpoint']]),
                        ('onnx', [arg for task in ('panoptic', 'instance',
                                                   'semantic')
                                  for arg in ('--onnx', exported[task])])):
        run = subprocess.run(
            [sys.executable, 'tools/test.py', files['config'], *model,
             '--work-dir', str(tmp_path / name), *options],
            cwd=ROOT, capture_output=True, text=True)
        assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
        runs[name] = _metrics(run.stdout + run.stderr)
    keys = ('coco_panoptic/PQ', 'coco/segm_mAP', 'mIoU')
    assert all(key in runs['onnx'] for key in keys), runs['onnx']
    assert runs['onnx']['mIoU'] > 0
    for key in keys:
        assert abs(runs['onnx'][key] - runs['eager'][key]) <= 0.1, (key, runs)


def test_infer_tool_writes_the_same_files_from_onnx(files, exported,
                                                     tmp_path):
    main = load_tool('tools/infer.py').main
    image = str(files['root'] / 'shapes' / 'images' / 'val' / '000002.jpg')
    assert main([files['config'], files['checkpoint'], image, '--task',
                 'panoptic', '--out-dir', str(tmp_path / 'eager')]) == 0
    assert main([files['config'], '--onnx', exported['panoptic'], image,
                 '--task', 'panoptic', '--out-dir',
                 str(tmp_path / 'onnx')]) == 0
    written = sorted(p.name for p in (tmp_path / 'eager').iterdir())
    assert written == sorted(p.name for p in (tmp_path / 'onnx').iterdir())
    for name in written:
        if name.endswith('.png'):  # the COCO-panoptic id map
            assert np.array_equal(cv2.imread(str(tmp_path / 'eager' / name)),
                                  cv2.imread(str(tmp_path / 'onnx' / name)))
    # a task whose file was not given is named
    assert main([files['config'], '--onnx', exported['panoptic'], image,
                 '--task', 'semantic', '--out-dir', str(tmp_path)]) == 1


def test_deploy_benchmark_measures_agreement(files, exported):
    """tools/analysis/benchmark_deploy.py reports the gaps the tests above
    bound, for ONNX Runtime and for OpenVINO running the same file: raw
    logits within 1e-4 and the same panoptic map."""
    compare = load_tool('tools/analysis/benchmark_deploy.py').compare
    results = compare(files['config'], files['checkpoint'],
                      exported['panoptic'], 'panoptic', (96, 112), 1,
                      int8_calib=1)
    assert set(results) == {'pytorch', 'onnxruntime', 'openvino',
                            'onnxruntime int8', 'openvino int8'}
    for runtime in ('onnxruntime', 'openvino'):
        gaps = results[runtime]['gaps']
        assert gaps['class_logits'] < 1e-4 and gaps['mask_logits'] < 1e-4
        assert gaps['same_panoptic'] is True
        # the INT8 file against the float32 one in the same runtime
        agreement = results[f'{runtime} int8']['gaps']
        assert 0.5 < agreement['same_panoptic_pixels'] <= 1
        assert 0 < agreement['same_query_map_pixels'] <= 1
    assert all(r['seconds'] > 0 for r in results.values())
    # the command docs/deploy.md shows, on the same file
    proc = subprocess.run(
        [sys.executable, 'tools/analysis/benchmark_deploy.py',
         files['config'], '--checkpoint', files['checkpoint'], '--onnx',
         exported['panoptic'], '--shape', '96', '112', '--images', '1'],
        cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert re.search(r'onnxruntime\s+\d+\.\d+ s/image', proc.stdout)


def test_int8_export_and_profile_commands(files, exported, tmp_path):
    """export.py --int8 --calib N --calib-split val writes a file tools/test.py
    scores close to the float32 file (the untrained model: a loose bound;
    the trained quickstart's figures are in docs/deploy.md), and
    benchmark_deploy.py --int8 N --profile times both files by stage (its
    speed mode with --int8 is compare(..., int8_calib=N), tested in
    test_deploy_benchmark_measures_agreement)."""
    cfg = Config.fromfile(files['config'])
    root = str(files['root'] / 'shapes') + '/'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = root
        cfg[loader].num_workers = 0
        cfg[loader].persistent_workers = False
    # the panoptic file alone: the panoptic metric alone
    panoptic_metric = dict(cfg.test_evaluator[0],
                           ann_file=f'{root}annotations/panoptic_val.json',
                           seg_prefix=f'{root}annotations/panoptic_val/')
    cfg.val_evaluator = cfg.test_evaluator = panoptic_metric
    config = str(tmp_path / 'config.py')
    cfg.dump(config)
    int8_file = str(tmp_path / 'panoptic_int8.onnx')
    proc = subprocess.run(
        [sys.executable, 'tools/deploy/export.py', config,
         files['checkpoint'], '--task', 'panoptic', '--out', int8_file,
         '--shape', '128', '128', '--int8', '--calib', '3',
         '--calib-split', 'val'], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert re.search(r'INT8: \d+ convolutions and matrix products quantized'
                     r', \d+ kept float32, calibrated on 3 val images',
                     proc.stdout)
    scores = {}
    for name, path in (('float', exported['panoptic']), ('int8', int8_file)):
        run = subprocess.run(
            [sys.executable, 'tools/test.py', config, '--onnx', path,
             '--work-dir', str(tmp_path / name)],
            cwd=ROOT, capture_output=True, text=True)
        assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
        scores[name] = _metrics(run.stdout + run.stderr)['coco_panoptic/PQ']
    print('PQ float32 / int8', scores)
    assert abs(scores['int8'] - scores['float']) < 10
    proc = subprocess.run(
        [sys.executable, 'tools/analysis/benchmark_deploy.py', config,
         '--checkpoint', files['checkpoint'], '--onnx', exported['panoptic'],
         '--shape', '96', '112', '--images', '1', '--int8', '1',
         '--profile'],
        cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    header = next(line for line in proc.stdout.splitlines()
                  if line.startswith('stage'))
    assert header.split()[1:] == ['pytorch', 'onnxruntime', 'openvino',
                                  'onnxruntime', 'int8', 'openvino', 'int8']
    for stage in ('backbone', 'pixel decoder', 'transformer decoder'):
        row = next(line for line in proc.stdout.splitlines()
                   if line.startswith(stage))
        assert len(re.findall(r'\d+\.\d+ s', row)) == 5, row

"""INT8 exports: calibration images come from the config's own data through
its test pipeline, the quantizer puts the convolutions and matrix products
in INT8 except the modules kept float32, carries the model's facts over, and
the file's outputs stay close to the float32 file's in both runtimes. The
float32 file is an mmseg model's (EncoderDecoder + M2FDecodeHead) and gives
mmseg predict's labels."""
import re

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from mmengine.config import Config

from m2f_mm.apis import init_model
from m2f_mm.apis.calibration import calibration_images
from m2f_mm.datasets import generate
from m2f_mm.deploy import DeployModel, export_onnx, output_names, read_metadata
from m2f_mm.deploy.quantize import FLOAT_MODULES, QUANTIZED_OPS, quantize_int8
from m2f_mm.testing.deploy_files import run_onnx
from m2f_mm.testing.tools import REPO_ROOT, load_tool

SEMANTIC = f'{REPO_ROOT}/configs/quickstart/m2f_r18_shapes_semantic.py'
PANOPTIC = f'{REPO_ROOT}/configs/quickstart/m2f_r18_shapes_panoptic.py'
eager_predict = load_tool('tools/analysis/benchmark_deploy.py').eager_predict


@pytest.fixture(scope='module')
def scenes(tmp_path_factory):
    """Shapes scenes (4 train, 2 val at 96 px) and the panoptic quickstart
    config pointed at them, its test pipeline resizing to 128 x 128."""
    root = tmp_path_factory.mktemp('int8')
    generate(str(root / 'shapes'), dict(train=4, val=2), size=96)
    cfg = Config.fromfile(PANOPTIC)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = str(root / 'shapes') + '/'
    pipeline = list(cfg.test_dataloader.dataset.pipeline)
    pipeline.insert(1, dict(type='Resize', scale=(128, 128), keep_ratio=True,
                            _scope_='mmdet'))
    cfg.test_dataloader.dataset.pipeline = pipeline
    config = str(root / 'config.py')
    cfg.dump(config)
    return root, config


@pytest.fixture(scope='module')
def semantic_files(tmp_path_factory):
    """The untrained semantic quickstart model (mmseg's face), its float32
    file (any size, as tools/deploy/export.py writes it) and its INT8
    version, calibrated on 4 random 64 x 64 images."""
    root = tmp_path_factory.mktemp('int8_files')
    torch.manual_seed(0)
    model, _, _ = init_model(Config.fromfile(SEMANTIC))
    float_file = export_onnx(DeployModel(model, 'semantic'),
                             str(root / 'float.onnx'), (64, 64))
    rng = np.random.RandomState(0)
    calib = [rng.randint(0, 256, (1, 64, 64, 3)).astype(np.uint8)
             for _ in range(4)]
    int8_file = str(root / 'int8.onnx')
    done = quantize_int8(float_file, int8_file, calib)
    return float_file, int8_file, done, model


def _module_path(node):
    return next((p.value for p in node.metadata_props
                 if p.key == 'pkg.torch.onnx.name_scopes'), '')


def test_the_heavy_operators_are_int8_except_the_float_modules(
        semantic_files):
    float_file, int8_file, done, _ = semantic_files
    nodes = onnx.load(float_file).graph.node
    heavy = [n for n in nodes if n.op_type in QUANTIZED_OPS]
    kept = [n for n in heavy if re.search(FLOAT_MODULES, _module_path(n))]
    assert done == dict(quantized=len(heavy) - len(kept), float=len(kept),
                        calibration=4)
    assert kept and done['quantized'] > 3 * len(kept)
    graph = onnx.load(int8_file).graph
    # every quantized operator reads a dequantized weight; the float ones
    # (sampling offsets, attention weights, prediction heads) do not
    dequantized = {out for n in graph.node if n.op_type == 'DequantizeLinear'
                   for out in n.output}
    by_name = {n.name: n for n in graph.node}
    for node in heavy:
        reads_int8 = any(i in dequantized for i in by_name[node.name].input)
        assert reads_int8 == (node not in kept), node.name
    meta = read_metadata(int8_file)
    assert meta['m2f_mm.task'] == 'semantic'
    assert meta['m2f_mm.int8'].startswith(
        'ONNX Runtime static QDQ, 4 calibration images')


def test_the_float_file_of_an_mmseg_model_equals_its_predict(
        semantic_files):
    """At a size and batch other than the traced ones, the file's labels
    are mmseg predict's and its scores within 1e-4."""
    float_file, _, _, model = semantic_files
    images = np.random.RandomState(0).randint(0, 256, (2, 70, 90, 3)).astype(
        np.uint8)
    out = run_onnx(float_file, images)
    for b, image in enumerate(images):
        expected = eager_predict(model, image, 'semantic')
        assert torch.equal(out['sem_seg'][b], expected.pred_sem_seg.data[0])
        torch.testing.assert_close(out['seg_logits'][b],
                                   expected.seg_logits.data, rtol=0,
                                   atol=1e-4)


@pytest.mark.parametrize('runtime', ['onnxruntime', 'openvino'])
def test_int8_outputs_stay_close_to_float32(semantic_files, runtime):
    """On an image not calibrated on: class logits within 0.5 and the
    semantic scores' correlation with the float32 file's above 0.99 (an
    untrained model: the trained quickstart's accuracy is in
    docs/deploy.md)."""
    float_file, int8_file, _, _ = semantic_files
    image = np.random.RandomState(9).randint(0, 256, (1, 64, 64, 3)).astype(
        np.uint8)

    def run(path):
        if runtime == 'onnxruntime':
            session = ort.InferenceSession(
                path, providers=['CPUExecutionProvider'])
            outputs = session.run(None, {'images': image})
        else:
            import openvino
            compiled = openvino.Core().compile_model(
                path, 'CPU', {'INFERENCE_PRECISION_HINT': 'f32'})
            outputs = list(compiled([image]).values())
        return dict(zip(output_names('semantic'), outputs))

    ref, got = run(float_file), run(int8_file)
    assert np.abs(got['class_logits'] - ref['class_logits']).max() < 0.5
    corr = np.corrcoef(got['seg_logits'].ravel(), ref['seg_logits'].ravel())
    assert corr[0, 1] > 0.99
    assert not np.array_equal(got['mask_logits'], ref['mask_logits'])


def test_calibration_images_come_through_the_test_pipeline(scenes):
    root, config = scenes
    images = calibration_images(config, 3, 'train')
    assert len(images) == 3
    # the test pipeline resizes the 96 px scenes to 128
    assert all(i.shape == (1, 128, 128, 3) and i.dtype == np.uint8
               for i in images)
    # evenly spaced over the 4 train scenes: the first and the last
    assert not np.array_equal(images[0], images[-1])
    assert len(calibration_images(config, 2, 'val')) == 2


def test_calibration_refuses_bad_requests(scenes):
    root, config = scenes
    with pytest.raises(ValueError, match='at least one image'):
        calibration_images(config, 0)
    with pytest.raises(ValueError, match='val set has 2 images, fewer than 5'):
        calibration_images(config, 5, 'val')
    (root / 'shapes' / 'images' / 'train' / '000001.jpg').unlink()
    with pytest.raises(FileNotFoundError, match='000001.jpg'):
        calibration_images(config, 4, 'train')

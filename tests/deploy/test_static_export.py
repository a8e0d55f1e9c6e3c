"""The fast tier's export: the untrained quickstart model's semantic task
as one static 64 x 64 ONNX file (the slow tests beside it cover dynamic
sizes, every task, runtimes and tools): ONNX Runtime gives
the eager graph's outputs and the file carries the model's facts; the
profiler attributes the file's time to the model's stages."""
import time

import numpy as np
import onnxruntime as ort
import pytest
import torch
from mmengine.config import Config

from m2f_mm.apis import init_model
from m2f_mm.deploy import DeployModel, export_onnx, output_names, read_metadata
from m2f_mm.deploy.profiling import (STAGES, node_stages, profile_onnxruntime,
                                     profile_openvino)
from m2f_mm.testing.tools import REPO_ROOT


@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    cfg = Config.fromfile(f'{REPO_ROOT}/configs/quickstart/'
                          'm2f_r18_shapes_semantic.py')
    torch.manual_seed(0)
    model, _, _ = init_model(cfg)
    deploy = DeployModel(model, 'semantic')
    path = export_onnx(deploy, str(tmp_path_factory.mktemp('static') /
                                   'semantic.onnx'), (64, 64),
                       batch=1, dynamic=False)
    return deploy, path


def test_static_semantic_export_equals_the_eager_graph(exported):
    deploy, path = exported
    meta = read_metadata(path)
    assert meta['m2f_mm.task'] == 'semantic'
    assert meta['m2f_mm.num_classes'] == str(deploy.num_classes)
    images = np.random.RandomState(0).randint(0, 256, (1, 64, 64, 3)).astype(
        np.uint8)
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    out = dict(zip(output_names('semantic'),
                   session.run(None, {'images': images})))
    with torch.no_grad():
        eager = dict(zip(output_names('semantic'),
                         deploy(torch.from_numpy(images))))
    np.testing.assert_allclose(out['seg_logits'], eager['seg_logits'].numpy(),
                               atol=1e-4, rtol=0)
    # labels equal wherever the two best classes are not within rounding
    top2 = np.sort(out['seg_logits'], axis=1)[:, -2:]
    clear = (top2[:, 1] - top2[:, 0]) > 1e-4
    assert np.array_equal(out['sem_seg'][clear], eager['sem_seg'].numpy()[clear])


def test_every_node_is_attributed_to_its_model_stage(exported):
    import onnx
    path = exported[1]
    stages = node_stages(path)
    graph = onnx.load(path).graph
    assert set(stages) == {node.name for node in graph.node}
    assert set(stages.values()) <= set(STAGES) | {''}  # '': size arithmetic
    by_op = {}
    for node in graph.node:
        by_op.setdefault(node.op_type, set()).add(stages[node.name])
    # the deformable attention samples in the pixel decoder only; the
    # backbone is where the ResNet's convolutions are; the decoder's
    # attention is in the transformer decoder; the task's argmax after it
    assert by_op['GridSample'] == {'pixel decoder'}
    assert 'backbone' in by_op['Conv']
    assert 'transformer decoder' in by_op['MatMul']
    assert by_op['ArgMax'] == {'postprocess'}
    # (the decoder also resizes masks to each level's attention size)
    assert 'upsample' in by_op['Resize']
    assert 'backbone' not in by_op['Resize']


@pytest.mark.parametrize('runtime', ['onnxruntime', 'openvino'])
def test_profile_splits_the_runtimes_time_by_stage(exported, runtime):
    """Every stage that runs work gets time, and the stages' sum is the
    operators' time: not more than the runs' wall time."""
    path = exported[1]
    images = [np.random.RandomState(i).randint(0, 256, (1, 64, 64, 3))
              .astype(np.uint8) for i in range(2)]
    profile = dict(onnxruntime=profile_onnxruntime,
                   openvino=profile_openvino)[runtime]
    start = time.perf_counter()
    result = profile(path, images)
    wall = time.perf_counter() - start
    for stage in ('backbone', 'pixel decoder', 'transformer decoder',
                  'postprocess'):
        assert result['stages'][stage] > 0, stage
    assert set(result['stages']) <= set(STAGES)
    # per image, summed over stages, below the whole call's time (which
    # also loads and compiles the file and runs a warm-up)
    assert sum(result['stages'].values()) * len(images) < wall
    assert abs(sum(result['ops'].values()) -
               sum(result['stages'].values())) < 1e-9

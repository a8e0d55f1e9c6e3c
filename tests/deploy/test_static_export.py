"""The fast tier's export: the untrained quickstart model's semantic task
as one static 64 x 64 ONNX file (the slow suite's test_onnx_export.py
covers dynamic sizes, every task, runtimes and tools): ONNX Runtime gives
the eager graph's outputs and the file carries the model's facts."""
import numpy as np
import onnxruntime as ort
import torch
from mmengine.config import Config

from m2f_mm.apis import init_model
from m2f_mm.deploy import DeployModel, export_onnx, output_names, read_metadata
from m2f_mm.testing.tools import REPO_ROOT


def test_static_semantic_export_equals_the_eager_graph(tmp_path):
    cfg = Config.fromfile(f'{REPO_ROOT}/configs/quickstart/'
                          'm2f_r18_shapes_semantic.py')
    torch.manual_seed(0)
    model, _, _ = init_model(cfg)
    deploy = DeployModel(model, 'semantic')
    path = export_onnx(deploy, str(tmp_path / 'semantic.onnx'), (64, 64),
                       batch=1, dynamic=False)
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

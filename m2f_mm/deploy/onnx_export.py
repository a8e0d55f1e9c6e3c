"""Export a :class:`DeployModel` to one ONNX file of standard operators."""
import os
import os.path as osp
import warnings
from typing import Tuple

import torch

from .deploy_model import DeployModel, output_names

#: GridSample (the deformable attention's sampling) needs opset 16; 18 is
#: what torch's exporter writes natively.
MIN_OPSET = 16
DEFAULT_OPSET = 18


def export_onnx(deploy_model: DeployModel, out_file: str,
                shape: Tuple[int, int] = (512, 512), batch: int = 1,
                dynamic: bool = True, opset: int = DEFAULT_OPSET) -> str:
    """Write ``deploy_model`` as ONNX and check the file.

    Args:
        deploy_model: the model and task.
        out_file: the .onnx path (folders made).
        shape: (H, W) of the example traced; with ``dynamic`` any H, W (and
            batch) run, else only this one.
        batch: images in the example (2 at least when ``dynamic``: torch.export
            fixes a dimension traced at size 1).
        dynamic: symbolic batch, height and width.
        opset: ONNX opset, >= 16.

    Returns:
        ``out_file``.
    """
    if opset < MIN_OPSET:
        raise ValueError(f'opset {opset}: the deformable attention needs '
                         f'GridSample, opset >= {MIN_OPSET}')
    height, width = shape
    if dynamic:
        batch = max(batch, 2)
    example = torch.randint(0, 256, (batch, height, width, 3),
                            dtype=torch.uint8)
    dynamic_shapes = None
    if dynamic:
        dim = torch.export.Dim
        dynamic_shapes = ({0: dim('batch', min=1, max=64),
                           1: dim('height', min=32, max=8192),
                           2: dim('width', min=32, max=8192)}, )
    folder = osp.dirname(osp.abspath(out_file))
    os.makedirs(folder, exist_ok=True)
    deploy_model.eval()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        program = torch.onnx.export(
            deploy_model, (example, ), None, dynamo=True,
            dynamic_shapes=dynamic_shapes, opset_version=opset,
            input_names=['images'],
            output_names=list(output_names(deploy_model.task)),
            verbose=False)
    program.save(out_file)
    import onnx
    graph = onnx.load(out_file)
    onnx.helper.set_model_props(graph, {
        'm2f_mm.task': deploy_model.task,
        'm2f_mm.num_classes': str(deploy_model.num_classes),
        'm2f_mm.num_things': str(deploy_model.num_things),
        # mmdet's M2FDetector (things first) or mmseg's EncoderDecoder
        'm2f_mm.face': 'mmdet' if deploy_model.from_detector else 'mmseg',
    })
    onnx.save(graph, out_file)
    onnx.checker.check_model(out_file)
    return out_file

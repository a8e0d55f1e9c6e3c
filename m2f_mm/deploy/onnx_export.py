"""Export a :class:`DeployModel` to one ONNX file of standard operators."""
import warnings

import torch

from m2f_mm.models.layers.deformable_attention import sampling_path
from m2f_mm.models.layers.deformable_sampling import EXPORT_PATH
from .deploy_model import DeployModel, output_names
from .trace_inputs import make_out_folder, trace_inputs

#: GridSample (the deformable attention's sampling) needs opset 16; 18 is
#: what torch's exporter writes natively.
MIN_OPSET = 16
DEFAULT_OPSET = 18


def export_onnx(deploy_model: DeployModel, out_file: str,
                shape: tuple = (512, 512), batch: int = 1,
                dynamic: bool = True, opset: int = DEFAULT_OPSET) -> str:
    """Write ``deploy_model`` as ONNX, with the model's facts in its
    metadata (read by :class:`~m2f_mm.deploy.M2FOnnxModel`), and check it.

    Args:
        deploy_model: the model and task.
        out_file: the .onnx path (folders made).
        shape: (H, W) of the example traced; with ``dynamic`` any H, W (and
            batch) run, else only this one.
        batch: images in the example.
        dynamic: symbolic batch, height and width.
        opset: ONNX opset, >= 16.

    Returns:
        ``out_file``.
    """
    if opset < MIN_OPSET:
        raise ValueError(f'opset {opset}: the deformable attention needs '
                         f'GridSample, opset >= {MIN_OPSET}')
    make_out_folder(out_file)
    deploy_model.eval()
    deploy_model.slice_crop = True  # free in ONNX (see DeployModel)
    try:
        with torch.no_grad(), warnings.catch_warnings(), \
                sampling_path(deploy_model, EXPORT_PATH):
            warnings.simplefilter('ignore')
            inputs, dims, names = trace_inputs(deploy_model.original_size,
                                               shape, batch, dynamic)
            program = torch.onnx.export(
                deploy_model, inputs, None, dynamo=True,
                dynamic_shapes=dims, opset_version=opset, input_names=names,
                output_names=list(output_names(deploy_model.task)),
                verbose=False)
    finally:
        del deploy_model.slice_crop  # back to the class default
    program.save(out_file)
    import onnx
    graph = onnx.load(out_file)
    onnx.helper.set_model_props(graph, {
        'm2f_mm.task': deploy_model.task,
        'm2f_mm.num_classes': str(deploy_model.num_classes),
        'm2f_mm.num_things': str(deploy_model.num_things),
        # mmdet's M2FDetector (things first) or mmseg's EncoderDecoder
        'm2f_mm.face': 'mmdet' if deploy_model.from_detector else 'mmseg',
        # 'images,original_size': the graph resizes to the original size
        'm2f_mm.inputs': ','.join(names),
    })
    onnx.save(graph, out_file)
    onnx.checker.check_model(out_file)
    return out_file

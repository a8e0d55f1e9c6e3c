"""Export a :class:`DeployModel` to one ONNX file of standard operators, or
to a ``torch.export`` program."""
import os
import os.path as osp
import warnings
from typing import Optional, Tuple

import torch

from m2f_mm.models.layers.deformable_attention import (EXPORT_PATH,
                                                      forced_sampling_path)
from .deploy_model import DeployModel, output_names

#: GridSample (the deformable attention's sampling) needs opset 16; 18 is
#: what torch's exporter writes natively.
MIN_OPSET = 16
DEFAULT_OPSET = 18
#: Image sides a dynamic export accepts: from 33 px (the 1/32 map at least
#: 2 wide: torch.export specialises dimensions of size 1) to 8192.
MIN_SIDE, MAX_SIDE = 33, 8192


def example_images(shape: Tuple[int, int], batch: int,
                   dynamic: bool) -> torch.Tensor:
    """Random (B, H, W, 3) uint8 images to trace with; 2 at least when
    ``dynamic`` (torch.export fixes a dimension traced at size 1)."""
    batch = max(batch, 2) if dynamic else batch
    return torch.randint(0, 256, (batch, *shape, 3), dtype=torch.uint8)


def image_dims(dynamic: bool) -> Optional[tuple]:
    """``dynamic_shapes`` of the images: symbolic batch, height and width
    (:data:`MIN_SIDE` to :data:`MAX_SIDE`)."""
    if not dynamic:
        return None
    dim = torch.export.Dim
    return ({0: dim('batch', min=1, max=64),
             1: dim('height', min=MIN_SIDE, max=MAX_SIDE),
             2: dim('width', min=MIN_SIDE, max=MAX_SIDE)}, )


def _out_folder(out_file: str) -> None:
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)


def export_onnx(deploy_model: DeployModel, out_file: str,
                shape: Tuple[int, int] = (512, 512), batch: int = 1,
                dynamic: bool = True, opset: int = DEFAULT_OPSET,
                sampling: str = EXPORT_PATH) -> str:
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
        sampling: the deformable attention's path in the graph,
            ``'grid_sample'`` (GridSample) or ``'gather'`` (Gather, Mul,
            ReduceSum).

    Returns:
        ``out_file``.
    """
    if opset < MIN_OPSET:
        raise ValueError(f'opset {opset}: the deformable attention needs '
                         f'GridSample, opset >= {MIN_OPSET}')
    _out_folder(out_file)
    deploy_model.eval()
    deploy_model.slice_crop = True  # free in ONNX (see DeployModel)
    try:
        with torch.no_grad(), warnings.catch_warnings(), \
                forced_sampling_path(sampling):
            warnings.simplefilter('ignore')
            program = torch.onnx.export(
                deploy_model, (example_images(shape, batch, dynamic), ),
                None, dynamo=True, dynamic_shapes=image_dims(dynamic),
                opset_version=opset, input_names=['images'],
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
    })
    onnx.save(graph, out_file)
    onnx.checker.check_model(out_file)
    return out_file


def export_program(deploy_model: DeployModel, out_file: str,
                   shape: Tuple[int, int] = (512, 512), batch: int = 1,
                   dynamic: bool = True) -> str:
    """Write ``deploy_model`` as a ``torch.export`` program
    (``torch.export.save``; run it with ``torch.export.load(out_file)
    .module()(images)``), the same graph as the ONNX export's.

    Args: as :func:`export_onnx`, ``out_file`` a .pt2 path.

    Returns:
        ``out_file``.
    """
    _out_folder(out_file)
    deploy_model.eval()
    with torch.no_grad():
        program = torch.export.export(
            deploy_model, (example_images(shape, batch, dynamic), ),
            dynamic_shapes=image_dims(dynamic))
    torch.export.save(program, out_file)
    return out_file

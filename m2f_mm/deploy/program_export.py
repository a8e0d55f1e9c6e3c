"""Export a :class:`DeployModel` as a ``torch.export`` program, the same
graph as the ONNX export's."""
import torch

from m2f_mm.models.layers.deformable_attention import sampling_path
from m2f_mm.models.layers.deformable_sampling import EXPORT_PATH
from .deploy_model import DeployModel
from .trace_inputs import make_out_folder, trace_inputs


def export_program(deploy_model: DeployModel, out_file: str,
                   shape: tuple = (512, 512), batch: int = 1,
                   dynamic: bool = True) -> str:
    """Write ``deploy_model`` as a ``torch.export`` program
    (``torch.export.save``; run it with ``torch.export.load(out_file)
    .module()(images)``), the same graph as the ONNX export's.

    Args: as :func:`~m2f_mm.deploy.onnx_export.export_onnx`, ``out_file`` a .pt2 path.

    Returns:
        ``out_file``.
    """
    make_out_folder(out_file)
    deploy_model.eval()
    with torch.no_grad(), sampling_path(deploy_model, EXPORT_PATH):
        inputs, dims, _ = trace_inputs(deploy_model.original_size, shape,
                                       batch, dynamic)
        program = torch.export.export(deploy_model, inputs,
                                      dynamic_shapes=dims)
    torch.export.save(program, out_file)
    return out_file

"""Deployment: a model and task as one graph from uint8 images to final
results (:class:`DeployModel`), exported to ONNX (:func:`export_onnx`) or
as a torch.export program (:func:`export_program`),
and run by ONNX Runtime behind the model's interface (:class:`M2FOnnxModel`)."""
from .deploy_model import OUTPUT_NAMES, DeployModel, output_names
from .onnx_export import export_onnx
from .program_export import export_program
from .ort_model import M2FOnnxModel, read_metadata

__all__ = ['DeployModel', 'OUTPUT_NAMES', 'output_names', 'export_onnx',
           'export_program', 'M2FOnnxModel', 'read_metadata']

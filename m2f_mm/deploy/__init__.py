"""Deployment: a model and task as one graph from uint8 images to final
results (:class:`DeployModel`), exported to ONNX (:func:`export_onnx`)."""
from .deploy_model import OUTPUT_NAMES, DeployModel, output_names
from .onnx_export import export_onnx

__all__ = ['DeployModel', 'OUTPUT_NAMES', 'output_names', 'export_onnx']

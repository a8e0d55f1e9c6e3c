"""INT8 post-training quantization of an exported file: ONNX Runtime's
static quantization in the QDQ format (QuantizeLinear/DequantizeLinear
around the quantized operators: standard ONNX that ONNX Runtime and
OpenVINO both run in INT8), calibrated on images the graph takes."""
import re
from typing import Iterable, List, Optional, Sequence

import numpy as np

from .profiling import node_stages

#: the operators quantized: the convolutions and matrix products, which
#: hold nearly all the time (``benchmark_deploy.py --profile``); the rest
#: (GridSample, softmax, norms, the post-processing) stays float32
QUANTIZED_OPS = ('Conv', 'MatMul')

#: modules left in float32 by default (a regular expression on the
#: module path the exporter records): the deformable attention's sampling
#: offsets and attention weights (an offset's rounding moves where a point
#: samples), the final prediction heads (class and mask embeddings) and
#: the mask features they multiply
FLOAT_MODULES = (r'sampling_offsets|attention_weights|class_head|mask_mlp|'
                 r'mask_proj')


def _module_path(node) -> str:
    for prop in node.metadata_props:
        if prop.key == 'pkg.torch.onnx.name_scopes':
            return prop.value
    return ''


def float_nodes(onnx_file: str, pattern: Optional[str] = FLOAT_MODULES,
                stages: Sequence[str] = ()) -> List[str]:
    """The quantizable nodes to keep in float32: those whose module path
    matches ``pattern`` or whose stage (:func:`node_stages`) is one of
    ``stages``."""
    import onnx
    graph = onnx.load(onnx_file, load_external_data=False).graph
    node_stage = node_stages(onnx_file)
    keep = []
    for node in graph.node:
        if node.op_type not in QUANTIZED_OPS:
            continue
        if (pattern and re.search(pattern, _module_path(node))) or \
                node_stage[node.name] in stages:
            keep.append(node.name)
    return keep


def quantize_int8(float_file: str, out_file: str,
                  images: Iterable[np.ndarray],
                  pattern: Optional[str] = FLOAT_MODULES,
                  float_stages: Sequence[str] = ()) -> dict:
    """Write ``out_file``: ``float_file`` with its convolutions and matrix
    products in INT8 (weights per output channel, symmetric int8;
    activations per tensor, uint8, ranges from ``images`` by min/max), the
    modules matching ``pattern`` and the ``float_stages`` kept in float32.
    The m2f_mm metadata is carried over, with ``m2f_mm.int8`` describing
    the quantization.

    Args:
        images: (1, H, W, 3) uint8 BGR arrays, the graph's input.

    Returns:
        dict(quantized=number of nodes quantized, float=number kept float,
        calibration=number of images).
    """
    import onnx
    from onnxruntime.quantization import (CalibrationDataReader,
                                          CalibrationMethod, QuantFormat,
                                          QuantType, quantize_static)
    images = list(images)
    if not images:
        raise ValueError('INT8 calibration needs at least one image')
    keep_float = float_nodes(float_file, pattern, float_stages)
    graph = onnx.load(float_file, load_external_data=False)
    total = sum(node.op_type in QUANTIZED_OPS for node in graph.graph.node)
    # a graph that resizes to the original size: calibrate at the image's
    # own size (the resize comes after every quantized operator)
    with_size = any(i.name == 'original_size' for i in graph.graph.input)

    class Reader(CalibrationDataReader):

        def __init__(self):
            self.feed = iter(images)

        def get_next(self):
            image = next(self.feed, None)
            if image is None:
                return None
            feed = {'images': image}
            if with_size:
                feed['original_size'] = np.array(image.shape[1:3], np.int64)
            return feed

    quantize_static(float_file, out_file, Reader(),
                    quant_format=QuantFormat.QDQ,
                    op_types_to_quantize=list(QUANTIZED_OPS),
                    nodes_to_exclude=keep_float, per_channel=True,
                    activation_type=QuantType.QUInt8,
                    weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax)
    meta = {p.key: p.value for p in graph.metadata_props}
    meta['m2f_mm.int8'] = (
        f'ONNX Runtime static QDQ, {len(images)} calibration images, '
        f'{total - len(keep_float)} of {total} Conv/MatMul in int8')
    quantized = onnx.load(out_file)
    onnx.helper.set_model_props(quantized, meta)
    onnx.save(quantized, out_file)
    return dict(quantized=total - len(keep_float), float=len(keep_float),
                calibration=len(images))

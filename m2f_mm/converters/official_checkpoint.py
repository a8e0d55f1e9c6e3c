"""Convert the official facebookresearch/Mask2Former checkpoints (detectron2
layout, ``.pkl`` of numpy arrays or ``.pth``) to m2f_mm's parameter names.

Official layout: ``backbone.*`` (detectron2 ResNet ``stem``/``res2``-``res5``
or Swin ``patch_embed``/``layers``/``norm{i}``), ``sem_seg_head.pixel_decoder.*``
(``MSDeformAttnPixelDecoder``) and ``sem_seg_head.predictor.*``
(``MultiScaleMaskedTransformerDecoder``).
"""
import importlib
import io
import os.path as osp
import pickle
import re
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor

from m2f_mm.utils.checkpoint import load_local_checkpoint
from .fit_config import reorder_classes
from .mmdet_checkpoint import rename_by_rules

# (pattern, replacement) for the part after ``sem_seg_head.``; the first
# matching rule wins.
_HEAD_RULES: List[Tuple[str, str]] = [
    # pixel decoder (MSDeformAttnPixelDecoder)
    (r'^pixel_decoder\.input_proj\.(\d+)\.([01])\.', r'pixel_decoder.input_projs.\1.\2.'),
    (r'^pixel_decoder\.transformer\.level_embed$', r'pixel_decoder.level_embed.weight'),
    (r'^pixel_decoder\.transformer\.encoder\.layers\.(\d+)\.self_attn\.', r'pixel_decoder.layers.\1.attn.'),
    (r'^pixel_decoder\.transformer\.encoder\.layers\.(\d+)\.norm1\.', r'pixel_decoder.layers.\1.norm.'),
    (r'^pixel_decoder\.transformer\.encoder\.layers\.(\d+)\.(linear[12])\.', r'pixel_decoder.layers.\1.ffn.\2.'),
    (r'^pixel_decoder\.transformer\.encoder\.layers\.(\d+)\.norm2\.', r'pixel_decoder.layers.\1.ffn.norm.'),
    (r'^pixel_decoder\.adapter_1\.norm\.', r'pixel_decoder.lateral_convs.0.1.'),
    (r'^pixel_decoder\.adapter_1\.', r'pixel_decoder.lateral_convs.0.0.'),
    (r'^pixel_decoder\.layer_1\.norm\.', r'pixel_decoder.output_convs.0.1.'),
    (r'^pixel_decoder\.layer_1\.', r'pixel_decoder.output_convs.0.0.'),
    (r'^pixel_decoder\.mask_features\.', r'pixel_decoder.mask_proj.'),
    # transformer decoder (MultiScaleMaskedTransformerDecoder)
    (r'^predictor\.transformer_cross_attention_layers\.(\d+)\.multihead_attn\.', r'transformer_decoder.layers.\1.cross_attn.'),
    (r'^predictor\.transformer_cross_attention_layers\.(\d+)\.norm\.', r'transformer_decoder.layers.\1.cross_attn.norm.'),
    (r'^predictor\.transformer_self_attention_layers\.(\d+)\.self_attn\.', r'transformer_decoder.layers.\1.self_attn.'),
    (r'^predictor\.transformer_self_attention_layers\.(\d+)\.norm\.', r'transformer_decoder.layers.\1.self_attn.norm.'),
    (r'^predictor\.transformer_ffn_layers\.(\d+)\.(linear[12]|norm)\.', r'transformer_decoder.layers.\1.ffn.\2.'),
    (r'^predictor\.decoder_norm\.', r'transformer_decoder.final_norm.'),
    (r'^predictor\.query_feat\.', r'query_feat.'),
    (r'^predictor\.query_embed\.', r'query_pos.'),
    (r'^predictor\.level_embed\.', r'level_embed.'),
    (r'^predictor\.class_embed\.', r'class_head.'),
    (r'^predictor\.mask_embed\.layers\.(\d+)\.', r'mask_mlp.layers.\1.'),
]
# training-only buffers of the official model
_IGNORED = re.compile(r'^(criterion\.|pixel_mean$|pixel_std$)')

class UnsafePickleError(pickle.UnpicklingError):
    """A pickle asked for something other than numpy arrays and containers."""


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles dicts of numpy arrays only: every other global is refused
    (no code runs from the file)."""

    ALLOWED = {
        ('numpy', 'ndarray'), ('numpy', 'dtype'),
        ('numpy.core.multiarray', '_reconstruct'),
        ('numpy._core.multiarray', '_reconstruct'),
        ('numpy.core.multiarray', 'scalar'),
        ('numpy._core.multiarray', 'scalar'),
        ('_codecs', 'encode'), ('collections', 'OrderedDict'),
    }

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise UnsafePickleError(f'refused global {module}.{name}')
        if module.startswith('numpy.core.'):  # numpy 1 pickles under numpy 2
            module = module.replace('numpy.core.', 'numpy._core.', 1)
            if importlib.util.find_spec(module) is None:  # numpy 1 here
                module = module.replace('numpy._core.', 'numpy.core.', 1)
        return getattr(importlib.import_module(module), name)


def load_official_checkpoint(path: str) -> 'OrderedDict[str, Tensor]':
    """The ``model`` dict of an official checkpoint as tensors.

    ``.pkl``: detectron2's pickle of numpy arrays, read by an unpickler that
    refuses anything else; other files: ``torch.load(weights_only=True)``.

    Raises:
        FileNotFoundError, UnsafePickleError, ValueError (no ``model`` dict
        of arrays), each naming the file.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such checkpoint file')
    if path.endswith('.pkl'):
        with open(path, 'rb') as f:
            try:
                content = _ArrayUnpickler(io.BufferedReader(f)).load()
            except UnsafePickleError as err:
                raise UnsafePickleError(f'{path}: {err}') from None
    else:
        content = load_local_checkpoint(path, map_location='cpu')
    model = content.get('model', content) if isinstance(content, dict) else None
    if not isinstance(model, dict) or not model:
        raise ValueError(f'{path}: no "model" dict of weights in it')
    out = OrderedDict()
    for key, value in model.items():
        if isinstance(value, np.ndarray):
            if not (np.issubdtype(value.dtype, np.number) or
                    value.dtype == np.bool_):
                raise ValueError(f'{path}: {key} is an array of {value.dtype}, '
                                 'not of numbers: not a weight')
            value = torch.from_numpy(np.ascontiguousarray(value))
        if not isinstance(value, Tensor):
            raise ValueError(f'{path}: {key} is a {type(value).__name__}, '
                             'not an array')
        out[key] = value
    return out


def _resnet_key(key: str) -> str:
    """detectron2 ResNet key (without ``backbone.``) -> mmdet ResNet key."""
    if key.startswith('stem.conv1.norm.'):
        return 'bn1.' + key[len('stem.conv1.norm.'):]
    if key.startswith('stem.conv1.'):
        return 'conv1.' + key[len('stem.conv1.'):]
    match = re.match(r'^res(\d)\.(\d+)\.(conv(\d)|shortcut)\.(norm\.)?(.+)$', key)
    if not match:
        raise KeyError(f'no rule converts the ResNet key backbone.{key}')
    stage, block, part, conv, norm, rest = match.groups()
    prefix = f'layer{int(stage) - 1}.{block}.'
    if part == 'shortcut':
        return prefix + ('downsample.1.' if norm else 'downsample.0.') + rest
    return prefix + (f'bn{conv}.' if norm else f'conv{conv}.') + rest


def _convert_backbone(backbone: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """detectron2 ResNet or Swin backbone -> mmdet's ResNet/SwinTransformer."""
    if any(k.startswith('patch_embed.') for k in backbone):
        from mmdet.models.backbones.swin import swin_converter
        converted = swin_converter(backbone)  # adds 'backbone.'
        return OrderedDict((k[len('backbone.'):], v)
                           for k, v in converted.items())
    out = OrderedDict()
    for key, value in backbone.items():
        new = _resnet_key(key)
        out[new] = value
        if new.endswith('running_var'):  # FrozenBN keeps no counter
            out[new.replace('running_var', 'num_batches_tracked')] = \
                torch.tensor(0)
    return out


def convert_official_state_dict(
        state_dict: Dict[str, Tensor], head_prefix: str = 'head.',
        class_order: Optional[Sequence[int]] = None
) -> 'OrderedDict[str, Tensor]':
    """Rename an official Mask2Former state dict to m2f_mm's names.

    Args:
        state_dict: the official ``model`` dict.
        head_prefix: ``'head.'`` (``M2FDetector``) or ``'decode_head.head.'``
            (mmseg's ``EncoderDecoder`` with ``M2FDecodeHead``).
        class_order: for each of our classes, the index of the same class in
            the official model (detectron2's order); no-object stays last.
            None keeps the order (COCO, and every semantic dataset).

    Raises:
        KeyError: a key no rule knows (converting it silently would lose
            weights), or a decoder input projection (ours needs none: the
            official recipes keep pixel-decoder and decoder widths equal).
    """
    out: 'OrderedDict[str, Tensor]' = OrderedDict()
    backbone = OrderedDict()
    for key, value in state_dict.items():
        if _IGNORED.match(key):
            continue
        if key.startswith('backbone.'):
            backbone[key[len('backbone.'):]] = value
            continue
        if not key.startswith('sem_seg_head.'):
            raise KeyError(f'no rule converts the key {key!r}')
        new = rename_by_rules(key[len('sem_seg_head.'):], _HEAD_RULES)
        if new is None:
            raise KeyError(f'no rule converts the key {key!r}')
        out[head_prefix + new] = value
    for key, value in _convert_backbone(backbone).items():
        out['backbone.' + key] = value
    reorder_classes(out, head_prefix, class_order)
    return out


def class_order_by_name(ours: Sequence[str],
                        official: Sequence[str]) -> List[int]:
    """For each of our class names, its index among the official ones.

    Raises:
        ValueError: a class of ours that the official list lacks.
    """
    index = {name: i for i, name in enumerate(official)}
    missing = [name for name in ours if name not in index]
    if missing:
        raise ValueError(f'classes not in the official list: {missing}')
    return [index[name] for name in ours]

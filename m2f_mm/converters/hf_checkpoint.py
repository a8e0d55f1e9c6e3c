"""Convert Hugging Face ``Mask2FormerForUniversalSegmentation`` weights
(transformers; ``model.safetensors`` or ``pytorch_model.bin``) to m2f_mm's
parameter names.

HF layout: ``model.pixel_level_module.encoder.*`` (the backbone: transformers'
``SwinBackbone`` or ``ResNetBackbone``), ``model.pixel_level_module.decoder.*``
(the deformable-attention pixel decoder), ``model.transformer_module.*`` (the
masked-attention decoder, queries, level embedding) and ``class_predictor``.
The Swin backbone goes through the original Swin names to mmdet's (mmdet's
own ``swin_converter`` then reorders the patch-merging channels).
"""
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor

from m2f_mm.utils.checkpoint import load_local_checkpoint
from .fit_config import reorder_classes
from .mmdet_checkpoint import rename_by_rules

_PIXEL = r'^model\.pixel_level_module\.decoder\.'
_DECODER = r'^model\.transformer_module\.decoder\.'
_HEAD_RULES: List[Tuple[str, str]] = [
    # pixel decoder
    (_PIXEL + r'input_projections\.(\d+)\.([01])\.', r'pixel_decoder.input_projs.\1.\2.'),
    (_PIXEL + r'level_embed$', r'pixel_decoder.level_embed.weight'),
    (_PIXEL + r'encoder\.layers\.(\d+)\.self_attn\.', r'pixel_decoder.layers.\1.attn.'),
    (_PIXEL + r'encoder\.layers\.(\d+)\.self_attn_layer_norm\.', r'pixel_decoder.layers.\1.norm.'),
    (_PIXEL + r'encoder\.layers\.(\d+)\.fc([12])\.', r'pixel_decoder.layers.\1.ffn.linear\2.'),
    (_PIXEL + r'encoder\.layers\.(\d+)\.final_layer_norm\.', r'pixel_decoder.layers.\1.ffn.norm.'),
    (_PIXEL + r'adapter_(\d+)\.([01])\.', r'pixel_decoder.lateral_convs.<\1>.\2.'),
    (_PIXEL + r'layer_(\d+)\.([01])\.', r'pixel_decoder.output_convs.<\1>.\2.'),
    (_PIXEL + r'mask_projection\.', r'pixel_decoder.mask_proj.'),
    # transformer decoder (self-attention q/k/v are merged separately)
    (_DECODER + r'layers\.(\d+)\.cross_attn\.', r'transformer_decoder.layers.\1.cross_attn.'),
    (_DECODER + r'layers\.(\d+)\.cross_attn_layer_norm\.', r'transformer_decoder.layers.\1.cross_attn.norm.'),
    (_DECODER + r'layers\.(\d+)\.self_attn\.out_proj\.', r'transformer_decoder.layers.\1.self_attn.out_proj.'),
    (_DECODER + r'layers\.(\d+)\.self_attn_layer_norm\.', r'transformer_decoder.layers.\1.self_attn.norm.'),
    (_DECODER + r'layers\.(\d+)\.fc([12])\.', r'transformer_decoder.layers.\1.ffn.linear\2.'),
    (_DECODER + r'layers\.(\d+)\.final_layer_norm\.', r'transformer_decoder.layers.\1.ffn.norm.'),
    (_DECODER + r'layernorm\.', r'transformer_decoder.final_norm.'),
    (_DECODER + r'mask_predictor\.mask_embedder\.(\d+)\.0\.', r'mask_mlp.layers.\1.'),
    (r'^model\.transformer_module\.queries_features\.', r'query_feat.'),
    (r'^model\.transformer_module\.queries_embedder\.', r'query_pos.'),
    (r'^model\.transformer_module\.level_embed\.', r'level_embed.'),
    (r'^model\.transformer_module\.input_projections\.(\d+)\.', r'input_projs.\1.'),
    (r'^class_predictor\.', r'class_head.'),
]
_SELF_ATTN_QKV = re.compile(_DECODER + r'layers\.(\d+)\.self_attn\.([qkv])_proj\.(weight|bias)$')
_BACKBONE = 'model.pixel_level_module.encoder.'
# training-only buffers
_IGNORED = re.compile(r'^criterion\.')

# transformers' Swin names (4.x checkpoints on the hub, and 5.x modules:
# ``swin.`` prefix, q/k/v/o projections) -> the original Swin's (what
# mmdet's swin_converter reads)
_BLOCK = r'^(?:swin\.)?encoder\.layers\.(\d+)\.blocks\.(\d+)\.'
_SWIN_RULES: List[Tuple[str, str]] = [
    (r'^(?:swin\.)?embeddings\.patch_embeddings\.projection\.', r'patch_embed.proj.'),
    (r'^(?:swin\.)?embeddings\.norm\.', r'patch_embed.norm.'),
    (_BLOCK + r'layernorm_before\.', r'layers.\1.blocks.\2.norm1.'),
    (_BLOCK + r'layernorm_after\.', r'layers.\1.blocks.\2.norm2.'),
    (_BLOCK + r'attention\.(?:self\.|relative_position_bias\.)relative_position_bias_table$',
     r'layers.\1.blocks.\2.attn.relative_position_bias_table'),
    (_BLOCK + r'attention\.(?:output\.dense|o_proj)\.', r'layers.\1.blocks.\2.attn.proj.'),
    (_BLOCK + r'(?:intermediate\.dense|mlp\.fc1)\.', r'layers.\1.blocks.\2.mlp.fc1.'),
    (_BLOCK + r'(?:output\.dense|mlp\.fc2)\.', r'layers.\1.blocks.\2.mlp.fc2.'),
    (r'^(?:swin\.)?encoder\.layers\.(\d+)\.downsample\.', r'layers.\1.downsample.'),
]
_SWIN_QKV = re.compile(_BLOCK + r'attention\.(?:self\.)?(query|key|value|q_proj|k_proj|v_proj)\.(weight|bias)$')
# recomputed by mmdet's Swin for its window size; the final norm of
# transformers' SwinModel is not used by its backbone outputs
_SWIN_SKIPPED = re.compile(r'(relative_position_index$|^swin\.layernorm\.)')
_SWIN_OUT_NORM = re.compile(r'^hidden_states_norms\.stage(\d+)\.(weight|bias)$')


def load_hf_checkpoint(path: str) -> 'OrderedDict[str, Tensor]':
    """The state dict of a transformers checkpoint: a ``.safetensors`` file,
    a ``.bin``/``.pth`` file (loaded with ``weights_only``: no code runs), or
    a model folder holding ``model.safetensors`` or ``pytorch_model.bin``.
    Sharded checkpoints (``*.index.json``) are merged."""
    if osp.isdir(path):
        for name in ('model.safetensors', 'pytorch_model.bin',
                     'model.safetensors.index.json',
                     'pytorch_model.bin.index.json'):
            if osp.isfile(osp.join(path, name)):
                return load_hf_checkpoint(osp.join(path, name))
        raise FileNotFoundError(f'{path}: no model.safetensors or '
                                'pytorch_model.bin in this folder')
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such file')
    if path.endswith('.index.json'):
        import json
        with open(path) as f:
            shards = sorted(set(json.load(f)['weight_map'].values()))
        state = OrderedDict()
        for shard in shards:
            state.update(load_hf_checkpoint(osp.join(osp.dirname(path), shard)))
        return state
    if path.endswith('.safetensors'):
        from safetensors.torch import load_file
        return OrderedDict(load_file(path))
    state = load_local_checkpoint(path, map_location='cpu')
    return OrderedDict(state.get('state_dict', state))


def _convert_resnet(backbone: Dict[str, Tensor]) -> 'OrderedDict[str, Tensor]':
    """transformers' ResNetBackbone -> mmdet's ResNet (pytorch style: the
    stride on the 3x3 conv, transformers' default)."""
    out = OrderedDict()
    for key, value in backbone.items():
        match = re.match(r'^embedder\.embedder\.(convolution|normalization)\.(.+)$', key)
        if match:
            part, rest = match.groups()
            out[('conv1.' if part == 'convolution' else 'bn1.') + rest] = value
            continue
        match = re.match(r'^encoder\.stages\.(\d+)\.layers\.(\d+)\.(shortcut|layer\.(\d+))\.(convolution|normalization)\.(.+)$', key)
        if not match:
            raise KeyError(f'no rule converts the ResNet key {_BACKBONE}{key}')
        stage, block, part, conv, kind, rest = match.groups()
        prefix = f'layer{int(stage) + 1}.{block}.'
        if part == 'shortcut':
            out[prefix + ('downsample.0.' if kind == 'convolution'
                          else 'downsample.1.') + rest] = value
        else:
            index = int(conv) + 1
            out[prefix + (f'conv{index}.' if kind == 'convolution'
                          else f'bn{index}.') + rest] = value
    return out


def _convert_swin(backbone: Dict[str, Tensor]) -> 'OrderedDict[str, Tensor]':
    """transformers' SwinBackbone -> the original Swin's names -> mmdet's
    SwinTransformer (through mmdet's swin_converter)."""
    from mmdet.models.backbones.swin import swin_converter
    original: 'OrderedDict[str, Tensor]' = OrderedDict()
    qkv: Dict[Tuple[str, str, str], Dict[str, Tensor]] = {}
    for key, value in backbone.items():
        if _SWIN_SKIPPED.search(key):
            continue
        match = _SWIN_QKV.match(key)
        if match:
            stage, block, which, kind = match.groups()
            qkv.setdefault((stage, block, kind), {})[which[0]] = value
            continue
        match = _SWIN_OUT_NORM.match(key)
        if match:  # the output norm of stage i (1-based) is mmdet's norm{i-1}
            original[f'norm{int(match.group(1)) - 1}.{match.group(2)}'] = value
            continue
        new = rename_by_rules(key, _SWIN_RULES)
        if new is None:
            raise KeyError(f'no rule converts the Swin key {_BACKBONE}{key}')
        original[new] = value
    for (stage, block, kind), parts in qkv.items():
        original[f'layers.{stage}.blocks.{block}.attn.qkv.{kind}'] = torch.cat(
            [parts['q'], parts['k'], parts['v']])
    converted = OrderedDict((k[len('backbone.'):], v) for k, v in
                            swin_converter(original).items())
    for key, table in list(converted.items()):
        if key.endswith('relative_position_bias_table'):
            window = (int(round(table.shape[0] ** 0.5)) + 1) // 2
            converted[key.replace('relative_position_bias_table',
                                  'relative_position_index')] = \
                _relative_position_index(window)
    return converted


def _relative_position_index(window: int) -> Tensor:
    """mmdet's WindowMSA buffer for a ``window`` x ``window`` window (the
    same numbers the original Swin and transformers compute)."""
    from mmdet.models.backbones.swin import WindowMSA
    coords = WindowMSA.double_step_seq(2 * window - 1, window, 1, window)
    return (coords + coords.T).flip(1).contiguous()


def convert_hf_state_dict(
        state_dict: Dict[str, Tensor], head_prefix: str = 'head.',
        class_order: Optional[Sequence[int]] = None
) -> 'OrderedDict[str, Tensor]':
    """Rename a transformers Mask2Former state dict to m2f_mm's names.

    Args:
        state_dict: ``Mask2FormerForUniversalSegmentation.state_dict()``.
        head_prefix: ``'head.'`` (``M2FDetector``) or ``'decode_head.head.'``
            (mmseg's ``EncoderDecoder`` with ``M2FDecodeHead``).
        class_order: for each of our classes, the index of the same class in
            the HF model (its ``id2label`` order); no-object stays last. None
            keeps the order.

    Raises:
        KeyError: a key no rule knows (converting it silently would lose
            weights), or a backbone other than Swin and ResNet.
    """
    out: 'OrderedDict[str, Tensor]' = OrderedDict()
    backbone: 'OrderedDict[str, Tensor]' = OrderedDict()
    qkv: Dict[Tuple[str, str], Dict[str, Tensor]] = {}
    num_fpn = max([int(m.group(1)) for m in (  # adapter_1 .. adapter_n
        re.match(_PIXEL + r'adapter_(\d+)\.', k) for k in state_dict) if m] or [0])
    for key, value in state_dict.items():
        if _IGNORED.match(key):
            continue
        if key.startswith(_BACKBONE):
            backbone[key[len(_BACKBONE):]] = value
            continue
        match = _SELF_ATTN_QKV.match(key)
        if match:
            layer, which, kind = match.groups()
            qkv.setdefault((layer, kind), {})[which] = value
            continue
        new = rename_by_rules(key, _HEAD_RULES)
        if new is None:
            raise KeyError(f'no rule converts the key {key!r}')
        # HF's adapter_k / layer_k serve backbone map k-1 (highest resolution
        # first); ours run lowest resolution first
        new = re.sub(r'<(\d+)>', lambda m: str(num_fpn - int(m.group(1))), new)
        out[head_prefix + new] = value
    for (layer, kind), parts in qkv.items():
        out[f'{head_prefix}transformer_decoder.layers.{layer}.self_attn.'
            f'in_proj_{kind}'] = torch.cat(
                [parts['q'], parts['k'], parts['v']])
    if any('embeddings.patch_embeddings.' in k for k in backbone):
        converted = _convert_swin(backbone)
    elif any(k.startswith('embedder.') for k in backbone):
        converted = _convert_resnet(backbone)
    else:
        raise KeyError('the backbone is neither transformers\' Swin nor '
                       f'ResNet (first key: {_BACKBONE}{next(iter(backbone))})')
    for key, value in converted.items():
        out['backbone.' + key] = value
    reorder_classes(out, head_prefix, class_order)
    return out

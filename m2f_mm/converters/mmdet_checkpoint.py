"""Convert mmdet / mmseg Mask2Former state dicts to m2f_mm's parameter names."""
import re
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

from torch import Tensor

# (pattern, replacement) applied in order to the part after the head prefix.
_HEAD_RULES: List[Tuple[str, str]] = [
    # pixel decoder
    (r'^pixel_decoder\.input_convs\.(\d+)\.conv\.', r'pixel_decoder.input_projs.\1.0.'),
    (r'^pixel_decoder\.input_convs\.(\d+)\.gn\.', r'pixel_decoder.input_projs.\1.1.'),
    (r'^pixel_decoder\.encoder\.layers\.(\d+)\.self_attn\.', r'pixel_decoder.layers.\1.attn.'),
    (r'^pixel_decoder\.encoder\.layers\.(\d+)\.norms\.0\.', r'pixel_decoder.layers.\1.norm.'),
    (r'^pixel_decoder\.encoder\.layers\.(\d+)\.ffn\.layers\.0\.0\.', r'pixel_decoder.layers.\1.ffn.linear1.'),
    (r'^pixel_decoder\.encoder\.layers\.(\d+)\.ffn\.layers\.1\.', r'pixel_decoder.layers.\1.ffn.linear2.'),
    (r'^pixel_decoder\.encoder\.layers\.(\d+)\.norms\.1\.', r'pixel_decoder.layers.\1.ffn.norm.'),
    (r'^pixel_decoder\.level_encoding\.', r'pixel_decoder.level_embed.'),
    (r'^pixel_decoder\.(lateral_convs|output_convs)\.(\d+)\.conv\.', r'pixel_decoder.\1.\2.0.'),
    (r'^pixel_decoder\.(lateral_convs|output_convs)\.(\d+)\.gn\.', r'pixel_decoder.\1.\2.1.'),
    (r'^pixel_decoder\.mask_feature\.', r'pixel_decoder.mask_proj.'),
    # transformer decoder
    (r'^transformer_decoder\.layers\.(\d+)\.(cross_attn|self_attn)\.attn\.', r'transformer_decoder.layers.\1.\2.'),
    (r'^transformer_decoder\.layers\.(\d+)\.norms\.0\.', r'transformer_decoder.layers.\1.cross_attn.norm.'),
    (r'^transformer_decoder\.layers\.(\d+)\.norms\.1\.', r'transformer_decoder.layers.\1.self_attn.norm.'),
    (r'^transformer_decoder\.layers\.(\d+)\.norms\.2\.', r'transformer_decoder.layers.\1.ffn.norm.'),
    (r'^transformer_decoder\.layers\.(\d+)\.ffn\.layers\.0\.0\.', r'transformer_decoder.layers.\1.ffn.linear1.'),
    (r'^transformer_decoder\.layers\.(\d+)\.ffn\.layers\.1\.', r'transformer_decoder.layers.\1.ffn.linear2.'),
    (r'^transformer_decoder\.post_norm\.', r'transformer_decoder.final_norm.'),
    # queries and predictions
    (r'^decoder_input_projs\.', r'input_projs.'),
    (r'^query_embed\.', r'query_pos.'),
    (r'^cls_embed\.', r'class_head.'),
    (r'^mask_embed\.0\.', r'mask_mlp.layers.0.'),
    (r'^mask_embed\.2\.', r'mask_mlp.layers.1.'),
    (r'^mask_embed\.4\.', r'mask_mlp.layers.2.'),
]
_KEEP = re.compile(r'^(query_feat|level_embed)\.')

# mmdet's detector keeps the head under ``panoptic_head``, its video model
# (Mask2FormerVideo) under ``track_head``, mmseg's under ``decode_head``;
# ours under ``head`` and ``decode_head.head``.
_PREFIXES = {'panoptic_head.': 'head.', 'track_head.': 'head.',
             'decode_head.': 'decode_head.head.'}


def rename_by_rules(key: str, rules: List[Tuple[str, str]]) -> Optional[str]:
    """``key`` renamed by the first (pattern, replacement) rule that matches
    it, or None when none does. Shared by both checkpoint converters."""
    for pattern, repl in rules:
        new, count = re.subn(pattern, repl, key)
        if count:
            return new
    return None


def convert_head_key(key: str) -> str:
    """One mmdet head key (without prefix) -> ours; KeyError if unknown."""
    new = rename_by_rules(key, _HEAD_RULES)
    if new is not None:
        return new
    if _KEEP.match(key):
        return key
    raise KeyError(f'no rule converts the Mask2Former head key {key!r}')


def convert_mmdet_state_dict(state_dict: Dict[str, Tensor]) -> 'OrderedDict[str, Tensor]':
    """Rename an mmdet (or mmseg) Mask2Former state dict to m2f_mm's names.

    Backbone and neck keys pass through unchanged; head keys are renamed.

    Raises:
        KeyError: a head key no rule knows (the source is not Mask2Former, or
            a newer layout): converting it silently would lose weights.
    """
    out = OrderedDict()
    for key, value in state_dict.items():
        for src, dst in _PREFIXES.items():
            if key.startswith(src):
                out[dst + convert_head_key(key[len(src):])] = value
                break
        else:
            out[key] = value
    return out

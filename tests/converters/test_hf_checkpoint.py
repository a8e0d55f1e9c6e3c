"""Hugging Face's Mask2Former (transformers) as a second oracle: a small
random HF model, converted, gives the same class and mask logits for every
prediction set, with a ResNet and a Swin backbone; tools/model_converters/
hf2m2f.py converts a saved model folder, reordering classes by name, and
refuses unsafe or unknown files."""
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch
import transformers  # noqa: F401  (a test dependency: .[tests])
from mmengine.registry import init_default_scope

import m2f_mm  # noqa: F401
from m2f_mm.converters import convert_hf_state_dict, load_hf_checkpoint
from m2f_mm.registry import MODELS
from m2f_mm.testing.tools import REPO_ROOT

ROOT = REPO_ROOT
HF_CLASSES = ['sky', 'circle', 'grass', 'square', 'triangle']
OUR_CLASSES = ('circle', 'square', 'triangle', 'sky', 'grass')  # things first
SIZES = dict(resnet=(64, 96), swin=(256, 288))  # Swin: the last stage > window


def hf_model(backbone: str):
    """A small random HF Mask2Former (non-degenerate weights and BN stats)."""
    from transformers import (Mask2FormerConfig,
                              Mask2FormerForUniversalSegmentation,
                              ResNetConfig, SwinConfig)
    stages = ['stage1', 'stage2', 'stage3', 'stage4']
    if backbone == 'swin':
        bb = SwinConfig(embed_dim=32, depths=[2, 2, 2, 2],
                        num_heads=[1, 2, 4, 8], window_size=7,
                        out_features=stages)
    else:
        bb = ResNetConfig(depths=[2, 2, 2, 2], layer_type='basic',
                          hidden_sizes=[64, 128, 256, 512], embedding_size=64,
                          out_features=stages)
    cfg = Mask2FormerConfig(
        backbone_config=bb, feature_size=64, mask_feature_size=64,
        hidden_dim=64, encoder_feedforward_dim=128, dim_feedforward=128,
        encoder_layers=2, decoder_layers=4, num_attention_heads=4,
        num_queries=10, num_labels=5,
        id2label=dict(enumerate(HF_CLASSES)))
    torch.manual_seed(0)
    model = Mask2FormerForUniversalSegmentation(cfg).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1 and 'norm' in name:
                p.copy_(1 + 0.1 * torch.randn_like(p))
            else:
                p.copy_(torch.randn_like(p) * (0.5 / max(p.shape[-1], 1)**0.5))
        for name, b in model.named_buffers():
            if name.endswith('running_var'):
                b.copy_(1 + 0.1 * torch.rand_like(b))
            elif name.endswith('running_mean'):
                b.copy_(0.1 * torch.randn_like(b))
    return model


def our_model_cfg(backbone: str) -> dict:
    if backbone == 'swin':
        bb = dict(type='mmdet.SwinTransformer', embed_dims=32,
                  depths=[2, 2, 2, 2], num_heads=[1, 2, 4, 8], window_size=7,
                  qkv_bias=True, drop_path_rate=0., out_indices=(0, 1, 2, 3),
                  init_cfg=None)
        channels = [32, 64, 128, 256]
    else:
        bb = dict(type='mmdet.ResNet', depth=18, out_indices=(0, 1, 2, 3),
                  norm_cfg=dict(type='BN', requires_grad=False),
                  norm_eval=True, style='pytorch', init_cfg=None)
        channels = [64, 128, 256, 512]
    return dict(
        type='M2FDetector', num_things_classes=3, num_stuff_classes=2,
        backbone=bb, data_preprocessor=dict(type='mmdet.DetDataPreprocessor'),
        head=dict(type='M2FHead', in_channels=channels, num_queries=10,
                  feat_channels=64, embed_dims=64, mask_dims=64,
                  pixel_decoder=dict(type='DeformablePixelDecoder',
                                     num_layers=2, num_heads=4,
                                     feedforward_dims=128),
                  transformer_decoder=dict(type='MaskedAttentionDecoder',
                                           num_layers=3, num_heads=4,
                                           feedforward_dims=128)),
        test_cfg=dict(panoptic_on=True, instance_on=True, semantic_on=True))


@pytest.mark.parametrize('backbone', ['resnet', 'swin'])
def test_converted_model_gives_hf_logits_for_every_set(backbone):
    hf = hf_model(backbone)
    init_default_scope('m2f_mm')
    ours = MODELS.build(our_model_cfg(backbone)).eval()
    ours.load_state_dict(convert_hf_state_dict(hf.state_dict()), strict=True)
    torch.manual_seed(1)
    x = torch.randn(2, 3, *SIZES[backbone])
    with torch.no_grad():
        ref = hf(pixel_values=x, output_auxiliary_logits=True)
        preds = ours.head(ours.extract_feat(x))
    ref_sets = [(a['class_queries_logits'], a['masks_queries_logits'])
                for a in ref.auxiliary_logits]
    ref_sets.append((ref.class_queries_logits, ref.masks_queries_logits))
    assert len(ref_sets) == len(preds.class_logits) == 4
    for (c, m), ours_c, ours_m in zip(ref_sets, preds.class_logits,
                                      preds.mask_logits):
        assert (c - ours_c).abs().max() < 1e-4
        assert (m - ours_m).abs().max() < 1e-4
    # and the post-processed semantic scores of the two are equal
    from m2f_mm.models.postprocess import semantic_from_probs
    mine = semantic_from_probs(preds.class_logits[-1][0],
                               preds.mask_logits[-1][0].sigmoid())
    theirs = semantic_from_probs(ref.class_queries_logits[0],
                                 ref.masks_queries_logits[0].sigmoid())
    assert mine.std() > 0 and torch.allclose(mine, theirs, atol=1e-5)


def _as_transformers_4(state: dict) -> dict:
    """The Swin backbone's names as transformers 4.x wrote them (the hub's
    files): no ``swin.``, ``attention.self.query``..., ``output.dense``,
    ``intermediate.dense``, with the relative-position index buffers."""
    old = {}
    for key, value in state.items():
        new = key.replace('encoder.swin.', 'encoder.')
        new = re.sub(r'attention\.([qkv])_proj\.', lambda m: 'attention.self.' + dict(
            q='query', k='key', v='value')[m.group(1)] + '.', new)
        new = new.replace('attention.o_proj.', 'attention.output.dense.')
        new = new.replace('attention.relative_position_bias.',
                          'attention.self.')
        new = new.replace('.mlp.fc1.', '.intermediate.dense.')
        new = new.replace('.mlp.fc2.', '.output.dense.')
        if new.endswith('relative_position_bias_table'):
            old[new.replace('bias_table', 'index')] = torch.zeros(49, 49,
                                                                  dtype=torch.long)
        if 'encoder.layernorm.' in new and 'blocks' not in new:
            continue  # 4.x's SwinBackbone had no final norm
        old[new] = value
    return old


def test_transformers_4_files_convert_as_5():
    state = hf_model('swin').state_dict()
    new = convert_hf_state_dict(state)
    old = convert_hf_state_dict(_as_transformers_4(state))
    assert new.keys() == old.keys()
    assert all(torch.equal(new[k], old[k]) for k in new)


@pytest.mark.slow
def test_tool_converts_a_saved_folder_reordering_classes(tmp_path):
    hf = hf_model('resnet')
    folder = str(tmp_path / 'hf')
    hf.save_pretrained(folder)  # model.safetensors + config.json
    assert osp.isfile(osp.join(folder, 'model.safetensors'))
    config = tmp_path / 'tiny.py'
    config.write_text(
        f'model = {our_model_cfg("resnet")!r}\n'
        'train_dataloader = dict(dataset=dict(type="mmdet.CocoPanopticDataset",'
        f' metainfo=dict(classes={OUR_CLASSES!r})))\n')
    out = str(tmp_path / 'converted.pth')
    run = subprocess.run([sys.executable, 'tools/model_converters/hf2m2f.py',
                          folder, out, '--config', str(config)],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert 'reordered' in run.stdout
    converted = torch.load(out, weights_only=True)['state_dict']
    rows = [HF_CLASSES.index(name) for name in OUR_CLASSES] + [5]
    assert torch.equal(converted['head.class_head.weight'],
                       hf.class_predictor.weight.detach()[rows])
    assert torch.equal(load_hf_checkpoint(folder)['class_predictor.bias'],
                       hf.class_predictor.bias.detach())


@pytest.mark.slow
def test_tool_refuses_unsafe_and_unknown_files(tmp_path):
    config = tmp_path / 'tiny.py'
    config.write_text(f'model = {our_model_cfg("resnet")!r}\n')
    unsafe = tmp_path / 'pytorch_model.bin'
    torch.save({'x': os.system}, unsafe)  # a pickled callable
    run = subprocess.run([sys.executable, 'tools/model_converters/hf2m2f.py',
                          str(unsafe), str(tmp_path / 'o.pth'), '--config',
                          str(config), '--keep-class-order'],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1 and str(unsafe) in run.stderr, run.stderr
    assert not osp.exists(tmp_path / 'o.pth')
    with pytest.raises(KeyError, match='no rule converts'):
        convert_hf_state_dict({'model.something.new.weight': torch.zeros(1)})

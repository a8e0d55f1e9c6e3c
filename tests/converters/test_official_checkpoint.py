"""The official-checkpoint converter on files written here in detectron2's
layout (key names as in facebookresearch/Mask2Former's MSDeformAttnPixelDecoder,
MultiScaleMaskedTransformerDecoder and detectron2's ResNet / D2Swin): every
weight lands where the hand-written table below says, the model loads it
strictly, unsafe pickles are refused and classifier rows follow the classes."""
import os.path as osp
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import m2f_mm  # noqa: F401
from m2f_mm.converters import (UnsafePickleError, class_order_by_name,
                               convert_official_state_dict,
                               load_official_checkpoint)
from m2f_mm.registry import MODELS
from m2f_mm.testing.tools import REPO_ROOT

ROOT = REPO_ROOT
QUICKSTART = osp.join(ROOT, 'configs', 'quickstart',
                      'm2f_r18_shapes_panoptic.py')
VIDEO_QUICKSTART = osp.join(ROOT, 'configs', 'quickstart',
                            'm2f_r18_shape_videos_vis.py')
PD, PR = 'sem_seg_head.pixel_decoder.', 'sem_seg_head.predictor.'


def _head_table(num_enc, num_dec):
    """official key -> our key (after the head prefix), from the official
    module definitions."""
    table = {}
    for i in range(3):
        for j in '01':
            for p in ('weight', 'bias'):
                table[f'{PD}input_proj.{i}.{j}.{p}'] = \
                    f'pixel_decoder.input_projs.{i}.{j}.{p}'
    table[f'{PD}transformer.level_embed'] = 'pixel_decoder.level_embed.weight'
    for i in range(num_enc):
        src = f'{PD}transformer.encoder.layers.{i}.'
        dst = f'pixel_decoder.layers.{i}.'
        for m in ('sampling_offsets', 'attention_weights', 'value_proj',
                  'output_proj'):
            for p in ('weight', 'bias'):
                table[f'{src}self_attn.{m}.{p}'] = f'{dst}attn.{m}.{p}'
        for a, b in (('norm1', 'norm'), ('linear1', 'ffn.linear1'),
                     ('linear2', 'ffn.linear2'), ('norm2', 'ffn.norm')):
            for p in ('weight', 'bias'):
                table[f'{src}{a}.{p}'] = f'{dst}{b}.{p}'
    table[f'{PD}adapter_1.weight'] = 'pixel_decoder.lateral_convs.0.0.weight'
    table[f'{PD}layer_1.weight'] = 'pixel_decoder.output_convs.0.0.weight'
    for p in ('weight', 'bias'):
        table[f'{PD}adapter_1.norm.{p}'] = f'pixel_decoder.lateral_convs.0.1.{p}'
        table[f'{PD}layer_1.norm.{p}'] = f'pixel_decoder.output_convs.0.1.{p}'
        table[f'{PD}mask_features.{p}'] = f'pixel_decoder.mask_proj.{p}'
    for i in range(num_dec):
        dst = f'transformer_decoder.layers.{i}.'
        for kind, attn, ours in (('cross', 'multihead_attn', 'cross_attn'),
                                 ('self', 'self_attn', 'self_attn')):
            src = f'{PR}transformer_{kind}_attention_layers.{i}.'
            for p in ('in_proj_weight', 'in_proj_bias', 'out_proj.weight',
                      'out_proj.bias'):
                table[f'{src}{attn}.{p}'] = f'{dst}{ours}.{p}'
            for p in ('weight', 'bias'):
                table[f'{src}norm.{p}'] = f'{dst}{ours}.norm.{p}'
        for m in ('linear1', 'linear2', 'norm'):
            for p in ('weight', 'bias'):
                table[f'{PR}transformer_ffn_layers.{i}.{m}.{p}'] = \
                    f'{dst}ffn.{m}.{p}'
    for p in ('weight', 'bias'):
        table[f'{PR}decoder_norm.{p}'] = f'transformer_decoder.final_norm.{p}'
        table[f'{PR}class_embed.{p}'] = f'class_head.{p}'
        for j in range(3):
            table[f'{PR}mask_embed.layers.{j}.{p}'] = f'mask_mlp.layers.{j}.{p}'
    table[f'{PR}query_feat.weight'] = 'query_feat.weight'
    table[f'{PR}query_embed.weight'] = 'query_pos.weight'
    table[f'{PR}level_embed.weight'] = 'level_embed.weight'
    return table


def _resnet_table(depths):
    """detectron2 BasicBlock ResNet key -> mmdet ResNet key."""
    table = {'backbone.stem.conv1.weight': 'backbone.conv1.weight'}
    bn = ('weight', 'bias', 'running_mean', 'running_var')
    for p in bn:
        table[f'backbone.stem.conv1.norm.{p}'] = f'backbone.bn1.{p}'
    for stage, blocks in enumerate(depths):
        for b in range(blocks):
            src = f'backbone.res{stage + 2}.{b}.'
            dst = f'backbone.layer{stage + 1}.{b}.'
            for k in (1, 2):
                table[f'{src}conv{k}.weight'] = f'{dst}conv{k}.weight'
                for p in bn:
                    table[f'{src}conv{k}.norm.{p}'] = f'{dst}bn{k}.{p}'
            if b == 0 and stage > 0:
                table[f'{src}shortcut.weight'] = f'{dst}downsample.0.weight'
                for p in bn:
                    table[f'{src}shortcut.norm.{p}'] = f'{dst}downsample.1.{p}'
    return table


def _write_official(config, path, seed=0):
    """A model of ``config`` with random weights written in the official
    layout at ``path``; returns (table official -> ours, arrays, our state
    dict)."""
    cfg = Config.fromfile(config)
    init_default_scope('m2f_mm')
    model = MODELS.build(cfg.model)
    ours = model.state_dict()
    head = cfg.model.head
    table = dict(_head_table(head.pixel_decoder.get('num_layers', 6),
                             head.transformer_decoder.num_layers))
    table = {k: 'head.' + v for k, v in table.items()}
    table.update(_resnet_table([2, 2, 2, 2]))
    gen = torch.Generator().manual_seed(seed)
    arrays = {}
    for src, dst in table.items():
        arrays[src] = torch.randn(ours[dst].shape, generator=gen).numpy()
    num_rows = ours['head.class_head.bias'].shape[0]
    arrays['criterion.empty_weight'] = np.ones(num_rows, np.float32)
    arrays['pixel_mean'] = np.zeros((3, 1, 1), np.float32)
    with open(path, 'wb') as f:
        pickle.dump({'model': arrays, '__author__': 'test'}, f)
    return table, arrays, ours


@pytest.fixture(scope='module')
def official(tmp_path_factory):
    """The quickstart model's weights written in the official layout."""
    path = str(tmp_path_factory.mktemp('official') / 'model_final.pkl')
    return (path, ) + _write_official(QUICKSTART, path)


def test_every_weight_lands_where_the_official_code_says(official):
    path, table, arrays, ours = official
    converted = convert_official_state_dict(load_official_checkpoint(path))
    for src, dst in table.items():
        assert torch.equal(converted[dst], torch.from_numpy(arrays[src])), src
    # all of ours covered, nothing extra (FrozenBN gains its counter)
    assert set(converted) == set(ours)


def test_official_video_checkpoint_loads_into_the_video_model(tmp_path):
    """Mask2Former-VIS (mask2former_video/): VideoMaskFormer keeps the image
    model's attribute names (backbone, sem_seg_head.pixel_decoder,
    sem_seg_head.predictor) and its VideoMultiScaleMaskedTransformerDecoder
    the image decoder's parameter names (its 3D position embedding has no
    weights), so the image converter maps a video .pkl onto
    M2FVideoSegmentor, which loads it strictly with every tensor in place."""
    path = str(tmp_path / 'video_model_final.pkl')
    table, arrays, ours = _write_official(VIDEO_QUICKSTART, path, seed=3)
    converted = convert_official_state_dict(load_official_checkpoint(path))
    assert set(converted) == set(ours)
    init_default_scope('m2f_mm')
    model = MODELS.build(Config.fromfile(VIDEO_QUICKSTART).model)
    assert type(model).__name__ == 'M2FVideoSegmentor'
    model.load_state_dict(converted, strict=True)
    state = model.state_dict()
    for src, dst in table.items():
        assert torch.equal(state[dst], torch.from_numpy(arrays[src])), src


@pytest.mark.slow
def test_tool_writes_a_checkpoint_the_config_loads(official, tmp_path):
    path, table, arrays, _ = official
    dst = str(tmp_path / 'ours.pth')
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'model_converters',
                                  'official2m2f.py'), path, dst,
         '--config', QUICKSTART], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    state = torch.load(dst, weights_only=True)['state_dict']
    init_default_scope('m2f_mm')
    model = MODELS.build(Config.fromfile(QUICKSTART).model)
    model.load_state_dict(state, strict=True)
    assert torch.equal(model.head.query_pos.weight,
                       torch.from_numpy(arrays[f'{PR}query_embed.weight']))


@pytest.mark.slow
def test_tool_refuses_a_config_the_weights_do_not_fit(official, tmp_path):
    path = official[0]
    config = tmp_path / 'wider.py'
    config.write_text(f"_base_ = ['{QUICKSTART}']\n"
                      "model = dict(head=dict(num_queries=30))\n")
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'model_converters',
                                  'official2m2f.py'), path,
         str(tmp_path / 'x.pth'), '--config', str(config)],
        capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 1
    assert 'model_final.pkl' in proc.stderr and 'query' in proc.stderr
    assert not osp.exists(tmp_path / 'x.pth')


class _Evil:
    def __reduce__(self):
        import os
        return (os.system, ('echo pwned',))


def test_unsafe_pickle_is_refused_with_the_file_named(tmp_path):
    path = str(tmp_path / 'evil.pkl')
    with open(path, 'wb') as f:
        pickle.dump({'model': {'x': _Evil()}}, f)
    with pytest.raises(UnsafePickleError, match='evil.pkl.*posix.system|'
                       'evil.pkl.*os.system'):
        load_official_checkpoint(path)


def test_unknown_keys_are_refused():
    with pytest.raises(KeyError, match='sem_seg_head.predictor.input_proj'):
        convert_official_state_dict(
            {f'{PR}input_proj.0.weight': torch.zeros(1)})


def test_swin_backbone_goes_through_mmdets_swin_converter():
    from mmdet.models.backbones import SwinTransformer
    swin = SwinTransformer(embed_dims=32, depths=[1, 1, 1, 1],
                           num_heads=[1, 2, 4, 8], window_size=7,
                           out_indices=(0, 1, 2, 3))
    ours = swin.state_dict()
    official = {}
    gen = torch.Generator().manual_seed(1)
    for key, value in ours.items():  # D2Swin names (original Swin's)
        src = (key.replace('patch_embed.projection', 'patch_embed.proj')
               .replace('stages.', 'layers.').replace('attn.w_msa.', 'attn.')
               .replace('ffn.layers.0.0.', 'mlp.fc1.')
               .replace('ffn.layers.1.', 'mlp.fc2.'))
        official['backbone.' + src] = torch.randn(value.shape, generator=gen)
    converted = convert_official_state_dict(official)
    backbone = {k[len('backbone.'):]: v for k, v in converted.items()}
    swin.load_state_dict(backbone, strict=True)
    qkv = 'layers.1.blocks.0.attn.qkv.weight'
    assert torch.equal(backbone['stages.1.blocks.0.attn.w_msa.qkv.weight'],
                       official['backbone.' + qkv])
    # patch merging: the official (x0, x1, x2, x3) order becomes mmdet's unfold
    # order (x0, x2, x1, x3) along the input channels
    src = official['backbone.layers.0.downsample.reduction.weight']
    dst = backbone['stages.0.downsample.reduction.weight']
    out_c, in_c = src.shape
    expected = src.reshape(out_c, 4, in_c // 4)[:, [0, 2, 1, 3]]
    assert torch.equal(dst, expected.transpose(1, 2).reshape(out_c, in_c))


def test_classifier_rows_follow_the_classes():
    from m2f_mm.datasets.panoptic_json import (CITYSCAPES_STUFF,
                                               CITYSCAPES_THINGS)
    ours = CITYSCAPES_THINGS + CITYSCAPES_STUFF
    official_order = CITYSCAPES_STUFF + CITYSCAPES_THINGS  # train ids
    order = class_order_by_name(ours, official_order)
    assert order[0] == 11 and order[8] == 0  # person, road
    weight = torch.arange(20.)[:, None].repeat(1, 4)
    state = {f'{PR}class_embed.weight': weight,
             f'{PR}class_embed.bias': torch.arange(20.)}
    converted = convert_official_state_dict(state, class_order=order)
    bias = converted['head.class_head.bias']
    assert bias.tolist() == [float(i) for i in order] + [19.0]  # no-object
    with pytest.raises(ValueError, match='not in the official list'):
        class_order_by_name(['person', 'unicorn'], official_order)


def test_an_object_array_is_refused_with_the_key_named(tmp_path):
    import numpy as np
    path = str(tmp_path / 'odd.pkl')
    with open(path, 'wb') as f:
        pickle.dump({'model': {'backbone.stem.conv1.weight':
                               np.array(['a', 1], dtype=object)}}, f)
    with pytest.raises(ValueError, match='odd.pkl.*conv1.weight.*object'):
        load_official_checkpoint(path)

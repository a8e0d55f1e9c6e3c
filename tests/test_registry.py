"""Scoped registries: ours find mmdet/mmseg classes by scope, mmdet/mmseg
configs find ours as 'm2f_mm.<Name>', and no bare name is shadowed."""
import copy

import mmdet.registry as mmdet_reg
import mmseg.registry as mmseg_reg
import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope, init_default_scope

import m2f_mm  # noqa: F401
from m2f_mm import registry as ours
from m2f_mm.models.segmentors import M2FDetector
from m2f_mm.testing.tools import REPO_ROOT


def _scope(name):
    init_default_scope(name)
    return DefaultScope.get_current_instance().scope_name


def test_our_scope_finds_ours_and_mmdet_mmseg_by_prefix():
    _scope('m2f_mm')
    assert ours.MODELS.get('M2FDetector') is M2FDetector
    from mmdet.models.backbones import SwinTransformer
    from mmseg.models.segmentors import EncoderDecoder
    assert ours.MODELS.get('mmdet.SwinTransformer') is SwinTransformer
    assert ours.MODELS.get('mmseg.EncoderDecoder') is EncoderDecoder
    backbone = ours.MODELS.build(dict(type='mmdet.ResNet', depth=18))
    assert type(backbone).__name__ == 'ResNet'
    assert type(backbone).__module__.startswith('mmdet.')


def test_mmdet_scoped_config_finds_ours_after_custom_imports():
    cfg = Config(dict(custom_imports=dict(imports=['m2f_mm']),
                      default_scope='mmdet'))
    assert cfg.custom_imports.imports == ['m2f_mm']
    _scope('mmdet')
    assert mmdet_reg.MODELS.get('m2f_mm.M2FDetector') is M2FDetector
    assert mmdet_reg.MODELS.get('m2f_mm.M2FHead') is ours.MODELS.get('M2FHead')
    assert mmdet_reg.TASK_UTILS.get('m2f_mm.PointHungarianAssigner') is \
        ours.TASK_UTILS.get('PointHungarianAssigner')


def test_mmseg_scoped_config_finds_ours():
    _scope('mmseg')
    assert mmseg_reg.MODELS.get('m2f_mm.M2FDecodeHead') is \
        ours.MODELS.get('M2FDecodeHead')


def test_bare_names_keep_meaning_mmdet_and_mmseg_classes():
    _scope('mmdet')
    ref = mmdet_reg.MODELS.get('Mask2Former')
    assert ref.__module__.startswith('mmdet.')
    _scope('mmseg')
    assert mmseg_reg.MODELS.get('Mask2FormerHead').__module__.startswith('mmseg.')
    # a bare name of ours is not visible from their scopes
    _scope('mmdet')
    assert mmdet_reg.MODELS.get('M2FDetector') is None


@pytest.mark.parametrize('kind', ['MODELS', 'TASK_UTILS'])
def test_no_name_of_ours_equals_an_mmdet_or_mmseg_name(kind):
    mine = set(getattr(ours, kind).module_dict)
    assert mine, f'nothing registered in our {kind}'
    for reg in (mmdet_reg, mmseg_reg):
        registry = getattr(reg, kind)
        registry.import_from_location()
        clash = mine & set(registry.module_dict)
        assert not clash, f'{kind} names shadow {registry.scope}: {clash}'


def test_every_registered_class_has_a_docstring():
    for registry in (ours.MODELS, ours.TASK_UTILS):
        for name, cls in registry.module_dict.items():
            assert name == cls.__name__
            assert cls.__doc__ and cls.__doc__.strip(), name


def test_docs_mmdet_example_builds_verbatim(tmp_path):
    """docs/usage.md's mmdet-scoped example config, as written there, builds in
    mmdet's scope and predicts; the mmseg variant it describes builds too."""
    import os.path as osp
    import re
    import torch
    root = REPO_ROOT
    with open(osp.join(root, 'docs', 'usage.md')) as f:
        readme = f.read()
    code = re.search(r'<!-- mmdet-example -->\n```python\n(.*?)```', readme,
                     re.S).group(1)
    path = tmp_path / 'mmdet_example.py'
    path.write_text(code)
    cfg = Config.fromfile(str(path))
    assert cfg.default_scope == 'mmdet'
    _scope('mmdet')
    model = mmdet_reg.MODELS.build(cfg.model).eval()
    assert isinstance(model, M2FDetector)
    assert model.head.class_head.out_features == 80 + 53 + 1
    with torch.no_grad():
        class_logits, mask_logits = model._forward(torch.zeros(1, 3, 64, 64))
    assert mask_logits[-1].shape == (1, 100, 16, 16)
    head = copy.deepcopy(cfg.model.head)
    _scope('mmseg')
    segmentor = mmseg_reg.MODELS.build(dict(
        type='EncoderDecoder', backbone=cfg.model.backbone,
        data_preprocessor=dict(type='SegDataPreProcessor'),
        decode_head=dict(_scope_='m2f_mm', type='M2FDecodeHead',
                         num_classes=150, head=head)))
    assert segmentor.decode_head.head.class_head.out_features == 151

"""tools/analysis: FLOPs/parameter counts are right and scale with the
input; browse_dataset draws the ground truth of the config's pipeline; the
Semantic FPN reference differs from the quickstart only in its head."""
import copy
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from m2f_mm.datasets import generate
from m2f_mm.registry import MODELS
from m2f_mm.testing.tools import REPO_ROOT, load_tool

ROOT = REPO_ROOT
QUICKSTART = osp.join(ROOT, 'configs', 'quickstart',
                      'm2f_r18_shapes_panoptic.py')


def test_get_flops_counts_parameters_and_scales_with_pixels():
    complexity = load_tool('tools/analysis/get_flops.py').complexity
    gflops_small, params = complexity(QUICKSTART, (128, 128))
    gflops_large, _ = complexity(QUICKSTART, (256, 256))
    init_default_scope('m2f_mm')
    model = MODELS.build(Config.fromfile(QUICKSTART).model)
    assert params * 1e6 == sum(p.numel() for p in model.parameters())
    # convolutions and pixel-wise products grow 4x with the pixels; the
    # query-only parts do not: between 3x and 4x
    assert 3.0 < gflops_large / gflops_small <= 4.0


def test_browse_dataset_draws_the_ground_truth(tmp_path):
    browse = load_tool('tools/analysis/browse_dataset.py').browse
    data_root = str(tmp_path / 'shapes') + '/'
    generate(data_root, dict(train=3, val=1))
    cfg = Config.fromfile(QUICKSTART)
    cfg.train_dataloader.dataset.data_root = data_root
    count = browse(cfg, str(tmp_path / 'out'), 'train', max_samples=2)
    assert count == 2
    drawn = cv2.imread(str(tmp_path / 'out' / '0000_000001.jpg'))
    raw = cv2.imread(data_root + 'images/train/000001.jpg')
    assert drawn.shape == raw.shape  # flip keeps the size
    # masks and labels drawn over the picture (flip or not)
    assert min(np.abs(drawn.astype(int) - raw).mean(),
               np.abs(drawn.astype(int) - raw[:, ::-1]).mean()) > 5


def test_fpn_reference_changes_only_the_segmentor_head():
    reference = load_tool('tools/experiments/quickstart_fpn_reference.py')
    CONFIG, fpn_reference_config = (reference.CONFIG,
                                    reference.fpn_reference_config)
    quick = Config.fromfile(osp.join(ROOT, CONFIG))
    cfg = fpn_reference_config(osp.join(ROOT, CONFIG))
    # a fair baseline: same backbone, data, schedule and metric
    assert cfg.model.backbone == quick.model.backbone
    assert cfg.model.data_preprocessor == quick.model.data_preprocessor
    for key in ('train_dataloader', 'val_dataloader', 'optim_wrapper',
                'param_scheduler', 'train_cfg', 'val_evaluator'):
        assert cfg[key] == quick[key], key
    init_default_scope('m2f_mm')
    model = MODELS.build(cfg.model).eval()
    assert not any('M2F' in type(m).__name__ for m in model.modules())
    with torch.no_grad():
        logits = model(torch.randn(2, 3, 128, 128), mode='tensor')
    assert logits.shape == (2, 8, 32, 32)  # 8 classes at the FPN's 1/4


def test_mmdet_reference_is_mmdet_mask2former_on_a_rescaled_schedule():
    """tools/experiments/quickstart_mmdet_reference.py: mmdet's own model
    (its scope, its classes) with our model's size, on the quickstart's data
    and recipe stretched to the given length (lr step at the same share)."""
    tool = load_tool('tools/experiments/quickstart_mmdet_reference.py')
    quick = Config.fromfile(osp.join(ROOT, tool.CONFIG))
    cfg = tool.mmdet_reference_config(650, 'work', osp.join(ROOT, tool.CONFIG))
    assert cfg.default_scope == 'mmdet' and cfg.model.type == 'Mask2Former'
    assert cfg.train_cfg.max_iters == 650 == cfg.train_cfg.val_interval
    share = quick.param_scheduler[1].milestones[0] / quick.train_cfg.max_iters
    assert cfg.param_scheduler[1].milestones == [int(650 * share)]
    # our dataset, named in mmdet's scope
    assert cfg.train_dataloader.dataset.type == 'm2f_mm.' + \
        quick.train_dataloader.dataset.type.split('.')[-1]
    init_default_scope('mmdet')
    from mmdet.registry import MODELS as MMDET_MODELS
    ref = MMDET_MODELS.build(cfg.model)
    init_default_scope('m2f_mm')
    ours = MODELS.build(quick.model)
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(ref) == count(ours)


def test_benchmarks_time_two_models_that_agree():
    """What the speed benchmarks compare computes the same function: the
    instance scores of the predict benchmark and the first losses of the
    training-step benchmark agree between ours and mmdet's; the deformable
    attention paths agree too."""
    score_gap = load_tool('tools/analysis/benchmark.py').score_gap
    compare = load_tool(
        'tools/analysis/benchmark_deformable_attention.py').compare
    step_tool = load_tool('tools/analysis/benchmark_train_step.py')
    first_loss_gap, step_gflop = step_tool.first_loss_gap, step_tool.step_gflop
    step_stage_seconds = step_tool.step_stage_seconds
    train_batch = step_tool.train_batch
    from m2f_mm.testing.mmdet_twin import build_mmdet_twin
    from m2f_mm.testing.random_batch import random_panoptic_batch
    cfg = Config.fromfile(QUICKSTART)
    ours, ref = build_mmdet_twin(cfg.model)
    inputs, samples = train_batch(cfg.model, ref, batch=2, size=64)
    assert first_loss_gap(ours, ref, inputs, samples) < 1e-4
    # the same function counts the same work (the two implementations differ
    # in how they lay out a few products); the backbone is theirs alike
    counted = [step_gflop(model, inputs, samples) for model in (ours, ref)]
    assert counted[0]['step'] == pytest.approx(counted[1]['step'], rel=0.01)
    assert counted[0]['backbone'] == counted[1]['backbone']
    assert 0 < counted[0]['backbone'] < counted[0]['step']
    # the training step by stage (trains a copy): the backbone alone is a
    # part of the step
    stages = step_stage_seconds(copy.deepcopy(ours), inputs, samples, steps=1)
    assert all(value > 0 for value in stages.values())
    assert stages['backbone_alone'] < sum(
        stages[k] for k in ('forward', 'backward', 'optimizer'))
    inputs, samples = random_panoptic_batch(ref, sizes=((64, 96), ),
                                            num_things=5)
    # the default CPU sampling path (the op) differs from mmdet's
    # grid_sample by float rounding; the oracle tests compare at 1e-5 on one
    # path
    assert score_gap(ours, ref, inputs, samples) < 1e-3
    # predict by stages: every stage timed, its hooks removed afterwards
    stage_seconds = load_tool('tools/analysis/benchmark.py').stage_seconds
    for model in (ours, ref):
        stages = stage_seconds(model, inputs, samples, 'cpu')
        assert all(stages[k] > 0 for k in ('backbone', 'pixel_decoder',
                                           'rest_of_head', 'total'))
        assert not model.backbone._forward_hooks
        assert not model.backbone._forward_pre_hooks
    gaps = compare(1, [(8, 8), (4, 4), (2, 2)], steps=1)
    assert set(gaps) == {'grid_sample', 'dense', 'cpu_op'}
    assert all(gap < 1e-5 for _, gap in gaps.values())


def test_no_tool_imports_from_tests():
    tools = osp.join(ROOT, 'tools')
    for folder, _, names in os.walk(tools):
        for name in names:
            if name.endswith('.py'):
                with open(osp.join(folder, name)) as f:
                    text = f.read()
                assert "'tests'" not in text and 'from oracle' not in text, name

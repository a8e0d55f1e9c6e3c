"""Mixed precision cannot overflow the parts the official code keeps in
float32: under CPU bf16 autocast the matching cost is float32 and equal to
the cost of the same predictions outside autocast, deformable attention
samples in float32, and a training step gives finite float32 losses."""
import os.path as osp

import torch
from mmengine.config import Config

from m2f_mm.testing.random_batch import random_panoptic_batch
from m2f_mm.registry import MODELS
from m2f_mm.testing.tools import REPO_ROOT

ROOT = REPO_ROOT
QUICKSTART = osp.join(ROOT, 'configs', 'quickstart',
                      'm2f_r18_shapes_panoptic.py')


def _model_and_batch():
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(QUICKSTART).model)
    model.init_weights()
    inputs, samples = random_panoptic_batch(model, sizes=((64, 64), ) * 2,
                                            training=True, num_things=5)
    return model.train(), inputs, samples


def _targets(model, samples):
    from m2f_mm.models.segmentors import image_targets
    return [image_targets(s, num_things=model.num_things,
                          num_classes=model.num_classes,
                          ignore_index=model.ignore_index, device='cpu')
            for s in samples]


def test_matching_cost_is_float32_and_equal_under_autocast():
    model, inputs, samples = _model_and_batch()
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
        preds = model.head(model.extract_feat(inputs))
    class_logits = preds.final_class_logits[0]  # bf16 predictions
    mask_logits = preds.final_mask_logits[0]
    assert class_logits.dtype == torch.bfloat16
    labels, masks = _targets(model, samples)[0]
    assigner = model.head.loss_module.assigner
    points = torch.rand(1, assigner.num_points, 2)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        mixed = assigner.cost(class_logits, mask_logits, labels, masks, points)
    exact = assigner.cost(class_logits.float(), mask_logits.float(), labels,
                          masks, points)
    assert mixed.dtype == torch.float32
    assert torch.equal(mixed, exact)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        torch.manual_seed(1)
        matched = assigner.assign(class_logits, mask_logits, labels, masks)
    torch.manual_seed(1)
    reference = assigner.assign(class_logits.float(), mask_logits.float(),
                                labels, masks)
    assert all(torch.equal(a, b) for a, b in zip(matched, reference))


def test_deformable_attention_samples_in_float32_under_autocast():
    model, inputs, _ = _model_and_batch()
    seen = []
    attn = model.head.pixel_decoder.layers[0].attn
    handle = attn.output_proj.register_forward_pre_hook(
        lambda module, args: seen.append(args[0].dtype))
    try:
        with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
            model.head(model.extract_feat(inputs))
    finally:
        handle.remove()
    assert seen == [torch.float32]  # the sampled values, before projection


def test_training_step_under_autocast_gives_finite_float32_losses():
    model, inputs, samples = _model_and_batch()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        losses = model.loss(inputs, samples)
    total = sum(losses.values())
    assert all(v.dtype == torch.float32 for v in losses.values())
    assert torch.isfinite(total)
    total.backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert grads and all(torch.isfinite(g).all() for g in grads)

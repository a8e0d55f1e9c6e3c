"""Ours inside mmseg's EncoderDecoder against mmseg's Mask2Former (the
oracle), same weights in: semantic scores, label maps and losses."""
import copy

import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.registry import init_default_scope

import m2f_mm  # noqa: F401
from m2f_mm.converters import convert_mmdet_state_dict
from m2f_mm.testing.oracle import mmdet_cfg, ours_cfg

NUM_CLASSES = 4


def _twins():
    from mmseg.registry import MODELS as MMSEG_MODELS
    head_ref = copy.deepcopy(mmdet_cfg()['panoptic_head'])
    head_ref.update(type='Mask2FormerHead', num_classes=NUM_CLASSES,
                    num_things_classes=NUM_CLASSES, num_stuff_classes=0,
                    align_corners=False, ignore_index=255,
                    train_cfg=mmdet_cfg()['train_cfg'])
    head_ref['loss_cls']['class_weight'] = [1.0] * NUM_CLASSES + [0.1]
    # mmseg's configs name mmdet's parts with their scope
    for part in (head_ref['pixel_decoder'], head_ref['loss_cls'],
                 head_ref['loss_mask'], head_ref['loss_dice'],
                 head_ref['train_cfg']['assigner'],
                 head_ref['train_cfg']['sampler'],
                 *head_ref['train_cfg']['assigner']['match_costs']):
        part['type'] = 'mmdet.' + part['type']
    common = dict(
        type='EncoderDecoder',
        data_preprocessor=dict(type='SegDataPreProcessor',
                               mean=[123.675, 116.28, 103.53],
                               std=[58.395, 57.12, 57.375], bgr_to_rgb=True,
                               pad_val=0, seg_pad_val=255, size_divisor=32),
        backbone=ours_cfg()['backbone'],
        train_cfg=dict(), test_cfg=dict(mode='whole'))
    init_default_scope('mmseg')
    torch.manual_seed(0)
    ref = MMSEG_MODELS.build(ConfigDict(dict(common, decode_head=head_ref)))
    with torch.no_grad():
        for name, p in ref.named_parameters():
            if 'decode_head' in name:
                p.copy_(torch.randn_like(p) * (0.5 / max(p.shape[-1], 1)**0.5)
                        if p.dim() > 1 or 'norm' not in name else
                        1 + 0.1 * torch.randn_like(p))
    head = copy.deepcopy(ours_cfg()['head'])
    for key, value in head.items():
        if isinstance(value, dict) and 'type' in value:
            value['type'] = 'm2f_mm.' + value['type']
    head['type'] = 'm2f_mm.M2FHead'
    loss = head['loss']
    loss['assigner']['type'] = 'm2f_mm.PointHungarianAssigner'
    for c in loss['assigner']['match_costs']:
        c['type'] = 'm2f_mm.' + c['type']
    ours = MMSEG_MODELS.build(ConfigDict(dict(common, decode_head=dict(
        type='m2f_mm.M2FDecodeHead', num_classes=NUM_CLASSES, head=head))))
    ours.load_state_dict(convert_mmdet_state_dict(ref.state_dict()))
    return ours.eval(), ref.eval()


def _batch(model, training):
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    gen = torch.Generator().manual_seed(0)
    inputs, samples = [], []
    for h, w in ((64, 96), (96, 64)):
        inputs.append(torch.randint(0, 256, (3, h, w), generator=gen,
                                    dtype=torch.uint8))
        sem = torch.randint(0, NUM_CLASSES, (1, 1), generator=gen).expand(h, w).clone()
        sem[:h // 3, :w // 2] = 1
        sem[h // 2:, w // 3:] = 3
        sem[-4:] = 255
        s = SegDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w)))
        s.gt_sem_seg = PixelData(data=sem[None])
        samples.append(s)
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=samples),
                                   training)
    return data['inputs'], data['data_samples']


def test_semantic_outputs_and_losses_match_mmseg():
    ours, ref = _twins()
    # mmseg's test-mode preprocessing wants equal sizes; the training mode
    # pads, and EncoderDecoder crops the padding off again (padding_size)
    inputs, samples = _batch(ref, True)
    with torch.no_grad():
        out = ours.predict(inputs, copy.deepcopy(samples))
        ref_out = ref.predict(inputs, copy.deepcopy(samples))
    worst = 0.
    for a, b in zip(out, ref_out):
        torch.testing.assert_close(a.seg_logits.data, b.seg_logits.data,
                                   atol=1e-4, rtol=0)
        worst = max(worst, (a.seg_logits.data - b.seg_logits.data).abs().max().item())
        assert torch.equal(a.pred_sem_seg.data, b.pred_sem_seg.data)
        assert a.pred_sem_seg.data.shape[-2:] == a.metainfo['ori_shape']
    print(f'largest semantic score deviation: {worst:.2e}; label maps identical')
    ours.train(), ref.train()
    inputs, samples = _batch(ref, True)
    torch.manual_seed(7)
    ref_losses = ref.loss(inputs, copy.deepcopy(samples))
    torch.manual_seed(7)
    losses = ours.loss(inputs, copy.deepcopy(samples))
    assert set(losses) == set(ref_losses)
    rel = max(((losses[k] - ref_losses[k].reshape(())).abs() / ref_losses[k].abs()).item()
              for k in ref_losses)
    print(f'largest relative loss deviation (mmseg): {rel:.2e}')
    for key in ref_losses:
        # mmdet's mask losses come out with shape (1,), ours as scalars
        torch.testing.assert_close(losses[key], ref_losses[key].reshape(()),
                                   rtol=1e-5, atol=0)


def test_semantic_face_reads_test_cfg():
    """The mmseg face reads the segmentor's test_cfg as the mmdet face reads
    its own: mmseg's keys pass, a typo and a task it cannot give are refused."""
    from m2f_mm.models.segmentors import M2FDecodeHead
    cfg = M2FDecodeHead.inference_config(dict(mode='slide', crop_size=(8, 8),
                                              stride=(4, 4)))
    assert cfg.tasks == ('semantic', )
    with pytest.raises(KeyError, match='objct_mask_thr'):
        M2FDecodeHead.inference_config(dict(mode='whole', objct_mask_thr=0.5))
    with pytest.raises(ValueError, match='semantic outputs only'):
        M2FDecodeHead.inference_config(dict(mode='whole', panoptic_on=True))

# Quickstart: the full Mask2Former (MSDeformAttn pixel decoder, masked-attention
# decoder, point-sampled losses) trained from scratch on the synthetic shapes
# scenes on a CPU, scored by PQ, mask AP and mIoU from one model.
_base_ = [
    '../_base_/models/m2f_r50.py', '../_base_/datasets/shapes_panoptic.py',
    '../_base_/schedules/schedule_quickstart.py', '../_base_/default_runtime.py'
]
num_points = 1024  # 128 px scenes: mask logits are 32 x 32
model = dict(
    num_things_classes=5,
    num_stuff_classes=3,
    backbone=dict(
        depth=18,
        norm_cfg=dict(type='BN', requires_grad=True),  # trained from scratch
        norm_eval=False,
        init_cfg=None),
    head=dict(
        in_channels=[64, 128, 256, 512],
        num_queries=20,
        feat_channels=128,
        embed_dims=128,
        mask_dims=128,
        pixel_decoder=dict(num_heads=4, feedforward_dims=256),
        transformer_decoder=dict(num_layers=9, num_heads=4, feedforward_dims=256),
        loss=dict(num_points=num_points,
                  assigner=dict(num_points=num_points))),
    test_cfg=dict(panoptic_on=True, instance_on=True, semantic_on=True))
default_hooks = dict(logger=dict(interval=25),
                     checkpoint=dict(interval=500))

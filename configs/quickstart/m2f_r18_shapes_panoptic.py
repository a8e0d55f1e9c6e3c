# Quickstart: Mask2Former (MSDeformAttn pixel decoder, masked-attention decoder,
# point-sampled matching and losses) trained from scratch on the synthetic shapes
# scenes on a 2-core CPU in about 13 minutes, scored by PQ, mask AP and mIoU from
# one model. Sizes are scaled to 128 px scenes; see the quickstart issue's note
# for the recipes tried.
_base_ = [
    '../_base_/models/m2f_r50.py', '../_base_/datasets/shapes_panoptic.py',
    '../_base_/schedules/schedule_quickstart.py', '../_base_/default_runtime.py'
]
num_points = 1024  # 128 px scenes: mask logits are 32 x 32
class_weight = 5.0  # CE weight and its match cost; 2.0 (COCO) left things unlabelled
max_iters = 1500  # ~0.45 s a step at batch 4 on 2 cores
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
        # one round over 1/32, 1/16, 1/8: learned things earliest of 3/6/9
        transformer_decoder=dict(num_layers=3, num_heads=4, feedforward_dims=256),
        loss=dict(
            num_points=num_points,
            class_weight=class_weight,
            assigner=dict(
                num_points=num_points,
                match_costs=[
                    dict(type='ClassProbCost', weight=class_weight),
                    dict(type='PointBCECost', weight=5.0),
                    dict(type='PointDiceCost', weight=5.0)
                ]))),
    test_cfg=dict(panoptic_on=True, instance_on=True, semantic_on=True))
train_dataloader = dict(batch_size=4)
train_cfg = dict(max_iters=max_iters, val_interval=500)
optim_wrapper = dict(optimizer=dict(lr=3e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters,
         milestones=[1300], gamma=0.1)
]
default_hooks = dict(logger=dict(interval=25),
                     checkpoint=dict(interval=500))

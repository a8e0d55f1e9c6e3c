# Mask2Former Swin-L (384, window 12, IN-21k), COCO panoptic: 200 queries and
# 100 epochs (paper Table 1: PQ 57.8).
_base_ = './m2f_swinb_coco_panoptic.py'
pretrained = 'checkpoints/swin_large_patch4_window12_384_22k.pth'  # set your path
max_iters = 737500  # 100 epochs at batch 16
model = dict(
    backbone=dict(
        embed_dims=192,
        num_heads=[6, 12, 24, 48],
        init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    head=dict(in_channels=[192, 384, 768, 1536], num_queries=200))
train_cfg = dict(max_iters=max_iters)
param_scheduler = dict(end=max_iters, milestones=[655556, 710184])  # same fractions

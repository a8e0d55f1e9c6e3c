# Mask2Former Swin-L (IN-21k, 384, window 12), COCO instance, 100 epochs, 200
# queries.
_base_ = ['./m2f_r50_coco_instance.py', './_base_/models/backbones.py']
model = dict(
    backbone={{_base_.backbones.swinl.backbone}},
    head=dict(in_channels={{_base_.backbones.swinl.in_channels}},
              num_queries=200))
optim_wrapper = dict(paramwise_cfg=dict(
    custom_keys={{_base_.backbones.swinl.custom_keys}}))
max_iters = 737500  # 100 epochs at batch 16
train_cfg = dict(max_iters=max_iters)
param_scheduler = dict(end=max_iters,
                       milestones=[655556, 710184])  # 0.889, 0.963 as COCO's

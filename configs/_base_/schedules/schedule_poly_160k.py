# The paper's semantic schedule (ADE20K; also ADE20K panoptic/instance):
# AdamW 1e-4, weight decay 0.05, backbone lr x0.1, grad clip 0.01, batch 16,
# 160k iterations, poly decay (power 0.9).
_base_ = ['./schedule_coco_50e.py']  # same optimiser
max_iters = 160000
train_cfg = dict(max_iters=max_iters)
param_scheduler = dict(_delete_=True, type='PolyLR', eta_min=0, power=0.9,
                       begin=0, end=max_iters, by_epoch=False)

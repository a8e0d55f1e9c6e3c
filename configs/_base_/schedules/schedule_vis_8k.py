# The Mask2Former-VIS schedule of YouTube-VIS 2021: as 2019's, 8000
# iterations, lr x0.1 at 5500.
_base_ = ['./schedule_vis_6k.py']
max_iters = 8000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters + 1)
param_scheduler = dict(end=max_iters, milestones=[5500])

# Cityscapes: the semantic schedule for 90k iterations (paper App. B.1).
_base_ = ['./schedule_poly_160k.py']
max_iters = 90000
train_cfg = dict(max_iters=max_iters)
param_scheduler = dict(end=max_iters)

# Mapillary Vistas: the semantic schedule for 300k iterations (paper App. B.3).
_base_ = ['./schedule_poly_160k.py']
max_iters = 300000
train_cfg = dict(max_iters=max_iters)
param_scheduler = dict(end=max_iters)

# The quickstart schedule and runtime (2-core CPU, ~12 minutes): AdamW 3e-4
# after a 100-iteration warm-up, x0.1 at 1100 of 1300 iterations, validation
# every 500 and at the end; logs every 25 iterations and checkpoints every 500.
_base_ = ['../default_runtime.py']
default_hooks = dict(logger=dict(interval=25),  # ETA every 25 iterations
                     checkpoint=dict(interval=500))
max_iters = 1300  # ~0.5 s a step at batch 4 on 2 cores
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=500)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=3e-4, weight_decay=0.05, eps=1e-8,
                   betas=(0.9, 0.999)),
    clip_grad=dict(max_norm=0.01, norm_type=2),
    paramwise_cfg=dict(
        custom_keys={
            'query_feat': dict(decay_mult=0.0),  # embeddings: no weight decay
            'query_pos': dict(decay_mult=0.0),
            # the transformer decoder's level embedding only (the pixel
            # decoder's keeps decay 0.05, as in mmdet, mmseg and the paper)
            'head.level_embed': dict(decay_mult=0.0),
        },
        norm_decay_mult=0.0))
# tools/train.py --auto-scale-lr: lr x (processes x batch) / 4, the batch of
# the quickstart configs on one process
auto_scale_lr = dict(enable=False, base_batch_size=4)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters,
         milestones=[1100], gamma=0.1)
]

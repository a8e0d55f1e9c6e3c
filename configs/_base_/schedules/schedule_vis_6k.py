# The Mask2Former-VIS schedule (official and mmdet's YouTube-VIS 2019 recipe):
# AdamW 1e-4, weight decay 0.05, backbone lr x0.1, no decay for norms and the
# query and level embeddings, gradient clipping 0.01, batch 16 (2 clips of 2
# frames a GPU on 8 GPUs), 6000 iterations, lr x0.1 at 4000.
_base_ = ['../default_runtime.py']
default_hooks = dict(checkpoint=dict(interval=2000))
max_iters = 6000
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=max_iters + 1)  # valid has no public masks
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.05, eps=1e-8,
                   betas=(0.9, 0.999)),
    clip_grad=dict(max_norm=0.01, norm_type=2),
    paramwise_cfg=dict(
        custom_keys={
            'backbone': dict(lr_mult=0.1, decay_mult=1.0),
            'query_feat': dict(decay_mult=0.0),
            'query_pos': dict(decay_mult=0.0),
            'head.level_embed': dict(decay_mult=0.0),
        },
        norm_decay_mult=0.0))
auto_scale_lr = dict(enable=False, base_batch_size=16)
param_scheduler = dict(type='MultiStepLR', by_epoch=False, begin=0,
                       end=max_iters, milestones=[4000], gamma=0.1)

# The paper's COCO schedule: AdamW 1e-4, weight decay 0.05, backbone lr x0.1,
# grad clip 0.01, batch 16, 50 epochs = 368750 iterations, lr x0.1 at the
# official milestones 327778 and 355092.
max_iters = 368750
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=5000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
embed_multi = dict(lr_mult=1.0, decay_mult=0.0)  # queries and level embeddings
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.0001, weight_decay=0.05, eps=1e-8,
                   betas=(0.9, 0.999)),
    clip_grad=dict(max_norm=0.01, norm_type=2),
    paramwise_cfg=dict(
        custom_keys={
            'backbone': dict(lr_mult=0.1, decay_mult=1.0),
            'query_feat': embed_multi,
            'query_pos': embed_multi,
            # the transformer decoder's level embedding only (the pixel
            # decoder's keeps decay 0.05, as in mmdet, mmseg and the paper)
            'head.level_embed': embed_multi,
        },
        norm_decay_mult=0.0))
param_scheduler = dict(type='MultiStepLR', begin=0, end=max_iters, by_epoch=False,
                       milestones=[327778, 355092], gamma=0.1)
auto_scale_lr = dict(enable=False, base_batch_size=16)  # the paper's batch

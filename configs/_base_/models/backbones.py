# The backbones of the paper's tables (mmdet's ResNet and SwinTransformer), one
# entry each: a leaf config picks one with
#   model = dict(backbone={{_base_.backbones.swinl.backbone}},
#                head=dict(in_channels={{_base_.backbones.swinl.in_channels}}))
#   optim_wrapper = dict(paramwise_cfg=dict(
#       custom_keys={{_base_.backbones.swinl.custom_keys}}))
# Pretrained weights come from the public URLs mmdet's/mmseg's configs use
# (downloaded once to torch's hub cache and loaded weights-only); a local path
# works too, and a missing one fails naming the file.


_SWIN = ('https://github.com/SwinTransformer/storage/releases/download/'
         'v1.0.0/')  # the Swin authors' release files


def _resnet(depth):
    # merged into the R50 leaf's ResNet: its normalisation (FrozenBN, or
    # SyncBN for Cityscapes) stays
    return dict(
        backbone=dict(
            depth=depth,
            init_cfg=dict(type='Pretrained',
                          checkpoint=f'torchvision://resnet{depth}')),
        in_channels=[256, 512, 1024, 2048],  # 1/4 .. 1/32
        custom_keys={})


def _swin(embed_dims, depths, num_heads, window_size, pretrain_img_size,
          checkpoint):
    # Swin: backbone lr x0.1, and no weight decay on its norms, position
    # tables and embeddings (mmdet's and the official recipe)
    no_decay = dict(lr_mult=0.1, decay_mult=0.0)
    custom_keys = {
        'backbone.patch_embed.norm': no_decay,
        'backbone.norm': no_decay,
        'absolute_pos_embed': no_decay,
        'relative_position_bias_table': no_decay,
    }
    custom_keys.update({
        f'backbone.stages.{stage}.blocks.{block}.norm': no_decay
        for stage, num_blocks in enumerate(depths)
        for block in range(num_blocks)
    })
    custom_keys.update({f'backbone.stages.{stage}.downsample.norm': no_decay
                        for stage in range(len(depths) - 1)})
    return dict(
        backbone=dict(
            _delete_=True,
            type='mmdet.SwinTransformer',
            pretrain_img_size=pretrain_img_size,
            embed_dims=embed_dims,
            depths=depths,
            num_heads=num_heads,
            window_size=window_size,
            mlp_ratio=4,
            qkv_bias=True,
            qk_scale=None,
            drop_rate=0.,
            attn_drop_rate=0.,
            drop_path_rate=0.3,
            patch_norm=True,
            out_indices=(0, 1, 2, 3),
            with_cp=False,
            convert_weights=True,
            frozen_stages=-1,
            init_cfg=dict(type='Pretrained', checkpoint=checkpoint)),
        in_channels=[embed_dims * 2**i for i in range(4)],
        custom_keys=custom_keys)


backbones = dict(  # noqa: the one key this file adds to a config
    r50=_resnet(50),
    r101=_resnet(101),
    swint=_swin(96, [2, 2, 6, 2], [3, 6, 12, 24], 7, 224,
                _SWIN + 'swin_tiny_patch4_window7_224.pth'),
    swins=_swin(96, [2, 2, 18, 2], [3, 6, 12, 24], 7, 224,
                _SWIN + 'swin_small_patch4_window7_224.pth'),
    swinb=_swin(128, [2, 2, 18, 2], [4, 8, 16, 32], 12, 384,
                _SWIN + 'swin_base_patch4_window12_384_22k.pth'),
    swinl=_swin(192, [2, 2, 18, 2], [6, 12, 24, 48], 12, 384,
                _SWIN + 'swin_large_patch4_window12_384_22k.pth'),
)

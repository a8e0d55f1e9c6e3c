# Mixing, a backbone from mmseg: SegFormer's Mix Transformer (MiT-B0) under
# the quickstart's Mask2Former head, semantic task. Any registered backbone
# returning maps highest resolution first works; the head only needs their
# channels (in_channels).
_base_ = ['../quickstart/m2f_r18_shapes_semantic.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmseg.MixVisionTransformer',
        in_channels=3,
        embed_dims=32,
        num_stages=4,
        num_layers=[2, 2, 2, 2],
        num_heads=[1, 2, 5, 8],
        patch_sizes=[7, 3, 3, 3],
        sr_ratios=[8, 4, 2, 1],
        out_indices=(0, 1, 2, 3),
        mlp_ratio=4,
        qkv_bias=True,
        drop_rate=0.0,
        attn_drop_rate=0.0,
        drop_path_rate=0.1,
        init_cfg=None),  # trained from scratch here; set a MiT checkpoint
    decode_head=dict(head=dict(in_channels=[32, 64, 160, 256])))

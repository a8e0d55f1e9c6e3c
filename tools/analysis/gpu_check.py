"""GPU check of m2f_mm (run on a CUDA machine; prints what it measured).

    python tools/analysis/gpu_check.py

1. Our tiny Mask2Former (the oracle-test spec) gives the same logits on CUDA
   as on CPU, also when this mmcv build lacks the CUDA deformable-attention
   kernel (then the pure-PyTorch path must be taken instead of crashing).
2. mmdet's own Mask2Former on the same mmcv, for contrast.
3. A few training steps on CUDA: finite, decreasing losses.
4. Forward time of a full-width (R50-like head, 100 queries) model at 800x1216.
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tests'))
from oracle import build_twins, clone_samples, make_batch  # noqa: E402

from m2f_mm.models.layers.deformable_attention import MMCV_HAS_CUDA_KERNEL  # noqa: E402


def main():
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    dev = torch.device('cuda')
    print(f'device: {torch.cuda.get_device_name(0)}; torch {torch.__version__}; '
          f'mmcv CUDA kernel compiled: {MMCV_HAS_CUDA_KERNEL}')
    ours, ref = build_twins()
    inputs, samples = make_batch(ref)
    with torch.no_grad():
        cpu_cls, cpu_masks = ours._forward(inputs, clone_samples(samples))
        ours.to(dev)
        cls, masks = ours._forward(inputs.to(dev), clone_samples(samples))
    worst = max((a.cpu() - b).abs().max().item()
                for a, b in zip(list(cls) + list(masks),
                                list(cpu_cls) + list(cpu_masks)))
    print(f'[1] ours CUDA vs CPU, largest logit deviation over 10 sets: {worst:.2e}')
    assert worst < 1e-3, worst

    ref.to(dev)
    try:
        with torch.no_grad():
            ref._forward(inputs.to(dev), clone_samples(samples))
        print('[2] mmdet Mask2Former on CUDA: ran')
    except Exception as err:  # noqa: BLE001 - report the reference's failure
        print(f'[2] mmdet Mask2Former on CUDA: fails: {type(err).__name__}: '
              f'{str(err).splitlines()[0][:160]}')

    ours.train()
    tr_inputs, tr_samples = make_batch(ref, training=True)
    tr_inputs = tr_inputs.to(dev)
    for s in tr_samples:
        s.gt_instances = s.gt_instances.to(dev)
        s.gt_sem_seg = s.gt_sem_seg.to(dev)
    optim = torch.optim.AdamW(ours.parameters(), lr=1e-3)
    totals = []
    for _ in range(8):
        total = sum(ours.loss(tr_inputs, tr_samples).values())
        optim.zero_grad()
        total.backward()
        optim.step()
        totals.append(round(total.item(), 2))
    print(f'[3] CUDA training losses: {totals}')
    assert all(torch.isfinite(torch.tensor(totals))) and totals[-1] < totals[0]

    from mmengine.registry import init_default_scope
    from oracle import ours_cfg
    from m2f_mm.registry import MODELS
    init_default_scope('m2f_mm')
    cfg = ours_cfg()
    cfg['backbone'] = dict(cfg['backbone'], depth=50)
    cfg['head'].update(in_channels=[256, 512, 1024, 2048], num_queries=100,
                       feat_channels=256, embed_dims=256, mask_dims=256)
    cfg['head']['pixel_decoder']['feedforward_dims'] = 1024
    cfg['head']['transformer_decoder']['feedforward_dims'] = 2048
    big = MODELS.build(cfg).to(dev).eval()
    image = torch.randn(1, 3, 800, 1216, device=dev)
    with torch.no_grad():
        for _ in range(3):
            big._forward(image)
        torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(10):
            big._forward(image)
        torch.cuda.synchronize()
    ms = (time.perf_counter() - start) / 10 * 1e3
    print(f'[4] R50-width forward (no post-processing) at 800x1216, fp32, '
          f'pure-PyTorch deformable attention: {ms:.1f} ms')


if __name__ == '__main__':
    main()

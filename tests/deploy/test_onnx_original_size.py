"""A test pipeline that resizes: the exported file takes the original size
as a second input and resizes the logits before thresholding, as the
model's predict does."""
import pytest
import torch
from mmengine.config import Config

from m2f_mm.testing.tools import load_tool

pytestmark = pytest.mark.slow  # exports two files (full suite)


@pytest.fixture(scope='module')
def resizing(files):
    """A config whose test pipeline resizes the 128 px scenes to 96 x 80
    (keep_ratio False: both sides change, by different factors), and its
    panoptic and instance files as the export tool writes them (original
    size: auto; the semantic task resizes its mask logits by the same
    function, and mmseg's class-score resize is in test_sliding.py)."""
    cfg = Config.fromfile(files['config'])
    pipeline = list(cfg.test_dataloader.dataset.pipeline)
    pipeline.insert(1, dict(type='Resize', scale=(80, 96), keep_ratio=False,
                            _scope_='mmdet'))
    cfg.test_dataloader.dataset.pipeline = pipeline
    config = str(files['root'] / 'resizing.py')
    cfg.dump(config)
    main = load_tool('tools/deploy/export.py').main
    paths = {}
    for task in ('panoptic', 'instance'):
        paths[task] = str(files['root'] / f'resizing_{task}.onnx')
        assert main([config, files['checkpoint'], '--task', task, '--out',
                     paths[task], '--shape', '96', '80']) == 0
    return config, paths


def test_graphs_resize_to_the_original_size_as_predict(files, resizing):
    """Where the test pipeline resizes, the file takes the original size
    and resizes the logits before thresholding as the model's predict: the
    panoptic and semantic maps identical at the original 128 x 128, scores
    within 1e-4, instance masks identical but for pixels at the threshold
    (the files without the input differ along every border)."""
    from m2f_mm.apis import Mask2FormerInferencer
    from m2f_mm.deploy import read_metadata
    config, paths = resizing
    assert read_metadata(paths['panoptic'])['m2f_mm.inputs'] == \
        'images,original_size'
    eager = Mask2FormerInferencer(config, files['checkpoint'])
    onnx_model = Mask2FormerInferencer(config, onnx=list(paths.values()))
    for i, image in enumerate(files['images']):
        for task in ('panoptic', 'instance'):
            ref = eager._predict(image, f'img{i}', task)
            got = onnx_model._predict(image, f'img{i}', task)
            if task == 'panoptic':
                assert got.pred_panoptic_seg.sem_seg.shape[-2:] == (128, 128)
                assert torch.equal(got.pred_panoptic_seg.sem_seg,
                                   ref.pred_panoptic_seg.sem_seg)
                assert len(ref.pred_panoptic_seg.sem_seg.unique()) > 2
            else:
                a, b = got.pred_instances, ref.pred_instances
                order_a = a.scores.argsort(descending=True)
                order_b = b.scores.argsort(descending=True)
                torch.testing.assert_close(a.scores[order_a],
                                           b.scores[order_b], rtol=0,
                                           atol=1e-4)
                assert torch.equal(a.labels[order_a], b.labels[order_b])
                assert a.masks.shape[-2:] == (128, 128)
                # masks equal but where a logit is within rounding of 0
                # (the untrained model's masks are mostly near it)
                differ = (a.masks[order_a] != b.masks[order_b]).float()
                print('instance mask pixels differing', differ.mean().item(),
                      differ.sum().item())
                assert differ.mean() < 1e-4

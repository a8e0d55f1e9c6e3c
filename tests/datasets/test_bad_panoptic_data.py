"""Bad panoptic data is refused by name: a segment of an unknown category
(when the dataset is built), a panoptic PNG of another size than its image
(at the sample), an annotation file without segments (a warning at load,
and the panoptic metric refuses to score it)."""
import json
import os.path as osp

import cv2
import pytest
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

from m2f_mm.datasets import CLASSES, STUFF_CLASSES, THING_CLASSES, generate
from m2f_mm.registry import DATASETS, METRICS

META = dict(classes=CLASSES, thing_classes=THING_CLASSES,
            stuff_classes=STUFF_CLASSES)
PIPELINE = [dict(type='mmdet.LoadImageFromFile'),
            dict(type='M2FLoadPanopticAnnotations', with_bbox=True,
                 with_mask=True, with_seg=True),
            dict(type='mmdet.PackDetInputs')]


@pytest.fixture
def root(tmp_path):
    root = str(tmp_path / 'shapes') + '/'
    generate(root, dict(val=3))
    init_default_scope('m2f_mm')
    return root


def _dataset(root, ann='annotations/panoptic_val.json'):
    return DATASETS.build(dict(
        type='M2FCocoPanopticDataset', data_root=root, metainfo=META,
        ann_file=ann, test_mode=True, pipeline=PIPELINE,
        data_prefix=dict(img='images/val/', seg='annotations/panoptic_val/')))


def _edit(root, change):
    path = osp.join(root, 'annotations/panoptic_val.json')
    with open(path) as f:
        content = json.load(f)
    change(content)
    bad = osp.join(root, 'annotations/edited.json')
    with open(bad, 'w') as f:
        json.dump(content, f)
    return bad


def test_unknown_category_is_named_when_the_dataset_is_built(root):
    def unknown(content):
        content['annotations'][1]['segments_info'][0]['category_id'] = 99
    bad = _edit(root, unknown)
    with pytest.raises(ValueError, match=r'edited.json: image 000002.*'
                       r'category_id 99, which is not among'):
        _dataset(root, bad)


def test_a_png_of_another_size_is_named_at_the_sample(root):
    png = osp.join(root, 'annotations/panoptic_val/000002.png')
    cv2.imwrite(png, cv2.resize(cv2.imread(png), (96, 96),
                                interpolation=cv2.INTER_NEAREST))
    dataset = _dataset(root)
    assert dataset[0]['inputs'].shape[-2:] == (128, 128)  # others load
    with pytest.raises(ValueError, match=r'000002.png: the panoptic PNG is '
                       r'96x96 but its image .*000002.jpg is 128x128'):
        dataset[1]


def test_no_segments_warns_at_load_and_the_metric_refuses(root):
    def empty(content):
        for ann in content['annotations']:
            ann['segments_info'] = []
    bad = _edit(root, empty)
    logger = MMLogger.get_current_instance()
    seen = []
    handler = type('H', (__import__('logging').Handler, ), dict(
        emit=lambda self, record: seen.append(record.getMessage())))()
    logger.addHandler(handler)
    try:
        _dataset(root, bad)
    finally:
        logger.removeHandler(handler)
    assert any('edited.json: no image has any segment' in m for m in seen)
    metric = METRICS.build(dict(type='M2FCocoPanopticMetric', ann_file=bad,
                                seg_prefix=osp.join(
                                    root, 'annotations/panoptic_val/')))
    with pytest.raises(ValueError, match='edited.json: no ground-truth '
                       'segment in any image'):
        metric.compute_metrics([])

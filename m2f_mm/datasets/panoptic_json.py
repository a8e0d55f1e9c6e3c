"""Panoptic datasets whose COCO-panoptic JSON mmdet's ``CocoPanopticDataset``
reads wrongly: Cityscapes (cityscapesscripts' ``createPanopticImgs`` output)
and Mapillary Vistas v1.2.

mmdet numbers classes in the JSON's category order, while its panoptic models
take labels ``< num_things`` as things; COCO lists things first, Cityscapes and
Mapillary do not. Here labels always follow ``metainfo['classes']`` (things,
then stuff), and the items are what mmdet's ``LoadPanopticAnnotations`` reads.
"""
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence

from mmdet.datasets import BaseDetDataset

from m2f_mm.registry import DATASETS

# Cityscapes' 19 evaluated classes, things first (cityscapesscripts names).
CITYSCAPES_THINGS = ('person', 'rider', 'car', 'truck', 'bus', 'train',
                     'motorcycle', 'bicycle')
CITYSCAPES_STUFF = ('road', 'sidewalk', 'building', 'wall', 'fence', 'pole',
                    'traffic light', 'traffic sign', 'vegetation', 'terrain',
                    'sky')


def things_first_metainfo(categories: List[dict]) -> dict:
    """``classes``/``thing_classes``/``stuff_classes`` of a panoptic JSON's
    categories, things first, each group in the JSON's order."""
    things = tuple(c['name'] for c in categories if c['isthing'])
    stuff = tuple(c['name'] for c in categories if not c['isthing'])
    return dict(classes=things + stuff, thing_classes=things,
                stuff_classes=stuff)


@DATASETS.register_module()
class PanopticJsonDataset(BaseDetDataset):
    """A COCO-panoptic JSON + PNG folder, labels numbered things first.

    ``metainfo`` may leave the classes out: they are then read from the JSON's
    categories. Given classes must name the JSON's categories, things first,
    else a ``ValueError`` names the file.

    Args:
        ann_file: the panoptic JSON (``images``, ``annotations`` with
            ``segments_info``, ``categories`` with ``isthing``).
        data_prefix: ``img`` (images) and ``seg`` (the panoptic PNGs).
        metainfo, data_root, filter_cfg, indices, serialize_data, pipeline,
        test_mode, lazy_init, max_refetch, backend_args: as mmengine's
            ``BaseDataset`` and mmdet's ``BaseDetDataset``.
    """

    METAINFO: dict = dict(classes=None, thing_classes=None, stuff_classes=None)

    def __init__(self, *, ann_file: str = '', data_prefix: Optional[dict] = None,
                 metainfo: Optional[dict] = None, data_root: str = '',
                 filter_cfg: Optional[dict] = None, indices=None,
                 serialize_data: bool = True, pipeline: Sequence = (),
                 test_mode: bool = False, lazy_init: bool = False,
                 max_refetch: int = 1000,
                 backend_args: Optional[dict] = None) -> None:
        self._json: Optional[dict] = None
        super().__init__(
            ann_file=ann_file, metainfo=metainfo, data_root=data_root,
            data_prefix=data_prefix or dict(img=''), filter_cfg=filter_cfg,
            indices=indices, serialize_data=serialize_data,
            pipeline=list(pipeline), test_mode=test_mode, lazy_init=lazy_init,
            max_refetch=max_refetch, backend_args=backend_args)

    def _read_json(self) -> dict:
        if self._json is None:
            if not osp.isfile(self.ann_file):
                raise FileNotFoundError(f'{self.ann_file}: no such panoptic '
                                        'annotation file')
            with open(self.ann_file) as f:
                self._json = json.load(f)
            for key in ('images', 'annotations', 'categories'):
                if key not in self._json:
                    raise ValueError(f'{self.ann_file}: not a COCO-panoptic '
                                     f'JSON (no "{key}")')
        return self._json

    def _check_classes(self) -> Dict[int, int]:
        """Category id -> label, things first; fills missing classes."""
        categories = self._read_json()['categories']
        from_json = things_first_metainfo(categories)
        if self._metainfo.get('classes') is None:
            self._metainfo.update(from_json)
        given = tuple(self._metainfo['classes'])
        things = tuple(self._metainfo.get('thing_classes') or ())
        if set(given) != set(from_json['classes']) or \
                set(things) != set(from_json['thing_classes']) or \
                given[:len(things)] != things:
            raise ValueError(
                f'{self.ann_file}: its categories (things '
                f'{list(from_json["thing_classes"])}, stuff '
                f'{list(from_json["stuff_classes"])}) do not match the '
                f'configured classes {list(given)} (things first)')
        by_name = {c['name']: c['id'] for c in categories}
        return {by_name[name]: label for label, name in enumerate(given)}

    def image_path(self, img_info: dict) -> str:
        """Where an image of the JSON lies."""
        return osp.join(self.data_prefix['img'], img_info['file_name'])

    def load_data_list(self) -> List[dict]:
        """One item per image with ``segments_info`` for
        ``LoadPanopticAnnotations`` and thing ``instances``."""
        content = self._read_json()
        cat2label = self._check_classes()
        self.cat2label = cat2label
        isthing = {c['id']: bool(c['isthing']) for c in content['categories']}
        anns = {a['image_id']: a for a in content['annotations']}
        data_list = []
        for img_info in content['images']:
            ann = anns.get(img_info['id'])
            if ann is None:
                raise ValueError(f'{self.ann_file}: image {img_info["id"]!r} '
                                 'has no annotation entry')
            instances, segments = [], []
            for seg in ann['segments_info']:
                if seg['category_id'] not in cat2label:
                    raise ValueError(f'{self.ann_file}: image '
                                     f'{img_info["id"]!r} has a segment of '
                                     f'unknown category {seg["category_id"]}')
                label = cat2label[seg['category_id']]
                thing = isthing[seg['category_id']]
                x, y, w, h = seg['bbox']
                if thing and w >= 1 and h >= 1:
                    crowd = bool(seg.get('iscrowd', 0))
                    instances.append(dict(bbox=[x, y, x + w, y + h],
                                          bbox_label=label,
                                          ignore_flag=int(crowd)))
                    thing = thing and not crowd
                segments.append(dict(id=seg['id'], category=label,
                                     is_thing=thing))
            data_list.append(dict(
                img_path=self.image_path(img_info),
                img_id=img_info['id'],
                seg_map_path=osp.join(self.data_prefix['seg'],
                                      ann['file_name']),
                height=img_info['height'],
                width=img_info['width'],
                instances=instances,
                segments_info=segments))
        self._json = None  # keep workers small
        return data_list

    def filter_data(self) -> List[dict]:
        """Drops images without things when ``filter_empty_gt`` (training)."""
        if self.test_mode or not (self.filter_cfg or {}).get(
                'filter_empty_gt', False):
            return self.data_list
        return [d for d in self.data_list if d['instances']]


@DATASETS.register_module()
class CityscapesPanopticDataset(PanopticJsonDataset):
    """Cityscapes panoptic as cityscapesscripts' ``createPanopticImgs``
    writes it: ``gtFine/cityscapes_panoptic_{split}.json`` and PNG folder;
    images in ``leftImg8bit/{split}/{city}/``. 8 things, 11 stuff."""

    METAINFO = dict(classes=CITYSCAPES_THINGS + CITYSCAPES_STUFF,
                    thing_classes=CITYSCAPES_THINGS,
                    stuff_classes=CITYSCAPES_STUFF)

    def image_path(self, img_info: dict) -> str:
        """``{img}/{city}/{city}_xxxxxx_yyyyyy_leftImg8bit.png``."""
        city = img_info['file_name'].split('_')[0]
        return osp.join(self.data_prefix['img'], city, img_info['file_name'])


@DATASETS.register_module()
class MapillaryPanopticDataset(PanopticJsonDataset):
    """Mapillary Vistas v1.2 panoptic (``{split}/v1.2/panoptic/panoptic_2018.json``
    and PNGs, images in ``{split}/images/``); classes from the JSON: 37
    things, 28 stuff."""

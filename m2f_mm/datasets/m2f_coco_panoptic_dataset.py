"""mmdet's CocoPanopticDataset, refusing bad annotation files by name."""
import logging

from mmdet.datasets import CocoPanopticDataset
from mmengine.logging import print_log

from m2f_mm.registry import DATASETS


@DATASETS.register_module()
class M2FCocoPanopticDataset(CocoPanopticDataset):
    """``mmdet.CocoPanopticDataset`` (same arguments) that names the file
    and the fix where mmdet fails obscurely or not at all:

    * a segment whose ``category_id`` is not among the file's categories
      (mmdet: ``KeyError: 99`` while building the dataset);
    * a file with no segments at all (mmdet trains on empty images): a
      warning at load; the panoptic metric refuses to score it.
    """

    def parse_data_info(self, raw_data_info: dict) -> dict:
        image = raw_data_info['raw_img_info']
        for ann in raw_data_info['raw_ann_info']:
            if ann['image_id'] == image['img_id'] and \
                    ann['category_id'] not in self.cat2label:
                raise ValueError(
                    f'{self.ann_file}: image {image["file_name"]}: segment '
                    f'{ann["id"]} has category_id {ann["category_id"]}, which '
                    'is not among the file\'s categories '
                    f'{sorted(self.cat2label)}: fix the annotation, or add '
                    'the category to "categories" (and to the classes)')
        return super().parse_data_info(raw_data_info)

    def load_data_list(self):
        data_list = super().load_data_list()
        if not any(info['segments_info'] for info in data_list):
            print_log(f'{self.ann_file}: no image has any segment: training '
                      'sees empty images and PQ cannot be computed on it',
                      logger='current', level=logging.WARNING)
        return data_list

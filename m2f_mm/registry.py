"""m2f_mm's registries, scope ``'m2f_mm'``.

Each registry is a child of mmengine's root registry, a sibling of mmdet's and
mmseg's. Hence:

* our configs (``default_scope='m2f_mm'``) find our classes by bare name and
  mmdet/mmseg classes by scoped name (``type='mmdet.SwinTransformer'``);
* mmdet- or mmseg-scoped configs find ours as ``type='m2f_mm.<Name>'`` once
  ``custom_imports=dict(imports=['m2f_mm'])`` has run;
* a bare name in an mmdet/mmseg config never resolves to one of our classes.
"""
# Importing the mmdet and mmseg registries creates their scope nodes under the
# root, so that 'mmdet.X' / 'mmseg.X' resolve from our scope.
import mmdet.registry  # noqa: F401
import mmseg.registry  # noqa: F401
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import TASK_UTILS as MMENGINE_TASK_UTILS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import Registry

SCOPE = 'm2f_mm'

#: Models: segmentors, heads, pixel decoders, transformer decoders, losses.
MODELS = Registry('model', parent=MMENGINE_MODELS, scope=SCOPE,
                  locations=['m2f_mm.models'])
#: Assigners and match costs.
TASK_UTILS = Registry('task util', parent=MMENGINE_TASK_UTILS, scope=SCOPE,
                      locations=['m2f_mm.task_modules'])
#: Datasets that mmdet/mmseg lack.
DATASETS = Registry('dataset', parent=MMENGINE_DATASETS, scope=SCOPE,
                    locations=['m2f_mm.datasets'])
#: Data transforms that mmdet/mmseg lack.
TRANSFORMS = Registry('transform', parent=MMENGINE_TRANSFORMS, scope=SCOPE)
#: Metrics that mmdet/mmseg lack.
METRICS = Registry('metric', parent=MMENGINE_METRICS, scope=SCOPE,
                   locations=['m2f_mm.evaluation'])
#: Runner hooks.
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, scope=SCOPE)

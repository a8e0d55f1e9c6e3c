"""m2f_mm's registries, scope ``'m2f_mm'``.

Each registry is a child of mmengine's root registry, a sibling of mmdet's and
mmseg's. Hence:

* our configs (``default_scope='m2f_mm'``) find our classes by bare name and
  mmdet/mmseg classes by scoped name (``type='mmdet.SwinTransformer'``);
* mmdet- or mmseg-scoped configs find ours as ``type='m2f_mm.<Name>'`` once
  ``custom_imports=dict(imports=['m2f_mm'])`` has run;
* a bare name in an mmdet/mmseg config never resolves to one of our classes.

The Runner looks every part it builds up in the default scope's registry of
that kind, so ours declares one of each kind mmengine has (as mmdet does);
the kinds we add nothing to fall through to mmengine's classes, and no
warning says our scope is missing from a registry tree.
"""
# Importing the mmdet and mmseg registries creates their scope nodes under the
# root, so that 'mmdet.X' / 'mmseg.X' resolve from our scope.
import mmdet.registry  # noqa: F401
import mmseg.registry  # noqa: F401
from mmengine import registry as mmengine_registry
from mmengine.registry import Registry

SCOPE = 'm2f_mm'


def _child(name: str, locations=None) -> Registry:
    parent = getattr(mmengine_registry, name)
    return Registry(parent.name, parent=parent, scope=SCOPE,
                    locations=locations or [])


#: Models: segmentors, heads, pixel decoders, transformer decoders, losses.
MODELS = _child('MODELS', ['m2f_mm.models'])
#: Assigners and match costs.
TASK_UTILS = _child('TASK_UTILS', ['m2f_mm.task_modules'])
#: Datasets that mmdet/mmseg lack.
DATASETS = _child('DATASETS', ['m2f_mm.datasets'])
#: Metrics that mmdet/mmseg lack.
METRICS = _child('METRICS', ['m2f_mm.evaluation'])
#: Data transforms that mmdet/mmseg lack.
TRANSFORMS = _child('TRANSFORMS', ['m2f_mm.datasets.transforms'])
#: Runner hooks (checkpoints, run checks, the visualisation hook).
HOOKS = _child('HOOKS', ['m2f_mm.engine', 'm2f_mm.visualization'])

# Kinds we add nothing to: declared so the Runner finds our scope in them.
RUNNERS = _child('RUNNERS')
RUNNER_CONSTRUCTORS = _child('RUNNER_CONSTRUCTORS')
LOOPS = _child('LOOPS')
DATA_SAMPLERS = _child('DATA_SAMPLERS')
MODEL_WRAPPERS = _child('MODEL_WRAPPERS')
WEIGHT_INITIALIZERS = _child('WEIGHT_INITIALIZERS')
OPTIMIZERS = _child('OPTIMIZERS')
OPTIM_WRAPPERS = _child('OPTIM_WRAPPERS')
OPTIM_WRAPPER_CONSTRUCTORS = _child('OPTIM_WRAPPER_CONSTRUCTORS')
PARAM_SCHEDULERS = _child('PARAM_SCHEDULERS')
EVALUATOR = _child('EVALUATOR')
VISUALIZERS = _child('VISUALIZERS')
VISBACKENDS = _child('VISBACKENDS')
LOG_PROCESSORS = _child('LOG_PROCESSORS')
INFERENCERS = _child('INFERENCERS')
FUNCTIONS = _child('FUNCTIONS')
STRATEGIES = _child('STRATEGIES')

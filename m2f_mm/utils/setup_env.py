"""``register_all_modules``, the OpenMMLab packages' common entry point:
mmengine calls ``<scope>.utils.register_all_modules`` for a registry of a
known package that names no import location (ours: runners, loops, log
processors... which we add nothing to), and users call it as mmdet's."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import m2f_mm's modules so that they register, and (by default) make
    ``'m2f_mm'`` the default scope.

    Args:
        init_default_scope: set the default scope to ``'m2f_mm'``; when
            another is current, a new ``'m2f_mm'`` instance is made current.
    """
    import m2f_mm  # noqa: F401  (every registering module)
    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None or not DefaultScope.check_instance_created('m2f_mm'):
        DefaultScope.get_instance('m2f_mm', scope_name='m2f_mm')
    elif current.scope_name != 'm2f_mm':
        warnings.warn(f'The current default scope "{current.scope_name}" is '
                      'not "m2f_mm"; a new default scope instance is made')
        name = f'm2f_mm-{datetime.datetime.now()}'
        DefaultScope.get_instance(name, scope_name='m2f_mm')

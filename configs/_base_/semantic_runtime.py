# Runtime of the mmseg-side (semantic) configs: ours with mmseg's visualiser.
_base_ = ['./default_runtime.py']
default_hooks = dict(visualization=dict(type='mmseg.SegVisualizationHook'))
visualizer = dict(type='mmseg.SegLocalVisualizer')

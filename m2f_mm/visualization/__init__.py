"""Drawing predictions during validation and test, for both faces."""
from .visualization_hook import M2FVisualizationHook

__all__ = ['M2FVisualizationHook']

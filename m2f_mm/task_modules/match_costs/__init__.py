"""Match costs for the Hungarian assigner."""
from .mask_costs import ClassProbCost, PointBCECost, PointDiceCost

__all__ = ['ClassProbCost', 'PointBCECost', 'PointDiceCost']

"""Assigners and match costs."""
from .assigners import PointHungarianAssigner, hungarian_match
from .match_costs import ClassProbCost, PointBCECost, PointDiceCost

__all__ = ['PointHungarianAssigner', 'hungarian_match', 'ClassProbCost',
           'PointBCECost', 'PointDiceCost']

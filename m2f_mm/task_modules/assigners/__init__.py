"""Assigners."""
from .point_hungarian_assigner import PointHungarianAssigner, hungarian_match

__all__ = ['PointHungarianAssigner', 'hungarian_match']

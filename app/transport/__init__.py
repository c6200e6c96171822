"""Point-to-point transport (点对点) and organised labour export (see models.py)."""

"""eccpsite: the publishing system of the European Cluster Collaboration Platform."""

__version__ = "0.1.0"

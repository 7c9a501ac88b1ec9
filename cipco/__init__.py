"""cipco: the Crime in Prison Coordinator's desktop."""

__version__ = "0.1.0"

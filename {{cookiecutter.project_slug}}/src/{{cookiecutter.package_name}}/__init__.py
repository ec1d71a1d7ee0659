"""Train, evaluate and score a model from the command line or in Docker (see cli.py)."""

__version__ = "0.1.0"

"""Pydantic builds a model's validator when the model first validates something, not when
cipco starts (``defer_build``): start-up costs about a third less for the models, and a model
that never validates in a run (most of them, in most runs) never pays for it.

Imported first by :mod:`cipco.models`, which runs before any of its modules, so every model
class is made with it.
"""

from sqlmodel import SQLModel

SQLModel.model_config["defer_build"] = True

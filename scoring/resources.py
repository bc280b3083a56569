"""Where the package finds its data: the criteria (criteria/**) and the annex notebook.

One copy in the repository, the top-level `criteria/` and `notebooks/` folders the layout
promises. A checkout and an editable install read them there; an installed wheel carries
them as package data under `scoring/_criteria/` and `scoring/_notebooks/` (pyproject.toml
maps those package names onto the same folders), found through importlib.resources.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def _folder(packaged: str, checkout: str) -> Path:
    inside = files(__package__) / packaged
    if inside.is_dir():  # an installed wheel
        return Path(str(inside))
    return _CHECKOUT / checkout


def criteria_dir() -> Path:
    """The folder of the criteria files (khanh-hoa-2017.yaml, source/, and those others add)."""
    return _folder("_criteria", "criteria")


def notebook_path(name: str) -> Path:
    """A notebook the package runs (ranking_annex.ipynb)."""
    return _folder("_notebooks", "notebooks") / name

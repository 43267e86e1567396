"""Stores the models' NumPy archives so that a reader never sees half a file."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def write_archive(path: Path, **arrays: np.ndarray) -> None:
    """Write `arrays` as a NumPy archive (no pickle) through a temporary file of this process, then
    put it in place at once: two processes storing the same model never share a temporary file."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as out:
        np.savez(out, **arrays)
    tmp.replace(path)

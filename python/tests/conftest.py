import pathlib

import numpy as np
import pytest

SHARED = pathlib.Path(__file__).resolve().parents[2] / ".." / "shared" / "vectors"


@pytest.fixture
def rng():
    return np.random.default_rng(2026)


def crandn(rng, *shape):
    return ((rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)).astype(np.complex64)

"""Threads calling processors in parallel (the GIL released) give the one-thread results."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

import massive_mimo as mm
from conftest import crandn


def test_parallel_calls_equal_serial(rng):
    hs = [crandn(rng, 20, 8, 64) for _ in range(8)]
    serial = [mm.rzf_weights(h, 0.1) for h in hs]
    with ThreadPoolExecutor(4) as ex:
        parallel = list(ex.map(lambda h: mm.rzf_weights(h, 0.1), hs))
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)


def test_one_processor_per_thread(rng):
    n_ant, k, n_prb = 16, 4, 8
    dmrs = mm.dmrs_pilots(2, k, 2, n_prb, double_symbol=True)
    grids = [crandn(rng, n_ant, 14, 12 * n_prb) for _ in range(6)]

    def run(g):
        ul = mm.UplinkSlot(n_ant, dmrs)
        ul.set_grid(g)
        return ul.detect("mmse", noise_var=0.1)

    serial = [run(g) for g in grids]
    with ThreadPoolExecutor(3) as ex:
        parallel = list(ex.map(run, grids))
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)

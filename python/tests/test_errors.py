"""Bad input raises the documented errors, naming the argument."""

import numpy as np
import pytest

import massive_mimo as mm


def test_wrong_dtype_or_dimensions_is_a_type_error():
    with pytest.raises(TypeError):
        mm.rzf_weights(np.zeros((2, 2, 4), dtype=np.complex128), 0.1)
    with pytest.raises(TypeError):
        mm.qam_map(np.zeros(4, dtype=np.int64), 2)
    with pytest.raises(TypeError):
        mm.rzf_weights(np.zeros((2, 8), dtype=np.complex64), 0.1)


def test_wrong_shape_and_layout_are_value_errors():
    with pytest.raises(ValueError, match="normalization"):
        mm.rzf_weights(np.zeros((2, 8, 1), dtype=np.complex64), 0.1, "nope")
    h = np.zeros((4, 8, 3), dtype=np.complex64)
    with pytest.raises(ValueError, match="C-contiguous"):
        mm.rzf_weights(h[:, ::2, :], 0.1)
    with pytest.raises(ValueError, match="iq"):
        mm.bfp_compress(np.zeros((3, 12, 3), dtype=np.int16), 9)
    with pytest.raises(ValueError, match="iq_width"):
        mm.bfp_compress(np.zeros((3, 12, 2), dtype=np.int16), 17)
    with pytest.raises(ValueError, match="qm"):
        mm.qam_map(np.zeros(3, dtype=np.uint8), 3)
    with pytest.raises(ValueError, match="method"):
        mm.mimo_filters(np.zeros((1, 4, 2), dtype=np.complex64), np.ones(1, np.float32), method="ml")
    with pytest.raises(ValueError, match="i_tbs"):
        mm.lte_tbs(34, 100)


def test_slot_shape_errors_name_the_argument():
    srs = mm.srs_pilots(4, 4, 13, 2)
    dl = mm.DownlinkSlot(8, 2, 4, srs)
    with pytest.raises(ValueError, match="srs_rx"):
        dl.sound(np.zeros((8, 14, 47), dtype=np.complex64))
    with pytest.raises(ValueError, match="layers"):
        dl.precode(np.zeros((2, 14, 48), dtype=np.complex64))  # no weights yet: k = 0
    with pytest.raises(ValueError, match="grid"):
        dl.modulate(np.zeros((7, 14, 48), dtype=np.complex64))


def test_scenario_errors():
    with pytest.raises(ValueError, match="unknown key"):
        mm.simulate({"carriers": 1, "colour": "blue"})
    with pytest.raises(ValueError, match="channel"):
        mm.simulate({"carriers": 1, "channel": "nope"})
    with pytest.raises(TypeError, match="users"):
        mm.simulate({"carriers": 1, "users": "many"})
    with pytest.raises(ValueError, match="ue_antennas"):
        mm.simulate({"carriers": 1, "ue_antennas": 3})
    with pytest.raises(ValueError, match="ue_receiver"):
        mm.simulate({"carriers": 1, "ue_receiver": "zf"})
    with pytest.raises(ValueError, match="ue_estimation"):
        mm.simulate({"carriers": 1, "ue_estimation": "per-prb"})

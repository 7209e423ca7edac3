// The C++ RAII layer (capi/include/massive_mimo.hpp): handles freed by scope, errors thrown.
//   c++ -std=c++17 examples/c/raii.cpp $(pkg-config --cflags --libs massive-mimo) -o raii
#include <massive_mimo.hpp>

#include <cstdio>
#include <vector>

int main() {
    const mm_ofdm_config ofdm = {MM_STANDARD_NR, 30, 128, 48, MM_CP_NORMAL, 0, 0.0884f};
    std::vector<mm_cf32> dmrs(2 * 14 * 48);
    mm::check(mm_dmrs_write_pilots(1, 2, 2, false, 4, dmrs.data(), dmrs.size()));
    mm::uplink ul = mm::make_uplink(8, 2, dmrs.data(), dmrs.size(), ofdm);
    // Sub-PRB filters (one per 3 subcarriers): MMSE on a received grid of ones.
    mm::uplink sub = mm::make_uplink_sub_prb(8, 2, dmrs.data(), dmrs.size(), ofdm, 3);
    std::vector<mm_cf32> grid(8 * 14 * 48, mm_cf32{1.0f, 0.0f});
    mm::check(mm_uplink_set_grid(sub.get(), grid.data(), grid.size()));
    mm::check(mm_uplink_detect(sub.get(), MM_DETECTOR_MMSE, true, 0.1f));
    try {
        mm::check(mm_uplink_detect(ul.get(), 9, true, 0.1f));
        std::puts("expected an error");
        return 1;
    } catch (const mm::error &e) {
        std::printf("caught status %d: %s\n", static_cast<int>(e.status()), e.what());
        return e.status() == MM_ERROR_INVALID_ARGUMENT ? 0 : 1;
    }
}

// Thin C++17 RAII layer over massive_mimo.h: handles as std::unique_ptr with their destroy
// functions, and mm::check() turning a status into an exception carrying mm_last_error().
// Everything else is the C API itself (hand-written, not generated).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "massive_mimo.h"

namespace mm {

// The error of a failed call: its status and the library's message.
class error : public std::runtime_error {
  public:
    error(mm_status status, const char *message)
        : std::runtime_error(std::string(message)), status_(status) {}
    mm_status status() const noexcept { return status_; }

  private:
    mm_status status_;
};

// Throws mm::error unless `s` is MM_OK.
inline void check(mm_status s) {
    if (s != MM_OK) throw error(s, mm_last_error());
}

struct downlink_deleter {
    void operator()(mm_downlink *h) const noexcept { mm_downlink_destroy(h); }
};
struct uplink_deleter {
    void operator()(mm_uplink *h) const noexcept { mm_uplink_destroy(h); }
};
using downlink = std::unique_ptr<mm_downlink, downlink_deleter>;
using uplink = std::unique_ptr<mm_uplink, uplink_deleter>;

inline downlink make_downlink(const mm_downlink_config &config, const mm_ofdm_config &ofdm,
                              const mm_cf32 *srs_pilots, size_t srs_len) {
    mm_downlink *h = nullptr;
    check(mm_downlink_create(&config, &ofdm, srs_pilots, srs_len, &h));
    return downlink(h);
}

inline uplink make_uplink(size_t n_antennas, size_t n_ports, const mm_cf32 *dmrs_pilots,
                          size_t dmrs_len, const mm_ofdm_config &ofdm) {
    mm_uplink *h = nullptr;
    check(mm_uplink_create(n_antennas, n_ports, dmrs_pilots, dmrs_len, &ofdm, &h));
    return uplink(h);
}

// Sub-PRB detection filters: one per filter_subcarriers (1, 2, 3, 4 or 6) subcarriers, MMSE / ZF.
inline uplink make_uplink_sub_prb(size_t n_antennas, size_t n_ports, const mm_cf32 *dmrs_pilots,
                                  size_t dmrs_len, const mm_ofdm_config &ofdm,
                                  size_t filter_subcarriers) {
    mm_uplink *h = nullptr;
    check(mm_uplink_create_sub_prb(n_antennas, n_ports, dmrs_pilots, dmrs_len, &ofdm,
                                   filter_subcarriers, &h));
    return uplink(h);
}

}  // namespace mm

/* Bad calls through the massive-mimo C ABI: every one must return its documented status and
 * name the argument in mm_last_error(), and nothing may crash (run under valgrind in CI).
 * Use of a handle after *_destroy is documented as undefined behaviour and is not tried.
 *
 *   cc -std=c11 examples/c/bad_calls.c $(pkg-config --cflags --libs massive-mimo) -o bad_calls
 */
#include <massive_mimo.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

static void expect(const char *what, mm_status got, mm_status want, const char *mention) {
    const char *msg = got == MM_OK ? "" : mm_last_error();
    if (got != want || (mention && !strstr(msg, mention))) {
        fprintf(stderr, "FAIL %s: status %d (want %d), message \"%s\" (want \"%s\")\n", what,
                (int)got, (int)want, msg, mention ? mention : "");
        failures++;
    } else {
        printf("ok   %-48s %d %s\n", what, (int)got, msg);
    }
}

enum { N_ANT = 8, N_CAND = 4, N_PRB = 4, N_SC = 48, N_SYM = 14 };

int main(void) {
    const mm_ofdm_config ofdm = {MM_STANDARD_NR, 30, 128, N_SC, MM_CP_NORMAL, 0, 0.0884f};
    mm_downlink_config cfg = {N_ANT, N_CAND, N_CAND, N_PRB, 2,
                              MM_PRECODER_ZF, MM_NORMALIZATION_TOTAL, MM_SRS_DELAY_DOMAIN};
    const size_t pil_len = (size_t)N_CAND * N_SYM * N_SC, grid_len = (size_t)N_ANT * N_SYM * N_SC;
    mm_cf32 *pilots = calloc(pil_len, sizeof *pilots);
    mm_cf32 *grid = calloc(grid_len + 1, sizeof *grid);
    mm_cf32 *layers = calloc(pil_len, sizeof *layers);
    if (!pilots || !grid || !layers) return 1;
    mm_downlink *dl = NULL;

    /* NULL pointers */
    expect("create: NULL config", mm_downlink_create(NULL, &ofdm, pilots, pil_len, &dl),
           MM_ERROR_NULL_POINTER, "config");
    expect("create: NULL out", mm_downlink_create(&cfg, &ofdm, pilots, pil_len, NULL),
           MM_ERROR_NULL_POINTER, "out");
    expect("create: NULL pilots with a count", mm_downlink_create(&cfg, &ofdm, NULL, pil_len, &dl),
           MM_ERROR_NULL_POINTER, "srs_pilots");
    expect("sound: NULL handle", mm_downlink_sound(NULL, grid, grid_len, 0.1f),
           MM_ERROR_NULL_POINTER, "handle");

    /* invalid codes and sizes */
    cfg.precoder = 9;
    expect("create: precoder code 9", mm_downlink_create(&cfg, &ofdm, pilots, pil_len, &dl),
           MM_ERROR_INVALID_ARGUMENT, "config.precoder");
    cfg.precoder = MM_PRECODER_ZF;
    expect("create: pilot count short by one", mm_downlink_create(&cfg, &ofdm, pilots, pil_len - 1, &dl),
           MM_ERROR_SHAPE, "srs_pilots");
    if (dl != NULL) failures++; /* *out stays NULL on error */

    expect("srs pilots", mm_srs_write_pilots(4, N_PRB, 13, N_CAND, pilots, pil_len), MM_OK, NULL);
    expect("create", mm_downlink_create(&cfg, &ofdm, pilots, pil_len, &dl), MM_OK, NULL);
    expect("sound: grid count short", mm_downlink_sound(dl, grid, grid_len - 1, 0.1f), MM_ERROR_SHAPE,
           "srs_rx");
    expect("sound: misaligned grid", mm_downlink_sound(dl, (const mm_cf32 *)((const char *)grid + 2), grid_len, 0.1f),
           MM_ERROR_MISALIGNED, "srs_rx");
    expect("precode before weights", mm_downlink_precode(dl, layers, pil_len, grid, grid_len),
           MM_ERROR_INVALID_ARGUMENT, "weights");
    for (size_t i = 0; i < grid_len; i++) grid[i].re = (float)(i % 7) - 3.0f;
    expect("sound", mm_downlink_sound(dl, grid, grid_len, 0.1f), MM_OK, NULL);
    const size_t too_many[5] = {0, 1, 2, 3, 0};
    expect("weights: 5 users > 4 layers", mm_downlink_compute_weights(dl, too_many, 5, 0.1f),
           MM_ERROR_INVALID_ARGUMENT, NULL);
    const size_t unknown[2] = {0, 7};
    expect("weights: unknown candidate 7", mm_downlink_compute_weights(dl, unknown, 2, 0.1f),
           MM_ERROR_INVALID_ARGUMENT, "7");
    const size_t two[2] = {0, 1};
    expect("weights", mm_downlink_compute_weights(dl, two, 2, 0.1f), MM_OK, NULL);
    expect("precode: layers overlap grid",
           mm_downlink_precode(dl, grid, 2 * N_SYM * N_SC, grid + N_SC, grid_len), MM_ERROR_OVERLAP,
           "overlap");
    expect("precode: 4 layers after 2 users", mm_downlink_precode(dl, layers, pil_len, grid, grid_len),
           MM_ERROR_SHAPE, "layers");
    expect("precode", mm_downlink_precode(dl, layers, 2 * N_SYM * N_SC, grid, grid_len), MM_OK, NULL);
    expect("waveform_len: NULL out", mm_downlink_waveform_len(dl, NULL), MM_ERROR_NULL_POINTER, "out");

    /* uplink */
    mm_uplink *ul = NULL;
    expect("dmrs: type 3", mm_dmrs_write_pilots(3, 2, 2, false, N_PRB, pilots, pil_len),
           MM_ERROR_INVALID_ARGUMENT, "dmrs_type");
    expect("dmrs: 2 ports into a 4-port buffer", mm_dmrs_write_pilots(1, 2, 2, false, N_PRB, pilots, pil_len),
           MM_ERROR_SHAPE, "out");
    expect("dmrs", mm_dmrs_write_pilots(1, N_CAND, 2, false, N_PRB, pilots, pil_len), MM_OK, NULL);
    expect("uplink create", mm_uplink_create(N_ANT, N_CAND, pilots, pil_len, &ofdm, &ul), MM_OK, NULL);
    expect("detect: method 5", mm_uplink_detect(ul, 5, true, 0.1f), MM_ERROR_INVALID_ARGUMENT, "method");
    expect("set_grid", mm_uplink_set_grid(ul, grid, grid_len), MM_OK, NULL);
    expect("detect (NaN noise: estimated)", mm_uplink_detect(ul, MM_DETECTOR_MMSE, true, NAN), MM_OK, NULL);
    float llr[2 * N_SC];
    expect("llrs: qm 3", mm_uplink_llrs(ul, 3, 0, 5, llr, 2 * N_SC), MM_ERROR_INVALID_ARGUMENT, "qm");
    expect("llrs: layer 9", mm_uplink_llrs(ul, 2, 9, 5, llr, 2 * N_SC), MM_ERROR_INVALID_ARGUMENT, "layer");
    expect("llrs: short output", mm_uplink_llrs(ul, 2, 0, 5, llr, 2 * N_SC - 1), MM_ERROR_SHAPE, "out");

    /* fronthaul and rates */
    int16_t iq[48] = {0};
    uint8_t payload[2 * 28];
    expect("bfp: width 0", mm_bfp_compress(0, iq, 48, payload, sizeof payload), MM_ERROR_INVALID_ARGUMENT,
           "iq_width");
    expect("bfp: width 17", mm_bfp_compress(17, iq, 48, payload, sizeof payload), MM_ERROR_INVALID_ARGUMENT,
           "iq_width");
    expect("bfp: payload short", mm_bfp_compress(9, iq, 48, payload, sizeof payload - 1), MM_ERROR_SHAPE,
           "payload");
    expect("bfp", mm_bfp_compress(9, iq, 48, payload, sizeof payload), MM_OK, NULL);
    payload[28] = 0x08; /* exponent 8 > 16 - 9 */
    expect("bfp: exponent 8 at width 9", mm_bfp_decompress(9, payload, sizeof payload, iq, 48),
           MM_ERROR_INVALID_ARGUMENT, "exponent 8");
    uint32_t tbs = 0;
    expect("lte tbs: i_tbs 34", mm_lte_tbs(34, 100, 1, 1.0, &tbs), MM_ERROR_INVALID_ARGUMENT, "i_tbs");
    expect("lte tbs", mm_lte_tbs(26, 100, 1, 1.0, &tbs), MM_OK, NULL);
    if (tbs != 75376) { fprintf(stderr, "FAIL lte tbs = %u\n", tbs); failures++; }

    mm_downlink_destroy(dl);
    mm_uplink_destroy(ul);
    mm_downlink_destroy(NULL);
    mm_uplink_destroy(NULL);
    free(pilots); free(grid); free(layers);
    printf("%d failure(s)\n", failures);
    return failures != 0;
}

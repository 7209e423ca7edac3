/* One downlink slot (SRS estimation -> RZF weights -> precoding -> OFDM) and one uplink slot
 * (OFDM demodulation -> DMRS estimation -> MMSE -> LLRs) through the massive-mimo C ABI, on
 * deterministic inputs that capi/tests/c_example.rs rebuilds in Rust to compare the results.
 *
 * Build against an installed library (README, "From C"):
 *   cc -std=c11 -O2 examples/c/slots.c $(pkg-config --cflags --libs massive-mimo) -o slots
 *   ./slots OUT_DIR      # writes dl_grid.bin, dl_wave.bin, ul_layers.bin, ul_llr.bin
 */
#include <massive_mimo.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N_ANT = 16, N_USERS = 4, N_PRB = 12, N_SC = 12 * N_PRB, N_SYM = 14, N_FFT = 256 };

#define CHECK(call)                                                                   \
    do {                                                                              \
        mm_status s_ = (call);                                                        \
        if (s_ != MM_OK) {                                                            \
            fprintf(stderr, "%s failed (%d): %s\n", #call, (int)s_, mm_last_error()); \
            return 1;                                                                 \
        }                                                                             \
    } while (0)

/* The deterministic channel both sides use: entry (a, u) of a 16 x 4 matrix. */
static mm_cf32 channel(size_t a, size_t u) {
    mm_cf32 h = {(float)((a * 7 + u * 13) % 17) / 17.0f - 0.5f,
                 (float)((a * 5 + u * 11 + 3) % 19) / 19.0f - 0.5f};
    return h;
}

/* QPSK data of layer j at (symbol l, subcarrier k). */
static mm_cf32 qpsk(size_t j, size_t l, size_t k) {
    const float r = 0.70710678f;
    size_t b = (j * 3 + l * 5 + k * 7) % 4;
    mm_cf32 x = {(b & 1) ? -r : r, (b & 2) ? -r : r};
    return x;
}

static mm_cf32 cmul(mm_cf32 a, mm_cf32 b) {
    mm_cf32 c = {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
    return c;
}

/* grid[a][l][k] = sum_u H(a, u) x[u][l][k] */
static void through_channel(const mm_cf32 *x, size_t n_streams, mm_cf32 *grid) {
    for (size_t a = 0; a < N_ANT; a++)
        for (size_t i = 0; i < (size_t)N_SYM * N_SC; i++) {
            mm_cf32 acc = {0.0f, 0.0f};
            for (size_t u = 0; u < n_streams; u++) {
                mm_cf32 t = cmul(channel(a, u), x[u * N_SYM * N_SC + i]);
                acc.re += t.re;
                acc.im += t.im;
            }
            grid[a * N_SYM * N_SC + i] = acc;
        }
}

static int write_file(const char *dir, const char *name, const void *data, size_t bytes) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, bytes, f) != bytes) {
        fprintf(stderr, "cannot write %s\n", path);
        if (f) fclose(f);
        return 1;
    }
    return fclose(f) != 0;
}

int main(int argc, char **argv) {
    const char *out_dir = argc > 1 ? argv[1] : ".";
    printf("massive-mimo %s, SIMD backend %s\n", mm_version(), mm_simd_backend());

    const mm_ofdm_config ofdm = {MM_STANDARD_NR, 30, N_FFT, N_SC, MM_CP_NORMAL, 0, 1.0f / 16.0f};
    const size_t grid_len = (size_t)N_ANT * N_SYM * N_SC;
    const size_t layers_len = (size_t)N_USERS * N_SYM * N_SC;
    mm_cf32 *srs = calloc(layers_len, sizeof *srs);
    mm_cf32 *srs_rx = calloc(grid_len, sizeof *srs_rx);
    mm_cf32 *layers = calloc(layers_len, sizeof *layers);
    mm_cf32 *grid = calloc(grid_len, sizeof *grid);
    mm_cf32 *dmrs = calloc(layers_len, sizeof *dmrs);
    mm_cf32 *ul_tx = calloc(layers_len, sizeof *ul_tx);
    mm_cf32 *ul_grid = calloc(grid_len, sizeof *ul_grid);
    mm_cf32 *detected = calloc(layers_len, sizeof *detected);
    float *llr = calloc(2 * N_SC, sizeof *llr);
    if (!srs || !srs_rx || !layers || !grid || !dmrs || !ul_tx || !ul_grid || !detected || !llr) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }

    /* ---- downlink: SRS -> weights -> precoding -> OFDM ---- */
    mm_downlink *dl = NULL;
    const mm_downlink_config cfg = {N_ANT, N_USERS, N_USERS, N_PRB, 2,
                                    MM_PRECODER_RZF, MM_NORMALIZATION_TOTAL, MM_SRS_DELAY_DOMAIN};
    CHECK(mm_srs_write_pilots(4, N_PRB, 13, N_USERS, srs, layers_len));
    CHECK(mm_downlink_create(&cfg, &ofdm, srs, layers_len, &dl));
    through_channel(srs, N_USERS, srs_rx); /* the users' SRS as the array receives it */
    CHECK(mm_downlink_sound(dl, srs_rx, grid_len, -1.0f));
    const size_t users[N_USERS] = {0, 1, 2, 3};
    CHECK(mm_downlink_compute_weights(dl, users, N_USERS, 0.01f));
    for (size_t j = 0; j < N_USERS; j++)
        for (size_t l = 0; l < N_SYM; l++)
            for (size_t k = 0; k < N_SC; k++) layers[(j * N_SYM + l) * N_SC + k] = qpsk(j, l, k);
    CHECK(mm_downlink_precode(dl, layers, layers_len, grid, grid_len));
    size_t wave_samples = 0;
    CHECK(mm_downlink_waveform_len(dl, &wave_samples));
    mm_cf32 *wave = calloc(N_ANT * wave_samples, sizeof *wave);
    if (!wave) return 1;
    CHECK(mm_downlink_modulate(dl, grid, grid_len, wave, N_ANT * wave_samples));

    /* ---- the same slot as a 7.2x category-A DU sends it: BFP-9 U-plane messages ---- */
    mm_uplane_codec *codec = NULL;
    CHECK(mm_uplane_codec_create(MM_COMP_BFP, 9, N_PRB, 4096.0f, &codec));
    size_t msg_len = 0;
    CHECK(mm_uplane_message_len(codec, &msg_len));
    const size_t uplane_len = (size_t)N_ANT * N_SYM * msg_len;
    unsigned char *uplane = calloc(uplane_len, 1);
    if (!uplane) return 1;
    const mm_uplane_timing slot_timing = {1, 0, 0, 0, 0, 0}; /* downlink, frame 0, slot 0 */
    CHECK(mm_downlink_precode_uplane(dl, layers, layers_len, codec, &slot_timing, 0, uplane,
                                     uplane_len, msg_len));

    /* ---- uplink: 4 users' layers with DMRS through the channel, as a waveform ---- */
    mm_uplink *ul = NULL;
    CHECK(mm_dmrs_write_pilots(2, N_USERS, 2, true, N_PRB, dmrs, layers_len));
    CHECK(mm_uplink_create(N_ANT, N_USERS, dmrs, layers_len, &ofdm, &ul));
    for (size_t j = 0; j < N_USERS; j++)
        for (size_t l = 0; l < N_SYM; l++)
            for (size_t k = 0; k < N_SC; k++) {
                size_t i = (j * N_SYM + l) * N_SC + k;
                ul_tx[i] = (l == 2 || l == 3) ? dmrs[i] : qpsk(j, l, k);
            }
    through_channel(ul_tx, N_USERS, ul_grid);
    /* The radio's waveform: the same OFDM modulator (the downlink handle's) over the grid. */
    mm_cf32 *ul_wave = calloc(N_ANT * wave_samples, sizeof *ul_wave);
    if (!ul_wave) return 1;
    CHECK(mm_downlink_modulate(dl, ul_grid, grid_len, ul_wave, N_ANT * wave_samples));
    CHECK(mm_uplink_demodulate(ul, ul_wave, N_ANT * wave_samples));
    CHECK(mm_uplink_detect(ul, MM_DETECTOR_MMSE, true, 1e-4f));
    CHECK(mm_uplink_layers(ul, detected, layers_len));
    CHECK(mm_uplink_llrs(ul, 2, 1, 5, llr, 2 * N_SC));

    /* The uplink must return what the users sent (a noise-free link). */
    float worst = 0.0f;
    for (size_t j = 0; j < N_USERS; j++)
        for (size_t l = 0; l < N_SYM; l++) {
            if (l == 2 || l == 3) continue;
            for (size_t k = 0; k < N_SC; k++) {
                size_t i = (j * N_SYM + l) * N_SC + k;
                float dr = detected[i].re - ul_tx[i].re, di = detected[i].im - ul_tx[i].im;
                float e = sqrtf(dr * dr + di * di);
                if (e > worst) worst = e;
            }
        }
    printf("uplink: worst detected-symbol error %.2e over %d layers\n", worst, N_USERS);
    int bad = worst > 0.05f;
    for (size_t k = 0; k < N_SC; k++) { /* LLR signs = the QPSK bits of layer 1, symbol 5 */
        mm_cf32 x = qpsk(1, 5, k);
        if ((llr[2 * k] < 0) != (x.re < 0) || (llr[2 * k + 1] < 0) != (x.im < 0)) bad = 1;
    }

    int io = write_file(out_dir, "dl_grid.bin", grid, grid_len * sizeof *grid) ||
             write_file(out_dir, "dl_wave.bin", wave, N_ANT * wave_samples * sizeof *wave) ||
             write_file(out_dir, "ul_layers.bin", detected, layers_len * sizeof *detected) ||
             write_file(out_dir, "ul_llr.bin", llr, 2 * N_SC * sizeof *llr) ||
             write_file(out_dir, "dl_uplane.bin", uplane, uplane_len);

    mm_uplane_codec_destroy(codec);
    mm_downlink_destroy(dl);
    mm_uplink_destroy(ul);
    free(srs); free(srs_rx); free(layers); free(grid); free(dmrs); free(ul_tx);
    free(ul_grid); free(detected); free(llr); free(wave); free(ul_wave); free(uplane);
    if (bad) {
        fprintf(stderr, "uplink results are wrong\n");
        return 1;
    }
    if (io) return 1;
    printf("downlink: %zu-sample waveform per antenna; results in %s\n", wave_samples, out_dir);
    return 0;
}

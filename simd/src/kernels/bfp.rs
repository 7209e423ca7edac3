//! Block floating point (BFP) compression of int16 IQ, O-RAN.WG4.CUS Annex A.1.1, and its
//! wire format (udCompMeth = 0001b; `../shared/FRONTHAUL.md` §1).
//!
//! A block is `len` signed 16-bit values (one PRB: 12 REs × (I, Q) = 24 values; one
//! beamforming weight vector: N_TRX × (I, Q)). For width `w` (udIqWidth, 1..=16):
//!
//! ```text
//! maxValue = max(max(x), |min(x)| − 1)         ≥ 0
//! exponent = max(bit_length(maxValue) − w + 1, 0)
//! mantissa = x >> exponent                     (arithmetic shift: floor)
//! ```
//!
//! Packed block: one byte `udCompParam` (exponent in bits 3..0, reserved bits 7..4 sent as 0
//! and ignored on receipt), then the mantissas' low `w` bits concatenated MSB first, the last
//! byte zero-padded: `1 + ⌈len·w/8⌉` bytes (a PRB: `1 + 3w`). Decoding is `mantissa · 2^e`,
//! exact; an exponent above `16 − w` cannot come from int16 data and is rejected.
//!
//! The scalar functions are the textbook reference (any block length, bit-serial packing). The
//! x86 path handles PRBs (24 values) with AVX2, two PRBs per step: exponent by an OR-reduction
//! of `x ^ (x >> 15)` (which is `x` for x ≥ 0 and `|x| − 1` for x < 0, so its bit length is
//! that of maxValue) and the bit length from a float conversion, in the vector unit (no
//! branch); packing by merging neighbouring fields in 32-, 64- and 128-bit lanes (8 fields =
//! `w` bytes per 128-bit lane; the first two merges one multiply-add and one multiply for
//! w ≤ 14) followed by one byte reversal into network order; the two PRBs' last 8 values
//! share a register. The next pair is loaded and its exponents computed before this one is
//! packed (software pipelining: the exponent chain is long). Decompression undoes the merges
//! pair by pair without masks (the sign extension's left shift drops the bits above a field).

/// Bytes of one packed block of `len` values at width `w`: `1 + ⌈len·w/8⌉`.
pub(crate) fn block_bytes(len: usize, w: u32) -> usize {
    1 + (len * w as usize).div_ceil(8)
}

/// The BFP exponent of a block at width `w` (1..=16), written literally from the spec's
/// pseudo-code.
pub(crate) fn exponent_scalar(block: &[i16], w: u32) -> u32 {
    let max_v = block.iter().map(|&x| i32::from(x)).max().unwrap_or(0);
    let min_v = block.iter().map(|&x| i32::from(x)).min().unwrap_or(0);
    let max_value = max_v.max(min_v.abs() - 1).max(0) as u32;
    let raw_exp = 32 - max_value.leading_zeros(); // bit length; 0 for 0
    (raw_exp + 1).saturating_sub(w)
}

/// Compresses blocks of `len` values into `out` (`n · block_bytes(len, w)` bytes, checked by
/// the caller), bit-serial.
pub(crate) fn compress_scalar(values: &[i16], len: usize, w: u32, out: &mut [u8]) {
    let size = block_bytes(len, w);
    let mask = (1u32 << w) - 1;
    for (block, dst) in values.chunks_exact(len).zip(out.chunks_exact_mut(size)) {
        let e = exponent_scalar(block, w);
        dst[0] = e as u8;
        let (mut acc, mut bits, mut pos) = (0u32, 0u32, 1usize);
        for &x in block {
            let m = (i32::from(x) >> e) as u32 & mask;
            acc = (acc << w) | m;
            bits += w;
            while bits >= 8 {
                bits -= 8;
                dst[pos] = (acc >> bits) as u8;
                pos += 1;
            }
            acc &= (1u32 << bits) - 1;
        }
        if bits > 0 {
            dst[pos] = (acc << (8 - bits)) as u8;
        }
    }
}

/// Reads block `len` mantissas (sign-extended) and its exponent (low nibble of udCompParam)
/// from one packed block.
pub(crate) fn unpack_scalar(src: &[u8], len: usize, w: u32, mantissas: &mut [i16]) -> u32 {
    let e = u32::from(src[0] & 0x0F);
    let (mut acc, mut bits, mut pos) = (0u32, 0u32, 1usize);
    for m in mantissas.iter_mut().take(len) {
        while bits < w {
            acc = (acc << 8) | u32::from(src[pos]);
            pos += 1;
            bits += 8;
        }
        bits -= w;
        let field = (acc >> bits) & ((1u32 << w) - 1);
        acc &= (1u32 << bits) - 1;
        // Sign-extend the w-bit two's-complement field.
        let shift = 32 - w;
        *m = (((field << shift) as i32) >> shift) as i16;
    }
    e
}

/// Decompresses blocks of `len` values; `Err((block, exponent))` for the first block whose
/// exponent exceeds `16 − w` (earlier blocks are written, later ones are not).
pub(crate) fn decompress_scalar(
    payload: &[u8],
    len: usize,
    w: u32,
    out: &mut [i16],
) -> Result<(), (usize, u32)> {
    let size = block_bytes(len, w);
    for (b, (src, dst)) in payload
        .chunks_exact(size)
        .zip(out.chunks_exact_mut(len))
        .enumerate()
    {
        let e = unpack_scalar(src, len, w, dst);
        if e > 16 - w {
            return Err((b, e));
        }
        for v in dst.iter_mut() {
            *v = (i32::from(*v) << e) as i16;
        }
    }
    Ok(())
}

/// AVX2 PRB kernels (24 values per block). Used by the AVX2 and AVX-512 backends (every
/// AVX-512 CPU has AVX2; the 256-bit form already holds a PRB in 1.5 registers).
#[cfg(target_arch = "x86_64")]
pub(crate) mod x86 {
    use core::arch::x86_64::*;

    /// Values in one PRB block.
    const PRB: usize = 24;

    /// The widest fields the multiply-add merges take (`pack::<true>`): 2^w and a masked field
    /// fit a signed 16-bit lane, 2^2w a 32-bit multiplier.
    const MADD_MAX_W: u32 = 14;

    /// `$f::<MADD>(args…)` with MADD = (w ≤ [`MADD_MAX_W`]): the multiply-add merges where
    /// they fit, the shifts above.
    macro_rules! with_merges {
        ($w:expr, $f:ident($($a:expr),*)) => {
            if $w <= MADD_MAX_W {
                $f::<true>($($a),*)
            } else {
                $f::<false>($($a),*)
            }
        };
    }

    /// Per-width constants of the pack/unpack lane merges.
    #[derive(Clone, Copy)]
    struct Widths {
        w: u32,
        /// Shift counts w, 2w, 16 − w.
        cnt_w: __m128i,
        cnt_2w: __m128i,
        cnt_16mw: __m128i,
        /// Low-w-bit mask in every 16-bit lane.
        mask16: __m256i,
        /// Per-64-bit-lane shift counts of the 64 ↔ 128-bit merge and split: (4w, 64) (`pack`
        /// left, `unpack` right), (0, 64 − 4w) (`pack` right), (64 − 4w, 0) (`unpack` left).
        sh_a: __m256i,
        sh_r: __m256i,
        sh_v: __m256i,
        /// `pack::<true>`'s multipliers: (2^w, 1) per 16-bit pair, 2^2w per 64-bit lane (w ≤ 14).
        madd_w: __m256i,
        mul_2w: __m256i,
        /// pshufb control reversing the low `w` bytes of each 128-bit lane, zeroing the rest.
        rev: __m256i,
    }

    /// Per width w (index 0 unused), [`Widths::rev`]'s bytes: built at compile time, so that
    /// a call on a few PRBs (a piece of a symbol's row) does no set-up loop.
    static REV: [[u8; 32]; 17] = rev_tables();

    const fn rev_tables() -> [[u8; 32]; 17] {
        let mut t = [[0x80u8; 32]; 17];
        let mut w = 1;
        while w <= 16 {
            let mut j = 0;
            while j < w {
                t[w][j] = (w - 1 - j) as u8;
                t[w][16 + j] = (w - 1 - j) as u8;
                j += 1;
            }
            w += 1;
        }
        t
    }

    /// The constants of width `w`. Out of line on purpose: inlined into the pair loop, its
    /// constants changed that loop's register allocation (3.4 → 3.8 ns per PRB).
    #[inline(never)]
    #[target_feature(enable = "avx2")]
    fn widths(w: u32) -> Widths {
        let w64 = i64::from(w);
        // SAFETY: the table row holds 32 bytes, an unaligned 256-bit load reads exactly those.
        let rev = unsafe { _mm256_loadu_si256(REV[w as usize].as_ptr().cast()) };
        Widths {
            w,
            cnt_w: _mm_cvtsi32_si128(w as i32),
            cnt_2w: _mm_cvtsi32_si128(2 * w as i32),
            cnt_16mw: _mm_cvtsi32_si128(16 - w as i32),
            mask16: _mm256_set1_epi16(((1u32 << w) - 1) as u16 as i16),
            sh_a: _mm256_setr_epi64x(4 * w64, 64, 4 * w64, 64),
            sh_r: _mm256_setr_epi64x(0, 64 - 4 * w64, 0, 64 - 4 * w64),
            sh_v: _mm256_setr_epi64x(64 - 4 * w64, 0, 64 - 4 * w64, 0),
            madd_w: _mm256_set1_epi32((1 << 16) | ((1i32 << w.min(MADD_MAX_W)) & 0xFFFF)),
            mul_2w: _mm256_set1_epi64x(1i64 << (2 * w.min(MADD_MAX_W))),
            rev,
        }
    }

    /// Packs the w-bit fields of the 16 mantissas in `m` (two groups of 8, one per 128-bit
    /// lane) so that the low `w` bytes of each 128-bit lane are the group's wire bytes. With
    /// `MADD` (w ≤ 14: 2^w and the masked fields fit a signed 16-bit lane, 2^2w a 32-bit one)
    /// the 16 → 32-bit merge is one `vpmaddwd` (`f_2k·2^w + f_2k+1`) and the 32 → 64-bit one a
    /// `vpmuludq` and an add; wider fields merge by shifts and ORs.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn pack<const MADD: bool>(m: __m256i, k: &Widths) -> __m256i {
        let m = _mm256_and_si256(m, k.mask16);
        let d = if MADD {
            // 16 → 32 → 64: c_j = f_2j·2^w + f_2j+1, d = c_2j·2^2w + c_2j+1.
            let c = _mm256_madd_epi16(m, k.madd_w);
            _mm256_add_epi64(_mm256_mul_epu32(c, k.mul_2w), _mm256_srli_epi64::<32>(c))
        } else {
            // 16 → 32: (f_2k << w) | f_2k+1.
            let c = _mm256_or_si256(
                _mm256_sll_epi32(_mm256_and_si256(m, _mm256_set1_epi32(0xFFFF)), k.cnt_w),
                _mm256_srli_epi32::<16>(m),
            );
            // 32 → 64: (c_2j << 2w) | c_2j+1.
            _mm256_or_si256(
                _mm256_sll_epi64(
                    _mm256_and_si256(c, _mm256_set1_epi64x(0xFFFF_FFFF)),
                    k.cnt_2w,
                ),
                _mm256_srli_epi64::<32>(c),
            )
        };
        // 64 → 128: R = d0·2^(4w) + d1 as (lo, hi) qwords of the 128-bit lane: lo = (d0 << 4w)
        // | d1, hi = d0 >> (64 − 4w) — d shifted left by (4w, 64), OR its qword swap shifted
        // right by (0, 64 − 4w) (a count of 64 gives 0).
        let s = _mm256_shuffle_epi32::<0x4E>(d);
        let r = _mm256_or_si256(_mm256_sllv_epi64(d, k.sh_a), _mm256_srlv_epi64(s, k.sh_r));
        _mm256_shuffle_epi8(r, k.rev)
    }

    /// The inverse of [`pack`]: wire bytes (low `w` bytes of each 128-bit lane) to the 16
    /// w-bit fields, each in the low `w` bits of its 16-bit lane — the bits above are left
    /// undefined (the decompression's left shift by `16 − w` drops them), so no split masks
    /// them: each split keeps a lane's low part as it is and shifts the high part down.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn unpack(b: __m256i, k: &Widths) -> __m256i {
        let r = _mm256_shuffle_epi8(b, k.rev);
        // 128 → 64 (R = d0·2^4w + d1 as (lo, hi) qwords): d0 = (lo >> 4w) | (hi << (64 − 4w)),
        // d1 = lo — r shifted right by (4w, 64), OR its qword swap shifted left by (64 − 4w, 0).
        let s = _mm256_shuffle_epi32::<0x4E>(r);
        let d = _mm256_or_si256(_mm256_srlv_epi64(r, k.sh_a), _mm256_sllv_epi64(s, k.sh_v));
        // 64 → 32: c_2j = d_j >> 2w (low half), c_2j+1 = d_j's low half (high half).
        let c =
            _mm256_blend_epi32::<0xAA>(_mm256_srl_epi64(d, k.cnt_2w), _mm256_slli_epi64::<32>(d));
        // 32 → 16 likewise.
        _mm256_blend_epi16::<0xAA>(_mm256_srl_epi32(c, k.cnt_w), _mm256_slli_epi32::<16>(c))
    }

    /// The exponents of the blocks whose OR of `x ^ (x >> 15)` is in the low 16 bits of the
    /// first 32-bit element of each 128-bit lane of `t` (the OR may leave garbage above them
    /// and in the other elements): `max(bit length(maxValue) + 1 − w, 0)` in that element, 0
    /// in the others — so each lane is a shift count for `vpsraw`. The bit length is that of
    /// the float conversion's exponent field (E = ⌊log2 m⌋ + 127 for m ≥ 1; 0 for m = 0, which
    /// gives 0), so the exponent is `max(E − 125 − w, 0)`: no scalar round trip and no branch
    /// (LLVM turned the scalar `d & !(d >> 31)` back into a maximum and the maximum into a
    /// data-dependent branch: 13.2 against 6.3 ns per PRB on random per-PRB amplitudes).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn exponents(t: __m256i, k: &Widths) -> __m256i {
        let m = _mm256_and_si256(t, _mm256_setr_epi32(0xFFFF, 0, 0, 0, 0xFFFF, 0, 0, 0));
        let e = _mm256_srli_epi32::<23>(_mm256_castps_si256(_mm256_cvtepi32_ps(m)));
        let bias = _mm256_set1_epi32(125 + k.w as i32);
        _mm256_max_epi32(_mm256_sub_epi32(e, bias), _mm256_setzero_si256())
    }

    /// ORs the 8 16-bit lanes of each 128-bit lane of `t` into the low 16 bits of its first
    /// 32-bit element.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn or_lanes(t: __m256i) -> __m256i {
        let t = _mm256_or_si256(t, _mm256_bsrli_epi128::<8>(t));
        let t = _mm256_or_si256(t, _mm256_bsrli_epi128::<4>(t));
        _mm256_or_si256(t, _mm256_srli_epi32::<16>(t))
    }

    /// Two PRBs loaded and their exponents: `a`, `b` the first 16 values of each, `c` the last
    /// 8 of both (the first PRB's in the low 128-bit lane), `e` their exponents (the first
    /// PRB's in the low lane; [`exponents`]).
    #[derive(Clone, Copy)]
    struct Pair {
        a: __m256i,
        b: __m256i,
        c: __m256i,
        e: __m256i,
    }

    /// Loads the two PRBs at `src` (48 values) and computes their exponents by one
    /// OR-reduction (a PRB per 128-bit lane).
    ///
    /// # Safety
    /// `src` readable for 48 i16; AVX2 available.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn load_pair(src: *const i16, k: &Widths) -> Pair {
        // SAFETY: the caller guarantees 48 readable values.
        let (a, b, c) = unsafe {
            (
                _mm256_loadu_si256(src.cast()),
                _mm256_loadu_si256(src.add(24).cast()),
                _mm256_loadu2_m128i(src.add(40).cast(), src.add(16).cast()),
            )
        };
        let f = |v: __m256i| _mm256_xor_si256(v, _mm256_srai_epi16::<15>(v));
        let (fa, fb, fc) = (f(a), f(b), f(c));
        let t = _mm256_or_si256(
            _mm256_or_si256(
                _mm256_permute2x128_si256::<0x20>(fa, fb),
                _mm256_permute2x128_si256::<0x31>(fa, fb),
            ),
            fc,
        );
        let e = exponents(or_lanes(t), k);
        Pair { a, b, c, e }
    }

    /// Writes a loaded pair as two blocks at `dst` (the second at `dst + 1 + 3w`), which must
    /// have `2 + 5w + 16` writable bytes (the last group's 16-byte store runs `16 − w` bytes
    /// past the blocks; the caller's next block, or a bounce buffer, absorbs them): each PRB's
    /// values shifted by its exponent (the shared register `c` lane by lane) and packed —
    /// three packs for two PRBs.
    ///
    /// # Safety
    /// `dst` writable for `2 + 5w + 16` bytes; AVX2 available.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn store_pair<const MADD: bool>(q: Pair, dst: *mut u8, k: &Widths) {
        let (cnt_a, cnt_b) = (
            _mm256_castsi256_si128(q.e),
            _mm256_extracti128_si256::<1>(q.e),
        );
        let ga = pack::<MADD>(_mm256_sra_epi16(q.a, cnt_a), k);
        let gb = pack::<MADD>(_mm256_sra_epi16(q.b, cnt_b), k);
        let c =
            _mm256_blend_epi32::<0xF0>(_mm256_sra_epi16(q.c, cnt_a), _mm256_sra_epi16(q.c, cnt_b));
        let gc = pack::<MADD>(c, k);
        let w = k.w as usize;
        // SAFETY: the caller guarantees 18 + 5w writable bytes; the last store ends there.
        unsafe {
            // The exponent byte and a zero after it, which the data store overwrites.
            _mm_storeu_si16(dst.cast(), cnt_a);
            _mm_storeu_si128(dst.add(1).cast(), _mm256_castsi256_si128(ga));
            _mm_storeu_si128(dst.add(1 + w).cast(), _mm256_extracti128_si256::<1>(ga));
            _mm_storeu_si128(dst.add(1 + 2 * w).cast(), _mm256_castsi256_si128(gc));
            // B's exponent after A's stores, which run 16 − w bytes into B's block.
            let dst = dst.add(1 + 3 * w);
            _mm_storeu_si16(dst.cast(), cnt_b);
            _mm_storeu_si128(dst.add(1).cast(), _mm256_castsi256_si128(gb));
            _mm_storeu_si128(dst.add(1 + w).cast(), _mm256_extracti128_si256::<1>(gb));
            _mm_storeu_si128(dst.add(1 + 2 * w).cast(), _mm256_extracti128_si256::<1>(gc));
        }
    }

    /// Decompresses one PRB from `src` (which must have `1 + 2w + 16` readable bytes) into
    /// `dst` (24 values). Returns the exponent; writes nothing when it exceeds `16 − w`.
    ///
    /// # Safety
    /// `src` readable for `1 + 2w + 16` bytes, `dst` writable for 24 i16; AVX2 available.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn decompress_prb(src: *const u8, dst: *mut i16, k: &Widths) -> u32 {
        // SAFETY: the caller guarantees the readable and writable extents above.
        unsafe {
            let e = u32::from(*src & 0x0F);
            if e > 16 - k.w {
                return e;
            }
            let w = k.w as usize;
            let b01 = _mm256_set_m128i(
                _mm_loadu_si128(src.add(1 + w).cast()),
                _mm_loadu_si128(src.add(1).cast()),
            );
            let b2 = _mm256_zextsi128_si256(_mm_loadu_si128(src.add(1 + 2 * w).cast()));
            let shr = _mm_cvtsi32_si128((16 - k.w - e) as i32);
            let v01 = _mm256_sra_epi16(_mm256_sll_epi16(unpack(b01, k), k.cnt_16mw), shr);
            let v2 = _mm256_sra_epi16(_mm256_sll_epi16(unpack(b2, k), k.cnt_16mw), shr);
            _mm256_storeu_si256(dst.cast(), v01);
            _mm_storeu_si128(dst.add(16).cast(), _mm256_castsi256_si128(v2));
            e
        }
    }

    /// Decompresses two PRBs from `src` (the second block at `src + 1 + 3w`; `2 + 5w + 16`
    /// readable bytes) into `dst` (48 values) when both exponents are at most `16 − w`, as
    /// [`decompress_prb`] twice but with the two PRBs' last groups in one register (three
    /// unpacks for two PRBs); returns false, writing nothing, otherwise.
    ///
    /// # Safety
    /// `src` readable for `2 + 5w + 16` bytes, `dst` writable for 48 i16; AVX2 available.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn decompress_pair(src: *const u8, dst: *mut i16, k: &Widths) -> bool {
        let w = k.w as usize;
        // SAFETY: the caller guarantees the readable and writable extents above.
        unsafe {
            let sb = src.add(1 + 3 * w);
            let (ea, eb) = (u32::from(*src & 0x0F), u32::from(*sb & 0x0F));
            if ea.max(eb) > 16 - k.w {
                return false;
            }
            let groups = |p: *const u8| {
                _mm256_set_m128i(
                    _mm_loadu_si128(p.add(1 + w).cast()),
                    _mm_loadu_si128(p.add(1).cast()),
                )
            };
            let last = _mm256_loadu2_m128i(sb.add(1 + 2 * w).cast(), src.add(1 + 2 * w).cast());
            let field = |b: __m256i| _mm256_sll_epi16(unpack(b, k), k.cnt_16mw);
            let (ra, rb) = (
                _mm_cvtsi32_si128((16 - k.w - ea) as i32),
                _mm_cvtsi32_si128((16 - k.w - eb) as i32),
            );
            let va = _mm256_sra_epi16(field(groups(src)), ra);
            let vb = _mm256_sra_epi16(field(groups(sb)), rb);
            let l = field(last);
            let vl = _mm256_blend_epi32::<0xF0>(_mm256_sra_epi16(l, ra), _mm256_sra_epi16(l, rb));
            _mm256_storeu_si256(dst.cast(), va);
            _mm_storeu_si128(dst.add(16).cast(), _mm256_castsi256_si128(vl));
            _mm256_storeu_si256(dst.add(24).cast(), vb);
            _mm_storeu_si128(dst.add(40).cast(), _mm256_extracti128_si256::<1>(vl));
            true
        }
    }

    /// Compresses whole PRBs: `iq.len() = 24·n`, `out.len() ≥ n·(1 + 3w)` (caller-checked);
    /// bytes of `out` past the n PRBs may be overwritten (the pairs' overrun where it fits).
    #[target_feature(enable = "avx2")]
    pub(crate) fn compress(iq: &[i16], w: u32, out: &mut [u8]) {
        with_merges!(w, compress_with(iq, w, out))
    }

    /// [`compress`] with `pack::<MADD>`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn compress_with<const MADD: bool>(iq: &[i16], w: u32, out: &mut [u8]) {
        let k = widths(w);
        let size = 1 + 3 * w as usize;
        let reach = 17 + 2 * w as usize;
        let n = iq.len() / PRB;
        // Pairs while the second block's overrun stays inside `out` — the next pair loaded
        // (and its exponents computed) before this one is packed: the exponents' chain is
        // long, and the packs of one pair hide it for the next — then the rest (one or two
        // PRBs) through bounce buffers.
        let fits = (out.len() + 1)
            .saturating_sub(size + reach)
            .div_ceil(2 * size);
        let pairs = (n / 2).min(fits);
        if pairs > 0 {
            // SAFETY: pair j reads 48 values from 48·j < 24·n and writes size + reach bytes from
            // 2j·size, inside `out` for j < fits.
            unsafe {
                let mut q = load_pair(iq.as_ptr(), &k);
                for j in 1..pairs {
                    let next = load_pair(iq.as_ptr().add(2 * j * PRB), &k);
                    store_pair::<MADD>(q, out.as_mut_ptr().add(2 * (j - 1) * size), &k);
                    q = next;
                }
                store_pair::<MADD>(q, out.as_mut_ptr().add(2 * (pairs - 1) * size), &k);
            }
        }
        let mut p = 2 * pairs;
        while p < n {
            let take = (n - p).min(2);
            let mut bounce = [0u8; 2 + 5 * 16 + 16];
            let q = if take == 2 {
                // SAFETY: 48 values from 24·p (p + 2 ≤ n).
                unsafe { load_pair(iq.as_ptr().add(p * PRB), &k) }
            } else {
                let mut src = [0i16; 2 * PRB];
                src[..PRB].copy_from_slice(&iq[p * PRB..(p + 1) * PRB]);
                // SAFETY: src holds 48 values.
                unsafe { load_pair(src.as_ptr(), &k) }
            };
            // SAFETY: bounce holds 2 + 5·16 + 16 bytes.
            unsafe { store_pair::<MADD>(q, bounce.as_mut_ptr(), &k) };
            out[p * size..(p + take) * size].copy_from_slice(&bounce[..take * size]);
            p += take;
        }
    }

    /// Whether [`compress_blocks`] and [`decompress_blocks`] take blocks of `len` values:
    /// whole groups of 8 fields (w bytes each), at least one.
    pub(crate) fn blocks_fit(len: usize) -> bool {
        len >= 8 && len.is_multiple_of(8)
    }

    /// Compresses blocks of `len` values ([`blocks_fit`]; a beamforming weight vector of
    /// `len / 2` TRX, say): `values.len() = n·len`, `out.len() = n·(1 + len·w/8)`
    /// (caller-checked). Per block the exponent from one OR-reduction of all its values (as
    /// for PRBs), then 16 values per register packed into two w-byte groups ([`pack`]) and
    /// stored 16 bytes each — the last store of a block runs `16 − w` bytes into the next
    /// block, which is written after it; the last block goes through a bounce buffer.
    #[target_feature(enable = "avx2")]
    pub(crate) fn compress_blocks(values: &[i16], len: usize, w: u32, out: &mut [u8]) {
        with_merges!(w, compress_blocks_with(values, len, w, out))
    }

    /// [`compress_blocks`] with `pack::<MADD>`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn compress_blocks_with<const MADD: bool>(values: &[i16], len: usize, w: u32, out: &mut [u8]) {
        let k = widths(w);
        let wb = w as usize;
        let size = 1 + len / 8 * wb;
        // One block into `dst` (size + 16 − w writable bytes).
        let block = |src: &[i16], dst: *mut u8| {
            let load = |j: usize| {
                // SAFETY: 16 values from 16·j, or the last 8 (zero-extended) when len is an odd
                // number of groups: inside `src` (len values).
                unsafe {
                    if 16 * j + 16 <= len {
                        _mm256_loadu_si256(src.as_ptr().add(16 * j).cast())
                    } else {
                        _mm256_zextsi128_si256(_mm_loadu_si128(src.as_ptr().add(16 * j).cast()))
                    }
                }
            };
            let chunks = len.div_ceil(16);
            let mut t = _mm256_setzero_si256();
            for j in 0..chunks {
                let v = load(j);
                t = _mm256_or_si256(t, _mm256_xor_si256(v, _mm256_srai_epi16::<15>(v)));
            }
            let t = _mm256_or_si256(t, _mm256_permute2x128_si256::<0x01>(t, t));
            let cnt = _mm256_castsi256_si128(exponents(or_lanes(t), &k));
            // SAFETY: the caller's dst has size + 16 − w bytes: the exponent byte and a zero
            // after it (overwritten by the data), group g's 16-byte store at 1 + g·w ends at
            // most at size + 16 − w.
            unsafe {
                _mm_storeu_si16(dst.cast(), cnt);
                for j in 0..chunks {
                    let g = pack::<MADD>(_mm256_sra_epi16(load(j), cnt), &k);
                    _mm_storeu_si128(dst.add(1 + 2 * j * wb).cast(), _mm256_castsi256_si128(g));
                    if 16 * j + 16 <= len {
                        let hi = _mm256_extracti128_si256::<1>(g);
                        _mm_storeu_si128(dst.add(1 + (2 * j + 1) * wb).cast(), hi);
                    }
                }
            }
        };
        for (b, src) in values.chunks_exact(len).enumerate() {
            let at = b * size;
            if at + size + 16 - wb <= out.len() {
                block(src, out[at..].as_mut_ptr());
            } else if size + 16 <= BLOCK_BOUNCE {
                // The last block through a bounce buffer.
                let mut bounce = [0u8; BLOCK_BOUNCE];
                block(src, bounce.as_mut_ptr());
                out[at..at + size].copy_from_slice(&bounce[..size]);
            } else {
                super::compress_scalar(src, len, w, &mut out[at..at + size]);
            }
        }
    }

    /// Bytes of [`compress_blocks`]' and [`decompress_blocks`]' bounce buffer for the last
    /// block: blocks up to 1 KiB − 16 (504 values at w = 16) go through it, longer ones through
    /// the scalar code.
    const BLOCK_BOUNCE: usize = 1024;

    /// Decompresses blocks of `len` values ([`blocks_fit`]): `payload.len() = n·(1 + len·w/8)`,
    /// `out.len() = n·len` (caller-checked); `Err((block, exponent))` at the first exponent
    /// above `16 − w` (earlier blocks written, as the scalar reference). Two w-byte groups per
    /// register, split by [`unpack`], sign-extended and scaled by a shift pair; a group's
    /// 16-byte load reads `16 − w` bytes past it, so the last block is read from a bounce
    /// buffer.
    #[target_feature(enable = "avx2")]
    pub(crate) fn decompress_blocks(
        payload: &[u8],
        len: usize,
        w: u32,
        out: &mut [i16],
    ) -> Result<(), (usize, u32)> {
        let k = widths(w);
        let wb = w as usize;
        let size = 1 + len / 8 * wb;
        // One block from `src` (size + 16 − w readable bytes) into `dst` (len values).
        let block = |src: *const u8, dst: &mut [i16]| -> u32 {
            // SAFETY: the caller's src has size + 16 − w bytes: group g's 16-byte load at
            // 1 + g·w ends at most there; dst holds len values, 16 (or the last 8) per step.
            unsafe {
                let e = u32::from(*src & 0x0F);
                if e > 16 - w {
                    return e;
                }
                let shr = _mm_cvtsi32_si128((16 - w - e) as i32);
                for j in 0..len.div_ceil(16) {
                    let lo = _mm_loadu_si128(src.add(1 + 2 * j * wb).cast());
                    let full = 16 * j + 16 <= len;
                    let hi = if full {
                        _mm_loadu_si128(src.add(1 + (2 * j + 1) * wb).cast())
                    } else {
                        _mm_setzero_si128()
                    };
                    let v = unpack(_mm256_set_m128i(hi, lo), &k);
                    let v = _mm256_sra_epi16(_mm256_sll_epi16(v, k.cnt_16mw), shr);
                    if full {
                        _mm256_storeu_si256(dst.as_mut_ptr().add(16 * j).cast(), v);
                    } else {
                        let lo = _mm256_castsi256_si128(v);
                        _mm_storeu_si128(dst.as_mut_ptr().add(16 * j).cast(), lo);
                    }
                }
                e
            }
        };
        for (b, dst) in out.chunks_exact_mut(len).enumerate() {
            let at = b * size;
            let e = if at + size + 16 - wb <= payload.len() {
                block(payload[at..].as_ptr(), dst)
            } else if size + 16 <= BLOCK_BOUNCE {
                let mut bounce = [0u8; BLOCK_BOUNCE];
                bounce[..size].copy_from_slice(&payload[at..at + size]);
                block(bounce.as_ptr(), dst)
            } else {
                match super::decompress_scalar(&payload[at..at + size], len, w, dst) {
                    Ok(()) => 0,
                    Err((_, e)) => e,
                }
            };
            if e > 16 - w {
                return Err((b, e));
            }
        }
        Ok(())
    }

    /// Per width w (index 0 unused), [`decompress_vbmi`]'s byte permutation and shift counts:
    /// field i starts at bit w·i of the data (byte 1 on) — byte j = w·i / 8, bit s = w·i mod 8
    /// from that byte's most significant bit — and 32-bit lane i takes wire bytes 1 + j … 4 + j
    /// big-endian (lane byte 3 − k ← wire byte 1 + j + k), to be shifted left by s. Built at
    /// compile time, so a call (one per U-plane section) does no set-up.
    static VBMI_FIELDS: [([u8; 128], [u32; 32]); 17] = vbmi_fields();

    const fn vbmi_fields() -> [([u8; 128], [u32; 32]); 17] {
        let mut t = [([0u8; 128], [0u32; 32]); 17];
        let mut w = 1;
        while w <= 16 {
            let mut i = 0;
            while i < PRB {
                let (j, b) = ((w * i) / 8, (w * i) % 8);
                let mut k = 0;
                while k < 4 {
                    let byte = 1 + j + k;
                    t[w].0[4 * i + 3 - k] = if byte < 63 { byte } else { 63 } as u8;
                    k += 1;
                }
                t[w].1[i] = b as u32;
                i += 1;
            }
            w += 1;
        }
        t
    }

    /// Per width w (index 0 unused), [`compress_vbmi`]'s compaction: wire byte j of the 3w
    /// data bytes (group g = j / w of 8 fields, byte b = j mod w, most significant first)
    /// comes from byte `16g + w − 1 − b` of the register holding each group's 8w-bit number
    /// little-endian in the low w bytes of 128-bit lane g. Bytes past 3w select 0 (unused: the
    /// store is masked).
    static VBMI_COMPACT: [[u8; 64]; 17] = vbmi_compact();

    const fn vbmi_compact() -> [[u8; 64]; 17] {
        let mut t = [[0u8; 64]; 17];
        let mut w = 1;
        while w <= 16 {
            let mut j = 0;
            while j < 3 * w {
                t[w][j] = (16 * (j / w) + w - 1 - j % w) as u8;
                j += 1;
            }
            w += 1;
        }
        t
    }

    /// [`compress`] with AVX-512 VBMI, one PRB per step in one register: the 24 values as
    /// 16-bit lanes, the exponent from the OR-reduction of `x ^ (x >> 15)` (as [`compress`]),
    /// the shifted mantissas masked to w bits and merged pairwise in 32-, 64- and 128-bit
    /// lanes as `pack` merges them (each 128-bit lane then holds 8 fields, w bytes), one
    /// `vpermb` putting the three groups' bytes in network order side by side, one masked
    /// store of the 3w bytes; the next PRB's exponent computed before this one is packed. The
    /// same bytes as [`compress`] and the scalar reference.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub(crate) fn compress_vbmi(iq: &[i16], w: u32, out: &mut [u8]) {
        with_merges!(w, compress_vbmi_with(iq, w, out))
    }

    /// [`compress_vbmi`] with `pack::<MADD>`'s merges.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    fn compress_vbmi_with<const MADD: bool>(iq: &[i16], w: u32, out: &mut [u8]) {
        let size = 1 + 3 * w as usize;
        let k = widths(w);
        // SAFETY: the table row holds 64 bytes.
        let compact = unsafe { _mm512_loadu_si512(VBMI_COMPACT[w as usize].as_ptr().cast()) };
        let data_mask: u64 = (1u64 << (3 * w)) - 1;
        let w64 = i64::from(w);
        let mask16 = _mm512_set1_epi16(((1u32 << w) - 1) as u16 as i16);
        let cnt_w = _mm_cvtsi32_si128(w as i32);
        let cnt_2w = _mm_cvtsi32_si128(2 * w as i32);
        let madd_w = _mm512_set1_epi32((1 << 16) | ((1i32 << w.min(MADD_MAX_W)) & 0xFFFF));
        let mul_2w = _mm512_set1_epi64(1i64 << (2 * w.min(MADD_MAX_W)));
        // 64 → 128 per 128-bit lane as `pack`: lo = (d0 << 4w) | d1, hi = d0 >> (64 − 4w).
        let sh_a = _mm512_setr_epi64(4 * w64, 64, 4 * w64, 64, 4 * w64, 64, 4 * w64, 64);
        let r = 64 - 4 * w64;
        let sh_r = _mm512_setr_epi64(0, r, 0, r, 0, r, 0, r);
        // One PRB loaded and its shift count, computed a PRB ahead of its packing (as
        // `compress`' pairs: the packs of one PRB hide the exponent chain of the next).
        let load = |src: &[i16]| {
            // SAFETY: src holds 24 i16 (48 bytes, the masked load's 24 lanes).
            let v = unsafe { _mm512_maskz_loadu_epi16(0x00FF_FFFF, src.as_ptr().cast()) };
            let f = _mm512_xor_si512(v, _mm512_srai_epi16::<15>(v));
            let y = _mm256_or_si256(_mm512_castsi512_si256(f), _mm512_extracti64x4_epi64::<1>(f));
            let x = _mm_or_si128(_mm256_castsi256_si128(y), _mm256_extracti128_si256::<1>(y));
            let e = exponents(or_lanes(_mm256_zextsi128_si256(x)), &k);
            (v, _mm256_castsi256_si128(e))
        };
        let store = |(v, cnt): (__m512i, __m128i), dst: &mut [u8]| {
            let m = _mm512_and_si512(_mm512_sra_epi16(v, cnt), mask16);
            let d = if MADD {
                let c = _mm512_madd_epi16(m, madd_w);
                _mm512_add_epi64(_mm512_mul_epu32(c, mul_2w), _mm512_srli_epi64::<32>(c))
            } else {
                // 16 → 32: (f_2k << w) | f_2k+1; 32 → 64: (c_2j << 2w) | c_2j+1.
                let c = _mm512_or_si512(
                    _mm512_sll_epi32(_mm512_and_si512(m, _mm512_set1_epi32(0xFFFF)), cnt_w),
                    _mm512_srli_epi32::<16>(m),
                );
                _mm512_or_si512(
                    _mm512_sll_epi64(_mm512_and_si512(c, _mm512_set1_epi64(0xFFFF_FFFF)), cnt_2w),
                    _mm512_srli_epi64::<32>(c),
                )
            };
            let s = _mm512_shuffle_epi32::<0x4E>(d);
            let r = _mm512_or_si512(_mm512_sllv_epi64(d, sh_a), _mm512_srlv_epi64(s, sh_r));
            let bytes = _mm512_permutexvar_epi8(compact, r);
            // SAFETY: dst holds 1 + 3w bytes: the exponent byte and a zero after it (which the
            // data store overwrites), then the masked store's 3w bytes.
            unsafe {
                _mm_storeu_si16(dst.as_mut_ptr().cast(), cnt);
                _mm512_mask_storeu_epi8(dst.as_mut_ptr().add(1).cast(), data_mask, bytes);
            }
        };
        let mut blocks = iq.chunks_exact(PRB).zip(out.chunks_exact_mut(size));
        if let Some((src, mut dst)) = blocks.next() {
            let mut q = load(src);
            for (src, next_dst) in blocks {
                let next = load(src);
                store(q, dst);
                (q, dst) = (next, next_dst);
            }
            store(q, dst);
        }
    }

    /// Whether [`compress_vbmi`] is the compression to use here: [`has_vbmi`] on an Intel
    /// core. Its ≈ 30 512-bit operations per PRB replace ≈ 42 256-bit ones of [`compress`]'s
    /// pairs — a gain where a 512-bit operation issues as one (Intel: measured with the earlier
    /// forms of both, 43 against 62), a loss where it issues as two 256-bit halves (AMD Zen 4:
    /// 5.5–5.9 against 3.4–3.5 ns per PRB), so other vendors keep the AVX2 kernel.
    /// (Decompression's ≈ 12 against ≈ 30 wins on both.)
    pub(crate) fn prefers_vbmi_compress() -> bool {
        crate::backend::intel_cpu() && has_vbmi()
    }

    /// Whether this CPU runs [`decompress_vbmi`] and [`compress_vbmi`] (AVX-512 F, BW and
    /// VBMI).
    pub(crate) fn has_vbmi() -> bool {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vbmi")
    }

    /// [`decompress`] with AVX-512 VBMI, one PRB per step and no lane merges: each field's
    /// four wire bytes (from the byte holding its first bit) are permuted big-endian into a
    /// 32-bit lane (`vpermb`), shifted left by the field's bit offset in that byte so that it
    /// tops the lane, shifted right arithmetically by `32 − w` (sign extension) and left by the
    /// exponent; `vpmovdw` narrows the 24 lanes to int16. A PRB's wire bytes are at most
    /// `1 + 3·16 = 49`, so one 64-byte load (masked where fewer than 64 bytes remain) holds
    /// them all. The same values as [`decompress`] and the scalar reference, bit for bit.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub(crate) fn decompress_vbmi(
        payload: &[u8],
        w: u32,
        out: &mut [i16],
    ) -> Result<(), (usize, u32)> {
        let size = 1 + 3 * w as usize;
        let (idx, sh) = &VBMI_FIELDS[w as usize];
        // SAFETY: the arrays hold 128 bytes / 32 u32: four 64-byte loads.
        let (idx0, idx1, sh0, sh1) = unsafe {
            (
                _mm512_loadu_si512(idx.as_ptr().cast()),
                _mm512_loadu_si512(idx.as_ptr().add(64).cast()),
                _mm512_loadu_si512(sh.as_ptr().cast()),
                _mm512_loadu_si512(sh.as_ptr().add(16).cast()),
            )
        };
        let sign = _mm_cvtsi32_si128(32 - w as i32);
        for (p, dst) in out.chunks_exact_mut(PRB).enumerate() {
            let at = p * size;
            let e = u32::from(payload[at] & 0x0F);
            if e > 16 - w {
                return Err((p, e));
            }
            let left = payload.len() - at;
            // SAFETY: a full load reads 64 bytes from `at` (≤ len − 64 checked); the masked
            // one reads only the `left` bytes that exist (masked-out bytes are not accessed).
            let b = unsafe {
                if left >= 64 {
                    _mm512_loadu_si512(payload.as_ptr().add(at).cast())
                } else {
                    _mm512_maskz_loadu_epi8((1u64 << left) - 1, payload.as_ptr().add(at).cast())
                }
            };
            let cnt_e = _mm_cvtsi32_si128(e as i32);
            let field = |idx: __m512i, sh: __m512i| {
                let v = _mm512_sllv_epi32(_mm512_permutexvar_epi8(idx, b), sh);
                _mm512_sll_epi32(_mm512_sra_epi32(v, sign), cnt_e)
            };
            let (v0, v1) = (field(idx0, sh0), field(idx1, sh1));
            // SAFETY: dst holds 24 i16: 16 from the first lanes, 8 from the second's low half.
            unsafe {
                _mm256_storeu_si256(dst.as_mut_ptr().cast(), _mm512_cvtepi32_epi16(v0));
                _mm_storeu_si128(
                    dst.as_mut_ptr().add(16).cast(),
                    _mm256_castsi256_si128(_mm512_cvtepi32_epi16(v1)),
                );
            }
        }
        Ok(())
    }

    /// Decompresses whole PRBs; `Err((prb, exponent))` at the first exponent above `16 − w`.
    #[target_feature(enable = "avx2")]
    pub(crate) fn decompress(payload: &[u8], w: u32, out: &mut [i16]) -> Result<(), (usize, u32)> {
        let k = widths(w);
        let size = 1 + 3 * w as usize;
        let reach = 17 + 2 * w as usize;
        let mut bounce = [0u8; 64];
        let n = out.len() / PRB;
        let mut p = 0;
        // Pairs while the second block's 16-byte reads stay inside `payload`.
        while p + 2 <= n && (p + 1) * size + reach <= payload.len() {
            // SAFETY: payload has size + reach bytes from p·size (checked); out 48 values from
            // 24·p.
            let done = unsafe {
                decompress_pair(
                    payload.as_ptr().add(p * size),
                    out.as_mut_ptr().add(p * PRB),
                    &k,
                )
            };
            if !done {
                break;
            }
            p += 2;
        }
        for (p, dst) in out.chunks_exact_mut(PRB).enumerate().skip(p) {
            let at = p * size;
            let e = if at + reach <= payload.len() {
                // SAFETY: payload has `reach` bytes from `at` (checked); dst holds 24 values.
                unsafe { decompress_prb(payload.as_ptr().add(at), dst.as_mut_ptr(), &k) }
            } else {
                bounce[..size].copy_from_slice(&payload[at..at + size]);
                // SAFETY: bounce holds 64 ≥ 17 + 2·16 bytes; dst holds 24 values.
                unsafe { decompress_prb(bounce.as_ptr(), dst.as_mut_ptr(), &k) }
            };
            if e > 16 - w {
                return Err((p, e));
            }
        }
        Ok(())
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;

    /// PRBs whose amplitudes change from PRB to PRB without a pattern (every exponent occurs,
    /// and neighbouring PRBs of a pair differ), with full-scale and all-zero PRBs.
    fn mixed_prbs(n: usize) -> Vec<i16> {
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let mut v = Vec::with_capacity(24 * n);
        for _ in 0..n {
            let bits = (next() % 18) as u32;
            for _ in 0..24 {
                v.push(match bits {
                    0 => 0,
                    17 => [i16::MIN, i16::MAX][(next() & 1) as usize],
                    b => (next() as i32 % (1 << (b - 1).min(15))) as i16,
                });
            }
        }
        v
    }

    /// Runs `check(w, n, prbs, reference payload)` for every width and the PRB counts 1–5, 17
    /// and 40 (pairs and tails of one or two PRBs) on [`mixed_prbs`].
    fn for_every_width_and_count(mut check: impl FnMut(u32, usize, &[i16], &[u8])) {
        for w in 1..=16 {
            for n in [1, 2, 3, 4, 5, 17, 40] {
                let iq = mixed_prbs(n);
                let mut want = vec![0u8; n * block_bytes(24, w)];
                compress_scalar(&iq, 24, w, &mut want);
                check(w, n, &iq, &want);
            }
        }
    }

    /// Both x86 compressions — the AVX2 pairs (multiply-add merges up to w = 14, shifts
    /// above; a pair per step plus a tail of one or two PRBs) and, where the CPU has VBMI
    /// (whatever its vendor: `Kernels` runs it on Intel only), the one-PRB-per-register
    /// kernel — write the scalar reference's bytes for every width and PRB count.
    #[test]
    fn x86_compressions_are_the_reference_for_every_width() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        for_every_width_and_count(|w, n, iq, want| {
            let mut got = vec![0xA5u8; want.len()];
            // SAFETY: AVX2 checked above.
            unsafe { x86::compress(iq, w, &mut got) };
            assert_eq!(got, want, "avx2 w={w} n={n}");
            if x86::has_vbmi() {
                let mut got = vec![0xA5u8; want.len()];
                // SAFETY: AVX-512 F, BW and VBMI checked.
                unsafe { x86::compress_vbmi(iq, w, &mut got) };
                assert_eq!(got, want, "vbmi w={w} n={n}");
            }
        });
    }

    /// The AVX2 decompression (pairs of PRBs, then single ones) gives the reference's values
    /// for every width and PRB count; an exponent above `16 − w` (a nibble: w ≥ 2) in the
    /// second PRB of a pair is named with its PRB, the PRBs before it written as the reference
    /// writes them.
    #[test]
    fn avx2_decompression_is_the_reference_for_every_width() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        for_every_width_and_count(|w, n, _, p| {
            let size = block_bytes(24, w);
            let mut want = vec![0i16; 24 * n];
            decompress_scalar(p, 24, w, &mut want).unwrap();
            let mut got = vec![0x5A5Au16 as i16; 24 * n];
            // SAFETY: AVX2 checked above.
            assert_eq!(unsafe { x86::decompress(p, w, &mut got) }, Ok(()));
            assert_eq!(got, want, "w={w} n={n}");
            if (2..16).contains(&w) && n >= 5 {
                let mut p = p.to_vec();
                p[3 * size] = (17 - w) as u8;
                let mut got = vec![0i16; 24 * n];
                // SAFETY: AVX2 checked above.
                let r = unsafe { x86::decompress(&p, w, &mut got) };
                assert_eq!(r, Err((3, 17 - w)), "w={w} n={n}");
                assert_eq!(got[..72], want[..72], "w={w} n={n}");
            }
        });
    }
}

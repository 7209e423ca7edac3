//! Memory advice for large buffers: transparent huge pages for slot grids.
//!
//! A slot grid of 64 antennas × 14 symbols × 3276 subcarriers is 23 MB; the blocks that walk it
//! across antennas (estimation gathers, per-PRB detection, precoder application) touch one
//! 4 KiB page per antenna row at a time — more pages than the first-level TLB holds. On Linux
//! with transparent huge pages in `madvise` mode (the common default) a buffer gets 2 MiB
//! pages only when asked; [`advise_huge_pages`] asks. Elsewhere, or when the kernel refuses,
//! nothing changes: the advice never affects contents or correctness.

/// Advises the kernel to back the allocation of `v` (its whole capacity, including the spare
/// part not yet written) with transparent huge pages. Call it right after reserving and before
/// first writing the buffer: pages already touched keep their size. Returns whether the advice
/// was given and accepted (false off Linux, for buffers smaller than one huge page, or when
/// the kernel declines).
pub fn advise_huge_pages<T>(v: &mut Vec<T>) -> bool {
    let bytes = v.capacity().saturating_mul(std::mem::size_of::<T>());
    advise(v.as_mut_ptr() as usize, bytes)
}

#[cfg(target_os = "linux")]
fn advise(start: usize, bytes: usize) -> bool {
    const HUGE: usize = 2 << 20;
    const PAGE: usize = 4096;
    if bytes < HUGE {
        return false;
    }
    // The page-aligned interior of the allocation.
    let Some(end) = start.checked_add(bytes) else {
        return false;
    };
    let first = start.div_ceil(PAGE) * PAGE;
    let last = end / PAGE * PAGE;
    if last <= first {
        return false;
    }
    // SAFETY: [first, last) lies inside the caller's live allocation (a Vec's capacity) and is
    // page-aligned; MADV_HUGEPAGE only changes how the kernel backs those pages, never their
    // contents or validity, so no Rust reference is affected.
    let rc = unsafe {
        libc::madvise(
            first as *mut libc::c_void,
            last - first,
            libc::MADV_HUGEPAGE,
        )
    };
    rc == 0
}

#[cfg(not(target_os = "linux"))]
fn advise(_start: usize, _bytes: usize) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_keeps_contents_and_skips_small_buffers() {
        let mut small: Vec<f32> = Vec::with_capacity(1000);
        assert!(!advise_huge_pages(&mut small), "smaller than one huge page");
        let mut big: Vec<u64> = (0..1_000_000u64).collect();
        let _ = advise_huge_pages(&mut big); // accepted or not: the system's choice
        assert!(big.iter().enumerate().all(|(i, &v)| v == i as u64));
        let mut empty: Vec<u8> = Vec::new();
        assert!(!advise_huge_pages(&mut empty));
    }
}

//! A counting global allocator: proves that a `process` call (or a kernel) allocates nothing.
//!
//! Use it in a test crate with
//! ```ignore
//! mod support;
//! use support::alloc_counter::{CountingAlloc, allocations_during};
//! #[global_allocator]
//! static ALLOC: CountingAlloc = CountingAlloc;
//! let (n, result) = allocations_during(|| processor.process(&input, &mut output));
//! assert_eq!(n, 0);
//! ```
//! Counts are per thread, so tests running in parallel do not disturb each other.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

/// Forwards to the system allocator and counts allocations and reallocations on this thread.
pub struct CountingAlloc;

fn bump() {
    // `try_with` fails only during thread teardown; those allocations are not ours to count.
    let _ = COUNT.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// counter is a const-initialised thread-local `Cell`, which never allocates.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: forwarded contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: forwarded contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump();
        // SAFETY: forwarded contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Number of allocations (including reallocations) `f` made on this thread, and its result.
pub fn allocations_during<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = COUNT.with(Cell::get);
    let r = f();
    (COUNT.with(Cell::get) - before, r)
}

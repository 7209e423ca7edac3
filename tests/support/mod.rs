//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod alloc_counter;
pub mod err;
pub mod multipath;
pub mod slot;

//! Locking that outlives a panicking holder.

use std::sync::{Mutex, MutexGuard};

/// Locks, recovering from poisoning: a panicking handler must not take the
/// state down with it (every writer leaves it consistent between statements).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

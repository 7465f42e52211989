//! Interrupts (SIGINT, SIGTERM, SIGHUP): temporary outputs are removed and
//! a pack being put in place is finished or rolled back before the process
//! ends, through the library's `file::interrupt`.

/// Routes the interrupting signals through `file::interrupt`.
#[cfg(unix)]
pub fn install() {
    extern "C" fn handler(signal: libc::c_int) {
        if fairaudit::file::interrupt::on_signal(signal) {
            // Deferred: the critical section acts on it when it ends.
            return;
        }
        // End the process as the signal would have: restore the default
        // action and raise it again (both async-signal-safe).
        // SAFETY: plain libc calls with valid arguments.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: installing a handler that only makes async-signal-safe
        // calls.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler as extern "C" fn(libc::c_int) as usize;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// Without unix signals there is nothing to route.
#[cfg(not(unix))]
pub fn install() {}

/// Acts on an interrupt that arrived during a critical section: ends the
/// process as the signal would have, now that the pack is whole.
#[cfg(unix)]
pub fn act_on_deferred() {
    if let Some(signal) = fairaudit::file::interrupt::take_pending() {
        // SAFETY: plain libc calls with valid arguments.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
}

/// Without unix signals there is nothing deferred.
#[cfg(not(unix))]
pub fn act_on_deferred() {}

//! Limits on what a run may cost, so that a runaway report template ends
//! in a Chinese message instead of a hang, an abort or the OOM killer.
//!
//! Templates stay the county's own to edit, so a loop that never ends or a
//! value of gigabytes is an input like any other. minijinja has fuel
//! (`report::templates`); typst has neither fuel nor a way to cancel a
//! compile. So every template run goes through [`bounded`]: the work runs
//! on a worker thread while the caller waits at most the
//! [template timeout](set_template_timeout); a run that does not finish is
//! left behind (it cannot be stopped) and the caller reports it, after
//! which the command exits normally, dropping its staged folders, and the
//! runaway thread ends with the process.
//!
//! Memory is capped process-wide by [`Counting`], the binary's global
//! allocator, which counts live heap bytes. An allocation that would pass
//! the cap is never refused (Rust would abort): on a template worker
//! under [`bounded`], the thread is parked for good and the waiting caller
//! reports "内存超过上限"; on any other thread (which someone may be
//! waiting to join), the message is printed, every folder and temporary
//! file registered with [`remove_on_abort`] is removed, and the process
//! exits with code 1.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Default of `--template-timeout`, in seconds: how long one template run
/// (minijinja's rendering, or typst's compile of the generated source) may
/// take. On a loaded 2-core machine, 泗县's 257-page report compiles in
/// 14 s and a synthetic 1,000-school county's 1,411 pages in about 70 s
/// (BENCHMARKS.md, “Bounded templates”): ten minutes is 8 times the
/// larger, room for a slower office computer.
pub const DEFAULT_TEMPLATE_TIMEOUT_SECS: u64 = 600;

/// Default of `--memory-limit`, in MB of live heap. Peak RSS measured
/// (BENCHMARKS.md, “Bounded templates”): 泗县's report 473 MB, a
/// 1,000-school county's 2.06 GB, `review --with-reports` of 100 counties
/// 1.42 GB; 8 GB is 4 times the largest.
pub const DEFAULT_MEMORY_LIMIT_MB: u64 = 8192;

const MB: usize = 1024 * 1024;

/// Stack of a template worker: typst's evaluation recurses deeply, and the
/// main thread it ran on before had 8 MB; only what is used is committed.
const WORKER_STACK: usize = 64 * MB;

/// How often a waiting caller looks whether a worker has hit the cap.
const POLL: Duration = Duration::from_millis(20);

static TIMEOUT_SECS: AtomicU64 = AtomicU64::new(DEFAULT_TEMPLATE_TIMEOUT_SECS);
/// The cap in bytes; `usize::MAX` until [`set_memory_limit`].
static CAP: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Live heap bytes, as [`Counting`] sees them.
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// A thread went over the cap and is parked: the process winds down.
static TRIPPED: AtomicBool = AtomicBool::new(false);
/// A template run was stopped (time or memory) and its thread left behind.
static RUNAWAY: AtomicBool = AtomicBool::new(false);
/// The process is exiting from inside the allocator: no more checks.
static EXITING: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Whether this thread is a template worker under [`bounded`], which
    /// nobody joins, so it may be parked. Any other thread (rayon's among
    /// them) may be joined by someone and is never parked. `const` and
    /// without destructor: readable from inside the allocator without
    /// allocating.
    static WORKER: Cell<bool> = const { Cell::new(false) };
}

/// Room above the cap, once a worker is parked, for the other threads to
/// report the error and wind down.
fn grace(cap: usize) -> usize {
    (cap / 4).max(64 * MB)
}

/// Why a template run was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// It ran longer than this many seconds.
    Timeout(u64),
    /// The process went over this many MB.
    Memory(u64),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Timeout(s) => write!(f, "模板运行超过 {s} 秒，已停止"),
            Stop::Memory(mb) => write!(f, "内存超过上限 {mb} MB，已停止"),
        }
    }
}

impl Stop {
    /// What the user can do about it, in a sentence.
    pub fn advice(&self) -> &'static str {
        match self {
            Stop::Timeout(_) => {
                "模板中的循环可能不会结束；报告确实很大时可用 --template-timeout 秒数 放宽"
            }
            Stop::Memory(_) => {
                "模板可能生成了过大的数据；确需更多内存时可用 --memory-limit MB 放宽"
            }
        }
    }
}

/// `--template-timeout`: seconds one template run may take.
pub fn set_template_timeout(secs: u64) {
    TIMEOUT_SECS.store(secs.max(1), Ordering::Relaxed);
}

/// `--memory-limit`: MB of heap the process may hold. Only enforced where
/// [`Counting`] is the global allocator (the `dudao` binary).
pub fn set_memory_limit(mb: u64) {
    let bytes = usize::try_from(mb.max(1)).map_or(usize::MAX, |m| m.saturating_mul(MB));
    CAP.store(bytes, Ordering::Relaxed);
}

fn memory_limit_mb() -> u64 {
    (CAP.load(Ordering::Relaxed) / MB) as u64
}

/// Whether the process went over its memory cap (a thread is parked).
/// Typst's caches must then be left alone: the parked thread may hold
/// their lock.
pub fn tripped() -> bool {
    TRIPPED.load(Ordering::Relaxed)
}

/// Whether a template run was stopped and its thread still runs or is
/// parked: a long-running command (`dudao watch`) cannot go on.
pub fn runaway() -> bool {
    RUNAWAY.load(Ordering::Relaxed)
}

/// Runs one template run (`work`) on a worker thread within the limits:
/// its result, or why it was stopped. A panic in `work` is passed on.
pub fn bounded<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, Stop> {
    let memory = Stop::Memory(memory_limit_mb());
    if tripped() {
        return Err(memory);
    }
    let secs = TIMEOUT_SECS.load(Ordering::Relaxed);
    let limit = Duration::from_secs(secs);
    let _caller = Caller(WORKER.replace(false));
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("dudao-模板".into())
        .stack_size(WORKER_STACK)
        .spawn(move || {
            WORKER.set(true);
            let _ = tx.send(work());
        });
    let handle = match spawned {
        Ok(h) => h,
        // No thread to be had: nothing can be bounded, so nothing runs.
        Err(_) => return Err(Stop::Timeout(secs)),
    };
    let start = Instant::now();
    loop {
        let wait = limit.saturating_sub(start.elapsed()).min(POLL);
        match rx.recv_timeout(wait) {
            Ok(v) => {
                let _ = handle.join();
                return Ok(v);
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                if let Err(panic) = handle.join() {
                    std::panic::resume_unwind(panic);
                }
                // The worker sent nothing and ended: only a parked
                // worker does not end, so this cannot happen; say memory.
                return Err(memory);
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                let stop = if tripped() {
                    Some(memory)
                } else if start.elapsed() >= limit {
                    Some(Stop::Timeout(secs))
                } else {
                    None
                };
                if let Some(stop) = stop {
                    RUNAWAY.store(true, Ordering::SeqCst);
                    return Err(stop);
                }
            }
        }
    }
}

/// The caller of [`bounded`] waits and reports: never parked meanwhile.
struct Caller(bool);

impl Drop for Caller {
    fn drop(&mut self) {
        WORKER.set(self.0);
    }
}

// ---------------------------------------------------------------------------
// Things to remove when the process exits from inside the allocator.

static ON_ABORT: Mutex<Vec<(u64, PathBuf)>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// A temporary file or staged folder, removed if the process has to exit
/// over the memory cap before this is dropped.
#[must_use]
pub struct RemoveOnAbort(u64);

/// Registers `path` (a file or folder the run created and will move into
/// place or remove itself) for removal on an exit over the memory cap.
pub fn remove_on_abort(path: &Path) -> RemoveOnAbort {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let entry = (id, path.to_path_buf());
    let mut list = ON_ABORT.lock().unwrap_or_else(|e| e.into_inner());
    list.push(entry);
    RemoveOnAbort(id)
}

impl Drop for RemoveOnAbort {
    fn drop(&mut self) {
        let mut list = ON_ABORT.lock().unwrap_or_else(|e| e.into_inner());
        list.retain(|(id, _)| *id != self.0);
    }
}

/// Removes what is registered. `try_lock`: the thread that went over the
/// cap may be the one registering.
fn remove_registered() {
    let list = match ON_ABORT.try_lock() {
        Ok(l) => l,
        Err(std::sync::TryLockError::Poisoned(e)) => e.into_inner(),
        Err(std::sync::TryLockError::WouldBlock) => return,
    };
    for (_, p) in list.iter() {
        if p.is_dir() {
            let _ = std::fs::remove_dir_all(p);
        } else {
            let _ = std::fs::remove_file(p);
        }
    }
}

// ---------------------------------------------------------------------------
// The counting allocator.

/// The system allocator, counting live bytes against the cap set by
/// [`set_memory_limit`]. Installed by the `dudao` binary.
pub struct Counting;

/// Accounts for `size` more bytes; handles going over the cap. Returns
/// only when the allocation may go ahead.
fn admit(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed).saturating_add(size);
    let cap = CAP.load(Ordering::Relaxed);
    if live > cap {
        over_cap(size, live, cap);
    }
}

#[cold]
fn over_cap(size: usize, live: usize, cap: usize) {
    if EXITING.load(Ordering::Relaxed) {
        return;
    }
    if WORKER.get() {
        // A template's work: this thread stops here for good, holding
        // what it has; the caller of `bounded` sees the flag.
        LIVE.fetch_sub(size, Ordering::Relaxed);
        TRIPPED.store(true, Ordering::SeqCst);
        park();
    }
    if tripped() && live <= cap.saturating_add(grace(cap)) {
        // Winding down: the error is reported, folders dropped.
        return;
    }
    // Nobody waits for this thread's work: say so here and end the
    // process.
    if EXITING.swap(true, Ordering::SeqCst) {
        // Another thread is already exiting.
        park();
    }
    eprintln!(
        "错误：内存超过上限 {} MB，已停止，未生成任何输出（确需更多内存时可用 --memory-limit MB 放宽）",
        memory_limit_mb()
    );
    remove_registered();
    std::process::exit(1);
}

fn park() -> ! {
    loop {
        // `sleep` does not allocate, unlike `thread::park`'s first use.
        std::thread::sleep(Duration::from_secs(3600));
    }
}

// SAFETY: every call goes to `System` with the caller's layout; the
// counting only adds atomics, and `admit` never unwinds (it returns,
// sleeps forever or exits the process).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        admit(layout.size());
        // SAFETY: forwarded as the caller gave it.
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        admit(layout.size());
        // SAFETY: forwarded as the caller gave it.
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as the caller gave it.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if new_size > old {
            admit(new_size - old);
        }
        // SAFETY: forwarded as the caller gave it.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            if new_size > old {
                LIVE.fetch_sub(new_size - old, Ordering::Relaxed);
            }
        } else if new_size < old {
            LIVE.fetch_sub(old - new_size, Ordering::Relaxed);
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_that_finishes_gives_its_result() {
        assert_eq!(bounded(|| 6 * 7), Ok(42));
    }

    #[test]
    fn stops_say_what_was_exceeded() {
        assert_eq!(Stop::Timeout(5).to_string(), "模板运行超过 5 秒，已停止");
        assert_eq!(Stop::Memory(300).to_string(), "内存超过上限 300 MB，已停止");
    }

    #[test]
    fn registered_paths_are_forgotten_when_dropped() {
        let dir = std::env::temp_dir().join("dudao-guard-registry-test");
        let token = remove_on_abort(&dir);
        let id = token.0;
        let listed = |id| ON_ABORT.lock().unwrap().iter().any(|(i, _)| *i == id);
        assert!(listed(id));
        drop(token);
        assert!(!listed(id));
    }
}

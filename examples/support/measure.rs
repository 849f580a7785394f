//! Shared by the measuring examples (`kwstat`, `stagestat`): file lists and CPU timing.

/// Every file below `p` (or `p` itself), in sorted order so runs are comparable.
pub fn walk(p: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    if p.is_dir() {
        if let Ok(rd) = std::fs::read_dir(p) {
            let mut v: Vec<_> = rd.flatten().map(|e| e.path()).collect();
            v.sort();
            for e in v {
                walk(&e, out);
            }
        }
    } else if p.is_file() {
        out.push(p.to_path_buf());
    }
}

/// Nanoseconds this thread has spent on a CPU (the machine is shared; wall time is noise).
pub fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Minimum CPU seconds of three runs of `f`.
pub fn min3(mut f: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let t = cpu_ns();
            f();
            (cpu_ns() - t) as f64 / 1e9
        })
        .fold(f64::MAX, f64::min)
}

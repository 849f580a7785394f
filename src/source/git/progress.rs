//! Progress.

use super::*;

/// Progress bar for long audits: on a terminal only, never in CI or with `--quiet`.
pub(super) struct Progress {
    pub(super) bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    pub(super) fn new(enabled: bool) -> Progress {
        let on = enabled
            && std::io::stderr().is_terminal()
            && std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false");
        let bar = on.then(|| {
            let b = indicatif::ProgressBar::new_spinner();
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        Progress { bar }
    }

    pub(super) fn stage(&self, msg: &str) {
        if let Some(b) = &self.bar {
            b.set_message(msg.to_string());
        }
    }

    pub(super) fn set_commits(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.set_message(format!("read {n} commits; collecting blobs"));
        }
    }

    pub(super) fn walked(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.set_message(format!("reading history: {n} commits"));
        }
    }

    pub(super) fn start_blobs(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} scanning {pos}/{len} blobs, {msg} [{elapsed_precise}] eta {eta}",
                )
                .expect("valid template"),
            );
            b.set_length(n);
            b.set_position(0);
        }
    }

    pub(super) fn blobs(&self, n: u64, bytes: u64) {
        if let Some(b) = &self.bar {
            b.set_position(n);
            let secs = b.elapsed().as_secs_f64().max(0.001);
            b.set_message(format!(
                "{:.0} MB at {:.0} MB/s",
                bytes as f64 / 1e6,
                bytes as f64 / 1e6 / secs
            ));
        }
    }

    pub(super) fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

//! Standard input (`leakgate scan -`) as a source: one blob, streamed through the per-blob
//! scanner (it cannot be opened as an archive: it cannot seek).

use std::io::Read;

use anyhow::{Context, Result};

use super::blob::{self, Blob, Lint, Origin, Outcome, Policy, Rel};
use super::{Sink, Source};
use crate::engine::Scanner;

pub struct StdinSource<'a> {
    /// The name findings are reported at.
    pub name: &'a str,
}

impl Source for StdinSource<'_> {
    type Output = ();

    fn run(&self, scanner: &Scanner, sink: &Sink) -> Result<()> {
        let mut buf = Vec::new();
        let mut findings = Vec::new();
        let mut stdin = std::io::stdin().lock();
        let mut head = Vec::with_capacity(8192);
        (&mut stdin)
            .take(8192)
            .read_to_end(&mut head)
            .context("cannot read standard input")?;
        let b = Blob {
            shown: self.name,
            rel: Rel::Path(self.name),
            policy: Policy {
                lint: Lint::Off,
                archives: false,
                logs: false,
            },
            origin: Origin::Stdin,
        };
        match blob::scan_stream(scanner, sink, &b, head, stdin, &mut buf, &mut findings)
            .context("cannot read standard input")?
        {
            Outcome::Scanned(n) => sink.count(n),
            Outcome::Binary => sink.skip(self.name, super::files::BINARY),
            Outcome::Empty | Outcome::Expanded => {}
        }
        sink.add_findings(findings);
        Ok(())
    }
}

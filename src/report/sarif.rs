//! SARIF 2.1.0 for GitHub code scanning (being written).

use std::io::Write;

use anyhow::Result;

use super::{ReportOptions, Reporter, ScanResult};

pub struct Sarif;

impl Reporter for Sarif {
    fn write(&self, _r: &ScanResult, _opts: &ReportOptions, _out: &mut dyn Write) -> Result<()> {
        anyhow::bail!("sarif output is not implemented yet")
    }
}

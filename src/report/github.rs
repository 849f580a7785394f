//! GitHub Actions workflow-command annotations (being written).

use std::io::Write;

use anyhow::Result;

use super::{ReportOptions, Reporter, ScanResult};

pub struct Github;

impl Reporter for Github {
    fn write(&self, _r: &ScanResult, _opts: &ReportOptions, _out: &mut dyn Write) -> Result<()> {
        anyhow::bail!("github output is not implemented yet")
    }
}

//! The commands of the `leakgate` binary.
//!
//! [`args`] defines the command line (clap); [`session`] sets up a run (configuration,
//! scanner, threads, output files checked up front, `.gitleaksignore`); one file per command
//! runs it; [`outputs`] turns a scan's result into the report, the notes on stderr and the exit
//! code.

pub(crate) mod args;
pub(crate) mod baseline;
pub(crate) mod ci;
pub(crate) mod config;
pub(crate) mod history;
pub(crate) mod outputs;
pub(crate) mod rules;
pub(crate) mod scan;
pub(crate) mod scan_log;
pub(crate) mod session;
pub(crate) mod staged;
pub(crate) mod version;

//! Human-readable report: findings grouped by file, a redacted snippet with the secret
//! underlined, rule, severity and how to rotate (the rule's full remediation, wrapped to
//! the terminal width); colour on a terminal.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use anyhow::Result;

use super::{
    escape_control as esc, is_config, line_start_name, ReportOptions, Reporter, ScanResult,
};
use crate::rules::Severity;

pub struct Text;

fn sev_style(s: Severity) -> Style {
    let c = match s {
        Severity::Critical => AnsiColor::BrightRed,
        Severity::High => AnsiColor::Red,
        Severity::Medium => AnsiColor::Yellow,
        Severity::Low => AnsiColor::Cyan,
        Severity::Info => AnsiColor::White,
    };
    Style::new().fg_color(Some(c.into())).bold()
}

impl Reporter for Text {
    fn write(&self, r: &ScanResult, opts: &ReportOptions, out: &mut dyn Write) -> Result<()> {
        let paint = |st: Style, s: &str| -> String {
            if opts.color {
                format!("{}{s}{}", st.render(), st.render_reset())
            } else {
                s.to_string()
            }
        };
        let bold = Style::new().bold();
        let dim = Style::new().dimmed();
        let width = opts.width.unwrap_or(DEFAULT_WIDTH);
        if r.findings.iter().any(|f| f.commit.is_some()) {
            write_by_secret(r, opts, out, &paint)?;
        }
        // files with the most severe findings first, then by path; lines in order within
        let mut tree: Vec<&crate::finding::Finding> =
            r.findings.iter().filter(|f| f.commit.is_none()).collect();
        let mut worst: std::collections::HashMap<&str, crate::rules::Severity> =
            std::collections::HashMap::new();
        for f in &tree {
            let w = worst.entry(f.location.path.as_str()).or_insert(f.severity);
            *w = (*w).max(f.severity);
        }
        tree.sort_by(|a, b| {
            let (pa, pb) = (a.location.path.as_str(), b.location.path.as_str());
            worst[pb]
                .cmp(&worst[pa])
                .then(pa.cmp(pb))
                .then(a.location.cmp(&b.location))
        });
        let mut current: Option<&str> = None;
        for f in tree {
            if current != Some(f.location.path.as_str()) {
                if current.is_some() {
                    writeln!(out)?;
                }
                writeln!(
                    out,
                    "{}",
                    paint(bold.underline(), &line_start_name(&f.location.path))
                )?;
                if let Some(label) = f.provenance().label() {
                    writeln!(out, "  {}", paint(dim, &format!("({})", esc(&label))))?;
                }
                current = Some(&f.location.path);
            }
            let sev = format!("{:<8}", f.severity.as_str().to_uppercase());
            let config = is_config(f);
            writeln!(
                out,
                "  {}:{}  {} {} ({}){}",
                f.location.line,
                f.location.column,
                paint(sev_style(f.severity), &sev),
                paint(bold, &esc(&f.rule.name)),
                esc(&f.rule.id),
                f.note
                    .as_deref()
                    .filter(|_| !config)
                    .map(|n| format!(" — {}", esc(n)))
                    .unwrap_or_default()
            )?;
            let snippet = opts.snippet(f);
            let (hs, he) = if opts.reveal && config {
                (0, 0) // revealed values shift the columns; no underline
            } else if opts.reveal {
                // the revealed snippet has the secret at the same start; length differs
                let start = f.snippet.highlight_start;
                let shown = match &f.decoded {
                    // the revealed snippet shows the encoded text at the secret's place
                    Some(_) if f.location.end_line == f.location.line => {
                        (f.location.end_column - f.location.column) as usize
                    }
                    _ => f.secret.lines().next().unwrap_or("").chars().count(),
                };
                (start, start + shown)
            } else {
                (f.snippet.highlight_start, f.snippet.highlight_end)
            };
            // a snippet line that reads as a workflow command once the runner trims it
            let (snippet, hs, he) = if snippet.trim_start().starts_with("::") {
                (format!("›{snippet}"), hs + 1, he + 1)
            } else {
                (snippet.to_string(), hs, he)
            };
            writeln!(out, "      {snippet}")?;
            if he > hs {
                writeln!(
                    out,
                    "      {}{}",
                    " ".repeat(hs),
                    paint(sev_style(f.severity), &"^".repeat(he - hs))
                )?;
            }
            if let (true, Some(note)) = (config, &f.note) {
                writeln!(out, "      {} {}", paint(dim, "issue:"), esc(note))?;
            }
            if !f.secret.is_empty() {
                match &f.decoded {
                    Some(chain) => writeln!(
                        out,
                        "      {} {} {}",
                        paint(dim, "secret:"),
                        opts.secret_labelled(f),
                        paint(
                            dim,
                            &format!("(decoded from {chain}; the location is the encoded text)")
                        )
                    )?,
                    None => writeln!(
                        out,
                        "      {} {}",
                        paint(dim, "secret:"),
                        opts.secret_labelled(f)
                    )?,
                }
            }
            if let Some(v) = &f.validation {
                writeln!(
                    out,
                    "      {} {}",
                    paint(dim, "validation:"),
                    esc(&v.label())
                )?;
            }
            for r in &f.related {
                let l = &r.location;
                let at = if l.line == 0 {
                    esc(&l.path).into_owned()
                } else {
                    format!("{}:{}:{}", esc(&l.path), l.line, l.column)
                };
                writeln!(
                    out,
                    "      {} {at} ({})",
                    paint(dim, "via:"),
                    esc(&r.message)
                )?;
            }
            if !f.also.is_empty() {
                writeln!(out, "      {} {}", paint(dim, "also at:"), also_at(f))?;
            }
            writeln!(
                out,
                "      {} {}",
                paint(dim, "fix:"),
                wrap(&f.rule.remediation, 11, width)
            )?;
            if let Some(link) = f.rule.references.first() {
                writeln!(out, "      {} {}", paint(dim, "see:"), esc(link))?;
            }
        }
        if !r.findings.is_empty() {
            writeln!(out)?;
        }
        let parts = r.severity_breakdown();
        let mb = r.bytes_scanned as f64 / 1e6;
        let head = if r.findings.is_empty() {
            paint(
                Style::new().fg_color(Some(AnsiColor::Green.into())).bold(),
                "no findings",
            )
        } else {
            paint(
                Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
                &format!(
                    "{} finding{} ({})",
                    r.findings.len(),
                    if r.findings.len() == 1 { "" } else { "s" },
                    parts
                ),
            )
        };
        let what = match r.commits_scanned {
            Some(c) => format!(
                "{} blob{} from {c} commit{}",
                r.files_scanned,
                if r.files_scanned == 1 { "" } else { "s" },
                if c == 1 { "" } else { "s" }
            ),
            None => format!(
                "{} file{}",
                r.files_scanned,
                if r.files_scanned == 1 { "" } else { "s" }
            ),
        };
        writeln!(
            out,
            "{head}: {what}, {mb:.1} MB scanned with {} rules in {:.2}s",
            r.rules_loaded,
            r.duration.as_secs_f64()
        )?;
        Ok(())
    }
}

/// History findings, grouped by secret: one block per secret with every path that holds it
/// and the commit that introduced it there.
fn write_by_secret(
    r: &ScanResult,
    opts: &ReportOptions,
    out: &mut dyn Write,
    paint: &dyn Fn(Style, &str) -> String,
) -> Result<()> {
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let width = opts.width.unwrap_or(DEFAULT_WIDTH);
    let mut order: Vec<(&str, &str)> = Vec::new();
    let mut groups: std::collections::HashMap<(&str, &str), Vec<&crate::finding::Finding>> =
        std::collections::HashMap::new();
    for f in r.findings.iter().filter(|f| f.commit.is_some()) {
        let key = (f.rule.id.as_str(), f.secret.as_str());
        let g = groups.entry(key).or_default();
        if g.is_empty() {
            order.push(key);
        }
        g.push(f);
    }
    // most severe secrets first (stable: first-seen order within a severity)
    order.sort_by_key(|k| std::cmp::Reverse(groups[k][0].severity));
    for key in &order {
        let g = &groups[key];
        let f0 = g[0];
        let sev = f0.severity.as_str().to_uppercase();
        writeln!(
            out,
            "{} {} ({}) {} {}",
            paint(sev_style(f0.severity), &sev),
            paint(bold, &esc(&f0.rule.name)),
            esc(&f0.rule.id),
            paint(dim, "secret:"),
            opts.secret_labelled(f0)
        )?;
        if let Some(v) = &f0.validation {
            writeln!(out, "  {} {}", paint(dim, "validation:"), esc(&v.label()))?;
        }
        for f in g {
            let c = opts.commit(f).expect("filtered");
            writeln!(
                out,
                "  {}:{}:{}",
                paint(bold.underline(), &line_start_name(&f.location.path)),
                f.location.line,
                f.location.column
            )?;
            if let Some(label) = f.provenance().label() {
                writeln!(out, "      {}", paint(dim, &format!("({})", esc(&label))))?;
            }
            let snippet = opts.snippet(f);
            if snippet.trim_start().starts_with("::") {
                writeln!(out, "      ›{snippet}")?;
            } else {
                writeln!(out, "      {snippet}")?;
            }
            let mut intro = format!(
                "introduced in {} by {} on {}: {}",
                c.sha.get(..12).unwrap_or(&c.sha),
                if c.author.is_empty() {
                    "?".into()
                } else {
                    esc(&c.author)
                },
                esc(c.date.get(..10).unwrap_or(&c.date)),
                esc(&c.summary)
            );
            if c.other_commits > 0 {
                intro.push_str(&format!(
                    " (also added by {} other commit{})",
                    c.other_commits,
                    if c.other_commits == 1 { "" } else { "s" }
                ));
            }
            match c.present_at_head {
                Some(true) => intro.push_str("; still in HEAD"),
                Some(false) => intro.push_str("; no longer in HEAD (still in history)"),
                None => {}
            }
            writeln!(out, "      {} {intro}", paint(dim, "commit:"))?;
        }
        writeln!(
            out,
            "  {} {}",
            paint(dim, "fix:"),
            wrap(&f0.rule.remediation, 7, width)
        )?;
        writeln!(out)?;
    }
    if !order.is_empty() {
        writeln!(
            out,
            "{} removing {} from the files does not remove {} from history: rotate {}.",
            paint(dim, "note:"),
            if order.len() == 1 {
                "this secret"
            } else {
                "these secrets"
            },
            if order.len() == 1 { "it" } else { "them" },
            if order.len() == 1 { "it" } else { "each one" }
        )?;
        writeln!(out)?;
    }
    Ok(())
}

/// "lines 7, 12:5 and 40 (the same secret 4 times in this file: clean every one)": the
/// other occurrences, with a column where a line holds the secret more than once.
fn also_at(f: &crate::finding::Finding) -> String {
    let on_line = |line: u32| {
        std::iter::once(&f.location)
            .chain(&f.also)
            .filter(|l| l.line == line)
            .count()
    };
    let mut places: Vec<String> = f
        .also
        .iter()
        .map(|l| {
            if on_line(l.line) > 1 {
                format!("{}:{}", l.line, l.column)
            } else {
                l.line.to_string()
            }
        })
        .collect();
    let listed = places.len() as u32 + 1;
    if f.occurrences > listed {
        places.push(format!("{} more", f.occurrences - listed));
    }
    let list = match places.len() {
        1 => places.remove(0),
        _ => {
            let last = places.pop().unwrap_or_default();
            format!("{} and {last}", places.join(", "))
        }
    };
    let noun = if f.also.len() == 1 && f.occurrences <= listed {
        "line"
    } else {
        "lines"
    };
    format!(
        "{noun} {list} (the same secret {} times in this file: clean every one)",
        f.occurrences
    )
}

/// Columns of text output when neither `COLUMNS` nor a terminal says otherwise.
pub const DEFAULT_WIDTH: usize = 100;

/// The width text output wraps to: `COLUMNS` when set to a number, else the terminal's
/// width when the report goes to one, else [`DEFAULT_WIDTH`]. At least 40.
pub fn wrap_width(to_tty: bool) -> usize {
    let cols = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0);
    let w = match cols {
        Some(c) => c,
        None if to_tty => terminal_size::terminal_size_of(std::io::stdout())
            .map(|(w, _)| w.0 as usize)
            .unwrap_or(DEFAULT_WIDTH),
        None => DEFAULT_WIDTH,
    };
    w.max(40)
}

/// Rule prose ([`super::unwrap_text`]) wrapped to `width` columns for a line whose first
/// `indent` columns are taken (by `      fix: `): continuation lines are indented as much,
/// paragraphs are separated by an empty line. A word longer than a line (a URL) is not cut.
/// Control characters in the text are shown escaped ([`esc`]).
fn wrap(text: &str, indent: usize, width: usize) -> String {
    let room = width.saturating_sub(indent).max(20);
    let pad = " ".repeat(indent);
    let mut lines: Vec<String> = Vec::new();
    for (i, para) in super::unwrap_text(text).split("\n\n").enumerate() {
        if i > 0 {
            lines.push(String::new());
        }
        let mut line = String::new();
        let mut len = 0;
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let word = esc(word);
            let n = word.chars().count();
            if len > 0 && len + 1 + n > room {
                lines.push(std::mem::take(&mut line));
                len = 0;
            }
            if len > 0 {
                line.push(' ');
                len += 1;
            }
            line.push_str(&word);
            len += n;
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
            if !l.is_empty() {
                out.push_str(&pad);
            }
        }
        out.push_str(l);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn wrap_keeps_every_word_and_the_width() {
        let t = "Revoke the key at the console, then\ncreate a new one. Store it safely \
                 at https://example.test/a/very/long/path/that/does/not/fit/anywhere/at/all ok.\n\nMore.";
        let w = super::wrap(t, 11, 40);
        let lines: Vec<&str> = w.lines().collect();
        assert_eq!(
            lines,
            [
                "Revoke the key at the",
                "           console, then create a new",
                "           one. Store it safely at",
                "           https://example.test/a/very/long/path/that/does/not/fit/anywhere/at/all",
                "           ok.",
                "",
                "           More.",
            ]
        );
    }
}

//! Results and notifications.

use super::*;

/// Indices of the findings to report: all of them, or the `max` most severe (ties broken by
/// the scan's order), returned in the scan's order.
pub(super) fn select(findings: &[Finding], max: usize) -> Vec<usize> {
    if findings.len() <= max {
        return (0..findings.len()).collect();
    }
    let mut idx: Vec<usize> = (0..findings.len()).collect();
    idx.sort_by_key(|&i| (std::cmp::Reverse(findings[i].severity), i));
    idx.truncate(max);
    idx.sort_unstable();
    idx
}

pub(super) fn result(
    f: &Finding,
    rule_index: usize,
    line_hash: String,
    opts: &ReportOptions,
    cwd: Option<&Path>,
) -> sarif::Result {
    let loc = &f.location;
    let region = sarif::Region::builder()
        .start_line(loc.line as i64)
        .start_column(loc.column as i64)
        .end_line(loc.end_line as i64)
        .end_column(loc.end_column as i64)
        .snippet(
            sarif::ArtifactContent::builder()
                .text(opts.snippet(f))
                .build(),
        )
        .build();
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(ArtifactPath::new(&loc.path, cwd).artifact_location())
        .region(region)
        .build();
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("primaryLocationLineHash".to_string(), line_hash);
    fingerprints.insert("leakgate/v1".to_string(), f.fingerprint.clone());
    let mut props = BTreeMap::new();
    props.insert("fingerprint".to_string(), json!(f.fingerprint));
    props.insert("severity".to_string(), json!(f.severity.as_str()));
    props.insert("precision".to_string(), json!(f.precision.as_str()));
    props.insert(
        "entropy".to_string(),
        json!((f.entropy * 100.0).round() / 100.0),
    );
    if let Some(n) = &f.note {
        props.insert("note".to_string(), json!(n));
    }
    if let Some(c) = opts.commit(f) {
        // commit metadata lives in properties, never in partialFingerprints: a fingerprint
        // must not change when the same secret is found through another commit
        props.insert("commit".to_string(), json!(c));
    }
    props.insert("provenance".to_string(), json!(f.provenance()));
    if let Some(d) = &f.decoded {
        props.insert("decoded".to_string(), json!(d));
    }
    if let Some(v) = &f.validation {
        props.insert("validation".to_string(), json!(v));
    }
    let mut res = sarif::Result::builder()
        .rule_id(f.rule.id.clone())
        .rule_index(rule_index as i64)
        .level(result_level(f.severity))
        .message(
            sarif::Message::builder()
                .text(message_text(f, opts) + &related_text(f))
                .build(),
        )
        .locations(vec![sarif::Location::builder()
            .physical_location(physical)
            .build()])
        .partial_fingerprints(fingerprints)
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(props)
                .build(),
        )
        .build();
    if !f.related.is_empty() || !f.also.is_empty() {
        res.related_locations = Some(related_locations(f, cwd));
    }
    res
}

/// The related locations of a finding, then every other occurrence of its secret in the
/// same file, with the message each is shown with.
pub(super) fn related_with_occurrences(f: &Finding) -> Vec<(&crate::finding::Location, String)> {
    let mut out: Vec<(&crate::finding::Location, String)> = f
        .related
        .iter()
        .map(|r| (&r.location, r.message.clone()))
        .collect();
    for (i, l) in f.also.iter().enumerate() {
        out.push((
            l,
            format!(
                "the same secret again (occurrence {} of {}): clean it here too",
                i + 2,
                f.occurrences
            ),
        ));
    }
    out
}

/// Escape the brackets that would start or end an embedded link in a SARIF message.
pub(super) fn escape_message(s: &str) -> String {
    s.replace('[', "\\[").replace(']', "\\]")
}

/// " See also: [dist/a.js](1) (shipped bundle, …); …" linking the related locations by id.
pub(super) fn related_text(f: &Finding) -> String {
    let all = related_with_occurrences(f);
    if all.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = all
        .iter()
        .enumerate()
        .map(|(i, (l, message))| {
            format!(
                "[{}]({}) ({})",
                escape_message(&l.path),
                i + 1,
                escape_message(message)
            )
        })
        .collect();
    format!(" See also: {}.", parts.join("; "))
}

/// `relatedLocations` with ids 1, 2, … (as linked from the message); no region for a
/// location that stands for the whole file (line 0).
pub(super) fn related_locations(f: &Finding, cwd: Option<&Path>) -> Vec<sarif::Location> {
    related_with_occurrences(f)
        .into_iter()
        .enumerate()
        .map(|(i, (l, message))| {
            let mut physical = sarif::PhysicalLocation::builder()
                .artifact_location(ArtifactPath::new(&l.path, cwd).artifact_location())
                .build();
            if l.line > 0 {
                physical.region = Some(
                    sarif::Region::builder()
                        .start_line(l.line as i64)
                        .start_column(l.column as i64)
                        .end_line(l.end_line as i64)
                        .end_column(l.end_column as i64)
                        .build(),
                );
            }
            sarif::Location::builder()
                .id(i as i64 + 1)
                .physical_location(physical)
                .message(sarif::Message::builder().text(message).build())
                .build()
        })
        .collect()
}

pub(super) fn notification(
    level: &str,
    text: String,
    path: Option<&str>,
    cwd: Option<&Path>,
) -> sarif::Notification {
    let mut n = sarif::Notification::builder()
        .level(json!(level))
        .message(sarif::Message::builder().text(text).build())
        .build();
    if let Some(p) = path {
        let physical = sarif::PhysicalLocation::builder()
            .artifact_location(ArtifactPath::new(p, cwd).artifact_location())
            .build();
        n.locations = Some(vec![sarif::Location::builder()
            .physical_location(physical)
            .build()]);
    }
    n
}

pub(super) fn sentence(s: &str) -> String {
    let s = s.trim_end();
    if s.ends_with(['.', '!', '?']) {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(super) fn notifications(
    r: &ScanResult,
    dropped: usize,
    kept: usize,
    cwd: Option<&Path>,
) -> Vec<sarif::Notification> {
    let mut out = Vec::new();
    if dropped > 0 {
        out.push(notification(
            "warning",
            format!(
                "{} not included: GitHub code scanning accepts at most {MAX_RESULTS} results and {} MB (gzip-compressed) per upload, so only the {kept} most severe are reported. Run leakgate with --format json or text to see them all.",
                plural(dropped, "finding was", "findings were"),
                MAX_GZIP_BYTES >> 20
            ),
            None,
            cwd,
        ));
    }
    for w in r.warnings.iter().take(MAX_WARNING_NOTES) {
        out.push(notification("warning", sentence(w), None, cwd));
    }
    if r.warnings.len() > MAX_WARNING_NOTES {
        out.push(notification(
            "warning",
            format!(
                "{} not listed.",
                plural(
                    r.warnings.len() - MAX_WARNING_NOTES,
                    "more warning",
                    "more warnings"
                )
            ),
            None,
            cwd,
        ));
    }
    for s in r.skipped.iter().take(MAX_SKIPPED_NOTES) {
        out.push(notification(
            "note",
            sentence(&match s.reason.strip_prefix("partly scanned: ") {
                Some(r) => format!("Partly scanned: {}: {r}", s.path),
                None => format!("Not scanned: {}: {}", s.path, s.reason),
            }),
            Some(&s.path),
            cwd,
        ));
    }
    if r.skipped.len() > MAX_SKIPPED_NOTES {
        out.push(notification(
            "note",
            format!(
                "{} not scanned and not listed here (leakgate --verbose lists them all).",
                plural(
                    r.skipped.len() - MAX_SKIPPED_NOTES,
                    "more file was",
                    "more files were"
                )
            ),
            None,
            cwd,
        ));
    }
    out
}

/// The whole SARIF log for a scan (at most [`MAX_RESULTS`] results).
pub fn log(r: &ScanResult, opts: &ReportOptions) -> sarif::Sarif {
    log_limited(r, opts, MAX_RESULTS)
}

/// The SARIF log with at most `max` results, the most severe.
pub(super) fn log_limited(r: &ScanResult, opts: &ReportOptions, max: usize) -> sarif::Sarif {
    let cwd = base_dir();
    let cwd = cwd.as_deref();
    let kept = select(&r.findings, max);
    let dropped = r.findings.len() - kept.len();
    let findings: Vec<&Finding> = kept.iter().map(|&i| &r.findings[i]).collect();

    let mut infos: BTreeMap<&str, RuleInfo> = BTreeMap::new();
    for f in &findings {
        let info = infos.entry(f.rule.id.as_str()).or_insert(RuleInfo {
            spec: &f.rule,
            severity: f.severity,
            precision: f.precision,
        });
        info.severity = info.severity.max(f.severity);
        info.precision = info.precision.max(f.precision);
    }
    let rule_index: HashMap<&str, usize> =
        infos.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let rules: Vec<sarif::ReportingDescriptor> = infos.values().map(descriptor).collect();

    let results: Vec<sarif::Result> = findings
        .iter()
        .map(|f| {
            let h = f.github_line_hash();
            result(f, rule_index[f.rule.id.as_str()], h, opts, cwd)
        })
        .collect();

    let mut driver = sarif::ToolComponent::builder()
        .name("leakgate")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    driver.information_uri = [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty())
        .map(str::to_string);

    let mut invocation = sarif::Invocation::builder()
        .execution_successful(true)
        .build();
    let notes = notifications(r, dropped, findings.len(), cwd);
    if !notes.is_empty() {
        invocation.tool_execution_notifications = Some(notes);
    }

    let mut run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .column_kind(json!("unicodeCodePoints"))
        .automation_details(
            sarif::RunAutomationDetails::builder()
                .id(AUTOMATION_ID)
                .build(),
        )
        .build();
    if let Some(dir) = cwd {
        let mut uri = file_uri(&slash(dir));
        if !uri.ends_with('/') {
            uri.push('/');
        }
        let mut bases = BTreeMap::new();
        bases.insert(
            SRCROOT.to_string(),
            sarif::ArtifactLocation::builder().uri(uri).build(),
        );
        run.original_uri_base_ids = Some(bases);
    }

    sarif::Sarif::builder()
        .schema(SCHEMA_URI)
        .version(Value::from("2.1.0"))
        .runs(vec![run])
        .build()
}

/// Size of `data` gzip-compressed, as GitHub measures an upload.
pub(super) fn gzip_len(data: &[u8]) -> usize {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // writing to a Vec cannot fail
    let _ = enc.write_all(data);
    enc.finish().map_or(usize::MAX, |v| v.len())
}

/// The log as bytes, under GitHub's upload limits: when the compressed log is over
/// [`MAX_GZIP_BYTES`], the least severe results are left out (a quarter at a time) and a
/// warning notification says how many.
pub fn render(r: &ScanResult, opts: &ReportOptions, max_gzip: usize) -> Result<Vec<u8>> {
    let mut max = MAX_RESULTS.min(r.findings.len());
    loop {
        let mut bytes = serde_json::to_vec_pretty(&log_limited(r, opts, max))?;
        bytes.push(b'\n');
        if max == 0 || bytes.len() <= max_gzip || gzip_len(&bytes) <= max_gzip {
            return Ok(bytes);
        }
        max = max * 3 / 4;
    }
}

impl Reporter for Sarif {
    fn write(&self, r: &ScanResult, opts: &ReportOptions, out: &mut dyn Write) -> Result<()> {
        out.write_all(&render(r, opts, MAX_GZIP_BYTES)?)?;
        Ok(())
    }
}

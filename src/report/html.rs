//! HTML audit report (`--format html`): one self-contained page for people. Findings are
//! grouped by secret (rule and value), most severe first, each with every place it was
//! found, the commits that brought it in (history scans), and the rule's remediation.
//!
//! The page loads nothing: its one `<style>` and one `<script>` are inline and allowed by
//! their SHA-256 in a Content-Security-Policy meta tag whose default is `'none'`, so it
//! works offline and a file name or commit message cannot add markup or script (every
//! text is HTML-escaped besides). The script only adds the severity and rule filters;
//! without it every finding is shown. Secrets appear only in their redacted form unless
//! `--reveal`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;

use anyhow::Result;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::{escape_control, is_config, ReportOptions, Reporter, ScanResult};
use crate::finding::Finding;
use crate::rules::Severity;

pub struct Html;

const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

const CSS: &str = r#"
:root{--fg:#1d2330;--muted:#5b6475;--bg:#f5f6f8;--card:#fff;--line:#dde1e8;
--critical:#a4000f;--high:#d1361b;--medium:#b76e00;--low:#1d6fa5;--info:#5b6475}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1d2330;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#c9cfdb}
main,#summary,#filters,#notscanned,#warnings,noscript p{display:block;max-width:1200px;margin:16px auto;padding:0 28px}
h2{font-size:18px;margin:0 0 8px}
h3{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:14px 0 4px}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;overflow-wrap:anywhere}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:0;padding:0;list-style:none}
.cards li{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:120px}
.cards b{display:block;font-size:22px}
.cards span{color:var(--muted);font-size:13px}
article{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--info);border-radius:6px;padding:14px 18px;margin:0 0 14px}
article.critical{border-left-color:var(--critical)}article.high{border-left-color:var(--high)}
article.medium{border-left-color:var(--medium)}article.low{border-left-color:var(--low)}
.badge{display:inline-block;border-radius:4px;padding:1px 7px;margin-right:6px;color:#fff;font-size:12px;font-weight:700;vertical-align:2px;background:var(--info)}
.badge.critical{background:var(--critical)}.badge.high{background:var(--high)}
.badge.medium{background:var(--medium)}.badge.low{background:var(--low)}
.rule{color:var(--muted);font-weight:400;font-size:14px}
.secret{background:#fff4d6;border:1px solid #f0d58a;border-radius:4px;padding:1px 5px}
.meta{color:var(--muted);margin:2px 0}
ul.locs,ol.timeline{margin:0;padding-left:20px}
ul.locs li,ol.timeline li{margin:3px 0}
pre.snippet{margin:3px 0 6px;padding:6px 9px;background:#f0f2f5;border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere}
.gone{color:#1b7d3a;font-weight:600}.still{color:var(--critical);font-weight:600}
.remediation p{margin:4px 0}
.note{background:#fff8e5;border:1px solid #f0d58a;border-radius:6px;padding:8px 14px}
#filters{display:flex;flex-wrap:wrap;gap:14px;align-items:center}
#filters[hidden]{display:none}
#filters fieldset{border:1px solid var(--line);border-radius:6px;background:var(--card);padding:4px 12px;margin:0}
#filters label{margin-right:10px;white-space:nowrap}
table{border-collapse:collapse;background:var(--card)}
td,th{border:1px solid var(--line);padding:4px 9px;text-align:left;vertical-align:top}
"#;

const JS: &str = r#"
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll("article[data-severity]"));
  var box = document.getElementById("filters");
  var order = ["critical", "high", "medium", "low", "info"];
  var sevCount = {}, ruleCount = {};
  items.forEach(function (a) {
    var s = a.getAttribute("data-severity"), r = a.getAttribute("data-rule");
    sevCount[s] = (sevCount[s] || 0) + 1;
    ruleCount[r] = (ruleCount[r] || 0) + 1;
  });
  var sevBoxes = [];
  var sevSet = document.createElement("fieldset");
  var legend = document.createElement("legend");
  legend.textContent = "Severity";
  sevSet.appendChild(legend);
  order.forEach(function (s) {
    if (!sevCount[s]) { return; }
    var label = document.createElement("label");
    var cb = document.createElement("input");
    cb.type = "checkbox";
    cb.checked = true;
    cb.value = s;
    cb.addEventListener("change", apply);
    sevBoxes.push(cb);
    label.appendChild(cb);
    label.appendChild(document.createTextNode(" " + s + " (" + sevCount[s] + ")"));
    sevSet.appendChild(label);
  });
  var ruleSet = document.createElement("fieldset");
  var legend2 = document.createElement("legend");
  legend2.textContent = "Rule";
  ruleSet.appendChild(legend2);
  var select = document.createElement("select");
  var all = document.createElement("option");
  all.value = "";
  all.textContent = "all rules";
  select.appendChild(all);
  Object.keys(ruleCount).sort().forEach(function (r) {
    var o = document.createElement("option");
    o.value = r;
    o.textContent = r + " (" + ruleCount[r] + ")";
    select.appendChild(o);
  });
  select.addEventListener("change", apply);
  ruleSet.appendChild(select);
  var shown = document.createElement("span");
  shown.id = "shown";
  box.appendChild(sevSet);
  box.appendChild(ruleSet);
  box.appendChild(shown);
  function apply() {
    var on = {}, n = 0;
    sevBoxes.forEach(function (cb) { on[cb.value] = cb.checked; });
    items.forEach(function (a) {
      var ok = on[a.getAttribute("data-severity")] &&
        (select.value === "" || select.value === a.getAttribute("data-rule"));
      a.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = "showing " + n + " of " + items.length;
  }
  apply();
  box.hidden = false;
  document.body.dataset.ready = "1";
})();
"#;

/// `s` as HTML text or attribute value: control characters and bidi overrides made visible
/// ([`escape_control`]), then `& < > " '` escaped.
pub fn esc(s: &str) -> String {
    let s = escape_control(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `'sha256-…'` of an inline element's text, for the Content-Security-Policy.
fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Findings of one secret: same rule and value (a configuration finding without a value is
/// its own group).
struct Group<'a> {
    findings: Vec<&'a Finding>,
    severity: Severity,
}

fn groups(r: &ScanResult) -> Vec<Group<'_>> {
    let mut order: Vec<(&str, &str)> = Vec::new();
    let mut by_key: HashMap<(&str, &str), Vec<&Finding>> = HashMap::new();
    for f in &r.findings {
        let value = if f.secret.is_empty() {
            f.fingerprint.as_str()
        } else {
            f.secret.as_str()
        };
        let key = (f.rule.id.as_str(), value);
        let g = by_key.entry(key).or_default();
        if g.is_empty() {
            order.push(key);
        }
        g.push(f);
    }
    let mut out: Vec<Group> = order
        .into_iter()
        .map(|k| {
            let mut findings = by_key.remove(&k).unwrap_or_default();
            findings.sort_by(|a, b| {
                let da = a.commit.as_ref().map(|c| c.date.as_str());
                let db = b.commit.as_ref().map(|c| c.date.as_str());
                da.cmp(&db).then(a.location.cmp(&b.location))
            });
            let severity = findings
                .iter()
                .map(|f| f.severity)
                .max()
                .unwrap_or(Severity::Info);
            Group { findings, severity }
        })
        .collect();
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(
                a.findings[0]
                    .location
                    .path
                    .cmp(&b.findings[0].location.path),
            )
            .then(a.findings[0].rule.id.cmp(&b.findings[0].rule.id))
    });
    out
}

/// Remediation Markdown as paragraphs of escaped text (blank lines separate paragraphs).
fn remediation(text: &str) -> String {
    let mut out = String::new();
    for para in text.split("\n\n") {
        let joined: Vec<&str> = para
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if !joined.is_empty() {
            let _ = write!(out, "<p>{}</p>", esc(&joined.join(" ")));
        }
    }
    out
}

fn location_text(l: &crate::finding::Location) -> String {
    if l.line == 0 {
        format!("<code>{}</code>", esc(&l.path))
    } else {
        format!("<code>{}</code>:{}:{}", esc(&l.path), l.line, l.column)
    }
}

fn write_group(page: &mut String, g: &Group, opts: &ReportOptions) {
    let f0 = g.findings[0];
    let sev = g.severity.as_str();
    let config = is_config(f0);
    let _ = write!(
        page,
        "<article class=\"{sev}\" data-severity=\"{sev}\" data-rule=\"{rule}\">\
         <h2><span class=\"badge {sev}\">{SEV}</span>{name} <span class=\"rule\">{rule}</span></h2>",
        SEV = sev.to_uppercase(),
        name = esc(&f0.rule.name),
        rule = esc(&f0.rule.id),
    );
    // what it is
    let mut meta = Vec::new();
    if !f0.secret.is_empty() {
        meta.push(format!(
            "secret <code class=\"secret\">{}</code>",
            esc(&opts.secret_labelled(f0))
        ));
    }
    if config {
        meta.push("configuration issue".to_string());
    }
    meta.push(format!("precision {}", f0.precision.as_str()));
    let places: u32 = g.findings.iter().map(|f| f.occurrences.max(1)).sum();
    let files: std::collections::BTreeSet<&str> = g
        .findings
        .iter()
        .map(|f| f.location.path.as_str())
        .collect();
    meta.push(format!(
        "{} in {}",
        plural(places as usize, "place", "places"),
        plural(files.len(), "file", "files")
    ));
    if !f0.rule.tags.is_empty() {
        meta.push(format!("tags: {}", esc(&f0.rule.tags.join(", "))));
    }
    let _ = write!(page, "<p class=\"meta\">{}</p>", meta.join(" · "));
    if !f0.rule.description.is_empty() {
        let _ = write!(
            page,
            "<p class=\"meta\">{}</p>",
            esc(f0.rule.description.trim())
        );
    }
    if let Some(v) = &f0.validation {
        let _ = write!(
            page,
            "<p class=\"meta\">validation: {}</p>",
            esc(&v.label())
        );
    }

    page.push_str("<h3>Locations</h3><ul class=\"locs\">");
    for f in &g.findings {
        let _ = write!(page, "<li>{}", location_text(&f.location));
        if let Some(note) = &f.note {
            let _ = write!(page, " — {}", esc(note));
        }
        if let Some(chain) = &f.decoded {
            let _ = write!(
                page,
                " <span class=\"meta\">(decoded from {}; the location is the encoded text)</span>",
                esc(chain)
            );
        }
        if let Some(c) = opts.commit(f) {
            let _ = write!(
                page,
                " <span class=\"meta\">in commit <code>{}</code></span>",
                esc(c.sha.get(..12).unwrap_or(&c.sha))
            );
        }
        if let Some(label) = f.provenance().label() {
            let _ = write!(page, "<div class=\"meta\">found {}</div>", esc(&label));
        }
        let snippet = opts.snippet(f);
        if !snippet.is_empty() {
            let _ = write!(page, "<pre class=\"snippet\">{}</pre>", esc(snippet));
        }
        if !f.also.is_empty() {
            let mut also: Vec<String> = f
                .also
                .iter()
                .map(|l| format!("{}:{}", l.line, l.column))
                .collect();
            let listed = f.also.len() as u32 + 1;
            if f.occurrences > listed {
                also.push(format!("{} more", f.occurrences - listed));
            }
            let _ = write!(
                page,
                "<div class=\"meta\">also at {} (the same secret {} times in this file: clean every one)</div>",
                esc(&also.join(", ")),
                f.occurrences
            );
        }
        for rel in &f.related {
            let _ = write!(
                page,
                "<div class=\"meta\">via {} ({})</div>",
                location_text(&rel.location),
                esc(&rel.message)
            );
        }
        page.push_str("</li>");
    }
    page.push_str("</ul>");

    // history: when the secret entered, path by path, oldest first
    let commits: Vec<(&Finding, crate::finding::CommitInfo)> = g
        .findings
        .iter()
        .filter_map(|f| opts.commit(f).map(|c| (*f, c)))
        .collect();
    if !commits.is_empty() {
        page.push_str("<h3>Timeline</h3><ol class=\"timeline\">");
        for (f, c) in &commits {
            let author = if c.author.is_empty() {
                "?".to_string()
            } else if c.email.is_empty() {
                esc(&c.author)
            } else {
                format!("{} &lt;{}&gt;", esc(&c.author), esc(&c.email))
            };
            let _ = write!(
                page,
                "<li><time>{}</time> <code>{}</code> by {author}: {} — entered <code>{}</code>",
                esc(&c.date),
                esc(c.sha.get(..12).unwrap_or(&c.sha)),
                esc(&c.summary),
                esc(&f.location.path)
            );
            match c.present_at_head {
                Some(true) => page.push_str(" <span class=\"still\">still in HEAD</span>"),
                Some(false) => page.push_str(" <span class=\"gone\">no longer in HEAD</span>"),
                None => {}
            }
            if c.other_commits > 0 {
                let _ = write!(
                    page,
                    " <span class=\"meta\">(also added by {})</span>",
                    plural(c.other_commits as usize, "other commit", "other commits")
                );
            }
            page.push_str("</li>");
        }
        page.push_str("</ol>");
    }

    page.push_str("<h3>Remediation</h3><div class=\"remediation\">");
    page.push_str(&remediation(&f0.rule.remediation));
    if !commits.is_empty() {
        page.push_str(
            "<p>Removing it from the files does not remove it from history: rotate it.</p>",
        );
    }
    if !f0.rule.references.is_empty() {
        // shown as text, not links: the page makes no requests and has no remote references
        let refs: Vec<String> = f0
            .rule
            .references
            .iter()
            .map(|r| format!("<code>{}</code>", esc(r)))
            .collect();
        let _ = write!(page, "<p>References: {}</p>", refs.join(", "));
    }
    page.push_str("</div></article>");
}

impl Reporter for Html {
    fn write(&self, r: &ScanResult, opts: &ReportOptions, out: &mut dyn Write) -> Result<()> {
        let groups = groups(r);
        let csp = format!(
            "default-src 'none'; style-src {}; script-src {}; img-src 'none'; \
             base-uri 'none'; form-action 'none'",
            csp_hash(CSS),
            csp_hash(JS)
        );
        let mut page = String::new();
        let targets = esc(&r.targets.join(", "));
        let _ = write!(
            page,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
             <meta name=\"referrer\" content=\"no-referrer\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>leakgate report: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n\
             <header><h1>leakgate audit report</h1><p>{targets} · leakgate {}{}</p></header>\n",
            plural(r.findings.len(), "finding", "findings"),
            env!("CARGO_PKG_VERSION"),
            if opts.reveal {
                " · <b>secrets revealed (--reveal): do not share this file</b>"
            } else {
                " · secrets redacted"
            }
        );

        // summary counts
        page.push_str("<section id=\"summary\"><h2>Summary</h2><ul class=\"cards\">");
        let card = |page: &mut String, n: String, what: &str| {
            let _ = write!(page, "<li><b>{n}</b><span>{what}</span></li>");
        };
        card(&mut page, groups.len().to_string(), "secrets");
        card(&mut page, r.findings.len().to_string(), "findings");
        for s in SEVERITIES {
            let n = groups.iter().filter(|g| g.severity == s).count();
            if n > 0 {
                card(&mut page, n.to_string(), s.as_str());
            }
        }
        match r.commits_scanned {
            Some(c) => {
                card(&mut page, c.to_string(), "commits");
                card(&mut page, r.files_scanned.to_string(), "blobs scanned");
            }
            None => card(&mut page, r.files_scanned.to_string(), "files scanned"),
        }
        card(
            &mut page,
            format!("{:.1} MB", r.bytes_scanned as f64 / 1e6),
            "scanned",
        );
        card(&mut page, r.skipped.len().to_string(), "not scanned");
        card(&mut page, r.rules_loaded.to_string(), "rules");
        card(
            &mut page,
            format!("{:.2}s", r.duration.as_secs_f64()),
            "duration",
        );
        if r.baseline_suppressed > 0 {
            card(
                &mut page,
                r.baseline_suppressed.to_string(),
                "accepted by baseline",
            );
        }
        if r.allow_suppressed > 0 {
            card(&mut page, r.allow_suppressed.to_string(), "allowed inline");
        }
        page.push_str("</ul></section>\n");

        page.push_str("<div id=\"filters\" hidden></div>\n");
        page.push_str(
            "<noscript><p>JavaScript is off: every finding is shown (the filters need it).</p></noscript>\n",
        );
        page.push_str("<main id=\"findings\">");
        if groups.is_empty() {
            page.push_str("<p class=\"note\">No findings.</p>");
        }
        if r.findings.iter().any(|f| f.commit.is_some()) {
            page.push_str(
                "<p class=\"note\">A secret found in history stays in every clone of the repository \
                 even after it is deleted: rotate each one, then clean the files.</p>",
            );
        }
        for g in &groups {
            write_group(&mut page, g, opts);
            page.push('\n');
        }
        page.push_str("</main>\n");

        page.push_str("<section id=\"notscanned\"><h2>Not scanned</h2>");
        if r.skipped.is_empty() {
            page.push_str("<p>Everything found was scanned.</p>");
        } else {
            page.push_str("<table><thead><tr><th>path</th><th>reason</th></tr></thead><tbody>");
            for s in &r.skipped {
                let _ = write!(
                    page,
                    "<tr><td><code>{}</code></td><td>{}</td></tr>",
                    esc(&s.path),
                    esc(&s.reason)
                );
            }
            page.push_str("</tbody></table>");
        }
        page.push_str("</section>\n");
        if !r.warnings.is_empty() {
            page.push_str("<section id=\"warnings\"><h2>Warnings</h2><ul>");
            for w in &r.warnings {
                let _ = write!(page, "<li>{}</li>", esc(w));
            }
            page.push_str("</ul></section>\n");
        }
        let _ = write!(page, "<script>{JS}</script>\n</body></html>\n");
        out.write_all(page.as_bytes())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            super::esc("<script>alert('x')</script>&\"\u{1b}"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;\\x1b"
        );
    }
}

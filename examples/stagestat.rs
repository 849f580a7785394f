//! Per-stage CPU cost of a tree scan, single-threaded, on files held in memory (no I/O):
//! keyword pass, rules (keywords + regex windows), each decoder's candidate finder, the
//! one pass that finds every decoder's candidates for the driver, the decoding driver, and
//! the whole `scan_chunk`. Used to decide what to optimise; the
//! side-by-side benchmark is `bench/run.py`.
//!
//! `cargo run --release --example stagestat -- [--every N] PATH...` (files or directories;
//! `--every N` keeps every N-th file).

#[path = "support/measure.rs"]
mod measure;
use leakgate::config::Config;
use leakgate::decode;
use leakgate::engine::{ChunkPos, Scanner};
use measure::{min3, walk};

fn main() {
    let mut every = 1usize;
    let mut rule_mode = false;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--per-rule" {
            rule_mode = true;
        } else if a == "--every" {
            every = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
        } else {
            paths.push(a);
        }
    }
    let mut files = Vec::new();
    for a in &paths {
        walk(std::path::Path::new(a), &mut files);
    }
    let mut bufs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut total = 0usize;
    for f in files.iter().step_by(every.max(1)) {
        let Ok(b) = std::fs::read(f) else { continue };
        if b.len() > 8 << 20 || memchr::memchr(0, &b[..b.len().min(8192)]).is_some() {
            continue;
        }
        total += b.len();
        bufs.push((f.to_string_lossy().into_owned(), b));
    }
    let mb = total as f64 / 1e6;
    eprintln!("{} files, {:.1} MB", bufs.len(), mb);
    if rule_mode {
        per_rule(&bufs);
        return;
    }
    let report = |name: &str, s: f64| eprintln!("{name:<28} {s:>7.3} CPU s {:>7.0} MB/s", mb / s);

    let scanner = Scanner::new(Config::default()).unwrap();
    let rules = &scanner.rules;
    // warm: compile every regex that fires
    let mut raw = Vec::new();
    for (_, b) in &bufs {
        raw.clear();
        rules.scan(b, true, &mut raw);
    }
    let mut kws: Vec<String> = Vec::new();
    for r in &rules.rules {
        for k in &r.spec.keywords {
            let k = k.to_ascii_lowercase();
            if !kws.contains(&k) {
                kws.push(k);
            }
        }
    }
    let ks = leakgate::keywords::KeywordSearcher::new(&kws).unwrap();
    let mut hits = 0usize;
    let t = min3(|| {
        hits = 0;
        for (_, b) in &bufs {
            ks.for_each_match(b, |_, _, _| hits += 1);
        }
    });
    report("keywords", t);
    eprintln!("  {hits} keyword hits ({:.0}/MB)", hits as f64 / mb);
    let t = min3(|| {
        for (p, b) in &bufs {
            raw.clear();
            rules.scan(b, leakgate::kind::is_code(p), &mut raw);
        }
    });
    report("rules (keywords + regex)", t);
    if std::env::var_os("STAGESTAT_RULES_ONLY").is_some() {
        return;
    }
    for dec in decode::decoders() {
        let mut runs = Vec::new();
        let mut n = 0usize;
        let mut bytes = 0usize;
        let t = min3(|| {
            n = 0;
            bytes = 0;
            for (_, b) in &bufs {
                runs.clear();
                dec.candidates(b, &mut runs);
                n += runs.len();
                bytes += runs.iter().map(|r| r.len()).sum::<usize>();
            }
        });
        report(&format!("{} candidates", dec.name()), t);
        let mut ok = 0usize;
        let t = min3(|| {
            ok = 0;
            for (_, b) in &bufs {
                runs.clear();
                dec.candidates(b, &mut runs);
                for r in runs.iter() {
                    if r.len() <= 64 * 1024 && dec.decode(&b[r.clone()]).is_some() {
                        ok += 1;
                    }
                }
            }
        });
        report(&format!("{} candidates+decode", dec.name()), t);
        eprintln!("  {n} runs, {bytes} bytes, {ok} decoded to text");
    }
    let mut cands = decode::pass::Candidates::default();
    let t = min3(|| {
        for (_, b) in &bufs {
            decode::pass::all_candidates(b, &mut cands);
        }
    });
    report("all candidates (one pass)", t);
    let t = min3(|| {
        for (p, b) in &bufs {
            std::hint::black_box(decode::scan(
                rules,
                b,
                0..b.len(),
                true,
                &[],
                decode::Limits::default(),
                leakgate::kind::is_code(p),
                &mut decode::LimitsHit::default(),
            ));
        }
    });
    report("decode::scan", t);
    let mut found = 0;
    let t = min3(|| {
        let mut out = Vec::new();
        for (p, b) in &bufs {
            scanner.scan_chunk(p, b, ChunkPos::whole(b.len()), &mut out);
        }
        found = out.len();
    });
    report("scan_chunk", t);
    eprintln!("  {found} raw findings");
}

/// `--per-rule`: the rules whose regex windows cost the most, each measured alone as
/// (keywords + regex) minus its keyword pass.
fn per_rule(bufs: &[(String, Vec<u8>)]) {
    let specs = leakgate::rules::builtin_rules().unwrap();
    let mut rows = Vec::new();
    for spec in specs {
        let id = spec.id.clone();
        let kws: Vec<String> = spec
            .keywords
            .iter()
            .map(|k| k.to_ascii_lowercase())
            .collect();
        let rs = leakgate::matcher::RuleSet::new(vec![spec], |_| None).unwrap();
        let ks = leakgate::keywords::KeywordSearcher::new(&kws).unwrap();
        let mut raw = Vec::new();
        for (p, b) in bufs {
            rs.scan(b, leakgate::kind::is_code(p), &mut raw);
        }
        let mut hits = 0usize;
        let tk = min3(|| {
            hits = 0;
            for (_, b) in bufs {
                ks.for_each_match(b, |_, _, _| hits += 1);
            }
        });
        let tr = min3(|| {
            for (p, b) in bufs {
                raw.clear();
                rs.scan(b, leakgate::kind::is_code(p), &mut raw);
            }
        });
        rows.push((tr - tk, hits, id, kws.join(",")));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (t, hits, id, kws) in rows.iter().take(30) {
        eprintln!("{t:>7.3} s {hits:>8} hits  {id}  [{kws}]");
    }
    let sum: f64 = rows.iter().map(|r| r.0).sum();
    eprintln!("sum of regex time over all rules: {sum:.3} s");
}

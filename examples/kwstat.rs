//! Keyword-pass statistics: hit counts per keyword and the time of the keyword pass alone.
//! `cargo run --release --example kwstat -- PATH...` (files or directories).
#[path = "support/measure.rs"]
mod measure;
use aho_corasick::{AhoCorasickBuilder, MatchKind};
use measure::{min3, walk};

fn main() {
    let specs = leakgate::rules::builtin_rules().unwrap();
    let mut kws: Vec<String> = Vec::new();
    for s in &specs {
        for k in &s.keywords {
            let k = k.to_ascii_lowercase();
            if !kws.contains(&k) {
                kws.push(k);
            }
        }
    }
    let ac = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&kws)
        .unwrap();
    let mut files = Vec::new();
    for a in std::env::args().skip(1) {
        walk(std::path::Path::new(&a), &mut files);
    }
    let mut bufs = Vec::new();
    let mut total = 0usize;
    for f in &files {
        let Ok(b) = std::fs::read(f) else { continue };
        if memchr::memchr(0, &b[..b.len().min(8192)]).is_some() {
            continue;
        }
        total += b.len();
        bufs.push(b);
    }
    let mut counts = vec![0u64; kws.len()];
    for b in &bufs {
        for m in ac.find_overlapping_iter(b) {
            counts[m.pattern().as_usize()] += 1;
        }
    }
    let el = min3(|| {
        let mut n = 0usize;
        for b in &bufs {
            n += ac.find_overlapping_iter(b).count();
        }
        std::hint::black_box(n);
    });
    let hits: u64 = counts.iter().sum();
    eprintln!(
        "{} bytes, {} hits ({:.1}/MB); Aho-Corasick: {:.3} CPU s, {:.0} MB/s",
        total,
        hits,
        hits as f64 / (total as f64 / 1e6),
        el,
        total as f64 / 1e6 / el
    );
    let ks = leakgate::keywords::KeywordSearcher::new(&kws).unwrap();
    let mut counts2 = vec![0u64; kws.len()];
    for b in &bufs {
        ks.for_each_match(b, |p, _, _| counts2[p] += 1);
    }
    let el2 = min3(|| {
        let mut n = 0usize;
        for b in &bufs {
            ks.for_each_match(b, |_, _, _| n += 1);
        }
        std::hint::black_box(n);
    });
    eprintln!(
        "trigram ({}): {:.3} CPU s, {:.0} MB/s",
        if ks.uses_simd() {
            "AVX2 prefilter"
        } else {
            "scalar; LEAKGATE_NO_SIMD or no AVX2"
        },
        el2,
        total as f64 / 1e6 / el2
    );
    // exact comparison of every hit, per buffer
    let mut diff = 0usize;
    for b in &bufs {
        let mut x: Vec<(usize, usize, usize)> = ac
            .find_overlapping_iter(b)
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        let mut y = Vec::new();
        ks.for_each_match(b, |p, s, e| y.push((s, e, p)));
        x.sort_unstable();
        y.sort_unstable();
        if x != y {
            diff += 1;
        }
    }
    eprintln!("buffers whose hits differ: {diff}");
    let mut order: Vec<usize> = (0..kws.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(counts[i]));
    for &i in order.iter().take(40) {
        println!("{:>10} {}", counts[i], kws[i]);
    }
}

//! The keyword pass: every occurrence of every rule keyword, ASCII case-insensitively,
//! overlapping occurrences included (`sk-` inside `sk-proj-`). Same result as an overlapping
//! Aho-Corasick search, found faster.
//!
//! An Aho-Corasick DFA follows one dependent table load per byte, so it runs at about one
//! byte per load latency (~4–5 cycles) whatever the text. Here each position is tested on its
//! own instead: the three bytes starting there are mapped to 6-bit classes (one class per byte
//! value that occurs in a keyword, ASCII letters folded, every other byte class 0) and the
//! 18-bit class trigram is looked up in a 32 KiB bitset of keyword prefixes. The loads of
//! different positions are independent, so they overlap in the CPU. In source text fewer than
//! one position in twenty passes; there the keywords sharing the trigram's first two classes
//! are compared directly. Keywords shorter than three bytes set every trigram they start, and
//! the last two positions of the haystack are tested with class 0 standing in for the bytes
//! past its end, so short keywords at the very end are still found.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use anyhow::{Context, Result};

/// Number of byte classes; class 0 is "not in any keyword".
const CLASSES: usize = 64;
const BITS: usize = CLASSES * CLASSES * CLASSES;
/// Positions tested per block before candidates are looked at (one branch per block).
const BLOCK: usize = 64;

/// One keyword in a two-class bucket.
#[derive(Clone, Copy)]
struct Entry {
    /// Class of the anchor's third byte, or `ANY` for keywords shorter than three bytes.
    third: u8,
    id: u32,
    /// Where the anchor trigram starts in the keyword.
    offset: u32,
}

/// The 3,000 most common ASCII-case-folded trigrams of printable ASCII in source code, most
/// common first, 3 bytes each (made by `bench/common_trigrams.py` from the Python standard
/// library and the Rust crates of a cargo registry cache, not from the benchmark corpora).
/// A keyword is anchored on its least common trigram.
const COMMON_TRIGRAMS: &[u8] = include_bytes!("common_trigrams.txt");

/// Offset of the least common trigram of `p` (at least three bytes long).
fn anchor_offset(p: &[u8]) -> usize {
    let rank = |g: &[u8]| {
        COMMON_TRIGRAMS
            .chunks_exact(3)
            .position(|c| c == g)
            .unwrap_or(usize::MAX)
    };
    let mut best = (0, 0);
    for (o, g) in p.windows(3).enumerate() {
        let r = rank(g);
        if r > best.1 || o == 0 {
            best = (o, r);
            if r == usize::MAX {
                break;
            }
        }
    }
    best.0
}

const ANY: u8 = u8::MAX;

/// Finds every keyword occurrence; see the module documentation.
pub struct KeywordSearcher {
    /// Lower-cased keywords; the index is the pattern id.
    patterns: Vec<Box<[u8]>>,
    engine: Engine,
}

enum Engine {
    Trigram(Box<Trigram>),
    /// An empty keyword matches at every offset; that rare case keeps the plain automaton.
    Plain(AhoCorasick),
}

struct Trigram {
    /// Byte -> class, pre-shifted into the first, second and third trigram slot.
    t0: [u32; 256],
    t1: [u32; 256],
    t2: [u32; 256],
    /// Bit `c0<<12 | c1<<6 | c2` is set when some keyword can start with those classes.
    bits: [u64; BITS / 64],
    /// Bucket `c0<<6 | c1` holds `entries[start[b]..start[b + 1]]`.
    start: Vec<u32>,
    entries: Vec<Entry>,
}

impl KeywordSearcher {
    /// Build a searcher for `patterns`, matched ASCII case-insensitively. Pattern ids are the
    /// indices into `patterns`.
    pub fn new<P: AsRef<[u8]>>(patterns: &[P]) -> Result<KeywordSearcher> {
        let patterns: Vec<Box<[u8]>> = patterns
            .iter()
            .map(|p| p.as_ref().to_ascii_lowercase().into_boxed_slice())
            .collect();
        let engine = if patterns.iter().any(|p| p.is_empty()) {
            Engine::Plain(plain_automaton(&patterns)?)
        } else {
            Engine::Trigram(Box::new(Trigram::new(&patterns)))
        };
        Ok(KeywordSearcher { patterns, engine })
    }

    /// Call `f(pattern, start, end)` for every occurrence of every pattern in `hay`,
    /// including overlapping ones. Occurrences come in order of start (not of end, as an
    /// overlapping Aho-Corasick search reports them).
    pub fn for_each_match(&self, hay: &[u8], mut f: impl FnMut(usize, usize, usize)) {
        match &self.engine {
            Engine::Plain(ac) => {
                for m in ac.find_overlapping_iter(hay) {
                    f(m.pattern().as_usize(), m.start(), m.end());
                }
            }
            Engine::Trigram(t) => t.for_each_match(&self.patterns, hay, &mut f),
        }
    }
}

/// The reference search: an overlapping, ASCII case-insensitive Aho-Corasick DFA.
pub fn plain_automaton<P: AsRef<[u8]>>(patterns: &[P]) -> Result<AhoCorasick> {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(patterns)
        .context("building keyword automaton")
}

impl Trigram {
    fn new(patterns: &[Box<[u8]>]) -> Trigram {
        // classes: one per distinct (folded) keyword byte; past 63 they share the last class,
        // which only lets more positions through to the exact comparison
        let mut class = [0u8; 256];
        let mut next = 1u8;
        for p in patterns {
            for &b in p.iter() {
                let b = b.to_ascii_lowercase();
                if class[b as usize] == 0 {
                    class[b as usize] = next;
                    if (next as usize) < CLASSES - 1 {
                        next += 1;
                    }
                }
            }
        }
        for b in b'A'..=b'Z' {
            class[b as usize] = class[b.to_ascii_lowercase() as usize];
        }
        let mut t = Trigram {
            t0: [0; 256],
            t1: [0; 256],
            t2: [0; 256],
            bits: [0; BITS / 64],
            start: Vec::new(),
            entries: Vec::new(),
        };
        for (b, &c) in class.iter().enumerate() {
            let c = c as u32;
            t.t0[b] = c << 12;
            t.t1[b] = c << 6;
            t.t2[b] = c;
        }
        let cls = |b: u8| class[b as usize] as usize;
        let mut buckets: Vec<Vec<Entry>> = vec![Vec::new(); CLASSES * CLASSES];
        for (id, p) in patterns.iter().enumerate() {
            let id = id as u32;
            match **p {
                [] => {}
                [a] => {
                    for c1 in 0..CLASSES {
                        buckets[cls(a) << 6 | c1].push(Entry {
                            third: ANY,
                            id,
                            offset: 0,
                        });
                        for c2 in 0..CLASSES {
                            t.set(cls(a), c1, c2);
                        }
                    }
                }
                [a, b] => {
                    buckets[cls(a) << 6 | cls(b)].push(Entry {
                        third: ANY,
                        id,
                        offset: 0,
                    });
                    for c2 in 0..CLASSES {
                        t.set(cls(a), cls(b), c2);
                    }
                }
                _ => {
                    let o = anchor_offset(p);
                    let (a, b, c) = (cls(p[o]), cls(p[o + 1]), cls(p[o + 2]));
                    buckets[a << 6 | b].push(Entry {
                        third: c as u8,
                        id,
                        offset: o as u32,
                    });
                    t.set(a, b, c);
                }
            }
        }
        t.start.push(0);
        for b in buckets {
            t.entries.extend(b);
            t.start.push(t.entries.len() as u32);
        }
        t
    }

    fn set(&mut self, c0: usize, c1: usize, c2: usize) {
        let i = c0 << 12 | c1 << 6 | c2;
        self.bits[i >> 6] |= 1 << (i & 63);
    }

    #[inline(always)]
    fn index(&self, a: u8, b: u8, c: u8) -> u32 {
        self.t0[a as usize] | self.t1[b as usize] | self.t2[c as usize]
    }

    #[inline(always)]
    fn hit(&self, idx: u32) -> u64 {
        let idx = idx as usize;
        (self.bits[(idx >> 6) & (BITS / 64 - 1)] >> (idx & 63)) & 1
    }

    fn for_each_match(
        &self,
        patterns: &[Box<[u8]>],
        hay: &[u8],
        f: &mut impl FnMut(usize, usize, usize),
    ) {
        let n = hay.len();
        let mut i = 0;
        // whole blocks: positions i..i+BLOCK, each with its three bytes inside `hay`
        while let Some(blk) = hay.get(i..i + BLOCK + 2) {
            let mut mask = 0u64;
            for (g, w) in blk.windows(10).step_by(8).enumerate() {
                // eight positions with constant shifts; the compiler unrolls this
                let mut m = 0u64;
                for k in 0..8 {
                    m |= self.hit(self.index(w[k], w[k + 1], w[k + 2])) << k;
                }
                mask |= m << (8 * g);
            }
            while mask != 0 {
                let j = mask.trailing_zeros() as usize;
                mask &= mask - 1;
                let idx = self.index(blk[j], blk[j + 1], blk[j + 2]);
                self.verify(patterns, hay, i + j, idx, f);
            }
            i += BLOCK;
        }
        // the rest; class 0 stands in for bytes past the end
        while i < n {
            let a = hay[i];
            let b = hay.get(i + 1).copied();
            let c = hay.get(i + 2).copied();
            let idx = self.t0[a as usize]
                | b.map_or(0, |b| self.t1[b as usize])
                | c.map_or(0, |c| self.t2[c as usize]);
            if self.hit(idx) != 0 {
                self.verify(patterns, hay, i, idx, f);
            }
            i += 1;
        }
    }

    /// Report every keyword whose anchor occurs at `at`, where the class trigram is `idx`.
    #[inline(never)]
    fn verify(
        &self,
        patterns: &[Box<[u8]>],
        hay: &[u8],
        at: usize,
        idx: u32,
        f: &mut impl FnMut(usize, usize, usize),
    ) {
        let bucket = (idx >> 6) as usize;
        let third = (idx & 63) as u8;
        let (Some(&s), Some(&e)) = (self.start.get(bucket), self.start.get(bucket + 1)) else {
            return;
        };
        for entry in self.entries.get(s as usize..e as usize).unwrap_or(&[]) {
            if entry.third != ANY && entry.third != third {
                continue;
            }
            let Some(p) = patterns.get(entry.id as usize) else {
                continue;
            };
            let Some(s) = at.checked_sub(entry.offset as usize) else {
                continue;
            };
            if hay
                .get(s..s + p.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(p))
            {
                f(entry.id as usize, s, s + p.len());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64*: deterministic, dependency-free randomness for the property tests.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    fn builtin_keywords() -> Vec<String> {
        let mut kws: Vec<String> = Vec::new();
        for spec in crate::rules::builtin_rules().unwrap() {
            for k in spec.keywords {
                let k = k.to_ascii_lowercase();
                if !kws.contains(&k) {
                    kws.push(k);
                }
            }
        }
        kws
    }

    /// Every (start, end, pattern) the reference automaton finds, sorted.
    fn reference(ac: &AhoCorasick, hay: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut v: Vec<_> = ac
            .find_overlapping_iter(hay)
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        v.sort_unstable();
        v
    }

    fn found(ks: &KeywordSearcher, hay: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut v = Vec::new();
        ks.for_each_match(hay, |p, s, e| v.push((s, e, p)));
        v.sort_unstable();
        v
    }

    /// Flip the case of each ASCII letter with probability one half.
    fn random_case(rng: &mut Rng, k: &[u8]) -> Vec<u8> {
        k.iter()
            .map(|&b| {
                if rng.next() & 1 == 1 {
                    b.to_ascii_uppercase()
                } else {
                    b
                }
            })
            .collect()
    }

    /// Random haystacks of keyword-ish text, binary bytes and planted keywords (in random
    /// case, overlapping, at both edges and across block borders) give exactly the hits of
    /// the plain automaton.
    fn check_random(kws: &[Vec<u8>], seed: u64, rounds: usize) {
        let ks = KeywordSearcher::new(kws).unwrap();
        let ac = plain_automaton(kws).unwrap();
        let mut rng = Rng(seed);
        let alphabet =
            b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:~= \n\"'";
        let mut planted_total = 0;
        for round in 0..rounds {
            let len = match round % 4 {
                0 => rng.below(8),
                1 => rng.below(3 * BLOCK),
                _ => rng.below(2000),
            };
            let mut hay: Vec<u8> = (0..len)
                .map(|_| {
                    if rng.below(10) == 0 {
                        rng.next() as u8 // any byte: binary, invalid UTF-8
                    } else {
                        alphabet[rng.below(alphabet.len())]
                    }
                })
                .collect();
            // plant keywords: at the start, at the end, across a block border, anywhere
            // (the one at the start goes last, so nothing overwrites it)
            let plants = 1 + rng.below(6);
            for n in (0..plants).rev() {
                let pick = rng.below(kws.len());
                let k = random_case(&mut rng, &kws[pick]);
                let at = match n {
                    0 => 0,
                    1 => hay.len().saturating_sub(k.len()),
                    2 => BLOCK.saturating_sub(rng.below(k.len() + 1)),
                    _ => rng.below(hay.len() + 1),
                };
                let at = at.min(hay.len());
                let end = (at + k.len()).min(hay.len());
                hay.splice(at..end, k);
                planted_total += 1;
            }
            let want = reference(&ac, &hay);
            assert!(
                want.iter().any(|h| h.0 == 0),
                "a keyword was planted at offset 0"
            );
            assert_eq!(found(&ks, &hay), want, "seed {seed}, round {round}");
        }
        assert!(planted_total >= rounds);
    }

    #[test]
    fn same_hits_as_aho_corasick_on_random_haystacks_with_builtin_keywords() {
        let kws: Vec<Vec<u8>> = builtin_keywords()
            .into_iter()
            .map(String::into_bytes)
            .collect();
        check_random(&kws, 0x5EED_1234_ABCD_0001, 3000);
    }

    #[test]
    fn same_hits_with_short_and_overlapping_keywords() {
        let kws: Vec<Vec<u8>> = [
            "k", "q~", "sk-", "sk-proj-", "proj", "oj-", "aaa", "aa", "a",
        ]
        .iter()
        .map(|k| k.as_bytes().to_vec())
        .collect();
        check_random(&kws, 0x0BAD_CAFE_0000_0002, 3000);
        // `sk-` inside `sk-proj-`, `aa` and `aaa` overlapping themselves, `a` at both edges
        let ks = KeywordSearcher::new(&kws).unwrap();
        let ac = plain_automaton(&kws).unwrap();
        for hay in [&b"SK-PROJ-x"[..], b"aAaA", b"a", b"q~", b"xq~", b"kq~a"] {
            assert_eq!(found(&ks, hay), reference(&ac, hay));
            assert!(!found(&ks, hay).is_empty());
        }
    }

    #[test]
    fn more_keyword_bytes_than_classes_share_a_class_without_missing_hits() {
        // 94 printable bytes plus non-ASCII ones: classes run out and collide
        let mut kws: Vec<Vec<u8>> = (0x21u8..0x7f)
            .collect::<Vec<u8>>()
            .chunks(3)
            .map(|c| c.to_vec())
            .collect();
        kws.push(vec![0xc3, 0xa9, b'x']);
        kws.push(vec![0xff, 0x00, 0xfe, 0x01]);
        check_random(&kws, 0x1234_5678_9ABC_0003, 3000);
    }

    #[test]
    fn an_empty_keyword_matches_everywhere_like_the_automaton() {
        let kws = ["", "ab"];
        let ks = KeywordSearcher::new(&kws).unwrap();
        let ac = plain_automaton(&kws).unwrap();
        for hay in [&b""[..], b"xaby", b"AB"] {
            assert_eq!(found(&ks, hay), reference(&ac, hay));
        }
        assert_eq!(found(&ks, b"xy").len(), 3);
    }

    #[test]
    fn keywords_are_anchored_on_an_uncommon_trigram() {
        // `car` starts `cargo`, `card`, `carry`: a keyword should not wait for it
        let o = anchor_offset(b"cargo_registry_token");
        assert!(o > 0, "anchored at {o}");
        assert_eq!(anchor_offset(b"abc"), 0);
        // and it is still found where the anchor sits at the haystack's end
        let ks = KeywordSearcher::new(&["cargo_registry_token"]).unwrap();
        assert_eq!(found(&ks, b"x CARGO_REGISTRY_TOKEN"), vec![(2, 22, 0)]);
    }
}

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
//! one position in a hundred passes. Keywords shorter than three bytes set every trigram they
//! start, and the last two positions of the haystack are tested with class 0 standing in for
//! the bytes past its end, so short keywords at the very end are still found.
//!
//! A position that passes is compared with the keywords anchored on its class trigram only:
//! keywords of three bytes or more sit in one list per anchor trigram, found by the trigram's
//! rank in a second bitset (no search, no branch on other keywords), and each is compared
//! eight bytes at a time, case folded with one OR ([`Entry`]). An anchor with a single keyword
//! of at most eight bytes is settled by one slot of a small hash table instead ([`Leads`]).
//! Keywords of one or two bytes sit in a list per class pair, empty for nearly every position.
//!
//! ## The AVX2 prefilter
//!
//! The scalar test makes seven loads per position and is bound by them, at about 3.5 cycles a
//! byte. On x86-64 CPUs with AVX2 a cheaper test of 32 positions at a time runs first
//! (module `avx2`), and only the positions it lets through get the scalar test. It is keyed
//! on byte *pairs*, so that one table load answers for two positions: the pair `t[k], t[k+1]`
//! (letters folded by clearing bit 5) hashes to a 32-bit word of a 16 KiB table. Its low half
//! holds the 4-bit classes that `t[k+2]` may have for a keyword anchor `t[k..k+3]` to start at
//! `k`, its high half those that `t[k-1]` may have for an anchor `t[k-1..k+2]` to start at
//! `k - 1`. The pairs at every other position cover all positions: 16 table loads per 32
//! positions, each word shifted so that the tested bit lands in a lane's sign bit. The loads
//! are scalar (on Zen 3 an AVX2 gather costs more than eight loads); they are most of the time.
//!
//! The class test lets through about twice as many positions as the exact trigram test (some
//! 1.5–2% of source text). Those are written to a buffer without a branch (most steps have
//! none; a branch per step would mispredict half the time), and a chunk of steps later sifted
//! twice, again without branches: by the exact trigram test, then by the bytes that all
//! keywords of the anchor share around it ([`Trigram::worth_verifying`]). Only what is left
//! (a few positions in a thousand, mostly hits) is compared with keywords as in the scalar pass.
//! The last 33 positions or fewer of the haystack, and CPUs without AVX2, take the scalar pass;
//! `LEAKGATE_NO_SIMD=1` in the environment forces it everywhere (read once, at the first
//! searcher built).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use anyhow::{Context, Result};

/// Number of byte classes; class 0 is "not in any keyword".
const CLASSES: usize = 64;
const BITS: usize = CLASSES * CLASSES * CLASSES;
/// Class pairs `c0<<6 | c1`; also the word of `c0<<12 | c1<<6 | c2` in a trigram bitset.
const BUCKETS: usize = CLASSES * CLASSES;
/// Positions tested per block before candidates are looked at (one branch per block).
const BLOCK: usize = 64;

/// One keyword to compare with the text where its anchor was seen.
#[derive(Clone, Copy)]
struct Entry {
    id: u32,
    /// Where the anchor trigram starts in the keyword (0 for keywords shorter than three).
    offset: u32,
    len: u32,
    /// The keyword's first eight bytes (fewer if it is shorter), lower case, little-endian.
    head: u64,
    /// 0x20 in each byte of `head` that is a letter: OR-ed into the text, it folds the case
    /// of exactly those bytes, so `(text | fold) & mask == head` is `eq_ignore_ascii_case`.
    fold: u64,
    /// 0xff in each byte of `head` that belongs to the keyword.
    mask: u64,
}

impl Entry {
    /// `p` is lower case.
    fn new(id: usize, p: &[u8], offset: usize) -> Entry {
        let (mut head, mut fold, mut mask) = (0u64, 0u64, 0u64);
        for (k, &b) in p.iter().take(8).enumerate() {
            head |= u64::from(b) << (8 * k);
            mask |= 0xff << (8 * k);
            if b.is_ascii_lowercase() {
                fold |= 0x20 << (8 * k);
            }
        }
        Entry {
            id: id as u32,
            offset: offset as u32,
            len: p.len() as u32,
            head,
            fold,
            mask,
        }
    }

    /// Report the keyword if it occurs in `hay` with its anchor at `at`.
    #[inline(always)]
    fn check(
        &self,
        patterns: &[Box<[u8]>],
        hay: &[u8],
        at: usize,
        f: &mut impl FnMut(usize, usize, usize),
    ) {
        let Some(s) = at.checked_sub(self.offset as usize) else {
            return;
        };
        let Some(w) = hay.get(s..s.saturating_add(self.len as usize)) else {
            return;
        };
        let text = match w.first_chunk::<8>() {
            Some(b) => u64::from_le_bytes(*b),
            None => {
                // shorter than eight bytes: `mask` ignores the padding
                let mut b = [0u8; 8];
                for (d, &x) in b.iter_mut().zip(w) {
                    *d = x;
                }
                u64::from_le_bytes(b)
            }
        };
        if ((text | self.fold) ^ self.head) & self.mask != 0 {
            return;
        }
        let id = self.id as usize;
        if w.len() > 8 {
            let (Some(rest), Some(p)) = (w.get(8..), patterns.get(id).and_then(|p| p.get(8..)))
            else {
                return;
            };
            if !rest.eq_ignore_ascii_case(p) {
                return;
            }
        }
        f(id, s, s + w.len());
    }
}

/// What all keywords of one anchor trigram have in common near it, in an open-addressing
/// hash table keyed by the class trigram and at least four times as large as the number of
/// anchors, so that most sit in their home slot and one load finds them; the others are
/// marked in their home slot ([`Lead::DISPLACED`]). See [`Trigram::worth_verifying`].
#[derive(Default)]
struct Leads {
    /// A power of two long (at least 64).
    slots: Vec<Lead>,
    /// `32 - log2(slots.len())`: the home of a key is the top bits of `key * LEAD_MUL`.
    shift: u32,
}

/// One slot of [`Leads`] (16 bytes): up to eight bytes that every keyword of the anchor has
/// at the same place relative to it, and, where the anchor has a single keyword of at most
/// eight bytes (which these bytes then are), the keyword itself.
#[derive(Clone, Copy, Default)]
struct Lead {
    /// The bytes, lower case, little-endian; the window starts `back` bytes before the anchor.
    head: u64,
    /// Bit fields: see the `Lead` constants.
    meta: u64,
}

impl Lead {
    /// The class trigram plus one (0 for an empty slot): bits 0..20.
    const KEY_BITS: u32 = 20;
    /// The keyword id when [`Lead::CERTAIN`]: bits 20..44.
    const ID_SHIFT: u32 = 20;
    const ID_BITS: u32 = 24;
    /// How far before the anchor the window starts: bits 44..56.
    const BACK_SHIFT: u32 = 44;
    const BACK_BITS: u32 = 12;
    /// How many bytes the window has, 1 to 8, less one: bits 56..59.
    const LEN_SHIFT: u32 = 56;
    /// The window is the whole of the anchor's only keyword: a match is a hit.
    const CERTAIN: u64 = 1 << 60;
    /// Nothing is known: every position with the anchor is worth verifying.
    const UNKNOWN: u64 = 1 << 61;
    /// Some key whose home is this slot sits in another one.
    const DISPLACED: u64 = 1 << 62;

    fn field(&self, shift: u32, bits: u32) -> u64 {
        (self.meta >> shift) & ((1 << bits) - 1)
    }

    fn key(&self) -> u32 {
        self.field(0, Lead::KEY_BITS) as u32
    }

    fn id(&self) -> usize {
        self.field(Lead::ID_SHIFT, Lead::ID_BITS) as usize
    }

    fn back(&self) -> usize {
        self.field(Lead::BACK_SHIFT, Lead::BACK_BITS) as usize
    }

    /// Number of bytes in the window.
    fn len(&self) -> usize {
        self.field(Lead::LEN_SHIFT, 3) as usize + 1
    }

    /// 0xff in each byte of `head` that is in the window.
    #[inline(always)]
    fn mask(&self) -> u64 {
        u64::MAX >> (8 * (7 - self.field(Lead::LEN_SHIFT, 3)))
    }

    /// The slot for the keywords `group` (lower case, each with the offset of its anchor)
    /// of class trigram `idx`.
    fn new(idx: u32, group: &[(&[u8], usize, usize)]) -> Lead {
        let unknown = Lead {
            head: 0,
            meta: u64::from(idx + 1) | Lead::UNKNOWN,
        };
        // the byte every keyword has at `r` relative to the anchor, if they agree
        let agreed = |r: isize| -> Option<u8> {
            let mut byte = None;
            for &(p, _, o) in group {
                let b = *p.get(usize::try_from(o as isize + r).ok()?)?;
                if byte.is_some_and(|x| x != b) {
                    return None;
                }
                byte = Some(b);
            }
            byte
        };
        if agreed(0).is_none() {
            return unknown;
        }
        let mut start = 0isize;
        while start > -(1 << Lead::BACK_BITS) + 1 && agreed(start - 1).is_some() {
            start -= 1;
        }
        let mut head = 0u64;
        let mut len = 0;
        while len < 8 {
            let Some(b) = agreed(start + len as isize) else {
                break;
            };
            head |= u64::from(b) << (8 * len);
            len += 1;
        }
        let back = (-start) as u64;
        let mut meta =
            u64::from(idx + 1) | back << Lead::BACK_SHIFT | ((len as u64 - 1) << Lead::LEN_SHIFT);
        if let [(p, id, o)] = group {
            if p.len() <= 8 && p.len() == len && *o as u64 == back && *id < 1 << Lead::ID_BITS {
                meta |= (*id as u64) << Lead::ID_SHIFT | Lead::CERTAIN;
            }
        }
        Lead { head, meta }
    }
}

/// Multiplier of the [`Leads`] hash (odd).
const LEAD_MUL: u32 = 0x9E37_79B1;

impl Leads {
    /// One slot per anchor: `leads` have distinct keys.
    fn new(leads: Vec<Lead>) -> Leads {
        let size = (4 * leads.len()).next_power_of_two().max(64);
        let mut table = Leads {
            slots: vec![Lead::default(); size],
            shift: 32 - size.trailing_zeros(),
        };
        for lead in leads {
            let home = table.home(lead.key() - 1);
            let mut at = home;
            while table.slots[at].key() != 0 {
                at = (at + 1) % size;
            }
            if at != home {
                table.slots[home].meta |= Lead::DISPLACED;
            }
            let flags = table.slots[at].meta & Lead::DISPLACED;
            table.slots[at] = lead;
            table.slots[at].meta |= flags;
        }
        table
    }

    fn home(&self, idx: u32) -> usize {
        (idx.wrapping_mul(LEAD_MUL) >> self.shift) as usize
    }

    /// The home slot of class trigram `idx`, and whether it holds `idx`.
    #[inline(always)]
    fn find(&self, idx: u32) -> (bool, Lead) {
        let lead = self.slots.get(self.home(idx)).copied().unwrap_or_default();
        (lead.key() == idx + 1, lead)
    }
}

/// The eight bytes of `w` with ASCII upper-case letters made lower case (SWAR).
#[inline(always)]
fn lower_case(w: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let t = w & LOW7;
    // bit 7 of each byte: at least b'A', at least b'Z' + 1 (no carries: t <= 0x7f)
    let from_a = t + 0x3F3F_3F3F_3F3F_3F3F;
    let past_z = t + 0x2525_2525_2525_2525;
    let upper = from_a & !past_z & !w & HIGH;
    w | (upper >> 2)
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

/// Whether the AVX2 prefilter may be used: the CPU has AVX2 and `LEAKGATE_NO_SIMD` is not
/// set to something other than `0` or nothing. Decided once per process.
fn simd_allowed() -> bool {
    static ALLOWED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ALLOWED.get_or_init(|| {
        let off = std::env::var_os("LEAKGATE_NO_SIMD").is_some_and(|v| !v.is_empty() && v != "0");
        !off && avx2::available()
    })
}

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
    /// Keywords of one or two bytes: bucket `c0<<6 | c1` holds
    /// `short[short_start[b]..short_start[b + 1]]` (a one-byte keyword is in all 64 buckets
    /// of its class).
    short_start: Vec<u32>,
    short: Vec<Entry>,
    /// Bit `c0<<12 | c1<<6 | c2` is set when that class trigram anchors a keyword of three
    /// bytes or more.
    anchors: [u64; BITS / 64],
    /// Number of bits set in the words of `anchors` before each word.
    rank: [u32; BITS / 64],
    /// The anchor of rank `r` holds `anchored[anchored_start[r]..anchored_start[r + 1]]`.
    anchored_start: Vec<u32>,
    anchored: Vec<Entry>,
    /// What the keywords of each anchor have in common, for [`Trigram::worth_verifying`].
    leads: Leads,
    /// Bit `b` is set when bucket `b` of `short` is not empty.
    short_any: [u64; BUCKETS / 64],
    /// The AVX2 prefilter, when it is not turned off (it exists only where the CPU has AVX2).
    simd: Option<avx2::PairFilter>,
}

impl KeywordSearcher {
    /// Build a searcher for `patterns`, matched ASCII case-insensitively. Pattern ids are the
    /// indices into `patterns`.
    pub fn new<P: AsRef<[u8]>>(patterns: &[P]) -> Result<KeywordSearcher> {
        KeywordSearcher::build(patterns, simd_allowed())
    }

    /// [`KeywordSearcher::new`] with the AVX2 prefilter on (where the CPU has AVX2) or off.
    fn build<P: AsRef<[u8]>>(patterns: &[P], simd: bool) -> Result<KeywordSearcher> {
        let patterns: Vec<Box<[u8]>> = patterns
            .iter()
            .map(|p| p.as_ref().to_ascii_lowercase().into_boxed_slice())
            .collect();
        let engine = if patterns.iter().any(|p| p.is_empty()) {
            Engine::Plain(plain_automaton(&patterns)?)
        } else {
            Engine::Trigram(Trigram::new(&patterns, simd))
        };
        Ok(KeywordSearcher { patterns, engine })
    }

    /// Whether searches use the AVX2 prefilter.
    pub fn uses_simd(&self) -> bool {
        matches!(&self.engine, Engine::Trigram(t) if t.simd.is_some())
    }

    /// Call `f(pattern, start, end)` for every occurrence of every pattern in `hay`,
    /// including overlapping ones, in no particular order.
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
    fn new(patterns: &[Box<[u8]>], simd: bool) -> Box<Trigram> {
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
        let mut t = Box::new(Trigram {
            t0: [0; 256],
            t1: [0; 256],
            t2: [0; 256],
            bits: [0; BITS / 64],
            short_start: Vec::new(),
            short: Vec::new(),
            anchors: [0; BITS / 64],
            rank: [0; BITS / 64],
            anchored_start: Vec::new(),
            anchored: Vec::new(),
            leads: Leads::default(),
            short_any: [0; BUCKETS / 64],
            simd: if simd {
                avx2::PairFilter::new(patterns)
            } else {
                None
            },
        });
        for (b, &c) in class.iter().enumerate() {
            let c = c as u32;
            t.t0[b] = c << 12;
            t.t1[b] = c << 6;
            t.t2[b] = c;
        }
        let cls = |b: u8| class[b as usize] as usize;
        let mut short: Vec<Vec<Entry>> = vec![Vec::new(); BUCKETS];
        // (class trigram, keyword) for keywords of three bytes or more
        let mut anchored: Vec<(usize, Entry)> = Vec::new();
        for (id, p) in patterns.iter().enumerate() {
            match **p {
                [] => {}
                [a] => {
                    for c1 in 0..CLASSES {
                        short[cls(a) << 6 | c1].push(Entry::new(id, p, 0));
                        for c2 in 0..CLASSES {
                            t.set(cls(a), c1, c2);
                        }
                    }
                }
                [a, b] => {
                    short[cls(a) << 6 | cls(b)].push(Entry::new(id, p, 0));
                    for c2 in 0..CLASSES {
                        t.set(cls(a), cls(b), c2);
                    }
                }
                _ => {
                    let o = anchor_offset(p);
                    let (a, b, c) = (cls(p[o]), cls(p[o + 1]), cls(p[o + 2]));
                    t.set(a, b, c);
                    let i = a << 12 | b << 6 | c;
                    t.anchors[i >> 6] |= 1 << (i & 63);
                    anchored.push((i, Entry::new(id, p, o)));
                }
            }
        }
        t.short_start.push(0);
        for (i, b) in short.into_iter().enumerate() {
            if !b.is_empty() {
                t.short_any[i / 64] |= 1 << (i % 64);
            }
            t.short.extend(b);
            t.short_start.push(t.short.len() as u32);
        }
        let mut n = 0;
        for w in 0..BITS / 64 {
            t.rank[w] = n;
            n += t.anchors[w].count_ones();
        }
        // stable: keywords of one anchor stay in id order
        anchored.sort_by_key(|&(i, _)| i);
        let mut leads = Vec::new();
        let mut group: Vec<(&[u8], usize, usize)> = Vec::new();
        for (k, &(i, e)) in anchored.iter().enumerate() {
            if k == 0 || anchored[k - 1].0 != i {
                t.anchored_start.push(t.anchored.len() as u32);
            }
            t.anchored.push(e);
            let id = e.id as usize;
            group.push((&patterns[id], id, e.offset as usize));
            if anchored.get(k + 1).is_none_or(|next| next.0 != i) {
                leads.push(Lead::new(i as u32, &group));
                group.clear();
            }
        }
        t.anchored_start.push(t.anchored.len() as u32);
        t.leads = Leads::new(leads);
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
        let from = match &self.simd {
            // SAFETY: a `PairFilter` is only built when the CPU has AVX2
            Some(pairs) => unsafe { pairs.search(self, patterns, hay, f) },
            None => 0,
        };
        self.scan(patterns, hay, from, f);
    }

    /// The scalar pass over the positions from `from` on.
    fn scan(
        &self,
        patterns: &[Box<[u8]>],
        hay: &[u8],
        from: usize,
        f: &mut impl FnMut(usize, usize, usize),
    ) {
        let n = hay.len();
        let mut i = from;
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

    /// Whether [`Trigram::verify`] may find something at `at`, where the class trigram is
    /// `idx` (set in `bits`): not when the trigram starts no keyword shorter than three bytes
    /// and the bytes that all keywords anchored on it share around it ([`Lead`]) are not
    /// there. Without a branch, so that the SIMD path can sift its candidates before the
    /// branchy comparison; the loads of successive candidates overlap.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    #[inline(always)]
    fn worth_verifying(&self, hay: &[u8], at: usize, idx: u32) -> bool {
        let bucket = (idx >> 6) as usize % BUCKETS;
        let short = (self.short_any[bucket / 64] >> (bucket % 64)) & 1 != 0;
        let (found, lead) = self.leads.find(idx);
        // the window's bytes, or (near either end) other bytes, which are then not trusted
        let s = at.wrapping_sub(lead.back());
        let from = s.min(hay.len().saturating_sub(8));
        let text = hay.get(from..).and_then(|w| w.first_chunk::<8>());
        let trusted = text.is_some() & (from == s) & (lead.meta & Lead::UNKNOWN == 0);
        let text = text.map_or(0, |b| u64::from_le_bytes(*b));
        let same = (lower_case(text) ^ lead.head) & lead.mask() == 0;
        // not found: the anchor sits further on, or there is none (`bits` by a short keyword)
        let displaced = lead.meta & Lead::DISPLACED != 0;
        short | (found & (!trusted | same)) | (!found & displaced)
    }

    /// Report every keyword that occurs with its anchor at `at`, where the class trigram is
    /// `idx`.
    #[inline(never)]
    fn verify(
        &self,
        patterns: &[Box<[u8]>],
        hay: &[u8],
        at: usize,
        idx: u32,
        f: &mut impl FnMut(usize, usize, usize),
    ) {
        self.verify_inline(patterns, hay, at, idx, f);
    }

    /// [`Trigram::verify`], inlined into the SIMD path's last loop.
    #[inline(always)]
    fn verify_inline(
        &self,
        patterns: &[Box<[u8]>],
        hay: &[u8],
        at: usize,
        idx: u32,
        f: &mut impl FnMut(usize, usize, usize),
    ) {
        let bucket = (idx >> 6) as usize % BUCKETS;
        if (self.short_any[bucket / 64] >> (bucket % 64)) & 1 != 0 {
            if let (Some(&s), Some(&e)) = (
                self.short_start.get(bucket),
                self.short_start.get(bucket + 1),
            ) {
                for entry in self.short.get(s as usize..e as usize).unwrap_or(&[]) {
                    entry.check(patterns, hay, at, f);
                }
            }
        }
        // an anchor with a single keyword of at most eight bytes: one load and compare
        let (found, lead) = self.leads.find(idx);
        if found && lead.meta & Lead::CERTAIN != 0 {
            let Some(s) = at.checked_sub(lead.back()) else {
                return;
            };
            let Some(w) = hay.get(s..s + lead.len()) else {
                return;
            };
            let mut text = [0u8; 8];
            for (d, &b) in text.iter_mut().zip(w) {
                *d = b;
            }
            if (lower_case(u64::from_le_bytes(text)) ^ lead.head) & lead.mask() == 0 {
                f(lead.id(), s, s + w.len());
            }
            return;
        }
        let (Some(&word), Some(&below)) = (self.anchors.get(bucket), self.rank.get(bucket)) else {
            return;
        };
        let bit = idx & 63;
        if (word >> bit) & 1 == 0 {
            return;
        }
        let r = (below + (word & ((1u64 << bit) - 1)).count_ones()) as usize;
        let (Some(&s), Some(&e)) = (self.anchored_start.get(r), self.anchored_start.get(r + 1))
        else {
            return;
        };
        for entry in self.anchored.get(s as usize..e as usize).unwrap_or(&[]) {
            entry.check(patterns, hay, at, f);
        }
    }
}

/// The AVX2 prefilter; see the module documentation. Elsewhere than on x86-64 a stand-in
/// that is never available.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{anchor_offset, Trigram};
    use std::arch::x86_64::*;
    use std::mem::MaybeUninit;

    /// The table has `1 << HASH_BITS` words (16 KiB, inside the L1 cache beside the text).
    const HASH_BITS: u32 = 12;
    /// Multiplier of the pair hash (odd; the top `HASH_BITS` bits of the product are used).
    const MUL: u32 = 0x9E37_79B1;
    /// Positions per step.
    const STEP: usize = 32;
    /// A step at `i` reads `hay[i..i + READ]`.
    const READ: usize = STEP + 2;
    /// Steps whose candidates are collected before they are tested.
    const CHUNK: usize = 64;
    /// Bits of a candidate that hold its offset in the chunk; the class trigram is above.
    const OFFSET_BITS: u32 = 12;
    const OFFSET_MASK: u32 = (1 << OFFSET_BITS) - 1;
    const _: () =
        assert!(CHUNK * STEP <= 1 << OFFSET_BITS && super::BITS <= 1 << (32 - OFFSET_BITS));

    /// Whether the CPU has AVX2 (and POPCNT, which every AVX2 CPU has).
    pub(super) fn available() -> bool {
        is_x86_feature_detected!("avx2") && is_x86_feature_detected!("popcnt")
    }

    /// Pair word table: see the module documentation.
    pub(super) struct PairFilter {
        words: Box<[u32]>,
        /// [`side_tables`].
        side_low: [i8; 32],
        side_high: [i8; 32],
    }

    /// The slot of the pair `a, b`: letters folded to upper case (other bytes may share a
    /// slot with the byte 32 above or below them, which only lets more through).
    fn slot(a: u8, b: u8) -> usize {
        let key = u32::from(a & 0xDF) | u32::from(b & 0xDF) << 8;
        (key.wrapping_mul(MUL) >> (32 - HASH_BITS)) as usize
    }

    /// The 4-bit class of an ASCII byte before or after a pair, by its low five bits (so
    /// letters are folded). Any map is correct; this one merges values that rarely stand in
    /// the same place around the pairs of the built-in keywords' anchors, so fewer positions
    /// pass. It was found by a hill climb on the Rust crates of a cargo registry cache and
    /// the Python standard library (not the benchmark corpora), where it let 1.0% of positions
    /// through against 1.7% for the plain low nibble; on the npm tree of the benchmark 1.8%
    /// pass against 2.35%. Custom keywords are found all the same, perhaps with a few more
    /// positions let through.
    const SIDE: [u8; 32] = [
        7, 1, 8, 3, 4, 0, 14, 3, 6, 2, 2, 11, 8, 13, 14, 5, 12, 11, 10, 9, 15, 12, 11, 13, 4, 5, 9,
        7, 7, 10, 7, 6,
    ];

    /// Class of the byte `c` before or after a pair: [`SIDE`], and 15 for non-ASCII bytes.
    fn side(c: u8) -> u32 {
        if c >= 0x80 {
            15
        } else {
            u32::from(SIDE[usize::from(c & 31)])
        }
    }

    /// Bit of the low half (the byte after the pair may be `c`).
    fn after(c: u8) -> u32 {
        1 << side(c)
    }

    /// Bit of the high half (the byte before the pair may be `c`).
    fn before(c: u8) -> u32 {
        1 << (16 + side(c))
    }

    /// `15 - SIDE[v]` for `v` in `0..16` (`low`) and in `16..32` (`high`), for both lanes.
    fn side_tables() -> ([i8; 32], [i8; 32]) {
        let mut t = ([0i8; 32], [0i8; 32]);
        for v in 0..32 {
            let shift = 15 - SIDE[v] as i8;
            let half = if v < 16 { &mut t.0 } else { &mut t.1 };
            half[v % 16] = shift;
            half[v % 16 + 16] = shift;
        }
        t
    }

    impl PairFilter {
        /// The table for `patterns` (lower case, not empty), or `None` if the CPU lacks AVX2:
        /// a `PairFilter` exists only where `search` may run.
        pub(super) fn new(patterns: &[Box<[u8]>]) -> Option<PairFilter> {
            if !available() {
                return None;
            }
            let mut words = vec![0u32; 1 << HASH_BITS].into_boxed_slice();
            for p in patterns {
                match **p {
                    [] => {}
                    // matches everywhere the byte is: let every position through
                    [_] => words.fill(u32::MAX),
                    [a, b] => {
                        // any third byte; and as the end of a pair `b, any`
                        words[slot(a, b)] |= 0xFFFF;
                        for c in 0..=255 {
                            words[slot(b, c)] |= before(a);
                        }
                    }
                    _ => {
                        let o = anchor_offset(p);
                        let (x, y, z) = (p[o], p[o + 1], p[o + 2]);
                        words[slot(x, y)] |= after(z);
                        words[slot(y, z)] |= before(x);
                    }
                }
            }
            let (side_low, side_high) = side_tables();
            Some(PairFilter {
                words,
                side_low,
                side_high,
            })
        }

        /// Test the 16 positions `ptr + 4j` and `ptr + 4j + 1` (`j` in `0..8`), with the
        /// pairs at `ptr + 4j + 1`: the sign bit of lane `j` of the first result is the test
        /// of `ptr + 4j`, of the second that of `ptr + 4j + 1`.
        ///
        /// # Safety
        /// AVX2 and POPCNT, and `ptr..ptr + 32` readable.
        #[target_feature(enable = "avx2,popcnt")]
        #[inline]
        unsafe fn probe(&self, ptr: *const u8) -> (__m256i, __m256i) {
            // SAFETY: the caller makes 32 bytes at `ptr` readable; the load is unaligned
            let x = unsafe { _mm256_loadu_si256(ptr.cast()) };
            // lane j: bytes t[k-1], t[k], t[k+1], t[k+2] for k = ptr + 4j + 1
            let key = _mm256_and_si256(_mm256_srli_epi32::<8>(x), _mm256_set1_epi32(0xDFDF));
            let prod = _mm256_mullo_epi32(key, _mm256_set1_epi32(MUL as i32));
            let slot = _mm256_srli_epi32::<{ 32 - HASH_BITS as i32 }>(prod);
            // the eight words, by scalar loads: on Zen 3 that is faster than a gather
            let mut at = [0u32; 8];
            // SAFETY: `at` has room for the eight lanes; the store is unaligned
            unsafe { _mm256_storeu_si256(at.as_mut_ptr().cast(), slot) };
            let word = |k: usize| {
                let i = at[k] as usize % (1 << HASH_BITS);
                // SAFETY: `words` is `1 << HASH_BITS` long
                (unsafe { *self.words.get_unchecked(i) }) as i32
            };
            let w = _mm256_setr_epi32(
                word(0),
                word(1),
                word(2),
                word(3),
                word(4),
                word(5),
                word(6),
                word(7),
            );
            // bit 16 + side(t[k-1]) and bit side(t[k+2]), each shifted into the sign bit: each
            // byte's 15 - side by two table lookups (by its low nibble; 0 for a byte of 0x80
            // and above) chosen by its bit 4
            // SAFETY: the tables are 32 bytes each; the loads are unaligned
            let (low, high) = unsafe {
                (
                    _mm256_loadu_si256(self.side_low.as_ptr().cast()),
                    _mm256_loadu_si256(self.side_high.as_ptr().cast()),
                )
            };
            let shift = _mm256_blendv_epi8(
                _mm256_shuffle_epi8(low, x),
                _mm256_shuffle_epi8(high, x),
                _mm256_slli_epi16::<3>(x),
            );
            let first = _mm256_and_si256(shift, _mm256_set1_epi32(15));
            let second = _mm256_or_si256(_mm256_srli_epi32::<24>(shift), _mm256_set1_epi32(16));
            (_mm256_sllv_epi32(w, first), _mm256_sllv_epi32(w, second))
        }

        /// The positions of `bytes[..32]` that pass, as bits of the result (`bytes` is
        /// `READ` long; `order` as in `search`).
        ///
        /// # Safety
        /// AVX2 and POPCNT.
        #[target_feature(enable = "avx2,popcnt")]
        #[inline]
        unsafe fn step(&self, bytes: &[u8], order: __m256i) -> u32 {
            let p = bytes[..READ].as_ptr();
            // SAFETY: AVX2 by the caller; 32 bytes readable at p and at p + 2
            let (t0, t1, t2, t3) = unsafe {
                let (t0, t1) = self.probe(p);
                let (t2, t3) = self.probe(p.add(2));
                (t0, t1, t2, t3)
            };
            let packed = _mm256_packs_epi16(_mm256_packs_epi32(t0, t1), _mm256_packs_epi32(t2, t3));
            _mm256_movemask_epi8(_mm256_shuffle_epi8(packed, order)) as u32
        }

        /// Run the prefilter over `hay` from its start, passing the positions it lets through
        /// to the exact trigram test and those to `Trigram::verify`. Returns the first
        /// position it has not covered, where the scalar pass goes on.
        ///
        /// # Safety
        /// The CPU has AVX2 and POPCNT.
        #[target_feature(enable = "avx2,popcnt")]
        pub(super) unsafe fn search(
            &self,
            t: &Trigram,
            patterns: &[Box<[u8]>],
            hay: &[u8],
            f: &mut impl FnMut(usize, usize, usize),
        ) -> usize {
            // byte 4v + j of each 128-bit lane (after the packs below) is position 4j + v
            let order = _mm256_setr_epi8(
                0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15, //
                0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15,
            );
            if hay.len() < READ {
                return 0;
            }
            // candidates of one chunk, as offsets from its start; four slots are written per
            // step whatever the count, so the last step may write three past its candidates.
            // Not initialised (a memset per call would cost more than small files' search):
            // the slots below `len` are always written before they are read.
            let mut cand = [MaybeUninit::<u32>::uninit(); CHUNK * STEP + 4];
            let mut i = 0;
            while i + READ <= hay.len() {
                let base = i;
                let mut len = 0;
                let mut steps = 0;
                while steps < CHUNK && i + READ <= hay.len() {
                    // two steps at a time where there is room, so that their candidates are
                    // written together
                    let two = steps + 2 <= CHUNK && i + STEP + READ <= hay.len();
                    // SAFETY: AVX2 by the caller; the steps' bytes are in `hay`
                    let mut mask = u64::from(unsafe { self.step(&hay[i..i + READ], order) });
                    if two {
                        let next = &hay[i + STEP..i + STEP + READ];
                        // SAFETY: as above
                        mask |= u64::from(unsafe { self.step(next, order) }) << STEP;
                    }
                    let count = mask.count_ones() as usize;
                    let at = (i - base) as u32;
                    // branch-free for up to four candidates (past the last, trailing_zeros
                    // of 0 writes a harmless 64)
                    for slot in cand.iter_mut().skip(len).take(4) {
                        slot.write(at + mask.trailing_zeros());
                        mask &= mask.wrapping_sub(1);
                    }
                    if count > 4 {
                        for slot in cand.iter_mut().skip(len + 4) {
                            if mask == 0 {
                                break;
                            }
                            slot.write(at + mask.trailing_zeros());
                            mask &= mask - 1;
                        }
                    }
                    len += count;
                    let n = if two { 2 } else { 1 };
                    i += n * STEP;
                    steps += n;
                }
                // the exact trigram test, then a cheap look at the keywords anchored there,
                // each compacting the candidates in place without a branch; the first adds
                // the class trigram to the offset (above `OFFSET_BITS`)
                let mut kept = 0;
                for k in 0..len.min(cand.len()) {
                    // SAFETY: the steps of this chunk wrote every slot below `len`
                    let c = unsafe { cand[k].assume_init() };
                    let q = base + c as usize;
                    let (Some(&a), Some(&b), Some(&c3)) =
                        (hay.get(q), hay.get(q + 1), hay.get(q + 2))
                    else {
                        continue;
                    };
                    let idx = t.index(a, b, c3);
                    cand[kept].write(c | idx << OFFSET_BITS);
                    kept += t.hit(idx) as usize;
                }
                let mut worth = 0;
                for k in 0..kept {
                    // SAFETY: the loop above wrote every slot below `kept`
                    let c = unsafe { cand[k].assume_init() };
                    let (q, idx) = (base + (c & OFFSET_MASK) as usize, c >> OFFSET_BITS);
                    cand[worth].write(c);
                    worth += t.worth_verifying(hay, q, idx) as usize;
                }
                for slot in cand.iter().take(worth) {
                    // SAFETY: the loop above wrote every slot below `worth`
                    let c = unsafe { slot.assume_init() };
                    let (q, idx) = (base + (c & OFFSET_MASK) as usize, c >> OFFSET_BITS);
                    t.verify_inline(patterns, hay, q, idx, f);
                }
            }
            i
        }
    }
}

/// Stand-in where there is no AVX2 prefilter: never available, never built.
#[cfg(not(target_arch = "x86_64"))]
mod avx2 {
    use super::Trigram;

    pub(super) fn available() -> bool {
        false
    }

    pub(super) enum PairFilter {}

    impl PairFilter {
        pub(super) fn new(_: &[Box<[u8]>]) -> Option<PairFilter> {
            None
        }

        /// # Safety
        /// Never callable: there is no `PairFilter`.
        pub(super) unsafe fn search(
            &self,
            _: &Trigram,
            _: &[Box<[u8]>],
            _: &[u8],
            _: &mut impl FnMut(usize, usize, usize),
        ) -> usize {
            match *self {}
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

    fn builtin_keywords() -> Vec<Vec<u8>> {
        let mut kws: Vec<Vec<u8>> = Vec::new();
        for spec in crate::rules::builtin_rules().unwrap() {
            for k in spec.keywords {
                let k = k.to_ascii_lowercase().into_bytes();
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

    /// The searchers under test: the scalar pass, and the AVX2 prefilter where the CPU has it.
    fn searchers(kws: &[Vec<u8>]) -> Vec<KeywordSearcher> {
        let scalar = KeywordSearcher::build(kws, false).unwrap();
        assert!(!scalar.uses_simd());
        let mut v = vec![scalar];
        let simd = KeywordSearcher::build(kws, true).unwrap();
        assert_eq!(simd.uses_simd(), avx2::available());
        if simd.uses_simd() {
            v.push(simd);
        }
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

    /// Text bytes: mostly keyword-ish ASCII, some UTF-8 (`é`, `€`, a 4-byte emoji), some any
    /// byte at all (binary, invalid UTF-8, bytes 32 away from keyword bytes).
    fn filler(rng: &mut Rng, len: usize) -> Vec<u8> {
        let alphabet =
            b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:~= \n\"'{[@/";
        let mut v = Vec::with_capacity(len + 4);
        while v.len() < len {
            match rng.below(20) {
                0 => v.push(rng.next() as u8),
                1 => v.extend_from_slice(["é", "€", "🔑", "ß"][rng.below(4)].as_bytes()),
                _ => v.push(alphabet[rng.below(alphabet.len())]),
            }
        }
        v.truncate(len);
        v
    }

    /// Overwrite `hay[at..]` with `k` (cut at the end of `hay`).
    fn plant(hay: &mut [u8], at: usize, k: &[u8]) {
        for (d, &b) in hay.iter_mut().skip(at).zip(k) {
            *d = b;
        }
    }

    /// Random haystacks of keyword-ish text, UTF-8, binary bytes, keyword fragments and
    /// planted keywords (in random case, overlapping, at both edges and across step and block
    /// borders) give exactly the hits of the plain automaton, on both paths. `len` picks
    /// the haystack's length for a round.
    fn check_random(
        kws: &[Vec<u8>],
        seed: u64,
        rounds: usize,
        mut len: impl FnMut(&mut Rng, usize) -> usize,
    ) {
        let all = searchers(kws);
        let ac = plain_automaton(kws).unwrap();
        let mut rng = Rng(seed);
        let mut hits = 0;
        for round in 0..rounds {
            let n = len(&mut rng, round);
            let mut hay = filler(&mut rng, n);
            // keyword fragments: a prefix or a suffix, which must not match
            for _ in 0..rng.below(4) {
                let k = &kws[rng.below(kws.len())];
                let cut = rng.below(k.len());
                let frag = if rng.next() & 1 == 1 {
                    &k[..cut]
                } else {
                    &k[cut..]
                };
                let at = rng.below(n + 1);
                plant(&mut hay, at, &random_case(&mut rng, frag));
            }
            // whole keywords: at the very end, at step borders (multiples of 32, 34 before
            // the end), anywhere; the one at the start last so nothing overwrites it
            let plants = 1 + rng.below(6);
            for p in (0..plants).rev() {
                let pick = rng.below(kws.len());
                let k = random_case(&mut rng, &kws[pick]);
                let at = match p {
                    0 => 0,
                    1 => n.saturating_sub(k.len()),
                    2 => (32 * rng.below(n / 32 + 1)).saturating_sub(rng.below(k.len() + 1)),
                    3 => n.saturating_sub(34 + rng.below(3)),
                    _ => rng.below(n + 1),
                };
                plant(&mut hay, at, &k);
            }
            let want = reference(&ac, &hay);
            hits += want.len();
            for ks in &all {
                assert_eq!(
                    found(ks, &hay),
                    want,
                    "seed {seed}, round {round}, simd {}, haystack {:?}",
                    ks.uses_simd(),
                    String::from_utf8_lossy(&hay)
                );
            }
        }
        assert!(hits >= rounds / 2, "only {hits} hits in {rounds} rounds");
    }

    /// Every length from 0 to 99 in turn, then the borders of the AVX2 step (32 positions,
    /// 34 bytes read) and of the scalar block, then longer haystacks.
    fn lengths(rng: &mut Rng, round: usize) -> usize {
        const EDGES: [usize; 14] = [31, 32, 33, 34, 35, 63, 64, 65, 66, 67, 97, 98, 2047, 2049];
        match round {
            0..100 => round,
            _ => match round % 3 {
                0 => EDGES[rng.below(EDGES.len())],
                1 => rng.below(300),
                _ => rng.below(5000),
            },
        }
    }

    #[test]
    fn same_hits_as_aho_corasick_on_random_haystacks_with_builtin_keywords() {
        check_random(&builtin_keywords(), 0x5EED_1234_ABCD_0001, 3000, lengths);
    }

    #[test]
    fn same_hits_with_short_and_overlapping_keywords() {
        let kws: Vec<Vec<u8>> = [
            "k", "q~", "sk-", "sk-proj-", "proj", "oj-", "aaa", "aa", "a", "ab",
        ]
        .iter()
        .map(|k| k.as_bytes().to_vec())
        .collect();
        check_random(&kws, 0x0BAD_CAFE_0000_0002, 3000, lengths);
        // `sk-` inside `sk-proj-`, `aa` and `aaa` overlapping themselves, `a` at both edges
        let ac = plain_automaton(&kws).unwrap();
        for ks in searchers(&kws) {
            for hay in [&b"SK-PROJ-x"[..], b"aAaA", b"a", b"q~", b"xq~", b"kq~a"] {
                assert_eq!(found(&ks, hay), reference(&ac, hay));
                assert!(!found(&ks, hay).is_empty());
            }
        }
    }

    #[test]
    fn same_hits_with_two_and_three_byte_keywords_only() {
        // no one-byte keyword, so the AVX2 prefilter does not let everything through
        let kws: Vec<Vec<u8>> = ["q~", "ab", "-_", "é", "pat", "re_", ":aa", "x.y", "99z"]
            .iter()
            .map(|k| k.as_bytes().to_vec())
            .collect();
        check_random(&kws, 0x2222_3333_4444_0004, 3000, lengths);
    }

    #[test]
    fn same_hits_with_long_keywords_sharing_prefixes() {
        let kws: Vec<Vec<u8>> = [
            "begin rsa private key",
            "begin private key",
            "begin encrypted private key",
            "hooks.slack.com/services/",
            "hooks.slack.com/workflows/",
            "eyj2zxiioiiyiiwidhlwijoislduiiwiywxnijoiulmyntyi",
            "accounts.google.com/o/oauth2/token",
            "abcdefgh",
            "abcdefghi",
            "bcdefgh",
        ]
        .iter()
        .map(|k| k.as_bytes().to_vec())
        .collect();
        check_random(&kws, 0x7777_0000_1111_0005, 3000, lengths);
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
        kws.push("€uro".as_bytes().to_vec());
        check_random(&kws, 0x1234_5678_9ABC_0003, 3000, lengths);
    }

    #[test]
    fn keywords_at_the_very_start_and_end_of_every_length() {
        let kws: Vec<Vec<u8>> = [
            "z",
            "xq",
            "sk-",
            "token",
            "sk-proj-",
            "x-amz-security-token",
        ]
        .iter()
        .map(|k| k.as_bytes().to_vec())
        .collect();
        let ac = plain_automaton(&kws).unwrap();
        let all = searchers(&kws);
        for k in &kws {
            for n in k.len()..100 {
                for at in [0, n - k.len(), (n - k.len()) / 2] {
                    let mut hay = vec![b'.'; n];
                    plant(&mut hay, at, &k.to_ascii_uppercase());
                    let want = reference(&ac, &hay);
                    assert!(want.contains(&(
                        at,
                        at + k.len(),
                        kws.iter().position(|x| x == k).unwrap()
                    )));
                    for ks in &all {
                        assert_eq!(found(ks, &hay), want, "{k:?} at {at} of {n}");
                    }
                }
            }
        }
    }

    #[test]
    fn any_bytes_do_not_panic_and_match_the_automaton() {
        let kws = builtin_keywords();
        let ac = plain_automaton(&kws).unwrap();
        let all = searchers(&kws);
        let mut rng = Rng(0xFEED_0000_0000_0006);
        for round in 0..2000 {
            let n = lengths(&mut rng, round);
            let hay: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            let want = reference(&ac, &hay);
            for ks in &all {
                assert_eq!(found(ks, &hay), want);
            }
        }
        for hay in [&[][..], &[0xff; 100][..], &[0; 100][..], &[0x80; 65][..]] {
            for ks in &all {
                assert_eq!(found(ks, hay), reference(&ac, hay));
            }
        }
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
    fn entry_compares_case_insensitively_exactly() {
        // every byte against a keyword of letters, digits and punctuation: the OR fold must
        // accept only the upper-case form of letters
        let p = b"a0_[z-@".to_vec();
        let e = Entry::new(0, &p, 0);
        for k in 0..p.len() {
            for b in 0..=255u8 {
                let mut hay = p.clone();
                hay[k] = b;
                let mut got = false;
                e.check(&[p.clone().into_boxed_slice()], &hay, 0, &mut |_, _, _| {
                    got = true
                });
                assert_eq!(got, hay.eq_ignore_ascii_case(&p), "byte {b:#x} at {k}");
            }
        }
    }

    #[test]
    fn keywords_are_anchored_on_an_uncommon_trigram() {
        // `car` starts `cargo`, `card`, `carry`: a keyword should not wait for it
        let o = anchor_offset(b"cargo_registry_token");
        assert!(o > 0, "anchored at {o}");
        assert_eq!(anchor_offset(b"abc"), 0);
        // and it is still found where the anchor sits at the haystack's end
        for ks in searchers(&[b"cargo_registry_token".to_vec()]) {
            assert_eq!(found(&ks, b"x CARGO_REGISTRY_TOKEN"), vec![(2, 22, 0)]);
        }
    }
}

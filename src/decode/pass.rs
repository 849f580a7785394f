//! The candidates of every decoder at once. Each decoder finds its candidates in a pass of
//! its own ([`super::Decoder::candidates`]); with AVX2, the base64, hex, percent and escape
//! decoders' passes are one: each 64-byte block is classified once for all of them, so a
//! large blob is read from memory twice (the Kubernetes `Secret` check is a `memmem` pass)
//! instead of six times. The decoders' own code turns what the pass finds (runs of a class,
//! positions of `%`, `\u` and `\x`) into candidates, so both ways give the same candidates.

use std::ops::Range;

use super::decoders;

/// Candidate runs of each decoder of [`decoders`], in that order: what each decoder's
/// [`super::Decoder::candidates`] gives.
pub type Candidates = [Vec<Range<usize>>; 5];

/// Fill `out` with the candidates of each decoder in `data` (earlier contents are cleared).
pub fn all_candidates(data: &[u8], out: &mut Candidates) {
    for v in out.iter_mut() {
        v.clear();
    }
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("bmi1")
        && std::is_x86_feature_detected!("lzcnt")
    {
        let [kube_out, b64_out, hex_out, pct_out, esc_out] = out;
        // SAFETY: the CPU has AVX2, BMI1 and LZCNT
        unsafe { one_pass_avx2(data, b64_out, hex_out, pct_out, esc_out) };
        super::Decoder::candidates(&super::kube::KubeSecret, data, kube_out);
        return;
    }
    for (dec, v) in decoders().iter().zip(out.iter_mut()) {
        dec.candidates(data, v);
    }
}

/// The base64, hex, percent and escape candidates in one pass.
///
/// # Safety
///
/// The CPU must have AVX2, BMI1 (`tzcnt`) and LZCNT.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi1,lzcnt")]
unsafe fn one_pass_avx2(
    data: &[u8],
    b64_out: &mut Vec<Range<usize>>,
    hex_out: &mut Vec<Range<usize>>,
    pct_out: &mut Vec<Range<usize>>,
    esc_out: &mut Vec<Range<usize>>,
) {
    use super::{base64, escape, hex, percent};
    use std::arch::x86_64::*;

    let b64_low = by_low_avx2(&base64::ALPHABET_CLASS);
    let hex_low = by_low_avx2(&hex::DIGITS);
    let by_high = BY_HIGH;
    let nibble = _mm256_set1_epi8(0x0F);
    let zero = _mm256_setzero_si256();
    let byte = |b: u8| _mm256_set1_epi8(b as i8);
    // bit i of each mask: whether byte i of the 32 is in the class (base64 alphabet, hex
    // digits) or is the byte (`\`, `u` or `x`, `%`)
    let masks = |v: __m256i| -> [u32; 5] {
        let low = _mm256_and_si256(v, nibble);
        let high =
            _mm256_shuffle_epi8(by_high, _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble));
        let not_in = |by_low: __m256i| {
            let hit = _mm256_and_si256(_mm256_shuffle_epi8(by_low, low), high);
            _mm256_movemask_epi8(_mm256_cmpeq_epi8(hit, zero)) as u32
        };
        let eq = |b: u8| _mm256_cmpeq_epi8(v, byte(b));
        [
            !not_in(b64_low),
            !not_in(hex_low),
            _mm256_movemask_epi8(eq(b'\\')) as u32,
            _mm256_movemask_epi8(_mm256_or_si256(eq(b'u'), eq(b'x'))) as u32,
            _mm256_movemask_epi8(eq(b'%')) as u32,
        ]
    };

    let mut b64_runs = super::Runs::<{ base64::MIN_RUN }>::default();
    let mut hex_runs = super::Runs::<{ hex::MIN_RUN }>::default();
    let (mut pct_end, mut esc_end) = (0, 0);
    let mut pad = [0u8; 64];
    let mut base = 0;
    while base < data.len() {
        let block = super::block_at(data, base, &mut pad);
        let p = block.as_ptr().cast::<__m256i>();
        // SAFETY: `block` is 64 readable bytes; unaligned loads are allowed
        let (lo, hi) = unsafe {
            (
                masks(_mm256_loadu_si256(p)),
                masks(_mm256_loadu_si256(p.add(1))),
            )
        };
        let m = |k: usize| lo[k] as u64 | (hi[k] as u64) << 32;
        b64_runs.block(base, m(0), &mut |r| {
            base64::run_candidates(data, r, b64_out)
        });
        hex_runs.block(base, m(1), &mut |r| hex::run_candidate(data, r, hex_out));

        let (backslash, ux, mut pct) = (m(2), m(3), m(4));
        // `\` then `u` or `x` (which may be the next block's first byte)
        let next_ux = data.get(base + 64).is_some_and(|&b| b == b'u' || b == b'x');
        let mut pairs = backslash & (ux >> 1 | (next_ux as u64) << 63);
        while pairs != 0 {
            let i = base + pairs.trailing_zeros() as usize;
            pairs &= pairs - 1;
            escape::candidate_at(data, i, &mut esc_end, esc_out);
        }
        while pct != 0 {
            let i = base + pct.trailing_zeros() as usize;
            pct &= pct - 1;
            percent::candidate_at(data, i, &mut pct_end, pct_out);
        }
        base += 64;
    }
    b64_runs.finish(data.len(), &mut |r| {
        base64::run_candidates(data, r, b64_out)
    });
    hex_runs.finish(data.len(), &mut |r| hex::run_candidate(data, r, hex_out));
}

/// [`super::ByteClass::by_low`] in both halves of a 32-byte register.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2")]
fn by_low_avx2(class: &super::ByteClass) -> std::arch::x86_64::__m256i {
    use std::arch::x86_64::*;
    // SAFETY: 16 readable bytes; unaligned loads are allowed
    _mm256_broadcastsi128_si256(unsafe {
        _mm_loadu_si128(class.by_low().as_ptr().cast::<__m128i>())
    })
}

/// The high-nibble side of the [`super::ByteClass`] lookup: bit `h` for high nibble `h`,
/// none for bytes from 0x80.
#[cfg(target_arch = "x86_64")]
const BY_HIGH: std::arch::x86_64::__m256i = {
    let half: [i8; 16] = [1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0];
    let mut all = [0i8; 32];
    let mut i = 0;
    while i < 32 {
        all[i] = half[i % 16];
        i += 1;
    }
    // SAFETY: same size; any bits are a valid register value
    unsafe { std::mem::transmute::<[i8; 32], std::arch::x86_64::__m256i>(all) }
};

# Writes common.txt: the 3,000 most common ASCII-case-folded trigrams of printable ASCII in source
# files, 3 bytes each, most common first. src/common_trigrams.txt was made with
#   python3 bench/common_trigrams.py /usr/lib/python3.11 ~/.cargo/registry/src
# (Python standard library and Rust crates, on purpose not the benchmark corpora). The keyword
# search anchors each keyword on its least common trigram (src/keywords.rs).
import os, collections, sys
cnt = collections.Counter()
total = 0
exts = ('.py', '.rs', '.toml', '.md', '.json', '.yml', '.yaml', '.txt', '.cfg', '.ini', '.sh', '.c', '.h')
for root in sys.argv[1:]:
    for d, _, fs in os.walk(root):
        for f in fs:
            if not f.endswith(exts): continue
            try: b = open(os.path.join(d, f), 'rb').read(2_000_000)
            except OSError: continue
            if b'\0' in b[:8192]: continue
            b = b.lower()
            total += len(b)
            for i in range(len(b) - 2):
                cnt[b[i:i+3]] += 1
print(total, file=sys.stderr)
keep = [(g, c) for g, c in cnt.most_common() if all(32 < x < 127 for x in g)][:3000]
cov = sum(c for _, c in keep) / max(1, total)
print(f"top {len(keep)} cover {cov:.2%}; last count {keep[-1][1]}", file=sys.stderr)
with open('common.txt', 'wb') as o:
    o.write(b''.join(g for g, _ in keep))

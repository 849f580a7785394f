//! Attribution to commits.

use super::*;

/// Turn per-blob findings into one finding per (secret, path), attributed to the oldest
/// commit that introduced the secret there.
pub(super) fn attribute(
    repo: &gix::Repository,
    scanner: &Scanner,
    commits: &[CommitRec],
    changes: &[Change],
    hits: &HashMap<BlobKey, Scanned>,
) -> Result<Vec<Finding>> {
    if hits.is_empty() {
        return Ok(Vec::new());
    }
    let mut prev_cache: HashMap<ObjectId, Vec<u8>> = HashMap::new();
    // (rule, secret, path) → (commit index, finding, path the blob was scanned as, path of
    // the change)
    type Intro<'a> = (u32, &'a Finding, &'a str, String);
    let mut intros: HashMap<(String, String, String), Vec<Intro>> = HashMap::new();
    // few blobs have findings: most changes are passed over on their blob alone
    let with_hits: HashSet<ObjectId> = hits.keys().map(|k| k.blob).collect();
    let mut classes = PathClasses::new(scanner);
    for ch in changes {
        if !with_hits.contains(&ch.blob) {
            continue;
        }
        let key = classes.key(ch.blob, ch.path.as_ref());
        let Some((scanned, found)) = hits.get(&key) else {
            continue;
        };
        let path = ch.path.to_str_lossy();
        for f in found {
            let needle = needle(f);
            let mut existed = false;
            for p in &ch.prev {
                if !prev_cache.contains_key(p) {
                    let mut b = Vec::new();
                    if repo.objects.find_blob(p, &mut b).is_err() {
                        b.clear();
                    }
                    prev_cache.insert(*p, b);
                }
                let data = &prev_cache[p];
                if memchr::memmem::find(data, needle.as_bytes()).is_some() {
                    existed = true;
                    break;
                }
            }
            if !existed {
                let at = relocate(&f.location.path, scanned, &path);
                intros
                    .entry((f.rule.id.clone(), needle.to_string(), at))
                    .or_default()
                    .push((ch.commit, f, scanned.as_str(), path.to_string()));
            }
        }
    }
    // how widespread each secret is
    let mut secret_commits: HashMap<&str, HashSet<u32>> = HashMap::new();
    let mut secret_paths: HashMap<&str, HashSet<&str>> = HashMap::new();
    for ((_, secret, path), list) in &intros {
        let sc = secret_commits.entry(secret.as_str()).or_default();
        for (c, ..) in list {
            sc.insert(*c);
        }
        secret_paths
            .entry(secret.as_str())
            .or_default()
            .insert(path.as_str());
    }
    let mut info_cache: HashMap<u32, CommitInfo> = HashMap::new();
    let mut out = Vec::new();
    for ((rule, secret, path), list) in &intros {
        // oldest commit first; on equal times, the one the walk met last (an ancestor)
        let (c, f, scanned, changed) = list
            .iter()
            .min_by_key(|(c, ..)| (commits[*c as usize].time, std::cmp::Reverse(*c)))
            .expect("non-empty");
        let fp = fingerprint(rule, secret, path);
        if scanner.config.allow_fingerprints.contains(&fp) {
            continue;
        }
        let mut info = match info_cache.get(c) {
            Some(i) => i.clone(),
            None => {
                let i = commit_info(repo, &commits[*c as usize].id)?;
                info_cache.insert(*c, i.clone());
                i
            }
        };
        info.other_commits = secret_commits[secret.as_str()].len() as u32 - 1;
        info.other_paths = secret_paths[secret.as_str()].len() as u32 - 1;
        let mut f = (*f).clone();
        // the other places of the secret in the blob that introduced it
        for (oc, other, ..) in list {
            if oc == c && other.location != f.location && !f.also.contains(&other.location) {
                f.occurrences += 1;
                if f.also.len() < crate::finding::MAX_OCCURRENCES {
                    f.also.push(other.location.clone());
                }
            }
        }
        for l in &mut f.also {
            l.path = relocate(&l.path, scanned, changed);
        }
        f.also.sort();
        f.location.path = path.clone();
        f.fingerprint = fp;
        f.origin = f.origin.map(|o| o.in_commit(changed, &info.sha));
        f.commit = Some(Box::new(info));
        out.push(f);
    }
    Ok(out)
}

/// Say on each finding whether the file at `HEAD` still holds it: a secret deleted from the
/// tree is still in history (rotate it), one still present must also be removed. Unknown
/// (left `None`) for archive entries, without a `HEAD`, or for files over `max` bytes.
pub(super) fn still_at_head(repo: &gix::Repository, found: &mut [Finding], max: u64) {
    let Ok(head) = repo.head_commit() else {
        return;
    };
    let Ok(tree) = head.tree_id() else {
        return;
    };
    let Ok(files) = tree_files(repo, tree.detach()) else {
        return;
    };
    let files: HashMap<BString, ObjectId> = files.into_iter().collect();
    let mut buf = Vec::new();
    for f in found {
        if f.commit.is_none() || f.location.path.contains('!') {
            continue; // a commit message, or inside an archive (its bytes are compressed)
        }
        let present = match files.get(f.location.path.as_bytes()) {
            None => Some(false),
            Some(id) => {
                if repo
                    .find_header(*id)
                    .map(|h| h.size() > max)
                    .unwrap_or(true)
                    || repo.objects.find_blob(id, &mut buf).is_err()
                {
                    None
                } else {
                    Some(memchr::memmem::find(&buf, needle(f).as_bytes()).is_some())
                }
            }
        };
        if let Some(c) = f.commit.as_mut() {
            c.present_at_head = present;
        }
    }
}

/// The secrets of `found` that some file of the `base` commits (the parents the scanned
/// commits grew from) already holds.
pub(super) fn secrets_already_in(
    repo: &gix::Repository,
    base: &[ObjectId],
    found: &[Finding],
    max: u64,
) -> Result<HashSet<String>> {
    let secrets: Vec<&str> = {
        let mut v: Vec<&str> = found.iter().map(needle).filter(|n| !n.is_empty()).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let ac = aho_corasick::AhoCorasick::new(&secrets).context("secret automaton")?;
    let mut blobs = HashSet::new();
    for c in base {
        let tree = repo
            .find_commit(*c)
            .map_err(|e| anyhow!("cannot read commit {c}: {e}"))?
            .tree_id()
            .map_err(|e| anyhow!("commit {c} is malformed: {e}"))?
            .detach();
        let files =
            tree_files(repo, tree).map_err(|e| missing_history(format!("commit {c}: {e}")))?;
        blobs.extend(files.into_iter().map(|(_, oid)| oid));
    }
    let mut out = HashSet::new();
    let mut buf = Vec::new();
    for b in blobs {
        if repo.find_header(b).map(|h| h.size() > max).unwrap_or(true) {
            continue;
        }
        if repo.objects.find_blob(&b, &mut buf).is_err() {
            continue;
        }
        for m in ac.find_overlapping_iter(&buf[..]) {
            out.insert(secrets[m.pattern().as_usize()].to_string());
        }
        if out.len() == secrets.len() {
            break;
        }
    }
    Ok(out)
}

/// Every file (regular or executable blob) of `tree`, with its full path.
pub fn tree_files(repo: &gix::Repository, tree: ObjectId) -> Result<Vec<(BString, ObjectId)>> {
    let mut rec = gix::traverse::tree::Recorder::default();
    gix::traverse::tree::depthfirst(
        tree,
        gix::traverse::tree::depthfirst::State::default(),
        &repo.objects,
        &mut rec,
    )
    .map_err(|e| anyhow!("cannot read tree {tree}: {e}"))?;
    Ok(rec
        .records
        .into_iter()
        .filter(|e| is_file(e.mode.kind()))
        .map(|e| (e.filepath, e.oid))
        .collect())
}

/// Author, date and summary of a commit.
pub fn commit_info(repo: &gix::Repository, id: &ObjectId) -> Result<CommitInfo> {
    let commit = repo
        .find_commit(*id)
        .map_err(|e| anyhow!("cannot read commit {id}: {e}"))?;
    let (author, email, seconds) = match commit.author() {
        Ok(a) => (
            a.name.to_str_lossy().trim().to_string(),
            a.email.to_str_lossy().trim().to_string(),
            a.seconds(),
        ),
        Err(_) => (String::new(), String::new(), 0),
    };
    let summary = commit
        .message_raw_sloppy()
        .lines()
        .map(|l| l.to_str_lossy().trim().to_string())
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    Ok(CommitInfo {
        sha: id.to_string(),
        author,
        email,
        date: rfc3339(seconds),
        summary,
        other_commits: 0,
        other_paths: 0,
        present_at_head: None,
    })
}

/// Seven hex digits, like `git log --oneline`.
pub fn short(id: &ObjectId) -> String {
    id.to_hex_with_len(7).to_string()
}

//! Matching and grouping string keys by sorted hashes.
//!
//! A hash table of a million strings misses the processor's caches on nearly every insert and
//! lookup (each touches the table and then the string). Sorting `(hash, position)` pairs reads
//! and writes memory in order instead; only keys that share a hash are then compared as text,
//! so the result is exact. Keys crafted to share a hash cannot make this quadratic: a large
//! group of equal hashes is resolved with a randomly keyed hash table.

use std::collections::HashMap;

use crate::ingest::signin_table::hash_bytes;

/// Above this many text comparisons, a group of equal hashes is resolved with a hash table.
const SMALL_GROUP: usize = 64;

/// Probe keys this many times fewer than build keys are looked up in a table of their own.
const FEW_PROBES: usize = 16;

/// The hash function (a parameter so the tests can make every key collide).
type Hash = fn(&[u8]) -> u64;

/// `(hash, position)` of each present key, sorted (so equal hashes are together, positions
/// ascending within them).
fn hashed<'a>(
    n: usize,
    key: &(dyn Fn(usize) -> Option<&'a str> + Sync),
    hash: Hash,
) -> Vec<(u64, u32)> {
    let mut pairs: Vec<(u64, u32)> = (0..n)
        .filter_map(|i| key(i).map(|k| (hash(k.as_bytes()), i as u32)))
        .collect();
    pairs.sort_unstable();
    pairs
}

/// The runs of equal hashes in sorted pairs, as ranges.
fn runs(pairs: &[(u64, u32)]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= pairs.len() {
            return None;
        }
        let hash = pairs[start].0;
        let end = start + pairs[start..].partition_point(|p| p.0 == hash);
        let run = start..end;
        start = end;
        Some(run)
    })
}

/// For each of the `probes` keys, the position of the first of the `builds` keys equal to it
/// (`None` when no key is equal, or the probe key is absent). Absent build keys match nothing.
pub fn first_equal<'a, 'b>(
    builds: usize,
    build_key: &(dyn Fn(usize) -> Option<&'a str> + Sync),
    probes: usize,
    probe_key: &(dyn Fn(usize) -> Option<&'b str> + Sync),
) -> Vec<Option<u32>> {
    first_equal_by(hash_bytes, builds, build_key, probes, probe_key)
}

fn first_equal_by<'a, 'b>(
    hash: Hash,
    builds: usize,
    build_key: &(dyn Fn(usize) -> Option<&'a str> + Sync),
    probes: usize,
    probe_key: &(dyn Fn(usize) -> Option<&'b str> + Sync),
) -> Vec<Option<u32>> {
    let mut found = vec![None; probes];
    let asking = (0..probes).filter(|&i| probe_key(i).is_some()).count();
    if asking * FEW_PROBES < builds {
        // Few keys to look up: a table of them, and one pass over the build keys in order.
        let mut wanted: HashMap<&str, Vec<u32>> = HashMap::with_capacity(asking);
        for i in 0..probes {
            if let Some(k) = probe_key(i) {
                wanted.entry(k).or_default().push(i as u32);
            }
        }
        for c in 0..builds {
            if wanted.is_empty() {
                break;
            }
            if let Some(askers) = build_key(c).and_then(|k| wanted.remove(k)) {
                for asker in askers {
                    found[asker as usize] = Some(c as u32);
                }
            }
        }
        return found;
    }
    let (build, probe) = std::thread::scope(|scope| {
        let build = scope.spawn(|| hashed(builds, build_key, hash));
        let probe = hashed(probes, probe_key, hash);
        (build.join().expect("hashing keys"), probe)
    });
    // (asker, candidate) of the hashes that one probe key and one build key have: the usual
    // case, checked below in bulk.
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(probe.len());
    let mut build_runs = runs(&build).peekable();
    for p in runs(&probe) {
        let hash = probe[p.start].0;
        while build_runs.peek().is_some_and(|b| build[b.start].0 < hash) {
            build_runs.next();
        }
        let Some(b) = build_runs.peek().filter(|b| build[b.start].0 == hash) else {
            continue;
        };
        let (candidates, askers) = (&build[b.clone()], &probe[p]);
        if let ([(_, c)], [(_, asker)]) = (candidates, askers) {
            pairs.push((*asker, *c));
        } else if candidates.len() * askers.len() <= SMALL_GROUP {
            for &(_, asker) in askers {
                let wanted = probe_key(asker as usize);
                found[asker as usize] = candidates
                    .iter()
                    .find(|(_, c)| build_key(*c as usize) == wanted)
                    .map(|(_, c)| *c);
            }
        } else {
            let mut first: HashMap<&str, u32> = HashMap::with_capacity(candidates.len());
            for &(_, c) in candidates {
                if let Some(k) = build_key(c as usize) {
                    first.entry(k).or_insert(c);
                }
            }
            for &(_, asker) in askers {
                found[asker as usize] =
                    probe_key(asker as usize).and_then(|k| first.get(k).copied());
            }
        }
    }
    // The texts are compared in probe order (one side read in order), on two threads: each
    // comparison waits on memory, and two threads keep twice as many reads in flight.
    pairs.sort_unstable();
    let equal = |part: &[(u32, u32)]| -> Vec<bool> {
        part.iter()
            .map(|&(a, c)| probe_key(a as usize) == build_key(c as usize))
            .collect()
    };
    let half = pairs.len() / 2;
    let (first, second) = std::thread::scope(|scope| {
        let first = scope.spawn(|| equal(&pairs[..half]));
        let second = equal(&pairs[half..]);
        (first.join().expect("comparing keys"), second)
    });
    for (&(asker, c), same) in pairs.iter().zip(first.into_iter().chain(second)) {
        if same {
            found[asker as usize] = Some(c);
        }
    }
    found
}

/// For each probe key, the position of the first equal build key, for exact 128-bit keys
/// (object ids): a merge of the two sorted key lists.
pub fn first_equal_u128(build: &[Option<u128>], probe: &[Option<u128>]) -> Vec<Option<u32>> {
    let sorted = |keys: &[Option<u128>]| {
        let mut pairs: Vec<(u128, u32)> = keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| k.map(|k| (k, i as u32)))
            .collect();
        pairs.sort_unstable();
        pairs
    };
    let (build, probe_sorted) = std::thread::scope(|scope| {
        let b = scope.spawn(|| sorted(build));
        let p = sorted(probe);
        (b.join().expect("sorting keys"), p)
    });
    let mut found = vec![None; probe.len()];
    let mut b = 0;
    for (key, asker) in probe_sorted {
        while b < build.len() && build[b].0 < key {
            b += 1;
        }
        if b < build.len() && build[b].0 == key {
            // Positions ascend within equal keys: this is the first.
            found[asker as usize] = Some(build[b].1);
        }
    }
    found
}

/// A group number for each key: equal keys get the same number, different keys different ones.
/// Numbers are 0, 1, … in order of each key's first position; absent keys are grouped as "".
pub fn group_ids<'a>(n: usize, key: &(dyn Fn(usize) -> Option<&'a str> + Sync)) -> Vec<u32> {
    group_ids_by(hash_bytes, n, key)
}

fn group_ids_by<'a>(
    hash: Hash,
    n: usize,
    key: &(dyn Fn(usize) -> Option<&'a str> + Sync),
) -> Vec<u32> {
    let text = |i: usize| key(i).unwrap_or_default();
    let pairs = hashed(n, &|i| Some(text(i)), hash);
    // Each position's first equal position, then numbered in position order.
    let mut leader: Vec<u32> = vec![0; n];
    for run in runs(&pairs) {
        let group = &pairs[run];
        if group.len() == 1 {
            leader[group[0].1 as usize] = group[0].1;
        } else if group.len() <= SMALL_GROUP {
            for (j, &(_, i)) in group.iter().enumerate() {
                let t = text(i as usize);
                leader[i as usize] = group[..j]
                    .iter()
                    .find(|(_, e)| text(*e as usize) == t)
                    .map_or(i, |(_, e)| leader[*e as usize]);
            }
        } else {
            let mut first: HashMap<&str, u32> = HashMap::with_capacity(group.len());
            for &(_, i) in group {
                leader[i as usize] = *first.entry(text(i as usize)).or_insert(i);
            }
        }
    }
    let mut number: Vec<u32> = vec![u32::MAX; n];
    let mut next = 0u32;
    (0..n)
        .map(|i| {
            let l = leader[i] as usize;
            if number[l] == u32::MAX {
                number[l] = next;
                next += 1;
            }
            number[l]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator: keys drawn from a small alphabet repeat often.
    fn keys(seed: u64, n: usize, distinct: u64) -> Vec<Option<String>> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let v = (x >> 33) % (distinct + 1);
                (v != 0).then(|| format!("user{v}@contoso.example"))
            })
            .collect()
    }

    /// Every key collides: groups are resolved by their text alone.
    fn same_hash(_: &[u8]) -> u64 {
        7
    }

    #[test]
    fn first_equal_is_the_plain_first_match() {
        for (seed, hash) in (0..20).flat_map(|s| [(s, hash_bytes as Hash), (s, same_hash as Hash)])
        {
            let build = keys(seed, 300, 120);
            let probe = keys(seed + 100, 200, 150);
            let got = first_equal_by(
                hash,
                build.len(),
                &|i| build[i].as_deref(),
                probe.len(),
                &|i| probe[i].as_deref(),
            );
            let plain: Vec<Option<u32>> = probe
                .iter()
                .map(|p| {
                    p.as_ref().and_then(|p| {
                        build
                            .iter()
                            .position(|b| b.as_ref() == Some(p))
                            .map(|i| i as u32)
                    })
                })
                .collect();
            assert_eq!(got, plain, "seed {seed}");
        }
    }

    #[test]
    fn group_ids_number_equal_keys_alike_in_first_seen_order() {
        for (seed, hash) in (0..20).flat_map(|s| [(s, hash_bytes as Hash), (s, same_hash as Hash)])
        {
            let k = keys(seed, 500, 90);
            let got = group_ids_by(hash, k.len(), &|i| k[i].as_deref());
            let mut seen: Vec<&str> = Vec::new();
            let plain: Vec<u32> = k
                .iter()
                .map(|v| {
                    let v = v.as_deref().unwrap_or_default();
                    match seen.iter().position(|s| *s == v) {
                        Some(p) => p as u32,
                        None => {
                            seen.push(v);
                            (seen.len() - 1) as u32
                        }
                    }
                })
                .collect();
            assert_eq!(got, plain, "seed {seed}");
        }
    }

    #[test]
    fn few_probes_are_looked_up_in_one_pass_over_the_build_keys() {
        // 3 probe keys against 200 build keys takes the table-of-probes path.
        let build = keys(7, 200, 40);
        let probe = [
            Some("user3@contoso.example"),
            Some("nobody@contoso.example"),
            Some("user3@contoso.example"),
        ];
        assert!(probe.len() * FEW_PROBES < build.len());
        let got = first_equal(build.len(), &|i| build[i].as_deref(), 3, &|i| probe[i]);
        let first = build
            .iter()
            .position(|b| b.as_deref() == Some("user3@contoso.example"))
            .map(|i| i as u32);
        assert!(first.is_some());
        assert_eq!(got, vec![first, None, first]);
    }

    #[test]
    fn first_equal_u128_finds_the_first_position() {
        let build = [Some(5u128), None, Some(3), Some(5), Some(9)];
        let probe = [Some(5u128), Some(4), None, Some(9), Some(3), Some(5)];
        assert_eq!(
            first_equal_u128(&build, &probe),
            vec![Some(0), None, None, Some(4), Some(2), Some(0)]
        );
    }

    #[test]
    fn small_groups_of_colliding_keys_are_told_apart() {
        let build = [Some("a"), Some("b"), None, Some("a")];
        let probe = [Some("b"), Some("c"), Some("a"), None];
        let got = first_equal_by(same_hash, 4, &|i| build[i], 4, &|i| probe[i]);
        assert_eq!(got, vec![Some(1), None, Some(0), None]);
        let ids = group_ids_by(same_hash, 4, &|i| build[i]);
        assert_eq!(ids, vec![0, 1, 2, 0]);
    }

    #[test]
    fn large_groups_of_one_hash_are_resolved_exactly() {
        // Every key hashes alike when the hash is ignored: simulate with many equal keys and
        // many distinct ones sharing the run through repetition.
        let build: Vec<Option<String>> = (0..500).map(|i| Some(format!("k{}", i % 7))).collect();
        let probe: Vec<Option<String>> = (0..300).map(|i| Some(format!("k{}", i % 9))).collect();
        let got = first_equal(build.len(), &|i| build[i].as_deref(), probe.len(), &|i| {
            probe[i].as_deref()
        });
        for (i, g) in got.iter().enumerate() {
            let expected = (i % 9 < 7).then_some((i % 9) as u32);
            assert_eq!(*g, expected, "probe {i}");
        }
        let ids = group_ids(build.len(), &|i| build[i].as_deref());
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(*id as usize, i % 7);
        }
    }
}

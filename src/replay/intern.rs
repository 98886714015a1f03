//! A compact string interner: each distinct string gets a dense `u32` id.
//!
//! Why not `HashMap<String, u32>`: a usage log of millions of runs keeps one
//! entry per run id, and a `String` key costs a heap allocation (32+ bytes)
//! plus 24 bytes of key in the table. Here the bytes of all strings live in
//! one arena and the open-addressing table holds 8 bytes per slot (a hash
//! fragment and the id), about 20 bytes per short id all told. That is what
//! keeps "a 1 GB log replays in well under 1 GB" true.

/// Distinct strings, numbered 0, 1, 2, ... in order of first insertion.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    /// The bytes of every string, back to back.
    bytes: Vec<u8>,
    /// `ends[i]`: where string `i` ends in `bytes` (it starts where `i - 1` ends).
    ends: Vec<u64>,
    /// Linear-probing table: 0 is empty, else `(hash >> 32) << 32 | (id + 1)`.
    slots: Vec<u64>,
}

/// Why a string could not be interned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooMany;

impl Interner {
    /// An empty interner.
    pub fn new() -> Interner {
        Interner::default()
    }

    /// How many distinct strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether no string was interned.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The string with id `id` (panics on an id this interner did not give).
    pub fn get(&self, id: u32) -> &[u8] {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }

    /// The string with id `id`, as text (the log reader only interns UTF-8).
    pub fn get_str(&self, id: u32) -> String {
        String::from_utf8_lossy(self.get(id)).into_owned()
    }

    /// The id of `s`, if interned.
    pub fn find(&self, s: &[u8]) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let h = hash(s);
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return None;
            }
            if slot >> 32 == h >> 32 {
                let id = (slot as u32) - 1;
                if self.get(id) == s {
                    return Some(id);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// The id of `s`, interning it if new; the flag says whether it was new.
    pub(crate) fn intern(&mut self, s: &[u8]) -> Result<(u32, bool), TooMany> {
        if let Some(id) = self.find(s) {
            return Ok((id, false));
        }
        // u32::MAX is kept free: ids are stored as id + 1 in a slot and
        // callers use u32::MAX as "none".
        let id = u32::try_from(self.ends.len())
            .ok()
            .filter(|&id| id < u32::MAX - 1)
            .ok_or(TooMany)?;
        // Keep the load factor <= 3/4 so that probe runs stay short.
        if (self.ends.len() + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        self.bytes.extend_from_slice(s);
        self.ends.push(self.bytes.len() as u64);
        self.place(hash(s), id);
        Ok((id, true))
    }

    fn place(&mut self, h: u64, id: u32) {
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        while self.slots[i] != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = (h >> 32) << 32 | u64::from(id + 1);
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(16);
        self.slots = vec![0; cap];
        for id in 0..self.ends.len() as u32 {
            let h = hash(self.get(id));
            self.place(h, id);
        }
    }
}

/// A fast 64-bit hash of a short byte string (FxHash-style word mixing and a
/// murmur3 finaliser so that the low bits, which pick the slot, are well mixed).
/// Not DoS-resistant; a usage log is the user's own file.
fn hash(s: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = s.len() as u64;
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn ids_are_dense_stable_and_round_trip() {
        let mut it = Interner::new();
        let mut reference: HashMap<String, u32> = HashMap::new();
        // Enough strings to force several grows, with repeats and prefixes of
        // each other (so that length is part of identity).
        for round in 0..3 {
            for i in 0..5000u32 {
                let s = format!("run-{}", i % 1700).repeat(1 + (i % 3) as usize);
                let (id, new) = it.intern(s.as_bytes()).unwrap();
                let expected_len = reference.len() as u32;
                let want = *reference.entry(s.clone()).or_insert(expected_len);
                assert_eq!(id, want, "round {round} {s}");
                assert_eq!(new, want == expected_len, "new iff a fresh id");
                assert_eq!(it.get(id), s.as_bytes());
            }
        }
        assert_eq!(it.len(), reference.len());
        assert_eq!(it.find(b"run-"), None);
        assert_eq!(it.find(b""), None);
        let (e, new) = it.intern(b"").unwrap();
        assert!(new);
        assert_eq!(it.get(e), b"");
        assert_eq!(it.find(b""), Some(e));
    }
}

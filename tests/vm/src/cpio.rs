//! The kernel's initramfs format: a `newc` cpio archive (the kernel's
//! Documentation/driver-api/early-userspace/buffer-format.rst). Archives may be concatenated;
//! the kernel unpacks one after the other, so a cached shared part is followed by each test's
//! own part.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Component, Path};

/// A `newc` archive being written in memory.
#[derive(Default)]
pub struct Archive {
    bytes: Vec<u8>,
    dirs: BTreeSet<String>,
    next_inode: u32,
}

const S_IFDIR: u32 = 0o040_000;
const S_IFREG: u32 = 0o100_000;

impl Archive {
    /// An empty archive.
    pub fn new() -> Self {
        Self {
            next_inode: 1,
            ..Self::default()
        }
    }

    /// Adds the directory `path` (relative to the root, `a/b`) and its parents.
    pub fn dir(&mut self, path: &str) {
        let mut so_far = String::new();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            if !so_far.is_empty() {
                so_far.push('/');
            }
            so_far.push_str(part);
            if self.dirs.insert(so_far.clone()) {
                let name = so_far.clone();
                self.entry(&name, S_IFDIR | 0o755, &[]);
            }
        }
    }

    /// Adds a regular file `path` (relative to the root) holding `data`, with its parents.
    pub fn file(&mut self, path: &str, data: &[u8], perm: u32) {
        if let Some((parent, _)) = path.rsplit_once('/') {
            self.dir(parent);
        }
        self.entry(path, S_IFREG | (perm & 0o7777), data);
    }

    /// Adds the file at `source` on this machine as `dest` (an absolute path in the VM).
    pub fn file_from_disk(&mut self, source: &Path, dest: &Path, perm: u32) -> std::io::Result<()> {
        let data = std::fs::read(source)?;
        let rel: Vec<String> = dest
            .components()
            .filter_map(|c| match c {
                Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        self.file(&rel.join("/"), &data, perm);
        Ok(())
    }

    fn entry(&mut self, name: &str, mode: u32, data: &[u8]) {
        let inode = self.next_inode;
        self.next_inode += 1;
        let name_len = name.len() + 1;
        let nlink = if mode & S_IFDIR != 0 { 2 } else { 1 };
        let fields = [
            inode,
            mode,
            0, // uid
            0, // gid
            nlink,
            0, // mtime
            u32::try_from(data.len()).expect("initramfs files are under 4 GiB"),
            0, // dev major
            0, // dev minor
            0, // rdev major
            0, // rdev minor
            u32::try_from(name_len).expect("short names"),
            0, // check
        ];
        self.bytes.extend_from_slice(b"070701");
        for f in fields {
            self.bytes.extend_from_slice(format!("{f:08X}").as_bytes());
        }
        self.bytes.extend_from_slice(name.as_bytes());
        self.bytes.push(0);
        self.pad();
        self.bytes.extend_from_slice(data);
        self.pad();
    }

    fn pad(&mut self) {
        while !self.bytes.len().is_multiple_of(4) {
            self.bytes.push(0);
        }
    }

    /// The archive so far, without the closing entry (to be followed by another archive).
    pub fn into_bytes_without_trailer(self) -> Vec<u8> {
        self.bytes
    }

    /// Writes the archive with its closing entry.
    pub fn finish(mut self, out: &mut impl Write) -> std::io::Result<()> {
        self.entry("TRAILER!!!", 0, &[]);
        out.write_all(&self.bytes)
    }
}

/// A 64-bit FNV-1a hash of `bytes`: the cache key of an archive part.
pub fn content_key(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_aligned_and_parents_come_first() {
        let mut a = Archive::new();
        a.file("a/b/c", b"hello", 0o644);
        let mut out = Vec::new();
        a.finish(&mut out).unwrap();
        assert!(out.len().is_multiple_of(4));
        let text = String::from_utf8_lossy(&out);
        let (a_at, ab_at, abc_at) = (
            text.find("a\0").unwrap(),
            text.find("a/b\0").unwrap(),
            text.find("a/b/c\0").unwrap(),
        );
        assert!(a_at < ab_at && ab_at < abc_at);
        assert!(text.contains("hello"));
        assert!(text.contains("TRAILER!!!"));
        // The file entry's header (110 bytes before its name): its size field says 5 bytes.
        let header = &text[abc_at - 110..abc_at];
        assert!(header.starts_with("070701"));
        assert_eq!(&header[6 + 6 * 8..6 + 7 * 8], "00000005");
    }
}

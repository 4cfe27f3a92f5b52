//! Reading a component file: bounded in size, recognised by its first bytes, and looked at with
//! wasmparser (imports, exports, memories) before anything is compiled.

use anyhow::{Result, anyhow, bail};
use std::io::Read;
use std::path::Path;
use wasmparser::{Parser, Payload};

/// The default largest component file `wasi-hal` reads: 256 MiB (`--max-component-mib`).
/// Composed apps are well under 1 MiB.
pub const DEFAULT_MAX_COMPONENT_BYTES: u64 = 256 << 20;

/// What a component file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A WebAssembly component (binary).
    Component,
    /// Machine code Wasmtime precompiled from a component (`wasi-hal compile`, `wasmtime
    /// compile`): an ELF file.
    Precompiled,
}

/// Reads the component file `path`, at most `max_bytes` of it.
///
/// The first bytes are checked before the rest is read, so a device such as `/dev/zero` or a
/// file of another kind is refused at once; a file larger than `max_bytes` is refused without
/// reading past the limit. Core modules are refused with what to do about them.
pub fn read(path: &Path, max_bytes: u64) -> Result<(Vec<u8>, FileKind)> {
    let mut file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => anyhow!("component file {} not found", path.display()),
        _ => anyhow!("cannot read component file {}: {e}", path.display()),
    })?;
    let cannot_read =
        |e: std::io::Error| anyhow!("cannot read component file {}: {e}", path.display());
    if let Ok(meta) = file.metadata() {
        if meta.is_dir() {
            bail!("{} is a folder, not a component file", path.display());
        }
        if meta.is_file() && meta.len() > max_bytes {
            bail!(too_large(path, max_bytes));
        }
    }
    let mut magic = [0u8; 8];
    let mut got = 0;
    while got < magic.len() {
        match file.read(&mut magic[got..]).map_err(cannot_read)? {
            0 => break,
            n => got += n,
        }
    }
    let kind = if magic[..got].starts_with(b"\0asm") {
        FileKind::Component
    } else if magic[..got].starts_with(b"\x7fELF") {
        FileKind::Precompiled
    } else {
        bail!(
            "{} is not a WebAssembly file (it does not start with the `\\0asm` magic) nor a \
             precompiled component (an ELF file from `wasi-hal compile`)",
            path.display()
        );
    };
    let mut bytes = magic[..got].to_vec();
    (&mut file)
        .take(max_bytes.saturating_add(1).saturating_sub(got as u64))
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > max_bytes {
        bail!(too_large(path, max_bytes));
    }
    if kind == FileKind::Component && !Parser::is_component(&bytes) {
        bail!(
            "{} is a core WebAssembly module, not a component: build it for wasm32-wasip2 or \
             wrap it with `wasm-tools component new`",
            path.display()
        );
    }
    Ok((bytes, kind))
}

fn too_large(path: &Path, max_bytes: u64) -> String {
    format!(
        "{} is larger than {} MiB, the most wasi-hal reads of a component file (raise it with \
         --max-component-mib)",
        path.display(),
        max_bytes >> 20
    )
}

/// The names a component imports and exports at its top level, and the largest initial size
/// of any of its linear memories, read without compiling it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// Import names, in the order of the file, e.g. `wasi:spi/spi@0.1.0`.
    pub imports: Vec<String>,
    /// Export names, e.g. `wasi:cli/run@0.2.6`.
    pub exports: Vec<String>,
    /// The largest initial size of a linear memory of any module inside, in bytes.
    pub largest_initial_memory: u64,
}

/// Reads the [`Shape`] of a component from its bytes; errors say the file is malformed.
pub fn shape(path: &Path, bytes: &[u8]) -> Result<Shape> {
    let malformed = |e: wasmparser::BinaryReaderError| {
        anyhow!("{} is not a valid component: {e}", path.display())
    };
    let mut shape = Shape::default();
    // Every module and component inside starts with a version payload and ends with `End`.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(malformed)? {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if depth == 1 => {
                for import in reader {
                    shape
                        .imports
                        .push(import.map_err(malformed)?.name.full_name().into_owned());
                }
            }
            Payload::ComponentExportSection(reader) if depth == 1 => {
                for export in reader {
                    shape
                        .exports
                        .push(export.map_err(malformed)?.name.full_name().into_owned());
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    let memory = memory.map_err(malformed)?;
                    let page = 1u64 << memory.page_size_log2.unwrap_or(16);
                    shape.largest_initial_memory = shape
                        .largest_initial_memory
                        .max(memory.initial.saturating_mul(page));
                }
            }
            _ => {}
        }
    }
    Ok(shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_that_never_ends_is_refused_by_its_first_bytes() {
        let err = read(Path::new("/dev/zero"), DEFAULT_MAX_COMPONENT_BYTES).unwrap_err();
        assert!(
            err.to_string().contains("is not a WebAssembly file"),
            "{err}"
        );
    }
}

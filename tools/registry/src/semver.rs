//! The semver check wkg makes for WIT packages, made for components too.

use anyhow::{Context, Result, bail};
use wasm_pkg_client::Version;
use wit_component::DecodedWasm;

/// The published versions a candidate is compared with: its nearest neighbours below and above
/// on its compatibility track (`x.*` from 1.0, `0.y.*` before, `0.0.z` alone), as wkg picks them.
pub fn neighbours(published: &[Version], candidate: &Version) -> Vec<Version> {
    let same_track = |v: &Version| {
        if candidate.major > 0 {
            v.major == candidate.major
        } else if candidate.minor > 0 {
            v.major == 0 && v.minor == candidate.minor
        } else {
            v == candidate
        }
    };
    let track: Vec<&Version> = published.iter().filter(|v| same_track(v)).collect();
    let below = track.iter().filter(|v| **v < candidate).max().cloned();
    let above = track.iter().filter(|v| **v > candidate).min().cloned();
    below.into_iter().chain(above).cloned().collect()
}

/// Checks that the component `newer` may replace `older` within a track, as wkg checks WIT
/// packages: wit-component's semver check with the newer release as `prev` and the older as
/// `new`, so the newer one may add exports but no imports and change nothing.
pub fn check_components(older: &[u8], newer: &[u8]) -> Result<()> {
    let decode = |bytes: &[u8]| -> Result<(wit_parser::Resolve, wit_parser::WorldId)> {
        match wit_component::decode(bytes).context("cannot decode the component")? {
            DecodedWasm::Component(resolve, world) => Ok((resolve, world)),
            DecodedWasm::WitPackage(..) => bail!("a WIT package, not a component"),
        }
    };
    let (prev_resolve, prev_world) = decode(newer)?;
    let (new_resolve, new_world) = decode(older)?;
    let mut merged = prev_resolve;
    let remap = merged.merge(new_resolve)?;
    let new_world = remap.map_world(new_world, Default::default())?;
    wit_component::semver_check(merged, prev_world, new_world)
}

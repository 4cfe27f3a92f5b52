//! Signatures on published releases, in cosign's format, and their verification.
//!
//! A release is signed by signing its OCI **manifest digest** (the manifest names the
//! `application/wasm` layer by its digest, so the signature covers the bytes too) with an
//! ECDSA P-256 key over cosign's "simple signing" payload:
//!
//! ```json
//! {"critical":{"identity":{"docker-reference":"HOST/REPOSITORY"},
//!  "image":{"docker-manifest-digest":"sha256:…"},"type":"cosign container image signature"},
//!  "optional":null}
//! ```
//!
//! The signature (ASN.1 DER, base64) goes into the annotation `dev.cosignproject.cosign/signature`
//! of a layer of media type `application/vnd.dev.cosign.simplesigning.v1+json` whose blob is the
//! payload, in an image pushed to the same repository under the tag `sha256-<hex>.sig` (cosign's
//! tag convention). Keys are PEM: the public key as SubjectPublicKeyInfo (`PUBLIC KEY`, what
//! `cosign verify --key` reads), the private key as unencrypted PKCS#8 (`PRIVATE KEY`).
//!
//! [`verify`] is the check on its own (payload, signature, manifest digest, trusted keys): what
//! a device runtime calls before it accepts a component. [`crate::Session::fetch_verified`] makes
//! it against a registry. Decisions: `docs/registry.md`, "Signatures".

use anyhow::{Context, Result, bail};
use base64::Engine as _;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use std::path::{Path, PathBuf};

/// The layer annotation that holds the base64 signature.
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// The media type of a simple-signing payload layer.
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// The `critical.type` of a simple-signing payload.
pub const SIMPLE_SIGNING_TYPE: &str = "cosign container image signature";

/// The tag that holds the signatures of the manifest with `manifest_digest` (`sha256:<hex>`):
/// `sha256-<hex>.sig`.
pub fn signature_tag(manifest_digest: &str) -> String {
    format!("{}.sig", manifest_digest.replacen(':', "-", 1))
}

/// The simple-signing payload for the image `docker_reference` (`HOST/REPOSITORY`) with the
/// manifest `manifest_digest`.
pub fn simple_signing_payload(docker_reference: &str, manifest_digest: &str) -> Vec<u8> {
    serde_json::json!({
        "critical": {
            "identity": {"docker-reference": docker_reference},
            "image": {"docker-manifest-digest": manifest_digest},
            "type": SIMPLE_SIGNING_TYPE,
        },
        "optional": null,
    })
    .to_string()
    .into_bytes()
}

/// One signature as stored in the registry: the payload blob and its base64 signature.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Signature {
    /// The simple-signing payload (JSON) that was signed.
    pub payload: Vec<u8>,
    /// The ECDSA P-256 / SHA-256 signature of the payload, ASN.1 DER, base64.
    pub signature: String,
}

/// A private key that signs releases.
pub struct SigningKey(p256::ecdsa::SigningKey);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SigningKey").field(&"<hidden>").finish()
    }
}

impl SigningKey {
    /// A new random key (from the operating system's random source).
    pub fn generate() -> Self {
        Self(p256::ecdsa::SigningKey::random(&mut rand_core::OsRng))
    }

    /// Reads a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`) from `path`.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the signing key {}", path.display()))?;
        p256::ecdsa::SigningKey::from_pkcs8_pem(&text)
            .map(Self)
            .map_err(|e| {
                anyhow::anyhow!(
                    "{} is not an ECDSA P-256 private key in PKCS#8 PEM ({e})",
                    path.display()
                )
            })
    }

    /// The key as PKCS#8 PEM.
    pub fn to_pem(&self) -> Result<String> {
        Ok(self
            .0
            .to_pkcs8_pem(LineEnding::LF)
            .context("cannot encode the private key")?
            .to_string())
    }

    /// Its public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            key: *self.0.verifying_key(),
            source: "the signing key".into(),
        }
    }

    /// Signs the manifest `manifest_digest` of `docker_reference` (`HOST/REPOSITORY`).
    pub fn sign(&self, docker_reference: &str, manifest_digest: &str) -> Signature {
        let payload = simple_signing_payload(docker_reference, manifest_digest);
        let signature: p256::ecdsa::Signature = self.0.sign(&payload);
        Signature {
            signature: base64::engine::general_purpose::STANDARD
                .encode(signature.to_der().as_bytes()),
            payload,
        }
    }
}

/// A public key that verifies signatures, with where it came from (for messages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    key: p256::ecdsa::VerifyingKey,
    source: String,
}

impl PublicKey {
    /// Reads a SubjectPublicKeyInfo PEM public key (`-----BEGIN PUBLIC KEY-----`) from `path`.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the trusted key {}", path.display()))?;
        let key = p256::ecdsa::VerifyingKey::from_public_key_pem(&text).map_err(|e| {
            anyhow::anyhow!(
                "{} is not an ECDSA P-256 public key in PEM ({e})",
                path.display()
            )
        })?;
        Ok(Self {
            key,
            source: path.display().to_string(),
        })
    }

    /// The key as SubjectPublicKeyInfo PEM (what `cosign verify --key` reads).
    pub fn to_pem(&self) -> Result<String> {
        self.key
            .to_public_key_pem(LineEnding::LF)
            .context("cannot encode the public key")
    }
}

/// The keys whose signatures are accepted (the trusted-keys setting).
#[derive(Clone, Debug, Default)]
pub struct TrustedKeys(Vec<PublicKey>);

impl TrustedKeys {
    /// The keys in the PEM files `paths`. At least one is needed.
    pub fn read(paths: &[PathBuf]) -> Result<Self> {
        if paths.is_empty() {
            bail!("no trusted key given: name at least one public key file (PEM)");
        }
        paths
            .iter()
            .map(|p| PublicKey::read(p))
            .collect::<Result<_>>()
            .map(Self)
    }

    /// These keys.
    pub fn new(keys: Vec<PublicKey>) -> Self {
        Self(keys)
    }

    /// Where the keys came from, for messages.
    fn sources(&self) -> String {
        self.0
            .iter()
            .map(|k| k.source.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Checks that one of `signatures` is a signature by a trusted key over a simple-signing
/// payload for the manifest `manifest_digest` of `docker_reference` (`HOST/REPOSITORY`).
/// `release` (`namespace:name@version`) names the release in the error, which says why each
/// signature was refused: no signature at all, a signature by no trusted key, or one that covers
/// another manifest (the content changed after it was signed) or another image.
pub fn verify(
    release: &str,
    docker_reference: &str,
    manifest_digest: &str,
    signatures: &[Signature],
    trusted: &TrustedKeys,
) -> Result<()> {
    if signatures.is_empty() {
        bail!(
            "{release} is not signed: {docker_reference} has no signature for its manifest \
             {manifest_digest} (no tag {})",
            signature_tag(manifest_digest)
        );
    }
    let mut reasons = Vec::new();
    for signature in signatures {
        match check_one(docker_reference, manifest_digest, signature, trusted) {
            Ok(()) => return Ok(()),
            Err(e) => reasons.push(format!("{e:#}")),
        }
    }
    bail!(
        "{release} is refused: no valid signature by a trusted key ({}) for its manifest \
         {manifest_digest} in {docker_reference}: {}",
        trusted.sources(),
        reasons.join("; ")
    )
}

/// The digest of the `application/wasm` layer an OCI manifest (JSON) names: the release's
/// bytes. An error when the manifest is not JSON or names no such layer (or more than one).
pub fn wasm_layer_digest(manifest: &[u8]) -> Result<String> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        layers: Vec<Layer>,
    }
    #[derive(serde::Deserialize)]
    struct Layer {
        #[serde(rename = "mediaType")]
        media_type: String,
        digest: String,
    }
    let manifest: Manifest =
        serde_json::from_slice(manifest).context("its manifest is not an OCI image manifest")?;
    let mut wasm = manifest
        .layers
        .into_iter()
        .filter(|l| l.media_type == "application/wasm");
    match (wasm.next(), wasm.next()) {
        (Some(layer), None) => Ok(layer.digest),
        (None, _) => bail!("its manifest has no application/wasm layer"),
        (Some(_), Some(_)) => bail!("its manifest has more than one application/wasm layer"),
    }
}

/// Checks offline that `content_digest` (the `sha256:` digest of a release's bytes) is what the
/// signed `manifest` names, and that one of `signatures` is a trusted signature of that manifest
/// ([`verify`]): what a device checks for a component it fetched earlier and keeps with its
/// manifest and signatures. The manifest's digest is computed here from its bytes.
pub fn verify_release(
    release: &str,
    docker_reference: &str,
    manifest: &[u8],
    content_digest: &str,
    signatures: &[Signature],
    trusted: &TrustedKeys,
) -> Result<()> {
    let manifest_digest = crate::sha256_digest(manifest);
    let layer = wasm_layer_digest(manifest).with_context(|| release.to_string())?;
    if layer != content_digest {
        bail!(
            "{release} is refused: its signed manifest {manifest_digest} names the content \
             {layer}, but the content is {content_digest} (the content changed after it was signed)"
        );
    }
    verify(
        release,
        docker_reference,
        &manifest_digest,
        signatures,
        trusted,
    )
}

fn check_one(
    docker_reference: &str,
    manifest_digest: &str,
    signature: &Signature,
    trusted: &TrustedKeys,
) -> Result<()> {
    let der = base64::engine::general_purpose::STANDARD
        .decode(signature.signature.trim())
        .context("the signature is not base64")?;
    let parsed = p256::ecdsa::Signature::from_der(&der)
        .map_err(|e| anyhow::anyhow!("the signature is not an ECDSA P-256 signature ({e})"))?;
    if !trusted
        .0
        .iter()
        .any(|k| k.key.verify(&signature.payload, &parsed).is_ok())
    {
        bail!("a signature is not made by a trusted key over its payload");
    }
    #[derive(serde::Deserialize)]
    struct Payload {
        critical: Critical,
    }
    #[derive(serde::Deserialize)]
    struct Critical {
        identity: Identity,
        image: Image,
        #[serde(rename = "type")]
        kind: String,
    }
    #[derive(serde::Deserialize)]
    struct Identity {
        #[serde(rename = "docker-reference")]
        docker_reference: String,
    }
    #[derive(serde::Deserialize)]
    struct Image {
        #[serde(rename = "docker-manifest-digest")]
        docker_manifest_digest: String,
    }
    let payload: Payload = serde_json::from_slice(&signature.payload)
        .context("a signed payload is not a simple-signing payload")?;
    let c = payload.critical;
    if c.kind != SIMPLE_SIGNING_TYPE {
        bail!("a signed payload has the type `{}`", c.kind);
    }
    if c.image.docker_manifest_digest != manifest_digest {
        bail!(
            "a trusted signature covers the manifest {}, but the registry serves {manifest_digest} \
             (the release changed after it was signed)",
            c.image.docker_manifest_digest
        );
    }
    if c.identity.docker_reference != docker_reference {
        bail!(
            "a trusted signature is for {}, not {docker_reference}",
            c.identity.docker_reference
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFERENCE: &str = "127.0.0.1:5000/wasi/spi";
    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn a_signature_verifies_with_its_key_only() {
        let key = SigningKey::generate();
        let other = SigningKey::generate();
        let signature = key.sign(REFERENCE, DIGEST);
        let trusted = TrustedKeys::new(vec![key.public_key()]);
        verify(
            "wasi:spi@0.1.0",
            REFERENCE,
            DIGEST,
            std::slice::from_ref(&signature),
            &trusted,
        )
        .unwrap();
        let untrusted = TrustedKeys::new(vec![other.public_key()]);
        let err = verify(
            "wasi:spi@0.1.0",
            REFERENCE,
            DIGEST,
            &[signature],
            &untrusted,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("wasi:spi@0.1.0 is refused") && err.contains("not made by a trusted key"),
            "{err}"
        );
    }

    #[test]
    fn another_manifest_or_image_is_refused() {
        let key = SigningKey::generate();
        let trusted = TrustedKeys::new(vec![key.public_key()]);
        let other_digest = DIGEST.replace("0123", "ffff");
        let err = verify(
            "wasi:spi@0.1.0",
            REFERENCE,
            &other_digest,
            &[key.sign(REFERENCE, DIGEST)],
            &trusted,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("changed after it was signed"), "{err}");
        let err = verify(
            "wasi:spi@0.1.0",
            REFERENCE,
            DIGEST,
            &[key.sign("127.0.0.1:5000/wasi/gpio", DIGEST)],
            &trusted,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("not 127.0.0.1:5000/wasi/spi"), "{err}");
        let err = verify("wasi:spi@0.1.0", REFERENCE, DIGEST, &[], &trusted)
            .unwrap_err()
            .to_string();
        assert!(err.contains("wasi:spi@0.1.0 is not signed"), "{err}");
    }

    #[test]
    fn a_kept_release_verifies_offline_only_with_its_manifest_and_content() {
        let key = SigningKey::generate();
        let trusted = TrustedKeys::new(vec![key.public_key()]);
        let manifest = |content: &str| {
            format!(
                r#"{{"schemaVersion":2,"layers":[{{"mediaType":"application/wasm","digest":"{content}","size":1}}]}}"#
            )
        };
        let kept = manifest(DIGEST);
        let signature = key.sign(REFERENCE, &crate::sha256_digest(kept.as_bytes()));
        let check = |manifest: &str, content: &str| {
            verify_release(
                "wasi:spi@0.1.0",
                REFERENCE,
                manifest.as_bytes(),
                content,
                std::slice::from_ref(&signature),
                &trusted,
            )
        };
        check(&kept, DIGEST).unwrap();
        // Other content than the signed manifest names.
        let other = DIGEST.replace("0123", "ffff");
        let err = check(&kept, &other).unwrap_err().to_string();
        assert!(
            err.contains(&format!(
                "names the content {DIGEST}, but the content is {other}"
            )),
            "{err}"
        );
        // A kept manifest edited to name the other content: the signature does not cover it.
        let err = check(&manifest(&other), &other).unwrap_err().to_string();
        assert!(err.contains("changed after it was signed"), "{err}");
        // Not a manifest.
        let err = check("{}", DIGEST).unwrap_err();
        assert!(
            format!("{err:#}").contains("not an OCI image manifest"),
            "{err:#}"
        );
    }

    #[test]
    fn keys_round_trip_through_pem() {
        let dir = std::env::temp_dir().join(format!("wasi-hal-signing-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = SigningKey::generate();
        std::fs::write(dir.join("k.key"), key.to_pem().unwrap()).unwrap();
        std::fs::write(dir.join("k.pub"), key.public_key().to_pem().unwrap()).unwrap();
        let read = SigningKey::read(&dir.join("k.key")).unwrap();
        let public = PublicKey::read(&dir.join("k.pub")).unwrap();
        assert_eq!(public.key, *key.0.verifying_key());
        assert_eq!(read.0.verifying_key(), key.0.verifying_key());
        let err = PublicKey::read(&dir.join("k.key")).unwrap_err().to_string();
        assert!(err.contains("is not an ECDSA P-256 public key"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Complaint attachments: recognised by their content (never their name), stripped of location
//! data, and kept as files under the data directory named by their SHA-256.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The kinds of file a complaint takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Jpeg,
    Png,
    Pdf,
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Pdf => "application/pdf",
        }
    }
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// What the bytes are, by their magic numbers; none for anything else (an executable renamed
/// `.jpg` included).
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileKind::Jpeg)
    } else if bytes.starts_with(PNG_SIGNATURE) {
        Some(FileKind::Png)
    } else if bytes.starts_with(b"%PDF-") {
        Some(FileKind::Pdf)
    } else {
        None
    }
}

/// The file as it is kept: images without their metadata segments (EXIF, XMP and IPTC, where
/// a phone writes where the photo was taken). None when an image's structure is broken, so a
/// file that only starts like an image is refused.
pub fn without_location(kind: FileKind, bytes: &[u8]) -> Option<Vec<u8>> {
    match kind {
        FileKind::Jpeg => jpeg_without_metadata(bytes),
        FileKind::Png => png_without_metadata(bytes),
        FileKind::Pdf => Some(bytes.to_vec()),
    }
}

/// Drops the APP1 (EXIF, XMP) and APP13 (IPTC) segments of a JPEG; the image data after the
/// start of scan is copied as it is.
fn jpeg_without_metadata(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..2]);
    let mut at = 2;
    loop {
        if bytes.get(at)? != &0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        // Start of scan: the entropy-coded image follows, to the end.
        if marker == 0xDA {
            out.extend_from_slice(&bytes[at..]);
            return Some(out);
        }
        let length = usize::from(u16::from_be_bytes([*bytes.get(at + 2)?, *bytes.get(at + 3)?]));
        let end = at + 2 + length;
        if length < 2 || end > bytes.len() {
            return None;
        }
        if !matches!(marker, 0xE1 | 0xED) {
            out.extend_from_slice(&bytes[at..end]);
        }
        at = end;
    }
}

/// Drops the `eXIf` and text chunks (`tEXt`, `zTXt`, `iTXt`, where XMP lives) of a PNG.
fn png_without_metadata(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(PNG_SIGNATURE);
    let mut at = PNG_SIGNATURE.len();
    while at < bytes.len() {
        let length = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind = bytes.get(at + 4..at + 8)?;
        let end = at.checked_add(12)?.checked_add(length)?;
        if end > bytes.len() {
            return None;
        }
        if !matches!(kind, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt") {
            out.extend_from_slice(&bytes[at..end]);
        }
        at = end;
        if kind == b"IEND" {
            return Some(out);
        }
    }
    None
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The attachments' directory: one file per distinct content, named by its SHA-256.
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    pub fn new(data_dir: &Path) -> FileStore {
        FileStore { dir: data_dir.join("attachments") }
    }

    /// The directory the files are in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, sha256: &str) -> PathBuf {
        self.dir.join(sha256)
    }

    /// Keeps `bytes` under their hash: written to a temporary file and renamed, so a reader
    /// never sees half a file. Returns whether the file is new (and so whose to remove if the
    /// complaint is not stored after all).
    pub async fn put(&self, sha256: &str, bytes: &[u8]) -> std::io::Result<bool> {
        let path = self.path_of(sha256);
        if tokio::fs::try_exists(&path).await? {
            return Ok(false);
        }
        tokio::fs::create_dir_all(&self.dir).await?;
        let temporary = self.dir.join(format!(".upload-{}", uuid::Uuid::now_v7().simple()));
        tokio::fs::write(&temporary, bytes).await?;
        tokio::fs::rename(&temporary, &path).await?;
        Ok(true)
    }

    pub async fn remove(&self, sha256: &str) {
        if let Err(error) = tokio::fs::remove_file(self.path_of(sha256)).await {
            tracing::warn!(%error, sha256, "an attachment file could not be removed");
        }
    }

    pub async fn read(&self, sha256: &str) -> std::io::Result<Vec<u8>> {
        tokio::fs::read(self.path_of(sha256)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG with an EXIF segment (holding "GPS") before its image data.
    fn jpeg_with_exif() -> Vec<u8> {
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend([0xFF, 0xE0, 0x00, 0x06, b'J', b'F', b'I', b'F']);
        let exif = b"Exif\0\0GPS 10.77N 106.70E";
        jpeg.extend([0xFF, 0xE1]);
        jpeg.extend(u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
        jpeg.extend(exif);
        jpeg.extend([0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0xD9]);
        jpeg
    }

    #[test]
    fn files_are_known_by_their_content_not_their_name() {
        assert_eq!(sniff(&jpeg_with_exif()), Some(FileKind::Jpeg));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(FileKind::Pdf));
        assert_eq!(sniff(b"MZ\x90\x00 a windows program"), None);
        assert_eq!(sniff(b"\x7fELF"), None);
    }

    #[test]
    fn a_jpeg_loses_its_exif_and_keeps_its_image() {
        let stripped = without_location(FileKind::Jpeg, &jpeg_with_exif()).unwrap();
        assert!(!stripped.windows(3).any(|w| w == b"GPS"));
        assert!(stripped.windows(4).any(|w| w == b"JFIF"));
        assert!(stripped.ends_with(&[0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0xD9]));
        assert_eq!(without_location(FileKind::Jpeg, &[0xFF, 0xD8, 0xFF, 0xE1, 0xFF]), None);
    }

    #[test]
    fn a_png_loses_its_text_and_exif_chunks() {
        let chunk = |kind: &[u8], data: &[u8]| {
            let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
            c.extend(kind);
            c.extend(data);
            c.extend([0, 0, 0, 0]);
            c
        };
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"eXIf", b"GPS"));
        png.extend(chunk(b"iTXt", b"XML:com.adobe.xmp GPS"));
        png.extend(chunk(b"IDAT", &[1, 2, 3]));
        png.extend(chunk(b"IEND", &[]));
        let stripped = without_location(FileKind::Png, &png).unwrap();
        assert!(!stripped.windows(3).any(|w| w == b"GPS"));
        assert!(stripped.windows(4).any(|w| w == b"IDAT"));
        assert_eq!(without_location(FileKind::Png, &png[..png.len() - 3]), None);
    }
}

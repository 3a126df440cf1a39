//! What files Vigil accepts. The type is judged by the content, never by the name or the type the browser
//! declared, so an HTML page or a program renamed `.pdf` is refused.

use crate::text::Invalid;

/// The largest file accepted, in bytes (20 MB).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// The longest filename kept (as metadata only).
const MAX_NAME: usize = 200;

/// Types Vigil accepts: documents, spreadsheets, presentations, images and plain text.
const ACCEPTED: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/msword",
    "application/vnd.ms-excel",
    "application/rtf",
];

/// The accepted types, in words, for error messages and help text.
pub const ACCEPTED_IN_WORDS: &str =
    "a PDF, Word, Excel, PowerPoint or OpenDocument file, a PNG or JPEG image, or a plain text or CSV file";

/// Checks an upload and answers its content type.
///
/// # Errors
/// When the file is empty, too large, or not of an accepted type by its content.
pub fn check_upload(bytes: &[u8], filename: &str) -> Result<&'static str, Invalid> {
    if bytes.is_empty() {
        return Err(Invalid("The selected file is empty"));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Invalid("The selected file must be smaller than 20 MB"));
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    if looks_like_markup(&head) {
        return Err(Invalid("The selected file is a web page or script, which Vigil does not accept"));
    }
    if let Some(kind) = infer::get(bytes) {
        return ACCEPTED.iter().find(|accepted| **accepted == kind.mime_type()).copied().ok_or(Invalid(
            "The selected file must be a PDF, Word, Excel, PowerPoint or OpenDocument file, an image or text",
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| Invalid("The selected file is not a type Vigil accepts"))?;
    if text.contains('\0') {
        return Err(Invalid("The selected file is not a type Vigil accepts"));
    }
    Ok(if filename.to_lowercase().ends_with(".csv") { "text/csv" } else { "text/plain" })
}

/// HTML, SVG, XML and scripts could run in a browser if ever shown inline.
fn looks_like_markup(text: &str) -> bool {
    let head: String =
        text.trim_start_matches('\u{feff}').trim_start().chars().take(512).collect::<String>().to_lowercase();
    ["<!doctype", "<html", "<?xml", "<svg", "<script", "<head", "<body", "<iframe"].iter().any(|m| head.starts_with(m))
        || head.contains("<script")
        || head.starts_with("#!")
}

/// The user's filename, kept as metadata: no folders, no control characters, bounded length.
#[must_use]
pub fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(MAX_NAME).collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() { "file".into() } else { cleaned }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_the_type() {
        assert_eq!(check_upload(b"%PDF-1.7\n...", "report.pdf").unwrap(), "application/pdf");
        assert_eq!(check_upload(b"name,role\nAda,tutor\n", "people.csv").unwrap(), "text/csv");
        assert!(check_upload(b"<!DOCTYPE html><html><script>alert(1)</script>", "report.pdf").is_err());
        assert!(check_upload(b"  <html><body>hi</body></html>", "notes.txt").is_err());
        assert!(check_upload(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "report.pdf").is_err());
        assert!(check_upload(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00", "report.pdf").is_err());
        assert!(check_upload(b"", "empty.pdf").is_err());
        assert!(check_upload(&vec![b'a'; MAX_FILE_BYTES + 1], "big.txt").is_err());
    }

    #[test]
    fn filenames_are_metadata_only() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\Users\\me\\report.pdf"), "report.pdf");
        assert_eq!(clean_filename("a\nb.pdf"), "ab.pdf");
        assert_eq!(clean_filename("   "), "file");
    }
}

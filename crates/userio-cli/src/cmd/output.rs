//! Helpers shared by the commands that write files: CSV delimiters and output that appears
//! only when complete (a temporary file beside the target, renamed on success).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use tempfile::NamedTempFile;

/// A CSV delimiter flag: one ASCII character, or `tab` / `\t`.
pub fn parse_delimiter(text: &str) -> anyhow::Result<u8> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        s if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        s => bail!("--delimiter {s:?}: give one ASCII character, or `tab`"),
    }
}

/// A temporary file in `dir` (created if missing), so a later rename into `dir` is atomic
/// and a failed run leaves no partial file behind.
pub fn temp_in(dir: &Path, prefix: &str) -> anyhow::Result<NamedTempFile> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    tempfile::Builder::new()
        .prefix(prefix)
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))
}

/// The directory a file at `path` goes in (`.` for a bare file name).
pub fn dir_of(path: &Path) -> PathBuf {
    path.parent().filter(|p| !p.as_os_str().is_empty()).map_or(".".into(), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    #[test]
    fn delimiters() {
        assert_eq!(super::parse_delimiter("tab").unwrap(), b'\t');
        assert_eq!(super::parse_delimiter(";").unwrap(), b';');
        assert!(super::parse_delimiter("ab").unwrap_err().to_string().contains("one ASCII"));
    }
}

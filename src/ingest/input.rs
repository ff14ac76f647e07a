//! Input documents for `kg ingest` and `kg extract`: text files, directories
//! (recursively, `*.txt`, `*.jsonl`), JSON Lines and stdin, streamed one
//! document at a time so memory stays bounded whatever the input size.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::kg::{Document, normalize_text};

/// One document read from the input, before analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct RawDoc {
    /// Where it came from, for messages: `file.txt` or `file.jsonl:12`.
    pub origin: String,
    pub document: Document,
    /// Non-fatal remarks (lossy UTF-8 decoding), reported by the caller.
    pub warnings: Vec<String>,
    /// Bytes of input read up to the end of this document, over all the input
    /// files (set by `Documents`; 0 elsewhere): how far a run has got.
    pub input_end: u64,
}

/// An input that could not be read; the batch goes on without it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{origin}: {reason}")]
pub struct InputError {
    pub origin: String,
    pub reason: String,
}

fn err(origin: impl Into<String>, reason: impl Into<String>) -> InputError {
    InputError {
        origin: origin.into(),
        reason: reason.into(),
    }
}

pub use crate::text::decode_lossy;

/// Heuristic for binary files: a NUL byte in the first 8 KiB, as git and grep do.
pub fn looks_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8192).any(|&b| b == 0)
}

/// How an input path is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    JsonLines,
}

/// The kind a file name implies (`.jsonl`/`.ndjson` → JSON Lines, else text).
pub fn kind_of(path: &Path) -> Kind {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson") => {
            Kind::JsonLines
        }
        _ => Kind::Text,
    }
}

/// Expands the command-line paths into files: directories recursively (only
/// `*.txt`, `*.jsonl`, `*.ndjson`, sorted, symlink loops skipped), `-` for stdin.
pub fn expand(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut seen_dirs = HashSet::new();
    for p in paths {
        if p.as_os_str() == "-" {
            files.push(p.clone());
        } else if p.is_dir() {
            walk(p, &mut seen_dirs, &mut files, &mut errors);
        } else if p.exists() {
            files.push(p.clone());
        } else {
            errors.push(err(p.display().to_string(), "no such file or directory"));
        }
    }
    (files, errors)
}

fn walk(
    dir: &Path,
    seen: &mut HashSet<PathBuf>,
    files: &mut Vec<PathBuf>,
    errors: &mut Vec<InputError>,
) {
    let canonical = match fs::canonicalize(dir) {
        Ok(c) => c,
        Err(e) => {
            errors.push(err(dir.display().to_string(), e.to_string()));
            return;
        }
    };
    if !seen.insert(canonical) {
        // A symlink loop or a directory reached twice: read it once.
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            errors.push(err(dir.display().to_string(), e.to_string()));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            walk(&p, seen, files, errors);
        } else if p.is_file() {
            let ext = p
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            if matches!(ext.as_deref(), Some("txt" | "jsonl" | "ndjson")) {
                files.push(p);
            }
        } else if fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
            // A dangling symlink or a loop: fs::metadata fails on it.
            if fs::metadata(&p).is_err() {
                errors.push(err(
                    p.display().to_string(),
                    "broken or looping symlink, skipped",
                ));
            }
        }
    }
}

/// A streaming reader of documents from a list of files.
pub struct Documents {
    files: std::vec::IntoIter<PathBuf>,
    /// The JSON Lines file being read, with its name and the line number.
    current: Option<(String, Box<dyn BufRead + Send>, usize)>,
    /// Treat stdin as JSON Lines.
    stdin_jsonl: bool,
    /// Bytes of input read so far.
    read: u64,
}

impl Documents {
    pub fn new(files: Vec<PathBuf>, stdin_jsonl: bool) -> Documents {
        Documents {
            files: files.into_iter(),
            current: None,
            stdin_jsonl,
            read: 0,
        }
    }
}

/// Marks a document (or the error in its place) with how far the input is read.
fn at(read: u64, mut item: Result<RawDoc, InputError>) -> Result<RawDoc, InputError> {
    if let Ok(d) = &mut item {
        d.input_end = read;
    }
    item
}

impl Iterator for Documents {
    type Item = Result<RawDoc, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((name, reader, line_no)) = &mut self.current {
                let mut line = Vec::new();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) => {
                        self.current = None;
                        continue;
                    }
                    Ok(n) => {
                        self.read += n as u64;
                        *line_no += 1;
                        let origin = format!("{name}:{line_no}");
                        if line.iter().all(u8::is_ascii_whitespace) {
                            continue;
                        }
                        return Some(at(self.read, parse_json_line(&origin, &line)));
                    }
                    Err(e) => {
                        let origin = name.clone();
                        self.current = None;
                        return Some(Err(err(origin, e.to_string())));
                    }
                }
            }
            let path = self.files.next()?;
            let stdin = path.as_os_str() == "-";
            let name = if stdin {
                "<stdin>".to_owned()
            } else {
                path.display().to_string()
            };
            let jsonl = if stdin {
                self.stdin_jsonl
            } else {
                kind_of(&path) == Kind::JsonLines
            };
            if jsonl {
                let reader: Box<dyn BufRead + Send> = if stdin {
                    Box::new(BufReader::new(io::stdin()))
                } else {
                    match fs::File::open(&path) {
                        Ok(f) => Box::new(BufReader::new(f)),
                        Err(e) => return Some(Err(err(name, e.to_string()))),
                    }
                };
                self.current = Some((name, reader, 0));
                continue;
            }
            let mut bytes = Vec::new();
            let read = if stdin {
                io::stdin().read_to_end(&mut bytes)
            } else {
                fs::File::open(&path).and_then(|mut f| f.read_to_end(&mut bytes))
            };
            if let Err(e) = read {
                return Some(Err(err(name, e.to_string())));
            }
            self.read += bytes.len() as u64;
            return Some(at(self.read, text_document(&name, &bytes)));
        }
    }
}

/// A plain-text document.
pub fn text_document(origin: &str, bytes: &[u8]) -> Result<RawDoc, InputError> {
    if looks_binary(bytes) {
        return Err(err(origin, "binary file (contains NUL bytes), skipped"));
    }
    let (text, bad) = decode_lossy(bytes);
    if text.trim().is_empty() {
        return Err(err(origin, "empty document, skipped"));
    }
    let mut warnings = Vec::new();
    if let Some(at) = bad {
        warnings.push(format!(
            "{origin}: invalid UTF-8 at byte {at}, decoded with replacement characters"
        ));
    }
    Ok(RawDoc {
        origin: origin.to_owned(),
        document: Document {
            text: normalize_text(&text),
            ..Default::default()
        },
        warnings,
        input_end: 0,
    })
}

/// One JSON Lines record: `{"id","text","url","date","title", …}`.
pub fn parse_json_line(origin: &str, line: &[u8]) -> Result<RawDoc, InputError> {
    let value: serde_json::Value =
        serde_json::from_slice(line).map_err(|e| err(origin, format!("malformed JSON: {e}")))?;
    let serde_json::Value::Object(map) = value else {
        return Err(err(origin, "expected a JSON object with a \"text\" field"));
    };
    let text = match map.get("text") {
        Some(serde_json::Value::String(t)) => t.clone(),
        Some(_) => return Err(err(origin, "\"text\" must be a string")),
        None => return Err(err(origin, "no \"text\" field")),
    };
    if text.trim().is_empty() {
        return Err(err(origin, "empty \"text\", skipped"));
    }
    let string = |k: &str| match map.get(k) {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let date = match string("date") {
        Some(d) => Some(
            normalize_date(&d)
                .ok_or_else(|| err(origin, format!("\"date\" {d:?} is not a date (YYYY-MM-DD)")))?,
        ),
        None => None,
    };
    let mut metadata = BTreeMap::new();
    for (k, v) in &map {
        if ["id", "text", "url", "date", "title"].contains(&k.as_str()) {
            continue;
        }
        let v = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        metadata.insert(k.clone(), v);
    }
    Ok(RawDoc {
        origin: origin.to_owned(),
        document: Document {
            text: normalize_text(&text),
            source_id: string("id"),
            url: string("url"),
            date,
            title: string("title"),
            metadata,
        },
        warnings: Vec::new(),
        input_end: 0,
    })
}

/// `YYYY-MM-DD` from `YYYY-MM-DD` or an ISO timestamp starting with it.
pub fn normalize_date(s: &str) -> Option<String> {
    let d = s.get(..10)?;
    let b = d.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10) {
        let m: u32 = d[5..7].parse().ok()?;
        let day: u32 = d[8..10].parse().ok()?;
        if (1..=12).contains(&m) && (1..=31).contains(&day) {
            return Some(d.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_fields_and_metadata() {
        let line =
            br#"{"id": 7, "text": "Hi there.", "date": "2022-01-10T08:00:00Z", "source": "TASS"}"#;
        let d = parse_json_line("a.jsonl:1", line).unwrap();
        assert_eq!(d.document.source_id.as_deref(), Some("7"));
        assert_eq!(d.document.date.as_deref(), Some("2022-01-10"));
        assert_eq!(d.document.metadata["source"], "TASS");
    }

    #[test]
    fn bad_json_lines_are_errors_with_origin() {
        let e = parse_json_line("a.jsonl:3", b"{\"text\": ").unwrap_err();
        assert!(e.to_string().starts_with("a.jsonl:3: malformed JSON"));
        assert!(parse_json_line("x:1", b"[1]").is_err());
        assert!(parse_json_line("x:1", br#"{"title": "no text"}"#).is_err());
        assert!(parse_json_line("x:1", br#"{"text": "a", "date": "yesterday"}"#).is_err());
    }

    #[test]
    fn documents_carry_how_far_the_input_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let jsonl = dir.path().join("a.jsonl");
        let lines = "{\"text\": \"One.\"}\n\n{\"text\": \"Two.\"}\n";
        fs::write(&jsonl, lines).unwrap();
        let txt = dir.path().join("b.txt");
        fs::write(&txt, "Three.").unwrap();
        let ends: Vec<u64> = Documents::new(vec![jsonl, txt], false)
            .map(|d| d.unwrap().input_end)
            .collect();
        let total = lines.len() + "Three.".len();
        assert_eq!(ends, [17, lines.len() as u64, total as u64]);
    }

    #[test]
    fn binary_empty_and_invalid_utf8() {
        assert!(text_document("b", b"abc\0def").is_err());
        assert!(text_document("e", b"  \n ").is_err());
        let d = text_document("l", b"caf\xe9 ok").unwrap();
        assert!(d.warnings[0].contains("byte 3"), "{:?}", d.warnings);
        assert_eq!(d.document.text, "caf\u{FFFD} ok");
    }

    #[test]
    fn directories_are_walked_sorted_and_loops_survive() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir(root.join("sub")).unwrap();
        fs::write(root.join("b.txt"), "B.").unwrap();
        fs::write(root.join("sub/a.txt"), "A.").unwrap();
        fs::write(root.join("skip.bin"), "x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root, root.join("sub/loop")).unwrap();
        let (files, errors) = expand(&[root.to_path_buf()]);
        let names: Vec<_> = files
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["b.txt", "sub/a.txt"]);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn dates() {
        assert_eq!(normalize_date("2022-01-10"), Some("2022-01-10".into()));
        assert_eq!(normalize_date("2022-13-10"), None);
        assert_eq!(normalize_date("Jan 10"), None);
    }
}

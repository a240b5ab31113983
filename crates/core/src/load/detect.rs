//! Which format a file is in: by extension first, then by content.

use super::LoadError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv {
        delimiter: u8,
    },
    /// One JSON array of objects (or an object wrapping one such array).
    JsonArray,
    /// One JSON object per line.
    JsonLines,
}

/// A binary container read by its own reader rather than decoded as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    /// A zip archive (an Inspect AI `.eval` log, or something else we then name).
    Zip,
    /// A Parquet file (`PAR1`, or `PARE` when its footer is encrypted).
    Parquet,
}

/// Recognises a container by its first bytes (magic numbers), whatever the file is called.
pub(crate) fn container(bytes: &[u8]) -> Option<Container> {
    // A local file header, or the end record of an empty archive.
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        Some(Container::Zip)
    } else if bytes.starts_with(b"PAR1") || bytes.starts_with(b"PARE") {
        Some(Container::Parquet)
    } else {
        None
    }
}

/// A file named `.parquet` (or `.pq`) that does not start like one: an error saying so (and what
/// it seems to be instead), rather than reading its bytes as text.
pub(crate) fn misnamed_parquet(bytes: &[u8], source: &str) -> Option<super::LoadError> {
    let name = file_name(source).to_ascii_lowercase();
    if !(name.ends_with(".parquet") || name.ends_with(".pq")) || container(bytes) == Some(Container::Parquet) {
        return None;
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Some(super::LoadError::Empty { source: source.to_string() });
    }
    Some(not_parquet(bytes, source))
}

/// The error for bytes that should be a Parquet file and do not start like one.
pub(crate) fn not_parquet(bytes: &[u8], source: &str) -> super::LoadError {
    let head = String::from_utf8_lossy(bytes.get(..64).unwrap_or(bytes)).trim_start().to_ascii_lowercase();
    let hint = if head.starts_with('<') {
        "; it looks like a web page: did the address return an error or login page instead of the file?"
    } else if head.starts_with("version https://git-lfs") {
        "; it is a Git LFS pointer, not the file: download it through the dataset's resolve/ address"
    } else {
        ""
    };
    super::LoadError::Corrupt {
        source: source.to_string(),
        what: format!("not a Parquet file: it does not start with Parquet's magic bytes PAR1{hint}"),
    }
}

/// The last path segment of a file name or URL, without query or fragment.
pub(crate) fn file_name(source: &str) -> &str {
    let path = source.split(['?', '#']).next().unwrap_or(source);
    let path = path.trim_end_matches(['/', '\\']);
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The file name without its last extension: the fallback run name.
pub(crate) fn file_stem(source: &str) -> &str {
    let name = file_name(source);
    match name.rfind('.') {
        Some(dot) if dot > 0 => name.get(..dot).unwrap_or(name),
        _ => name,
    }
}

fn extension(source: &str) -> String {
    let name = file_name(source);
    match name.rfind('.') {
        Some(dot) if dot > 0 => name.get(dot + 1..).unwrap_or("").to_ascii_lowercase(),
        _ => String::new(),
    }
}

pub(crate) fn detect(text: &str, source: &str) -> Result<Format, LoadError> {
    let body = text.trim_start();
    let first = body.chars().next();
    let lower_head: String = body.chars().take(15).collect::<String>().to_ascii_lowercase();
    if lower_head.starts_with("<!doctype") || lower_head.starts_with("<html") || lower_head.starts_with("<?xml") {
        return Err(LoadError::NotTabular {
            source: source.to_string(),
            what: "an HTML or XML page (did the URL return a web page instead of the raw file?)".to_string(),
        });
    }
    let first_line = body.lines().next().unwrap_or("");
    let first_line_is_object =
        || serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(first_line).is_ok();
    match extension(source).as_str() {
        "json" | "jsonl" | "ndjson" | "jsonlines" => match first {
            Some('[') => Ok(Format::JsonArray),
            Some('{') => Ok(Format::JsonLines),
            _ => Err(LoadError::Malformed {
                source: source.to_string(),
                line: 1,
                message: "expected a JSON array or one JSON object per line".to_string(),
            }),
        },
        "tsv" | "tab" => Ok(Format::Csv { delimiter: b'\t' }),
        // A mislabelled JSONL file is recognisable from its first line.
        "csv" if first == Some('{') && first_line_is_object() => Ok(Format::JsonLines),
        "csv" => Ok(Format::Csv { delimiter: sniff_delimiter(first_line) }),
        _ => match first {
            Some('[') => Ok(Format::JsonArray),
            Some('{') => Ok(Format::JsonLines),
            Some('<') => Err(LoadError::NotTabular {
                source: source.to_string(),
                what: "markup (it starts with '<')".to_string(),
            }),
            _ => Ok(Format::Csv { delimiter: sniff_delimiter(first_line) }),
        },
    }
}

/// Comma unless the header line has none and has tabs (or semicolons) instead.
fn sniff_delimiter(header: &str) -> u8 {
    if header.contains(',') {
        b','
    } else if header.contains('\t') {
        b'\t'
    } else if header.contains(';') {
        b';'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, source: &str) -> Result<Format, String> {
        detect(text, source).map_err(|e| e.to_string())
    }

    #[test]
    fn extension_decides_first() {
        assert_eq!(check("a,b\n", "x.csv"), Ok(Format::Csv { delimiter: b',' }));
        assert_eq!(check("a\tb\n", "x.tsv"), Ok(Format::Csv { delimiter: b'\t' }));
        assert_eq!(check("[{}]", "x.json"), Ok(Format::JsonArray));
        assert_eq!(check("{\"a\":1}\n", "x.json"), Ok(Format::JsonLines));
        assert_eq!(check("{\"a\":1}\n", "x.jsonl"), Ok(Format::JsonLines));
    }

    #[test]
    fn content_decides_without_a_known_extension() {
        assert_eq!(check("  [{\"a\":1}]", "https://h/raw?x=1"), Ok(Format::JsonArray));
        assert_eq!(check("{\"a\":1}", "data"), Ok(Format::JsonLines));
        assert_eq!(check("a;b\n1;2", "data.txt"), Ok(Format::Csv { delimiter: b';' }));
        assert_eq!(check("a\tb\n", "data"), Ok(Format::Csv { delimiter: b'\t' }));
    }

    #[test]
    fn jsonl_named_csv_is_read_as_jsonl() {
        assert_eq!(check("{\"answer\":\"x\"}\n", "x.csv"), Ok(Format::JsonLines));
    }

    #[test]
    fn web_pages_and_non_json_json_files_are_errors() {
        assert!(check("<!DOCTYPE html><html>", "x.csv").unwrap_err().contains("HTML"));
        assert!(check("a,b", "x.json").unwrap_err().contains("x.json line 1"));
    }

    #[test]
    fn run_name_fallback_is_the_file_stem() {
        assert_eq!(file_stem("dir/sub/responses_Qwen2.5-7B.csv"), "responses_Qwen2.5-7B");
        assert_eq!(file_stem("https://h/a/b.jsonl?raw=1#x"), "b");
        assert_eq!(file_stem("C:\\data\\x.csv"), "x");
        assert_eq!(file_stem(".hidden"), ".hidden");
        assert_eq!(file_stem("noext"), "noext");
        assert_eq!(file_stem(""), "");
    }
}

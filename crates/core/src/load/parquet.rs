//! Parquet files, as Hugging Face datasets, pandas (pyarrow) and polars write them: one answer
//! per row, columns recognised by name exactly as for CSV (`columns.rs`), values read typed.
//!
//! The `parquet` crate (arrow-rs, without its `arrow` feature) parses the footer and decodes
//! pages (plain, dictionary, RLE and delta encodings; snappy, gzip and lz4 pages with its own
//! pure-Rust codecs). Its zstd codec binds the C library, so zstd column chunks are handed to it
//! as if uncompressed and each page is inflated here with `ruzstd` ([`Checked`]) before the
//! crate decodes it.
//!
//! Numbers stay numbers: an integer, float or decimal score column becomes `f64`s directly
//! (null and NaN blank), never text parsed back; text columns go through the same score parser
//! and classification as CSV cells. Dates and timestamps become metadata text. Nested columns
//! (lists, structs, maps) are not read and are named in a note. A pandas index column
//! (`__index_level_0__`, or any column the file's `pandas` metadata lists as its index) is
//! dropped when it holds integers, like CSV's `Unnamed: 0`.
//!
//! Reading is in batches of rows across all the columns used, so memory is the file, the run,
//! and one batch of decoded values.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read as _;
use std::sync::Arc;

use bytes::Bytes;
use parquet::basic::{Compression, ConvertedType, Encoding, LogicalType, TimeUnit, Type as Physical};
use parquet::column::page::{Page, PageMetadata, PageReader};
use parquet::column::reader::{get_column_reader, ColumnReader, ColumnReaderImpl};
use parquet::data_type::{ByteArray, DataType};
use parquet::errors::ParquetError;
use parquet::file::metadata::{ColumnChunkMetaData, ParquetMetaData, ParquetMetaDataReader};
use parquet::file::properties::ReaderProperties;
use parquet::file::serialized_reader::SerializedPageReader;
use parquet::schema::types::ColumnDescPtr;

use crate::model::{ColumnMapping, JudgeChoice, JudgeOrigin, MetaColumn, RunBuilder, META_MISSING};

use super::build::{self, score_value, Interner};
use super::columns::{self, ColumnStats, Fields, Header, Role, Score};
use super::issues::{quote_cell, IssueLog, Kind};
use super::{LoadError, Loaded};

/// Rows decoded at a time, across every column read.
const BATCH: usize = 8 * 1024;
/// At most this many values in one byte-array data page (writers put thousands; see `Checked::pad`).
const MAX_PAGE_VALUES: u32 = 1 << 22;
/// At most this many bytes come out of one zstd page: a decompression bomb stops here.
const MAX_PAGE: usize = 512 * 1024 * 1024;

/// How one column's values are turned into cells.
#[derive(Debug, Clone, Copy, PartialEq)]
enum How {
    /// UTF-8 (or unannotated) byte arrays.
    Text,
    /// Signed integers, floats and doubles.
    Number,
    /// Unsigned integers (`UINT_*`), read from the signed physical type.
    Unsigned,
    /// Fixed-point decimals (`value × 10^-scale`), from integers or big-endian byte arrays.
    Decimal(i32),
    /// IEEE half floats in 2-byte fixed-length arrays.
    Float16,
    Bool,
    /// Days since 1970-01-01, as `YYYY-MM-DD`.
    Date,
    /// Units since the epoch (this many per second), as `YYYY-MM-DD HH:MM:SS`.
    Timestamp(i64),
    /// Units since midnight (this many per second), as `HH:MM:SS`.
    Time(i64),
    /// Legacy 12-byte timestamps (Impala, Spark, old pandas).
    Int96,
    /// 16-byte UUIDs, as hyphenated hex.
    Uuid,
}

/// A top-level column the file has, readable or not.
struct Column {
    name: String,
    /// Index among the schema's leaves; `None` for a nested column.
    leaf: Option<usize>,
    read: Option<How>,
}

/// A file error; its message is bounded (it can quote column names and the crate's errors).
fn corrupt(source: &str, what: impl Into<String>) -> LoadError {
    const MAX: usize = 600;
    let mut what: String = what.into();
    if let Some((cut, _)) = what.char_indices().nth(MAX) {
        what.truncate(cut);
        what.push('…');
    }
    LoadError::Corrupt { source: source.to_string(), what }
}

/// Loads a Parquet file (the bytes start with `PAR1`).
pub(crate) fn load(bytes: Bytes, source: &str, mapping: Option<&ColumnMapping>) -> Result<Loaded, LoadError> {
    let metadata = footer(&bytes, source)?;
    let mut log = IssueLog::new(source);
    let columns = top_level_columns(&metadata);
    let nested: Vec<String> = columns.iter().filter(|c| c.leaf.is_none()).map(|c| c.name.clone()).collect();
    if !nested.is_empty() {
        log.note(None, format!("nested columns (lists, structs or maps) not read: {}", super::list(&nested)));
    }
    let unread: Vec<String> =
        columns.iter().filter(|c| c.leaf.is_some() && c.read.is_none()).map(|c| c.name.clone()).collect();
    if !unread.is_empty() {
        log.note(None, format!("columns of a type this reader does not show, not read: {}", super::list(&unread)));
    }
    let columns: Vec<Column> = columns.into_iter().filter(|c| c.read.is_some()).collect();
    let raw: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let headers = columns::clean_headers(&raw, &mut log);
    let fields = match mapping {
        Some(mapping) => columns::explicit_fields(&headers, mapping, source)?,
        None => columns::auto_fields(&headers),
    };
    if mapping.is_none() && fields.answer.is_none() {
        return Err(needs_mapping(&metadata, &columns, headers, &fields, source));
    }
    let total = usize::try_from(metadata.file_metadata().num_rows()).unwrap_or(0);
    if total == 0 {
        return Err(LoadError::Empty { source: source.to_string() });
    }
    check_codecs(&metadata, &columns, source)?;
    let index = pandas_index(&metadata);
    let is_index = |header: &Header| header.name.starts_with("__index_level_") || index.contains(&header.name);

    let score_name = |i: usize| headers.get(i).map_or(String::new(), |h| h.name.clone());
    let (aligned_name, coherent_name) = (fields.aligned.map(score_name), fields.coherent.map(score_name));
    let published = (aligned_name.is_some() || coherent_name.is_some()).then(|| {
        let origin = JudgeOrigin::Published { aligned: aligned_name.clone(), coherent: coherent_name.clone() };
        (JudgeChoice::PUBLISHED.to_string(), origin)
    });
    let mut builder = RunBuilder::new("", source, published.into_iter().collect(), Vec::new(), Vec::new());
    if let Some(answer) = fields.answer.and_then(|i| columns.get(i)).and_then(|c| c.leaf) {
        let text: i64 =
            metadata.row_groups().iter().filter_map(|g| g.columns().get(answer)).map(|c| c.uncompressed_size()).sum();
        builder.reserve(total, usize::try_from(text).unwrap_or(0).min(bytes.len().saturating_mul(8)));
    }
    let mut pending: Vec<Pending> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| match c.read {
            _ if fields.contains(i) => Pending::Field,
            Some(How::Number | How::Unsigned | How::Decimal(_) | How::Float16) => {
                Pending::Numbers { values: Vec::with_capacity(total), stats: ColumnStats::default() }
            }
            _ => Pending::Texts {
                interner: Interner::default(),
                ids: Vec::with_capacity(total),
                stats: ColumnStats::default(),
            },
        })
        .collect();

    let props = Arc::new(ReaderProperties::builder().build());
    let mut row: u32 = 0;
    let mut bad_utf8: Vec<String> = Vec::new();
    for (g, group) in metadata.row_groups().iter().enumerate() {
        let rows = usize::try_from(group.num_rows()).unwrap_or(0);
        let mut readers: Vec<ColumnReader> = Vec::with_capacity(columns.len());
        for column in &columns {
            let Some(leaf) = column.leaf else { continue };
            let (Some(chunk), true) =
                (group.columns().get(leaf), leaf < metadata.file_metadata().schema_descr().num_columns())
            else {
                return Err(corrupt(source, format!("row group {} has no column {}", g + 1, column.name)));
            };
            let descr = metadata.file_metadata().schema_descr().column(leaf);
            let pages = page_reader(&bytes, chunk, &descr, rows, &props).map_err(|e| {
                corrupt(source, format!("column {} of row group {} cannot be read ({e})", column.name, g + 1))
            })?;
            readers.push(get_column_reader(descr, pages));
        }
        let mut done = 0;
        while done < rows {
            let want = BATCH.min(rows - done);
            let mut cells: Vec<Cells> = Vec::with_capacity(columns.len());
            for (reader, column) in readers.iter_mut().zip(&columns) {
                let descr_def =
                    column.leaf.map_or(0, |leaf| metadata.file_metadata().schema_descr().column(leaf).max_def_level());
                let read = column.read.unwrap_or(How::Text);
                let batch = read_batch(reader, read, want, descr_def).map_err(|e| {
                    corrupt(
                        source,
                        format!(
                            "a corrupt page in column {} of row group {} (rows {}–{}): {}",
                            column.name,
                            g + 1,
                            done + 1,
                            done + want,
                            message(&e)
                        ),
                    )
                })?;
                cells.push(batch);
            }
            for r in 0..want {
                let text = |i: Option<usize>| i.and_then(|i| cells.get(i)).map_or(Cow::Borrowed(""), |c| c.text(r));
                let answer = text(fields.answer);
                let question = text(fields.question);
                let question_id = text(fields.question_id);
                let score = |column: Option<usize>, name: Option<&str>, log: &mut IssueLog| -> f64 {
                    let (Some(cells), Some(name)) = (column.and_then(|i| cells.get(i)), name) else { return f64::NAN };
                    let raw = match cells {
                        Cells::Numbers(values) => {
                            let value = values.get(r).copied().unwrap_or(f64::NAN);
                            if value.is_nan() || (0.0..=100.0).contains(&value) {
                                return value;
                            }
                            Err(value.to_string())
                        }
                        other => Ok(other.text(r)),
                    };
                    let at = u64::from(row) + 1;
                    match raw {
                        Err(value) => {
                            log.add(Kind::OutOfRange, Some(name), None, || format!("row {at}: {value}"));
                            f64::NAN
                        }
                        Ok(cell) => match columns::parse_score(&cell) {
                            Score::Blank => f64::NAN,
                            Score::Value(value) => value,
                            Score::Fraction(value) => {
                                log.add(Kind::Fraction, Some(name), None, || {
                                    format!("row {at}: {} read as {value}", quote_cell(&cell))
                                });
                                value
                            }
                            Score::OutOfRange => {
                                log.add(Kind::OutOfRange, Some(name), None, || {
                                    format!("row {at}: {}", quote_cell(&cell))
                                });
                                f64::NAN
                            }
                            Score::Text => {
                                log.add(Kind::NotANumber, Some(name), None, || {
                                    format!("row {at}: {}", quote_cell(&cell))
                                });
                                f64::NAN
                            }
                        },
                    }
                };
                let aligned = score(fields.aligned, aligned_name.as_deref(), &mut log);
                let coherent = score(fields.coherent, coherent_name.as_deref(), &mut log);
                for (column, cells) in pending.iter_mut().zip(&cells) {
                    match column {
                        Pending::Field => {}
                        Pending::Numbers { values, stats } => {
                            let value = cells.number(r);
                            stats.observe_number(value);
                            values.push(value);
                        }
                        Pending::Texts { interner, ids, stats } => {
                            let value = cells.text(r);
                            stats.observe(&value, 0);
                            ids.push(interner.intern(&value));
                        }
                    }
                }
                let question = builder.question(question_id.trim(), &question);
                builder.push_interned(row, 0, question, &answer, &[(aligned, coherent)], &[], &[]);
                row = row.saturating_add(1);
            }
            for (cells, header) in cells.iter().zip(&headers) {
                if cells.had_bad_utf8() && !bad_utf8.contains(&header.name) {
                    bad_utf8.push(header.name.clone());
                }
            }
            done += want;
        }
    }
    if !bad_utf8.is_empty() {
        log.note(
            None,
            format!("text that is not UTF-8, read with replacement characters, in: {}", bad_utf8.join(", ")),
        );
    }

    // Each leftover column becomes an extra score, metadata, or nothing, as in CSV; pairs of
    // extra scores named `aligned_X` / `coherent_X` become the judge `X`.
    let n = builder.len();
    let mut extras: Vec<usize> = Vec::new();
    let mut metas: Vec<usize> = Vec::new();
    for (i, (header, column)) in headers.iter().zip(&pending).enumerate() {
        let Some(stats) = column.stats() else { continue };
        let role =
            if is_index(header) && stats.numeric && stats.integers { Role::Drop } else { columns::role(header, stats) };
        match role {
            Role::Extra => {
                if let Some((_, example)) = &stats.first_fraction {
                    log.add(Kind::Fraction, Some(&header.name), None, || example.clone());
                }
                extras.push(i);
            }
            Role::Meta => metas.push(i),
            Role::Drop => {}
        }
    }
    let name_of = |i: usize| headers.get(i).map_or(String::new(), |h| h.name.clone());
    let names: Vec<String> = extras.iter().map(|&i| name_of(i)).collect();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let pairs = columns::judge_pairs(&name_refs);
    let values_of = |column: usize| -> Vec<f64> {
        match pending.get(column) {
            Some(Pending::Numbers { values, .. }) => values.clone(),
            Some(Pending::Texts { interner, ids, .. }) => {
                let parsed: Vec<f64> =
                    interner.values.iter().map(|v| score_value(columns::parse_score(v)).unwrap_or(f64::NAN)).collect();
                ids.iter().map(|&id| parsed.get(id as usize).copied().unwrap_or(f64::NAN)).collect()
            }
            _ => vec![f64::NAN; n],
        }
    };
    let mut run = builder.finish();
    build::attach_scores(&mut run, &pairs, &extras, &name_of, &values_of);
    let stats: Vec<ColumnStats> = pending.iter().map(|p| p.stats().cloned().unwrap_or_default()).collect();
    run.meta_columns = metas
        .iter()
        .map(|&i| {
            let (values, ids) = match pending.get_mut(i) {
                Some(Pending::Texts { interner, ids, .. }) => {
                    (std::mem::take(&mut interner.values), std::mem::take(ids))
                }
                Some(Pending::Numbers { values, .. }) => {
                    let mut interner = Interner::default();
                    let ids = values
                        .iter()
                        .map(|&v| if v.is_nan() { META_MISSING } else { interner.intern(&format_number(v)) })
                        .collect();
                    (interner.values, ids)
                }
                _ => (Vec::new(), vec![META_MISSING; n]),
            };
            MetaColumn { name: name_of(i), values, ids }
        })
        .collect();
    build::name_run(&mut run, &headers, &stats, &fields, mapping, source);
    let rows = run.len();
    Ok(Loaded { run, issues: log.finish(), rows })
}

/// The footer, or an error that says whether the file was cut short or its footer is corrupt.
fn footer(bytes: &Bytes, source: &str) -> Result<ParquetMetaData, LoadError> {
    if bytes.starts_with(b"PARE") || bytes.ends_with(b"PARE") {
        return Err(corrupt(source, "an encrypted Parquet file; this reader cannot decrypt it"));
    }
    let cut_short =
        |what: &str| corrupt(source, format!("a Parquet file cut short ({what}); was the download or copy complete?"));
    if bytes.len() < 12 || !bytes.ends_with(b"PAR1") {
        return Err(cut_short("it does not end with the footer's closing PAR1"));
    }
    let length =
        bytes.get(bytes.len() - 8..bytes.len() - 4).and_then(|b| b.try_into().ok()).map_or(0, u32::from_le_bytes)
            as usize;
    if length.saturating_add(12) > bytes.len() {
        return Err(cut_short(&format!("its footer says {length} bytes, but the file has only {}", bytes.len())));
    }
    let metadata = ParquetMetaDataReader::new()
        .parse_and_finish(bytes)
        .map_err(|e| corrupt(source, format!("a Parquet file whose footer cannot be read ({})", message(&e))))?;
    // The crate trusts the footer's row-group and schema shape; check what the reader relies on.
    let leaves = metadata.file_metadata().schema_descr().num_columns();
    for (g, group) in metadata.row_groups().iter().enumerate() {
        if group.columns().len() != leaves || group.num_rows() < 0 {
            return Err(corrupt(
                source,
                format!(
                    "a Parquet file whose footer is inconsistent (row group {} has {} columns, the schema {leaves})",
                    g + 1,
                    group.columns().len()
                ),
            ));
        }
        for chunk in group.columns() {
            // As `ColumnChunkMetaData::byte_range`, which panics on negative values.
            let start = chunk.dictionary_page_offset().unwrap_or_else(|| chunk.data_page_offset());
            let (Ok(start), Ok(length)) = (u64::try_from(start), u64::try_from(chunk.compressed_size())) else {
                return Err(corrupt(
                    source,
                    format!(
                        "a Parquet file whose footer is corrupt (column {} has a negative offset or size)",
                        chunk.column_path()
                    ),
                ));
            };
            if start.checked_add(length).is_none_or(|end| end > bytes.len() as u64) {
                return Err(cut_short(&format!(
                    "column {} of row group {} lies past its end",
                    chunk.column_path(),
                    g + 1
                )));
            }
        }
    }
    Ok(metadata)
}

/// The crate's message without its error-kind prefix.
fn message(error: &ParquetError) -> String {
    let text = error.to_string();
    for prefix in ["Parquet error: ", "EOF: ", "External: "] {
        if let Some(rest) = text.strip_prefix(prefix) {
            return rest.to_string();
        }
    }
    text
}

/// The schema's top-level fields; a primitive one with how to read it, a group (nested) without.
fn top_level_columns(metadata: &ParquetMetaData) -> Vec<Column> {
    let schema = metadata.file_metadata().schema_descr();
    let mut leaves: HashMap<String, usize> = HashMap::new();
    for i in 0..schema.num_columns() {
        let column = schema.column(i);
        if let ([name], 0) = (column.path().parts(), column.max_rep_level()) {
            leaves.insert(name.clone(), i);
        }
    }
    schema
        .root_schema()
        .get_fields()
        .iter()
        .map(|field| {
            let name = field.name().to_string();
            let leaf = if field.is_primitive() { leaves.get(&name).copied() } else { None };
            let read = leaf.and_then(|i| read_of(&schema.column(i)));
            Column { name, leaf, read }
        })
        .collect()
}

/// How a primitive column's values become cells, or `None` for a type this reader skips.
fn read_of(column: &ColumnDescPtr) -> Option<How> {
    let converted = column.converted_type();
    let logical = column.logical_type_ref();
    let per_second = |unit: &TimeUnit| match unit {
        TimeUnit::MILLIS => 1_000,
        TimeUnit::MICROS => 1_000_000,
        TimeUnit::NANOS => 1_000_000_000,
    };
    if converted == ConvertedType::DECIMAL {
        return Some(How::Decimal(column.type_scale()));
    }
    match column.physical_type() {
        Physical::BOOLEAN => Some(How::Bool),
        Physical::INT32 | Physical::INT64 => Some(match (logical, converted) {
            (Some(LogicalType::Timestamp(t)), _) => How::Timestamp(per_second(&t.unit)),
            (Some(LogicalType::Time(t)), _) => How::Time(per_second(&t.unit)),
            (_, ConvertedType::TIMESTAMP_MILLIS) => How::Timestamp(1_000),
            (_, ConvertedType::TIMESTAMP_MICROS) => How::Timestamp(1_000_000),
            (_, ConvertedType::TIME_MILLIS) => How::Time(1_000),
            (_, ConvertedType::TIME_MICROS) => How::Time(1_000_000),
            (_, ConvertedType::DATE) => How::Date,
            (Some(LogicalType::Date), _) => How::Date,
            (Some(LogicalType::Integer(i)), _) if !i.is_signed => How::Unsigned,
            (_, ConvertedType::UINT_8 | ConvertedType::UINT_16 | ConvertedType::UINT_32 | ConvertedType::UINT_64) => {
                How::Unsigned
            }
            _ => How::Number,
        }),
        Physical::INT96 => Some(How::Int96),
        Physical::FLOAT | Physical::DOUBLE => Some(How::Number),
        Physical::BYTE_ARRAY => Some(How::Text),
        Physical::FIXED_LEN_BYTE_ARRAY => match logical {
            Some(LogicalType::Float16) if column.type_length() == 2 => Some(How::Float16),
            Some(LogicalType::Uuid) if column.type_length() == 16 => Some(How::Uuid),
            _ => None,
        },
    }
}

/// The index columns a pandas-written file lists in its `pandas` metadata.
fn pandas_index(metadata: &ParquetMetaData) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Pandas {
        #[serde(default)]
        index_columns: Vec<serde_json::Value>,
    }
    let kv = metadata.file_metadata().key_value_metadata();
    let Some(text) = kv.into_iter().flatten().find(|kv| kv.key == "pandas").and_then(|kv| kv.value.as_deref()) else {
        return Vec::new();
    };
    serde_json::from_str::<Pandas>(text)
        .map(|p| p.index_columns.into_iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Refuses, before reading, a column chunk compressed with a codec this build does not read.
fn check_codecs(metadata: &ParquetMetaData, columns: &[Column], source: &str) -> Result<(), LoadError> {
    for group in metadata.row_groups() {
        for column in columns {
            let Some(chunk) = column.leaf.and_then(|leaf| group.columns().get(leaf)) else { continue };
            let name = match chunk.compression() {
                Compression::BROTLI(_) => "Brotli",
                Compression::LZO => "LZO",
                _ => continue,
            };
            return Err(corrupt(
                source,
                format!(
                    "column {} is compressed with {name}, which this reader does not read (it reads uncompressed, \
                     snappy, zstd, gzip and lz4 pages); write the file again with one of those",
                    column.name
                ),
            ));
        }
    }
    Ok(())
}

/// The pages of one column chunk, decompressed: by the crate, or for zstd by [`Checked`].
fn page_reader(
    bytes: &Bytes,
    chunk: &ColumnChunkMetaData,
    descr: &ColumnDescPtr,
    rows: usize,
    props: &Arc<ReaderProperties>,
) -> Result<Box<dyn PageReader>, String> {
    let data = Arc::new(bytes.clone());
    let levels = descr.max_def_level() > 0 || descr.max_rep_level() > 0;
    let byte_array = descr.physical_type() == Physical::BYTE_ARRAY;
    let zstd = matches!(chunk.compression(), Compression::ZSTD(_));
    // For zstd the crate reads the pages as stored, and `Checked` inflates each before it is decoded.
    let stored = if zstd {
        let stored = chunk.clone().into_builder().set_compression(Compression::UNCOMPRESSED).build();
        std::borrow::Cow::Owned(stored.map_err(|e| message(&e))?)
    } else {
        std::borrow::Cow::Borrowed(chunk)
    };
    let pages =
        SerializedPageReader::new_with_properties(data, &stored, rows, None, props.clone()).map_err(|e| message(&e))?;
    Ok(Box::new(Checked { inner: pages, zstd, levels, byte_array, dictionary: false }))
}

/// Checks each page for what the crate's column reader assumes of a well-formed file and would
/// otherwise panic on (found by fuzzing, `fuzz/fuzz_targets/parquet.rs`): a dictionary-encoded
/// page after a dictionary, level encodings it knows, v2 levels within the page; and pads
/// plain byte-array pages ([`Checked::pad`]). Pages of a zstd chunk are inflated first, with
/// `ruzstd` (pure Rust).
struct Checked<P> {
    inner: P,
    /// The chunk's pages are zstd-compressed ([`inflate`]).
    zstd: bool,
    /// The column has definition or repetition levels.
    levels: bool,
    /// A `BYTE_ARRAY` column: see [`Checked::pad`].
    byte_array: bool,
    dictionary: bool,
}

impl<P> Checked<P> {
    /// The crate's plain decoder of byte arrays reads each value's 4-byte length without checking
    /// that 4 bytes are left (it panics on a page cut inside a length; found by fuzzing). A data
    /// page gets 4 zero bytes per value it may hold after it, so every such read stays in bounds;
    /// a well-formed page never reaches them (values are read by count), a truncated one then
    /// fails the crate's own length check, an error. Dictionary pages are checked whole instead
    /// ([`Checked::check`]).
    fn pad(&self, page: Page) -> Page {
        let plain = |e: &Encoding| matches!(e, Encoding::PLAIN);
        let padded = |buf: &Bytes, values: u32| {
            let extra = 4 * values as usize;
            let mut out = Vec::with_capacity(buf.len() + extra);
            out.extend_from_slice(buf);
            out.resize(buf.len() + extra, 0);
            Bytes::from(out)
        };
        if !self.byte_array {
            return page;
        }
        match page {
            Page::DataPage { buf, num_values, encoding, def_level_encoding, rep_level_encoding, statistics }
                if plain(&encoding) =>
            {
                Page::DataPage {
                    buf: padded(&buf, num_values),
                    num_values,
                    encoding,
                    def_level_encoding,
                    rep_level_encoding,
                    statistics,
                }
            }
            Page::DataPageV2 {
                buf,
                num_values,
                encoding,
                num_nulls,
                num_rows,
                def_levels_byte_len,
                rep_levels_byte_len,
                is_compressed,
                statistics,
            } if plain(&encoding) => Page::DataPageV2 {
                buf: padded(&buf, num_values),
                num_values,
                encoding,
                num_nulls,
                num_rows,
                def_levels_byte_len,
                rep_levels_byte_len,
                is_compressed,
                statistics,
            },
            other => other,
        }
    }

    fn check(&mut self, page: &Page) -> parquet::errors::Result<()> {
        let fail = |what: &str| Err(ParquetError::General(what.to_string()));
        let dictionary_encoded = |e: &Encoding| matches!(e, Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY);
        match page {
            Page::DictionaryPage { buf, num_values, .. } => {
                if self.dictionary {
                    return fail("a second dictionary page");
                }
                self.dictionary = true;
                // Plain byte arrays, each a 4-byte length and its bytes: all within the page.
                if self.byte_array {
                    let mut at = 0usize;
                    for _ in 0..*num_values {
                        let Some(length) = buf.get(at..at + 4).and_then(|b| b.try_into().ok()) else {
                            return fail("a dictionary page shorter than its values");
                        };
                        at = at.saturating_add(4).saturating_add(u32::from_le_bytes(length) as usize);
                        if at > buf.len() {
                            return fail("a dictionary page shorter than its values");
                        }
                    }
                }
            }
            Page::DataPage { num_values, .. } | Page::DataPageV2 { num_values, .. }
                if self.byte_array && *num_values > MAX_PAGE_VALUES =>
            {
                return fail("a data page claiming more values than any writer puts in one page");
            }
            Page::DataPage { encoding, def_level_encoding, rep_level_encoding, .. } => {
                if dictionary_encoded(encoding) && !self.dictionary {
                    return fail("a dictionary-encoded page without a dictionary page before it");
                }
                #[allow(deprecated)]
                let known = |e: &Encoding| matches!(e, Encoding::RLE | Encoding::BIT_PACKED);
                if self.levels && !(known(def_level_encoding) && known(rep_level_encoding)) {
                    return fail("levels in an encoding other than RLE or bit-packed");
                }
            }
            Page::DataPageV2 { buf, encoding, def_levels_byte_len, rep_levels_byte_len, .. } => {
                if dictionary_encoded(encoding) && !self.dictionary {
                    return fail("a dictionary-encoded page without a dictionary page before it");
                }
                if u64::from(*def_levels_byte_len) + u64::from(*rep_levels_byte_len) > buf.len() as u64 {
                    return fail("a data page shorter than its levels");
                }
            }
        }
        Ok(())
    }
}

impl<P: PageReader> Iterator for Checked<P> {
    type Item = parquet::errors::Result<Page>;
    fn next(&mut self) -> Option<Self::Item> {
        self.get_next_page().transpose()
    }
}

impl<P: PageReader> PageReader for Checked<P> {
    fn get_next_page(&mut self) -> parquet::errors::Result<Option<Page>> {
        let Some(page) = self.inner.get_next_page()? else { return Ok(None) };
        let page = if self.zstd { inflate(page)? } else { page };
        self.check(&page)?;
        Ok(Some(self.pad(page)))
    }
    fn peek_next_page(&mut self) -> parquet::errors::Result<Option<PageMetadata>> {
        self.inner.peek_next_page()
    }
    fn skip_next_page(&mut self) -> parquet::errors::Result<()> {
        self.inner.skip_next_page()
    }
    fn at_record_boundary(&mut self) -> parquet::errors::Result<bool> {
        self.inner.at_record_boundary()
    }
}

/// One stored page, its compressed part inflated (data page v2: the levels before it are not compressed).
fn inflate(page: Page) -> parquet::errors::Result<Page> {
    Ok(match page {
        Page::DataPage { buf, num_values, encoding, def_level_encoding, rep_level_encoding, statistics } => {
            Page::DataPage {
                buf: unzstd(&[], &buf)?,
                num_values,
                encoding,
                def_level_encoding,
                rep_level_encoding,
                statistics,
            }
        }
        Page::DataPageV2 {
            buf,
            num_values,
            encoding,
            num_nulls,
            num_rows,
            def_levels_byte_len,
            rep_levels_byte_len,
            is_compressed,
            statistics,
        } => {
            let levels = (def_levels_byte_len as usize).saturating_add(rep_levels_byte_len as usize);
            let (Some(head), Some(rest)) = (buf.get(..levels), buf.get(levels..)) else {
                return Err(ParquetError::General("a data page shorter than its levels".to_string()));
            };
            let buf = if is_compressed && !rest.is_empty() { unzstd(head, rest)? } else { buf };
            Page::DataPageV2 {
                buf,
                num_values,
                encoding,
                num_nulls,
                num_rows,
                def_levels_byte_len,
                rep_levels_byte_len,
                is_compressed: false,
                statistics,
            }
        }
        Page::DictionaryPage { buf, num_values, encoding, is_sorted } => {
            Page::DictionaryPage { buf: unzstd(&[], &buf)?, num_values, encoding, is_sorted }
        }
    })
}

/// `head` followed by the zstd frames of `frames`, inflated.
fn unzstd(head: &[u8], frames: &[u8]) -> parquet::errors::Result<Bytes> {
    let error = |e: &dyn std::fmt::Display| ParquetError::General(format!("zstd: {e}"));
    let mut out = head.to_vec();
    let mut rest = frames;
    while !rest.is_empty() {
        let decoder = ruzstd::decoding::StreamingDecoder::new(&mut rest).map_err(|e| error(&e))?;
        let room = MAX_PAGE.saturating_sub(out.len()) as u64;
        decoder.take(room.saturating_add(1)).read_to_end(&mut out).map_err(|e| error(&e))?;
        if out.len() > MAX_PAGE {
            return Err(ParquetError::General("a page that inflates past 512 MiB".to_string()));
        }
    }
    Ok(Bytes::from(out))
}

/// One batch of one column's cells.
enum Cells {
    /// Byte arrays as stored (slices of the decoded pages), and per row which one (`u32::MAX`: null).
    Bytes { values: Vec<ByteArray>, at: Vec<u32>, bad_utf8: std::cell::Cell<bool> },
    /// NaN: null.
    Numbers(Vec<f64>),
    /// Empty: null.
    Texts(Vec<String>),
}

impl Cells {
    /// Row `row` as text (empty for null); bytes that are not UTF-8 are replaced, and remembered.
    fn text(&self, row: usize) -> Cow<'_, str> {
        match self {
            Cells::Bytes { values, at, bad_utf8 } => {
                let Some(value) = at.get(row).and_then(|&i| values.get(i as usize)) else { return Cow::Borrowed("") };
                match std::str::from_utf8(value.data()) {
                    Ok(text) => Cow::Borrowed(text),
                    Err(_) => {
                        bad_utf8.set(true);
                        String::from_utf8_lossy(value.data())
                    }
                }
            }
            Cells::Numbers(values) => match values.get(row) {
                Some(v) if !v.is_nan() => Cow::Owned(format_number(*v)),
                _ => Cow::Borrowed(""),
            },
            Cells::Texts(values) => Cow::Borrowed(values.get(row).map_or("", String::as_str)),
        }
    }

    fn had_bad_utf8(&self) -> bool {
        matches!(self, Cells::Bytes { bad_utf8, .. } if bad_utf8.get())
    }

    fn number(&self, row: usize) -> f64 {
        match self {
            Cells::Numbers(values) => values.get(row).copied().unwrap_or(f64::NAN),
            _ => f64::NAN,
        }
    }
}

/// Numbers as metadata text: whole numbers without a fraction.
fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        value.to_string()
    }
}

/// Reads `rows` rows of one column: its non-null values and, per row, which value (or null).
fn read_typed<T: DataType>(
    reader: &mut ColumnReaderImpl<T>,
    rows: usize,
    max_def: i16,
) -> parquet::errors::Result<(Vec<T::T>, Vec<u32>)> {
    let mut values: Vec<T::T> = Vec::with_capacity(rows);
    let mut defs: Vec<i16> = Vec::with_capacity(if max_def > 0 { rows } else { 0 });
    let (records, _, _) = reader.read_records(rows, (max_def > 0).then_some(&mut defs), None, &mut values)?;
    if records != rows {
        return Err(ParquetError::General(format!("{records} values where the row group has {rows} rows")));
    }
    let at: Vec<u32> = if max_def > 0 {
        let mut next = 0u32;
        defs.iter()
            .map(|&d| {
                if d == max_def {
                    next += 1;
                    next - 1
                } else {
                    u32::MAX
                }
            })
            .collect()
    } else {
        (0..rows as u32).collect()
    };
    let present = at.iter().filter(|&&i| i != u32::MAX).count();
    if at.len() != rows || present != values.len() {
        return Err(ParquetError::General("definition levels that do not match the values".to_string()));
    }
    Ok((values, at))
}

/// One batch of a column as cells.
fn read_batch(reader: &mut ColumnReader, read: How, rows: usize, max_def: i16) -> parquet::errors::Result<Cells> {
    fn spread<V>(values: &[V], at: &[u32], f: impl Fn(&V) -> f64) -> Vec<f64> {
        at.iter().map(|&i| values.get(i as usize).map_or(f64::NAN, &f)).collect()
    }
    fn texts<V>(values: &[V], at: &[u32], f: impl Fn(&V) -> String) -> Vec<String> {
        at.iter().map(|&i| values.get(i as usize).map_or_else(String::new, &f)).collect()
    }
    let scale = |scale: i32| 10f64.powi(-scale);
    Ok(match reader {
        ColumnReader::BoolColumnReader(r) => {
            let (v, at) = read_typed(r, rows, max_def)?;
            Cells::Texts(texts(&v, &at, |b| b.to_string()))
        }
        ColumnReader::Int32ColumnReader(r) => {
            let (v, at) = read_typed(r, rows, max_def)?;
            match read {
                How::Date => Cells::Texts(texts(&v, &at, |&d| date(i64::from(d)))),
                How::Time(per) => Cells::Texts(texts(&v, &at, |&t| time_of_day(i64::from(t), per))),
                How::Timestamp(per) => Cells::Texts(texts(&v, &at, |&t| timestamp(i64::from(t), per))),
                How::Unsigned => Cells::Numbers(spread(&v, &at, |&x| f64::from(x as u32))),
                How::Decimal(s) => Cells::Numbers(spread(&v, &at, |&x| f64::from(x) * scale(s))),
                _ => Cells::Numbers(spread(&v, &at, |&x| f64::from(x))),
            }
        }
        ColumnReader::Int64ColumnReader(r) => {
            let (v, at) = read_typed(r, rows, max_def)?;
            match read {
                How::Date => Cells::Texts(texts(&v, &at, |&d| date(d))),
                How::Time(per) => Cells::Texts(texts(&v, &at, |&t| time_of_day(t, per))),
                How::Timestamp(per) => Cells::Texts(texts(&v, &at, |&t| timestamp(t, per))),
                How::Unsigned => Cells::Numbers(spread(&v, &at, |&x| x as u64 as f64)),
                How::Decimal(s) => Cells::Numbers(spread(&v, &at, |&x| x as f64 * scale(s))),
                _ => Cells::Numbers(spread(&v, &at, |&x| x as f64)),
            }
        }
        ColumnReader::Int96ColumnReader(r) => {
            let (v, at) = read_typed(r, rows, max_def)?;
            Cells::Texts(texts(&v, &at, |x| {
                let d = x.data();
                let nanos = (u64::from(d[1]) << 32 | u64::from(d[0])) as i64;
                let days = i64::from(d[2]) - 2_440_588; // Julian day of 1970-01-01
                timestamp(days.saturating_mul(86_400_000_000_000).saturating_add(nanos), 1_000_000_000)
            }))
        }
        ColumnReader::FloatColumnReader(r) => {
            let (v, at) = read_typed(r, rows, max_def)?;
            Cells::Numbers(spread(&v, &at, |&x| f64::from(x)))
        }
        ColumnReader::DoubleColumnReader(r) => {
            let (v, at) = read_typed(r, rows, max_def)?;
            Cells::Numbers(spread(&v, &at, |&x| x))
        }
        ColumnReader::ByteArrayColumnReader(r) => {
            let (values, at) = read_typed(r, rows, max_def)?;
            match read {
                How::Decimal(s) => Cells::Numbers(spread(&values, &at, |x| big_endian(x.data()) * scale(s))),
                _ => Cells::Bytes { values, at, bad_utf8: std::cell::Cell::new(false) },
            }
        }
        ColumnReader::FixedLenByteArrayColumnReader(r) => {
            let (v, at) = read_typed(r, rows, max_def)?;
            match read {
                How::Decimal(s) => Cells::Numbers(spread(&v, &at, |x| big_endian(x.data()) * scale(s))),
                How::Float16 => Cells::Numbers(spread(&v, &at, |x| half(x.data()))),
                _ => Cells::Texts(texts(&v, &at, |x| uuid(x.data()))),
            }
        }
    })
}

/// A big-endian two's complement integer (a decimal's unscaled value) as a float.
fn big_endian(bytes: &[u8]) -> f64 {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let magnitude = bytes.iter().fold(0f64, |acc, &b| acc * 256.0 + f64::from(if negative { !b } else { b }));
    if negative {
        -(magnitude + 1.0)
    } else {
        magnitude
    }
}

/// An IEEE 754 half-precision float (little-endian, as Parquet stores FLOAT16).
fn half(bytes: &[u8]) -> f64 {
    let bits = match bytes {
        [lo, hi] => u16::from_le_bytes([*lo, *hi]),
        _ => return f64::NAN,
    };
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((bits >> 10) & 0x1f);
    let fraction = f64::from(bits & 0x3ff);
    sign * match exponent {
        0 => fraction * 2f64.powi(-24),
        31 if fraction == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1.0 + fraction / 1024.0) * 2f64.powi(e - 15),
    }
}

fn uuid(bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    match (hex.get(..8), hex.get(8..12), hex.get(12..16), hex.get(16..20), hex.get(20..)) {
        (Some(a), Some(b), Some(c), Some(d), Some(e)) if hex.len() == 32 => format!("{a}-{b}-{c}-{d}-{e}"),
        _ => hex,
    }
}

/// Days since 1970-01-01 as a proleptic Gregorian `YYYY-MM-DD` (Howard Hinnant's civil-from-days).
fn date(days: i64) -> String {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn time_of_day(units: i64, per_second: i64) -> String {
    let seconds = units.div_euclid(per_second.max(1)).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", seconds / 3_600, seconds / 60 % 60, seconds % 60)
}

fn timestamp(units: i64, per_second: i64) -> String {
    let seconds = units.div_euclid(per_second.max(1));
    format!("{} {}", date(seconds.div_euclid(86_400)), time_of_day(seconds.rem_euclid(86_400), 1))
}

/// A column that feeds no answer field, while it is being read.
enum Pending {
    Field,
    Numbers { values: Vec<f64>, stats: ColumnStats },
    Texts { interner: Interner, ids: Vec<u32>, stats: ColumnStats },
}

impl Pending {
    fn stats(&self) -> Option<&ColumnStats> {
        match self {
            Pending::Field => None,
            Pending::Numbers { stats, .. } | Pending::Texts { stats, .. } => Some(stats),
        }
    }
}

/// The error for a file without a recognisable answer column, with a guess at the mapping: the
/// text column with the most bytes per row.
fn needs_mapping(
    metadata: &ParquetMetaData,
    columns: &[Column],
    headers: Vec<Header>,
    fields: &Fields,
    source: &str,
) -> LoadError {
    let bytes_of = |leaf: usize| -> i64 {
        metadata.row_groups().iter().filter_map(|g| g.columns().get(leaf)).map(|c| c.uncompressed_size()).sum()
    };
    let answer = columns
        .iter()
        .enumerate()
        .filter(|(i, c)| !fields.contains(*i) && c.read == Some(How::Text))
        .filter_map(|(i, c)| c.leaf.map(|leaf| (i, bytes_of(leaf))))
        .max_by_key(|&(_, size)| size)
        .map(|(i, _)| i);
    let header_name = |column: Option<usize>| column.and_then(|i| headers.get(i)).map(|h| h.name.clone());
    let guess = ColumnMapping {
        question: header_name(fields.question),
        question_id: header_name(fields.question_id),
        answer: header_name(answer),
        aligned: header_name(fields.aligned),
        coherent: header_name(fields.coherent),
        run_name: None,
    };
    LoadError::NeedsMapping {
        source: source.to_string(),
        columns: headers.into_iter().map(|h| h.name).collect(),
        guess,
    }
}

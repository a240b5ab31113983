//! A loaded run as bytes, to hand it from one wasm module to another: the app's formats module
//! (`crates/formats-web`, fetched only when a binary file arrives) reads the file with the
//! readers the main module leaves out and sends the run over in this form; the main module
//! rebuilds it with [`decode_loaded`]. Scores travel as IEEE doubles, never as text.
//!
//! Layout (little-endian): `PEXR`, then length-prefixed strings, `u32` counts and `f64` scores:
//! run name; mapping (six optional strings); judges (name, aligned and coherent column names);
//! extra score and metadata column names; answers (key, question, answer, row, line, the
//! judges' score pairs, the extra scores, the metadata values); record count; issues.

use crate::model::{ColumnMapping, JudgeOrigin, Run, RunBuilder};

use super::{LoadIssue, Loaded};

const MAGIC: &[u8; 4] = b"PEXR";

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, value: usize) {
        self.0.extend_from_slice(&u32::try_from(value).unwrap_or(u32::MAX).to_le_bytes());
    }
    fn u64(&mut self, value: u64) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }
    fn f64(&mut self, value: f64) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }
    fn str(&mut self, text: &str) {
        self.u32(text.len());
        self.0.extend_from_slice(text.as_bytes());
    }
    fn opt(&mut self, text: Option<&str>) {
        match text {
            Some(text) => {
                self.0.push(1);
                self.str(text);
            }
            None => self.0.push(0),
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }
    fn u32(&mut self) -> Option<usize> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?) as usize)
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn f64(&mut self) -> Option<f64> {
        Some(f64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()?;
        std::str::from_utf8(self.take(n)?).ok()
    }
    fn opt(&mut self) -> Option<Option<&'a str>> {
        match self.take(1)?.first()? {
            0 => Some(None),
            _ => self.str().map(Some),
        }
    }
    /// A count of items each at least `min` bytes long: bounded by what is left, so a corrupt
    /// count cannot ask for a huge allocation.
    fn count(&mut self, min: usize) -> Option<usize> {
        let n = self.u32()?;
        (n.saturating_mul(min.max(1)) <= self.0.len()).then_some(n)
    }
}

fn columns(origin: &JudgeOrigin) -> (Option<&str>, Option<&str>) {
    match origin {
        JudgeOrigin::Published { aligned, coherent } => (aligned.as_deref(), coherent.as_deref()),
        _ => (None, None),
    }
}

/// `loaded` as bytes for [`decode_loaded`].
pub fn encode_loaded(loaded: &Loaded) -> Vec<u8> {
    let run: &Run = &loaded.run;
    let mut w = Writer(Vec::with_capacity(run.text_buffer().0.len() + run.len() * 64));
    w.0.extend_from_slice(MAGIC);
    w.str(&run.name);
    let m = &run.mapping;
    for field in [&m.question, &m.question_id, &m.answer, &m.aligned, &m.coherent, &m.run_name] {
        w.opt(field.as_deref());
    }
    w.u32(run.judges.len());
    for judge in &run.judges {
        w.str(&judge.name);
        let (aligned, coherent) = columns(&judge.origin);
        w.opt(aligned);
        w.opt(coherent);
    }
    w.u32(run.extra.len());
    for extra in &run.extra {
        w.str(&extra.name);
    }
    w.u32(run.meta_columns.len());
    for meta in &run.meta_columns {
        w.str(&meta.name);
    }
    w.u32(run.len());
    for i in 0..run.len() {
        w.str(run.question_key(i));
        w.str(run.question_text(i));
        w.str(run.answer_text(i).unwrap_or(""));
        w.u32(run.row(i) as usize);
        w.u32(run.line(i) as usize);
        for judge in &run.judges {
            w.f64(judge.aligned.get(i).copied().unwrap_or(f64::NAN));
            w.f64(judge.coherent.get(i).copied().unwrap_or(f64::NAN));
        }
        for extra in &run.extra {
            w.f64(extra.get(i).unwrap_or(f64::NAN));
        }
        for meta in &run.meta_columns {
            w.opt(meta.value(i));
        }
    }
    w.u64(loaded.rows as u64);
    w.u32(loaded.issues.len());
    for issue in &loaded.issues {
        match issue.line {
            Some(line) => {
                w.0.push(1);
                w.u64(line);
            }
            None => w.0.push(0),
        }
        w.opt(issue.column.as_deref());
        w.str(&issue.message);
    }
    w.0
}

/// The run [`encode_loaded`] wrote, as loaded from `source`; `None` for bytes it did not write.
pub fn decode_loaded(bytes: &[u8], source: &str) -> Option<Loaded> {
    let mut r = Reader(bytes.strip_prefix(MAGIC)?);
    let name = r.str()?.to_string();
    let mut mapping_fields: Vec<Option<String>> = Vec::with_capacity(6);
    for _ in 0..6 {
        mapping_fields.push(r.opt()?.map(str::to_string));
    }
    let mut fields = mapping_fields.into_iter();
    let mut next = || fields.next().flatten();
    let mapping = ColumnMapping {
        question: next(),
        question_id: next(),
        answer: next(),
        aligned: next(),
        coherent: next(),
        run_name: next(),
    };
    let mut judges = Vec::new();
    for _ in 0..r.count(6)? {
        let name = r.str()?.to_string();
        let aligned = r.opt()?.map(str::to_string);
        let coherent = r.opt()?.map(str::to_string);
        judges.push((name, JudgeOrigin::Published { aligned, coherent }));
    }
    let mut extra = Vec::new();
    for _ in 0..r.count(4)? {
        extra.push(r.str()?.to_string());
    }
    let mut meta = Vec::new();
    for _ in 0..r.count(4)? {
        meta.push(r.str()?.to_string());
    }
    let (n_judges, n_extra, n_meta) = (judges.len(), extra.len(), meta.len());
    let mut builder = RunBuilder::new(name, source, judges, extra, meta);
    let answers = r.count(20)?;
    builder.reserve(answers, 0);
    let mut scores = Vec::with_capacity(n_judges);
    let mut extras = Vec::with_capacity(n_extra);
    let mut metas = Vec::with_capacity(n_meta);
    for _ in 0..answers {
        let (key, question, answer) = (r.str()?, r.str()?, r.str()?);
        let row = u32::try_from(r.u32()?).ok()?;
        let line = u32::try_from(r.u32()?).ok()?;
        scores.clear();
        for _ in 0..n_judges {
            scores.push((r.f64()?, r.f64()?));
        }
        extras.clear();
        for _ in 0..n_extra {
            extras.push(r.f64()?);
        }
        metas.clear();
        for column in 0..n_meta {
            let value = r.opt()?.unwrap_or("");
            metas.push(builder.meta_value(column, value));
        }
        let question = builder.question(key, question);
        builder.push_interned(row, line, question, answer, &scores, &extras, &metas);
    }
    let rows = usize::try_from(r.u64()?).ok()?;
    let mut issues = Vec::new();
    for _ in 0..r.count(6)? {
        let line = match r.take(1)?.first()? {
            0 => None,
            _ => Some(r.u64()?),
        };
        let column = r.opt()?.map(str::to_string);
        let message = r.str()?.to_string();
        issues.push(LoadIssue { source: source.to_string(), line, column, message });
    }
    let mut run = builder.finish();
    run.mapping = mapping;
    Some(Loaded { run, issues, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loaded_run_survives_the_trip_exactly() {
        let csv = "question_id,question,answer,aligned,coherent,aligned_x,coherent_x,medical,model\n\
                   q1,Q?,A1,12.25,90,1,2,3.5,m\n\
                   q2,Q2?,,,40,,,NaN,\n\
                   q1,Q?,A3,0.1,100,50,50,7,m\n";
        let loaded = super::super::load_run(csv.as_bytes(), "t.csv", None).unwrap();
        let back = decode_loaded(&encode_loaded(&loaded), "t.csv").expect("decodes");
        let (a, b) = (&loaded.run, &back.run);
        assert_eq!(
            (a.name.as_str(), a.len(), &a.mapping, &a.questions),
            (b.name.as_str(), b.len(), &b.mapping, &b.questions)
        );
        let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(a.judges.len(), 2);
        for (x, y) in a.judges.iter().zip(&b.judges) {
            assert_eq!((&x.name, &x.origin), (&y.name, &y.origin));
            assert_eq!((bits(&x.aligned), bits(&x.coherent)), (bits(&y.aligned), bits(&y.coherent)));
        }
        assert_eq!(a.extra.len(), 1);
        for (x, y) in a.extra.iter().zip(&b.extra) {
            assert_eq!((&x.name, bits(&x.values)), (&y.name, bits(&y.values)));
        }
        assert_eq!(
            (0..a.len()).map(|i| a.record(i)).collect::<Vec<_>>(),
            (0..b.len()).map(|i| b.record(i)).collect::<Vec<_>>()
        );
        assert_eq!((loaded.rows, &loaded.issues), (back.rows, &back.issues));
    }

    #[test]
    fn other_bytes_are_refused_without_panicking() {
        assert!(decode_loaded(b"", "t").is_none());
        assert!(decode_loaded(b"PEXR\xff\xff\xff\xff", "t").is_none());
        let loaded = super::super::load_run(b"answer,aligned,coherent\nx,1,2\n", "t.csv", None).unwrap();
        let bytes = encode_loaded(&loaded);
        for cut in 0..bytes.len() {
            assert!(decode_loaded(&bytes[..cut], "t").is_none(), "cut at {cut}");
        }
    }
}

//! `probe-explorer score`: re-judges every answer with the local ONNX judge.
//!
//! **Boundary:** the output is read by scripts: JSON Lines, one object per answer record in
//! file then row order, `{"file", "row", "p_misaligned", "aligned", "coherent", "p_unscored"}`
//! (`row` is the 0-based data record index). Add keys, never rename.
//!
//! It parses its own arguments: `main.rs` hands it everything after `score`.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use lexopt::prelude::*;
use probe_judge::{Judge, JudgeError, JudgeOptions, JudgeSpec};
use serde::Serialize;

use crate::{files, terminal};

pub const USAGE: &str = "\
probe-explorer score: re-judge answers with the local ONNX judge

Usage:
  probe-explorer score [--judge NAME | --model DIR] [--batch N] [--threads N] FILE...
  probe-explorer score --list-judges

Writes JSON Lines to standard output, one object per answer record:
  {\"file\",\"row\",\"p_misaligned\",\"aligned\",\"coherent\",\"p_unscored\"}
FILE is CSV, JSONL or a JSON array; '-' reads standard input. Answers without
text are scored as empty answers.

Options:
  --list-judges  Print the bundled judges' names, one a line, the default first
  --judge NAME   Score with the bundled judge of this name (default: the first)
  --model DIR    Folder with model.onnx, judge.json and any file judge.json
                 names, such as a tokenizer's vocab.txt (default: public/judge
                 in the repository)
  --batch N      Answers per model run (default 128; a judge.json may cap it)
  --threads N    ONNX Runtime threads per run (default 1: the bundled model is
                 small, and more threads were no faster)
  -h, --help     This help

ONNX Runtime is loaded from $ORT_DYLIB_PATH, else .ort/libonnxruntime.so in the
repository (scripts/fetch-onnxruntime.sh puts it there).

Exit status: 0 success, 1 the judge or a file could not be loaded, 2 bad usage.
";

#[derive(Debug, PartialEq)]
pub struct ScoreArgs {
    pub model_dir: PathBuf,
    pub options: JudgeOptions,
    /// As given; `-` is standard input.
    pub files: Vec<OsString>,
}

/// Runs `score` with the arguments after the subcommand name.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let args = match parse(args) {
        Ok(Parsed::Run(args)) => args,
        Ok(Parsed::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Parsed::ListJudges) => {
            for (name, _) in probe_judge::BUNDLED {
                println!("{name}");
            }
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\nRun 'probe-explorer score --help' for usage.");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head`): not our failure.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", terminal::safe(&format!("{error:#}")));
            ExitCode::from(1)
        }
    }
}

/// What the command line asks for.
#[derive(Debug, PartialEq)]
enum Parsed {
    Help,
    ListJudges,
    Run(ScoreArgs),
}

fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Parsed, String> {
    let mut parser = lexopt::Parser::from_args(args);
    let mut model_dir = default_model_dir();
    let mut judge_name: Option<String> = None;
    let mut model_given = false;
    let mut options = JudgeOptions::default();
    let mut files = Vec::new();
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("model") => {
                model_dir = PathBuf::from(parser.value().map_err(|e| e.to_string())?);
                model_given = true;
            }
            Long("judge") => {
                judge_name = Some(parser.value().map_err(|e| e.to_string())?.to_string_lossy().into_owned())
            }
            Long("list-judges") => return Ok(Parsed::ListJudges),
            Long("batch") => options.batch_size = positive(parser.value(), "--batch")?,
            Long("threads") => options.intra_threads = Some(positive(parser.value(), "--threads")?),
            Short('h') | Long("help") => return Ok(Parsed::Help),
            Value(file) => files.push(file),
            other => return Err(other.unexpected().to_string()),
        }
    }
    if let Some(name) = judge_name {
        if model_given {
            return Err("give --judge NAME or --model DIR, not both".to_string());
        }
        model_dir = bundled_dir(&name).ok_or_else(|| {
            let names: Vec<&str> = probe_judge::BUNDLED.iter().map(|(n, _)| *n).collect();
            format!("no bundled judge named {name:?}; bundled judges: {}", names.join(", "))
        })?;
    }
    if files.is_empty() {
        return Err("score needs at least one FILE".to_string());
    }
    Ok(Parsed::Run(ScoreArgs { model_dir, options, files }))
}

fn positive(value: Result<OsString, lexopt::Error>, flag: &str) -> Result<usize, String> {
    let value = value.map_err(|e| e.to_string())?;
    value
        .to_str()
        .and_then(|text| text.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("{flag} needs a whole number of at least 1, got {:?}", value.to_string_lossy()))
}

/// The default bundled judge's folder (`public/judge`) in the repository this binary was built from.
pub(crate) fn default_model_dir() -> PathBuf {
    let (name, _) = probe_judge::BUNDLED[0];
    bundled_dir(name).unwrap_or_default()
}

/// The folder of the bundled judge called `name`.
pub(crate) fn bundled_dir(name: &str) -> Option<PathBuf> {
    let (_, folder) = probe_judge::BUNDLED.iter().find(|(n, _)| *n == name)?;
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    Some(crate_dir.parent().and_then(Path::parent).unwrap_or(crate_dir).join("public").join(folder))
}

#[derive(Serialize)]
struct Line<'a> {
    file: &'a str,
    row: u32,
    p_misaligned: f32,
    aligned: f32,
    coherent: f32,
    p_unscored: f32,
}

pub fn run(args: &ScoreArgs) -> anyhow::Result<()> {
    let judge = load_judge(&args.model_dir, &args.options)?;
    let progress = std::io::stderr().is_terminal();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for path in &args.files {
        let (name, loaded) = files::load(path)?;
        let run = &loaded.run;
        let indices: Vec<usize> = (0..run.len()).collect();
        let started = Instant::now();
        // Chunks of one batch, so progress moves and memory stays flat on big files.
        for (chunk_index, chunk) in indices.chunks(judge.batch_size()).enumerate() {
            let pairs: Vec<(&str, &str)> = chunk.iter().map(|&i| run.judge_input(i)).collect();
            let scores = judge.score(&pairs).map_err(|error| {
                // Name the record the user can look up, not the index within the batch.
                let row = |index: usize| chunk.get(index).map_or_else(String::new, |&i| run.row(i).to_string());
                let place = match &error {
                    JudgeError::NotFinite { index, .. } => format!("row {}", row(*index)),
                    _ => format!("rows {} to {}", row(0), row(chunk.len() - 1)),
                };
                anyhow::Error::new(error).context(format!("scoring {name}, {place}"))
            })?;
            for (&i, score) in chunk.iter().zip(scores) {
                let line = Line {
                    file: &name,
                    row: run.row(i),
                    p_misaligned: score.p_misaligned,
                    aligned: score.aligned,
                    coherent: score.coherent,
                    p_unscored: score.p_unscored,
                };
                serde_json::to_writer(&mut out, &line)?;
                out.write_all(b"\n")?;
            }
            if progress {
                let done = (chunk_index * judge.batch_size() + chunk.len()).min(run.len());
                eprint!("\r{name}: {done}/{} answers", run.len());
            }
        }
        if progress {
            let seconds = started.elapsed().as_secs_f64();
            eprintln!("\r{name}: {} answers in {seconds:.1} s", run.len());
        }
    }
    out.flush()?;
    Ok(())
}

pub(crate) fn load_judge(model_dir: &Path, options: &JudgeOptions) -> anyhow::Result<Judge> {
    let spec_path = model_dir.join("judge.json");
    let model_path = model_dir.join("model.onnx");
    let spec_bytes = std::fs::read(&spec_path).with_context(|| format!("cannot read {}", spec_path.display()))?;
    // Featurizer files (a tokenizer's vocabulary) live next to judge.json.
    let spec = JudgeSpec::from_json(&spec_bytes).with_context(|| format!("in {}", spec_path.display()))?.with_files(
        |name| {
            let path = model_dir.join(name);
            std::fs::read(&path)
                .with_context(|| format!("cannot read {}, which {} names", path.display(), spec_path.display()))
        },
    )?;
    let model = std::fs::read(&model_path).with_context(|| format!("cannot read {}", model_path.display()))?;
    Judge::load_with(&model, spec, options).with_context(|| format!("cannot load the judge in {}", model_dir.display()))
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || cause.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind)
                == Some(std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use probe_judge::DEFAULT_BATCH_SIZE;

    use super::*;

    /// `Ok(None)`: help.
    fn check(args: &[&str]) -> Result<Option<ScoreArgs>, String> {
        match parse(args.iter().map(OsString::from))? {
            Parsed::Run(args) => Ok(Some(args)),
            Parsed::Help => Ok(None),
            Parsed::ListJudges => Err("list".to_string()),
        }
    }

    #[test]
    fn takes_model_batch_threads_and_files_in_order() {
        let got = check(&["b.csv", "--model", "m", "--batch=7", "a.jsonl", "--threads", "1", "-"]).unwrap();
        assert_eq!(
            got,
            Some(ScoreArgs {
                model_dir: PathBuf::from("m"),
                options: JudgeOptions { batch_size: 7, intra_threads: Some(1) },
                files: ["b.csv", "a.jsonl", "-"].map(OsString::from).to_vec(),
            })
        );
    }

    #[test]
    fn defaults_to_the_bundled_model() {
        let args = check(&["a.csv"]).unwrap().unwrap();
        assert!(args.model_dir.ends_with("public/judge"), "{}", args.model_dir.display());
        assert_eq!(args.options, JudgeOptions { batch_size: DEFAULT_BATCH_SIZE, intra_threads: Some(1) });
    }

    #[test]
    fn a_bundled_judge_is_picked_by_name() {
        let (name, _) = probe_judge::BUNDLED[0];
        let args = check(&["--judge", name, "a.csv"]).unwrap().unwrap();
        assert_eq!(args.model_dir, default_model_dir());
        assert!(check(&["--judge", "nobody", "a.csv"]).unwrap_err().contains(&format!("bundled judges: {name}")));
        assert!(check(&["--judge", name, "--model", "m", "a.csv"]).unwrap_err().contains("not both"));
    }

    #[test]
    fn usage_errors_say_what_is_wrong() {
        assert_eq!(check(&["-h"]), Ok(None));
        assert!(check(&[]).unwrap_err().contains("at least one FILE"));
        assert!(check(&["--batch", "0", "a.csv"]).unwrap_err().contains("--batch needs a whole number"));
        assert!(check(&["--threads", "x", "a.csv"]).unwrap_err().contains("--threads needs a whole number"));
        assert!(check(&["--model"]).is_err());
        assert!(check(&["--json", "a.csv"]).unwrap_err().contains("--json"));
    }
}

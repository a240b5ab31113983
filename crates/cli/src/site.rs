//! `probe-explorer site build SITE.json --out DIR [--bundle-data] [--app DIST]`: a static
//! companion site in one folder: the built app, the site file beside its `index.html` (which
//! is told to read it), and with `--bundle-data` copies of the data files, so the site works
//! without the hosts the data came from. The site file is validated by `probe_core::site` first.

use std::ffi::OsString;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use lexopt::prelude::*;
use probe_core::site::{relative_path_problem, Site};

use crate::terminal;

pub const USAGE: &str = "\
probe-explorer site build: a static companion site from a site file

Usage:
  probe-explorer site build SITE.json --out DIR [--bundle-data] [--app DIST]

Writes DIR: the built app (from DIST, default ./dist: build it with scripts/build.sh), the site
file as DIR/site.json, and an index.html that opens it. Copy DIR to any static host.

Options:
  --out DIR        Where to write the site (created; files already there are replaced)
  --bundle-data    Copy every dataset the site file names by a relative path into DIR/data/
                   and point the site file at the copies. Without it, datasets must be
                   http(s) addresses (relative ones would be missing from DIR).
  --app DIST       The built app to copy (default: dist)
  -h, --help       This help

Exit status: 0 success, 1 the site file or the app could not be read or written, 2 bad usage.
";

/// The meta tag the app looks for (see `src/site.rs`).
const META: &str = r#"<meta name="probe-explorer-site" content="site.json" />"#;

#[derive(Debug, PartialEq)]
struct Args {
    site: PathBuf,
    out: PathBuf,
    app: PathBuf,
    bundle_data: bool,
}

#[derive(Debug)]
enum Parsed {
    Help,
    Build(Args),
}

fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Parsed, String> {
    let mut parser = lexopt::Parser::from_args(args);
    let mut site = None;
    let mut out = None;
    let mut app = PathBuf::from("dist");
    let mut bundle_data = false;
    let mut build = false;
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(Parsed::Help),
            Long("out") => out = Some(PathBuf::from(parser.value().map_err(|e| e.to_string())?)),
            Long("app") => app = PathBuf::from(parser.value().map_err(|e| e.to_string())?),
            Long("bundle-data") => bundle_data = true,
            Value(value) if !build => {
                if value != "build" {
                    return Err(format!("unknown site command {:?} (try 'site build')", value.to_string_lossy()));
                }
                build = true;
            }
            Value(value) if site.is_none() => site = Some(PathBuf::from(value)),
            Value(value) => return Err(format!("unexpected argument {:?}", value.to_string_lossy())),
            other => return Err(other.unexpected().to_string()),
        }
    }
    if !build {
        return Err("missing command (try 'probe-explorer site build SITE.json --out DIR')".into());
    }
    let site = site.ok_or("site build needs a SITE.json")?;
    let out = out.ok_or("site build needs --out DIR")?;
    Ok(Parsed::Build(Args { site, out, app, bundle_data }))
}

pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let args = match parse(args) {
        Ok(Parsed::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Parsed::Build(args)) => args,
        Err(message) => {
            eprintln!("error: {}\nRun 'probe-explorer site --help' for usage.", terminal::safe(&message));
            return ExitCode::from(2);
        }
    };
    match build(&args) {
        Ok(summary) => {
            println!("{}", terminal::safe(&summary));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {}", terminal::safe(&format!("{error:#}")));
            ExitCode::from(1)
        }
    }
}

fn build(args: &Args) -> Result<String> {
    let bytes =
        fs::read(&args.site).with_context(|| format!("could not read the site file {}", args.site.display()))?;
    let site = Site::parse(&bytes).with_context(|| format!("{}", args.site.display()))?;
    let index = args.app.join("index.html");
    if !index.is_file() {
        bail!(
            "the built app was not found: {} is missing (build it with scripts/build.sh, or pass --app DIR)",
            index.display()
        );
    }
    // Everything that can fail on the data is checked before anything is written.
    let site_dir = args.site.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut copies = Vec::new();
    for (i, dataset) in site.datasets.iter().enumerate() {
        let remote = dataset.url.to_ascii_lowercase().starts_with("http://")
            || dataset.url.to_ascii_lowercase().starts_with("https://");
        if remote {
            continue;
        }
        if !args.bundle_data {
            bail!("datasets[{i}].url {:?} is a local file: pass --bundle-data to copy it into the site", dataset.url);
        }
        let source =
            local_source(site_dir, &dataset.url).with_context(|| format!("datasets[{i}].url {:?}", dataset.url))?;
        let name = format!("data/{}-{}", i + 1, safe_file_name(&source));
        copies.push((i, source, name));
    }

    fs::create_dir_all(&args.out).with_context(|| format!("could not create {}", args.out.display()))?;
    let out = fs::canonicalize(&args.out)?;
    let app = fs::canonicalize(&args.app)?;
    if out.starts_with(&app) {
        bail!("--out {} is inside the app folder {}; choose another folder", args.out.display(), args.app.display());
    }
    let files = copy_dir(&app, &out)?;

    // index.html: told to read site.json, titled like the site (the app sets the title too).
    let html = fs::read_to_string(&index).context("could not read the app's index.html")?;
    let html = html.replace(META, "");
    let html = match html.find("<head>") {
        Some(at) => format!("{}\n    {META}{}", &html[..at + "<head>".len()], &html[at + "<head>".len()..]),
        None => bail!("the app's index.html has no <head>"),
    };
    let html = replace_title(&html, &site.title);
    fs::write(out.join("index.html"), html)?;

    // The site file as written, with bundled datasets pointing at their copies.
    let mut json: serde_json::Value = serde_json::from_slice(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))?;
    if !copies.is_empty() {
        fs::create_dir_all(out.join("data"))?;
    }
    for (i, source, name) in &copies {
        fs::copy(source, out.join(name)).with_context(|| format!("could not copy {}", source.display()))?;
        json["datasets"][*i]["url"] = serde_json::Value::from(name.as_str());
    }
    fs::write(out.join("site.json"), serde_json::to_string_pretty(&json)? + "\n")?;
    Ok(format!(
        "Wrote the site {:?} to {}: the app ({files} files), site.json ({} figures, {} tour steps){}.\nServe that folder with any static server, e.g. node tests/e2e/server.mjs --root {}",
        site.title,
        args.out.display(),
        site.figures.len(),
        site.tour.len(),
        if copies.is_empty() { String::new() } else { format!(", {} data files", copies.len()) },
        args.out.display()
    ))
}

/// The file a relative dataset path names, which must stay inside the site file's folder
/// (checked on the path as written, and again after links are followed).
fn local_source(site_dir: &Path, url: &str) -> Result<PathBuf> {
    if let Some(problem) = relative_path_problem(url) {
        bail!("{problem}");
    }
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let relative = Path::new(path);
    if relative.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir)) {
        bail!("leaves the site's folder");
    }
    let base = fs::canonicalize(site_dir).with_context(|| format!("could not open {}", site_dir.display()))?;
    let file = fs::canonicalize(base.join(relative)).context("the file was not found")?;
    if !file.starts_with(&base) {
        bail!("leaves the site's folder (through a link)");
    }
    if !file.is_file() {
        bail!("is not a file");
    }
    Ok(file)
}

/// A file name safe on any host: ASCII letters, digits, `.`, `-`, `_`.
fn safe_file_name(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let safe: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    let safe = safe.trim_start_matches('.').to_owned();
    if safe.is_empty() {
        "data".into()
    } else {
        safe
    }
}

fn copy_dir(from: &Path, to: &Path) -> Result<usize> {
    let mut count = 0;
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("could not read {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = fs::metadata(entry.path())?; // follows links: copies what they point at
        if kind.is_dir() {
            count += copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target).with_context(|| format!("could not copy {}", entry.path().display()))?;
            count += 1;
        }
    }
    Ok(count)
}

fn replace_title(html: &str, title: &str) -> String {
    let escaped = title.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    match (html.find("<title>"), html.find("</title>")) {
        (Some(start), Some(end)) if start < end => format!("{}<title>{escaped}{}", &html[..start], &html[end..]),
        _ => html.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Parsed, String> {
        parse(list.iter().map(OsString::from))
    }

    #[test]
    fn build_takes_a_site_file_an_out_folder_and_flags() {
        let Ok(Parsed::Build(got)) = args(&["build", "site.json", "--out", "out", "--bundle-data"]) else { panic!() };
        assert_eq!(got, Args { site: "site.json".into(), out: "out".into(), app: "dist".into(), bundle_data: true });
        assert!(args(&["build", "site.json"]).unwrap_err().contains("--out"));
        assert!(args(&["build", "--out", "x"]).unwrap_err().contains("SITE.json"));
        assert!(args(&["publish"]).unwrap_err().contains("unknown site command"));
        assert!(matches!(args(&["--help"]), Ok(Parsed::Help)));
    }

    #[test]
    fn titles_are_escaped_into_the_page() {
        let html = replace_title("<head><title>Probe Explorer</title></head>", "A <b>&</b> site");
        assert_eq!(html, "<head><title>A &lt;b&gt;&amp;&lt;/b&gt; site</title></head>");
    }

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(safe_file_name(Path::new("a/b c;d.csv")), "b_c_d.csv");
        assert_eq!(safe_file_name(Path::new("..hidden")), "hidden");
    }
}

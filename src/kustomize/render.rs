//! `kubeward render [PATH...]`: the objects kubeward lints, as a YAML stream, each preceded by
//! `# Source: <root or file>`. A directory holding a kustomization prints what
//! `kubectl kustomize DIR` prints (same objects, same order) and nothing else; other directories
//! print the kustomization roots and charts below them and the YAML files outside every root; a
//! file prints its own documents.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::build::{build, kustomization_file};
use super::emit::emit;
use super::value::from_document;

/// What a render run ended with: 0 all built, 1 a root failed, 2 a usage error.
pub fn render(paths: &[String], out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let paths: Vec<String> = if paths.is_empty() {
        vec![".".to_string()]
    } else {
        paths.to_vec()
    };
    let mut code = 0u8;
    for p in &paths {
        let path = Path::new(p);
        if !path.exists() {
            writeln!(err, "kubeward: error: {p}: no such file or directory")?;
            return Ok(2);
        }
    }
    for p in &paths {
        let path = Path::new(p);
        if path.is_file() {
            code = code.max(render_file(path, out, err)?);
            continue;
        }
        // A kustomization root prints what `kubectl kustomize DIR` prints: its own build, not
        // the other roots and charts below it (its bases are in its build already).
        if kustomization_file(path).is_some() {
            code = code.max(render_root(path, out, err)?);
            continue;
        }
        let mut roots = Vec::new();
        find_roots(path, &mut roots);
        for root in &roots {
            code = code.max(render_root(root, out, err)?);
        }
        // Helm charts below (not subcharts: they render with their parent), as `helm
        // template CHART` prints them with the chart's default values.
        let mut charts = Vec::new();
        find_charts(path, &mut charts);
        for chart in &charts {
            code = code.max(render_chart(chart, out, err)?);
        }
        let mut files = Vec::new();
        find_files(path, &mut files);
        for f in files {
            if roots.iter().chain(&charts).any(|r| f.starts_with(r)) {
                continue;
            }
            code = code.max(render_file(&f, out, err)?);
        }
    }
    Ok(code)
}

fn hidden(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') && n != "." && n != "..")
}

fn sorted_dir(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| r.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn find_roots(dir: &Path, out: &mut Vec<PathBuf>) {
    if kustomization_file(dir).is_some() {
        out.push(dir.to_path_buf());
    }
    for p in sorted_dir(dir) {
        if p.is_dir() && !p.is_symlink() && !hidden(&p) {
            find_roots(&p, out);
        }
    }
}

/// Chart folders below `dir` (a folder with `Chart.yaml`); a chart's own `charts/` folder is
/// not searched: its subcharts render with it.
fn find_charts(dir: &Path, out: &mut Vec<PathBuf>) {
    if crate::helm::render::is_chart(dir) {
        out.push(dir.to_path_buf());
        return;
    }
    for p in sorted_dir(dir) {
        if p.is_dir() && !p.is_symlink() && !hidden(&p) {
            find_charts(&p, out);
        }
    }
}

fn render_chart(chart: &Path, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    match crate::helm::render::render_chart(chart, &crate::helm::render::HelmOptions::default()) {
        Ok(rendered) => {
            for note in &rendered.notes {
                writeln!(err, "kubeward: note: {}: {note}", chart.display())?;
            }
            out.write_all(rendered.stream_text.as_bytes())?;
            Ok(0)
        }
        Err(e) if e.message.contains("library charts are not installable") => Ok(0),
        Err(e) => {
            writeln!(err, "kubeward: error: {}: {}", chart.display(), e.message)?;
            Ok(1)
        }
    }
}

fn find_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for p in sorted_dir(dir) {
        if hidden(&p) || p.is_symlink() {
            continue;
        }
        if p.is_dir() {
            find_files(&p, out);
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        {
            out.push(p);
        }
    }
}

fn render_root(root: &Path, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    match build(root) {
        Ok(built) => {
            for note in &built.notes {
                writeln!(
                    err,
                    "kubeward: note: {}: {}",
                    note.file.display(),
                    note.message
                )?;
            }
            for r in &built.resources {
                writeln!(out, "---\n# Source: {}", root.display())?;
                out.write_all(emit(&r.obj).text.as_bytes())?;
            }
            Ok(0)
        }
        Err(e) => {
            let at = match e.span {
                Some(span) => std::fs::read_to_string(&e.file)
                    .map(|text| {
                        let sf = crate::source::SourceFile::new(e.file.display().to_string(), text);
                        let lc = sf.line_col(span.start);
                        format!(":{}:{}", lc.line, lc.column)
                    })
                    .unwrap_or_default(),
                None => String::new(),
            };
            writeln!(
                err,
                "kubeward: error: {}: {}{at}: {}",
                root.display(),
                e.file.display(),
                e.message
            )?;
            Ok(1)
        }
    }
}

fn render_file(path: &Path, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let text = match std::fs::read(path) {
        Ok(bytes) => match crate::source::decode(bytes) {
            Ok(t) => t,
            Err(_) => {
                writeln!(
                    err,
                    "kubeward: error: {}: not UTF-8 or UTF-16 text",
                    path.display()
                )?;
                return Ok(1);
            }
        },
        Err(e) => {
            writeln!(err, "kubeward: error: {}: {e}", path.display())?;
            return Ok(1);
        }
    };
    let loaded = crate::load::parse_yaml(text);
    if loaded.failed {
        let msg = loaded
            .problems
            .first()
            .map(|p| p.message.clone())
            .unwrap_or_default();
        writeln!(err, "kubeward: error: {}: {msg}", path.display())?;
        return Ok(1);
    }
    let file: Arc<str> = Arc::from(path.to_string_lossy().as_ref());
    for doc in &loaded.documents {
        let node = from_document(doc, &file);
        if node.is_null() {
            continue;
        }
        writeln!(out, "---\n# Source: {}", path.display())?;
        out.write_all(emit(&node).text.as_bytes())?;
    }
    Ok(0)
}

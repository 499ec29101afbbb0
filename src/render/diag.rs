//! Render errors, with typst diagnostics turned into `file:line:column:
//! message` lines a template author can act on.
//!
//! Typst reports spans; the CLI user needs positions. Spans are resolved
//! through the same [`World`] that compiled the document, so diagnostics in
//! generated in-memory files (`/main.typ`, `/style.typ`) get positions too.

use std::fmt;

use typst::World;
use typst::WorldExt;
use typst::diag::{Severity, SourceDiagnostic, Tracepoint};
use typst::syntax::{DiagSpan, FileId, Lines, VirtualRoot};

use super::fonts::is_optional_family;

/// Why a render failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The typst sources have errors (warnings that matter, such as an
    /// unknown font family, are included as errors).
    #[error("排版失败，模板有 {} 处错误：\n{}", .0.len(), DiagList(.0))]
    Compile(Vec<Diagnostic>),
    /// Laying out worked but writing the PDF did not (e.g. content that
    /// PDF/A forbids).
    #[error("生成 PDF 失败：\n{}", DiagList(.0))]
    Pdf(Vec<Diagnostic>),
    /// A key of [`RenderJob::files`](super::RenderJob::files) is not a valid
    /// virtual path (it must look like `/style.typ`).
    #[error("虚拟文件路径无效：{0}（应形如 /style.typ）")]
    InvalidPath(String),
    /// The report date cannot be represented (year out of range).
    #[error("报告日期无效：{0}")]
    InvalidDate(String),
    /// The requested PDF standard could not be configured.
    #[error("PDF 标准设置无效：{0}")]
    Standard(String),
}

/// One typst error or warning with its position resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// `true` for errors (including promoted warnings), `false` for warnings.
    pub is_error: bool,
    /// Where, if the diagnostic points into a file.
    pub location: Option<Location>,
    /// The message (typst's English text, or Chinese for our own errors).
    pub message: String,
    /// Hints, each possibly with its own location.
    pub hints: Vec<String>,
    /// Call/import chain leading to the problem, innermost first.
    pub trace: Vec<String>,
}

/// A position in a source file; line and column are 1-based, the column
/// counts characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Virtual path, e.g. `/main.typ`; package files are prefixed with the
    /// package, e.g. `@preview/x:0.1.0/lib.typ`.
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_error { "错误" } else { "警告" };
        match &self.location {
            Some(loc) => write!(f, "{loc}: {kind}：{}", self.message)?,
            None => write!(f, "{kind}：{}", self.message)?,
        }
        for hint in &self.hints {
            write!(f, "\n    提示：{hint}")?;
        }
        for point in &self.trace {
            write!(f, "\n    {point}")?;
        }
        Ok(())
    }
}

struct DiagList<'a>(&'a [Diagnostic]);

impl fmt::Display for DiagList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diag) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  {diag}")?;
        }
        Ok(())
    }
}

/// Converts typst diagnostics, resolving spans through `world`.
pub(crate) fn convert(world: &dyn World, diags: &[SourceDiagnostic]) -> Vec<Diagnostic> {
    diags.iter().map(|d| convert_one(world, d)).collect()
}

fn convert_one(world: &dyn World, diag: &SourceDiagnostic) -> Diagnostic {
    Diagnostic {
        is_error: diag.severity == Severity::Error,
        location: locate(world, diag.span),
        message: diag.message.to_string(),
        hints: diag
            .hints
            .iter()
            // Advice for the typst CLI, which has a `--root` flag; ours has not.
            .filter(|hint| !hint.v.contains("--root"))
            .map(|hint| match locate(world, hint.span) {
                Some(loc) => format!("{loc}: {}", hint.v),
                None => hint.v.to_string(),
            })
            .collect(),
        trace: diag
            .trace
            .iter()
            .map(|point| {
                let what = match &point.v {
                    Tracepoint::Call(Some(name)) => format!("调用 `{name}` 时"),
                    Tracepoint::Call(None) => "调用函数时".to_string(),
                    Tracepoint::Show(name) => format!("显示 {name} 元素时"),
                    Tracepoint::Import(name) => format!("导入 `{name}` 时"),
                    Tracepoint::Include(name) => format!("包含 `{name}` 时"),
                };
                match locate(world, point.span.into()) {
                    Some(loc) => format!("{loc}: {what}"),
                    None => what,
                }
            })
            .collect(),
    }
}

/// Resolves a span to file, line and column.
fn locate(world: &dyn World, span: DiagSpan) -> Option<Location> {
    let id = span.id()?;
    let range = world.range(span)?;
    let (line, column) = match world.source(id) {
        Ok(source) => source.lines().byte_to_line_column(range.start)?,
        // Spans into non-source files (e.g. a malformed data file).
        Err(_) => {
            let bytes = world.file(id).ok()?;
            let text = std::str::from_utf8(bytes.as_slice()).ok()?;
            Lines::new(text.to_string()).byte_to_line_column(range.start)?
        }
    };
    Some(Location {
        file: file_name(id),
        line: line + 1,
        column: column + 1,
    })
}

fn file_name(id: FileId) -> String {
    let path = id.vpath().get_with_slash();
    match id.root() {
        VirtualRoot::Project => path.to_string(),
        VirtualRoot::Package(spec) => format!("{spec}{path}"),
    }
}

/// Splits typst warnings into real warnings and errors.
///
/// An unknown font family means the template asked for a font that does not
/// exist, and typst would silently use another one, so it is an error —
/// except for the official fonts `style.typ` lists before a bundled
/// fallback: typst warns about each missing entry of a list even when a
/// later one is found, and a missing official font is the normal case.
pub(crate) fn classify_warnings(
    world: &dyn World,
    warnings: &[SourceDiagnostic],
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let mut rest = Vec::new();
    for warning in warnings {
        let mut diag = convert_one(world, warning);
        if let Some(family) = warning.message.strip_prefix("unknown font family: ") {
            if is_optional_family(family) {
                continue;
            }
            diag.is_error = true;
            diag.message = format!(
                "未知字体“{family}”：模板要求的字体不存在（{}）",
                warning.message
            );
            diag.hints.push(
                "请检查字体名称，或用 --font-path 指定字体所在目录；\
                 内置字体为 FandolSong、FandolFang R、FandolHei、FandolKai"
                    .to_string(),
            );
            errors.push(diag);
        } else {
            rest.push(diag);
        }
    }
    (errors, rest)
}

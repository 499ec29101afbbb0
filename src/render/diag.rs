//! Render errors, with typst diagnostics turned into `file:line:column:
//! message` lines a template author can act on.
//!
//! Typst reports spans; the CLI user needs positions. Spans are resolved
//! through the same [`World`] that compiled the document, so diagnostics in
//! generated in-memory files (`/main.typ`, `/style.typ`) get positions too.
//!
//! A county that edits its templates needs more: one error, in Chinese, at
//! the line of *its* file. [`for_template_author`] picks the first error,
//! translates typst's message ([`message_zh`]) and maps a line of the
//! generated `/main.typ` back to the `.j2` line that produced it
//! ([`template_origin`]).

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
    /// Writing the Word package failed.
    #[error("生成 Word 文档失败：{0}")]
    Docx(String),
    /// The compile ran past a limit of [`crate::guard`] and was left
    /// behind.
    #[error("{stop}（{advice}）", stop = .0, advice = .0.advice())]
    Stopped(crate::guard::Stop),
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
    pub trace: Vec<TracePoint>,
}

/// One step of a diagnostic's call/import chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TracePoint {
    pub location: Option<Location>,
    /// What was going on, in Chinese (e.g. “调用 `f` 时”).
    pub what: String,
}

impl fmt::Display for TracePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{loc}: {}", self.what),
            None => f.write_str(&self.what),
        }
    }
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
                TracePoint {
                    location: locate(world, point.span.into()),
                    what,
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

// ---------------------------------------------------------------------------
// For the county that edits its templates.

/// A template the generated `/main.typ` was rendered from, named as the
/// user knows it: `模板/body.typ.j2` in their folder, or `内置模板
/// body.typ.j2`.
#[derive(Debug, Clone)]
pub struct TemplateSource {
    pub shown: String,
    pub text: String,
}

/// Which template line produced a line of the generated `/main.typ`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// One template line explains it best.
    Line { shown: String, line: usize },
    /// Several template lines explain it equally well.
    Candidates(Vec<(String, usize)>),
    /// No template line does (a line made only of values, a file not
    /// listed, …).
    Unknown,
}

/// Maps line `line` (1-based; the error at character `column`) of the
/// generated source back to a template line.
///
/// minijinja keeps no output-to-source map, but a template line's static
/// text (everything outside `{{ }}`, `{% %}`, `{# #}`) appears in its output
/// in order. Template lines whose static fragments all occur in the
/// generated line are candidates, ranked by: the error column lies within
/// the matched text; more static text matched; neighbouring lines match
/// too. A unique best wins; a tie is reported as a tie, never guessed.
pub fn template_origin(
    templates: &[TemplateSource],
    generated: &str,
    line: usize,
    column: usize,
) -> Origin {
    let generated: Vec<&str> = generated.lines().collect();
    let Some(target) = line.checked_sub(1).and_then(|i| generated.get(i)) else {
        return Origin::Unknown;
    };
    let at = line - 1;
    let offset = target
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(target.len(), |(i, _)| i);
    let mut found: Vec<((bool, usize, usize), &str, usize)> = Vec::new();
    for t in templates {
        let lines = static_lines(&t.text);
        for (n, fragments) in lines.iter().enumerate() {
            let Some((start, end, chars)) = find_in_order(fragments, target) else {
                continue;
            };
            let covers = start <= offset && offset < end;
            let mut context = 0;
            for d in 1..=2 {
                let pairs = [
                    (n.checked_sub(d), at.checked_sub(d)),
                    (Some(n + d), Some(at + d)),
                ];
                for (tn, gn) in pairs {
                    if let (Some(fr), Some(g)) = (
                        tn.and_then(|i| lines.get(i)),
                        gn.and_then(|i| generated.get(i)),
                    ) && find_in_order(fr, g).is_some()
                    {
                        context += 1;
                    }
                }
            }
            found.push(((covers, chars, context), &t.shown, n + 1));
        }
    }
    let Some(best) = found.iter().map(|f| f.0).max() else {
        return Origin::Unknown;
    };
    let mut top: Vec<(String, usize)> = found
        .iter()
        .filter(|f| f.0 == best)
        .map(|f| (f.1.to_string(), f.2))
        .collect();
    if top.len() == 1 {
        let (shown, line) = top.remove(0);
        Origin::Line { shown, line }
    } else {
        top.truncate(5);
        Origin::Candidates(top)
    }
}

/// The static text of each line of a template (1 entry per line), as
/// trimmed fragments; whitespace-only fragments are left out since
/// whitespace control (`{%-`) may remove them.
fn static_lines(text: &str) -> Vec<Vec<String>> {
    let mut lines: Vec<Vec<String>> = vec![Vec::new()];
    let mut current = String::new();
    let flush = |current: &mut String, lines: &mut Vec<Vec<String>>| {
        let t = current.trim();
        if !t.is_empty()
            && let Some(last) = lines.last_mut()
        {
            last.push(t.to_string());
        }
        current.clear();
    };
    let mut rest = text;
    loop {
        let tag = ["{{", "{%", "{#"]
            .iter()
            .filter_map(|open| rest.find(open).map(|i| (i, *open)))
            .min();
        let plain = tag.map_or(rest, |(i, _)| &rest[..i]);
        for (k, piece) in plain.split('\n').enumerate() {
            if k > 0 {
                flush(&mut current, &mut lines);
                lines.push(Vec::new());
            }
            current.push_str(piece);
        }
        flush(&mut current, &mut lines);
        let Some((i, open)) = tag else {
            break;
        };
        let close = match open {
            "{{" => "}}",
            "{%" => "%}",
            _ => "#}",
        };
        let inner = &rest[i + 2..];
        let end = inner.find(close).map_or(inner.len(), |j| j + 2);
        // A tag spanning lines still advances the line count.
        for _ in inner[..end].matches('\n') {
            lines.push(Vec::new());
        }
        rest = &inner[end..];
    }
    lines
}

/// Byte start and end of the fragments found in order in `line`, and the
/// characters they cover.
fn find_in_order(fragments: &[String], line: &str) -> Option<(usize, usize, usize)> {
    let first = fragments.first()?;
    let start = line.find(first.as_str())?;
    let mut at = start + first.len();
    let mut chars = first.chars().count();
    for f in &fragments[1..] {
        at += line[at..].find(f.as_str())? + f.len();
        chars += f.chars().count();
    }
    Some((start, at, chars))
}

/// Typst's English message in Chinese, the original kept in parentheses.
/// Messages that are already Chinese (our own, which start in Chinese) are
/// returned as they are.
pub fn message_zh(en: &str) -> String {
    if en.chars().next().is_some_and(|c| !c.is_ascii()) {
        return en.to_string();
    }
    match translate(en) {
        Some(zh) => format!("{zh}（{en}）"),
        None => format!("typst 报错（{en}）"),
    }
}

fn translate(en: &str) -> Option<String> {
    let fixed = match en {
        "unclosed delimiter" => "括号没有闭合：缺少与之配对的 )、] 或 }",
        "unclosed string" => "字符串缺少结尾的双引号",
        "unclosed raw text" => "代码文本缺少结尾的反引号 `",
        "unclosed label" => "标签缺少结尾的 >",
        "unclosed Unicode escape sequence" => "Unicode 转义缺少结尾的 }",
        "unexpected end of block comment" => "多余的注释结束符 */",
        "maximum function call depth exceeded" => {
            "函数调用层数超过上限（可能是函数无限地调用自身）"
        }
        "unexpected argument" => "多余的参数",
        "array index out of bounds" => "数组下标越界",
        _ => "",
    };
    if !fixed.is_empty() {
        return Some(fixed.to_string());
    }
    if let Some(name) = en.strip_prefix("unknown variable: ") {
        return Some(format!(
            "未定义的名字“{name}”：变量或函数名拼错了，或没有从 /style.typ 导入"
        ));
    }
    if let Some(rest) = en.strip_prefix("expected ") {
        return Some(match rest.split_once(", found ") {
            Some((want, got)) => format!("此处应为{}，实际是{}", words_zh(want), words_zh(got)),
            None => format!("此处缺少{}", words_zh(rest)),
        });
    }
    if let Some(name) = en.strip_prefix("unexpected argument: ") {
        return Some(format!("多余的参数“{name}”"));
    }
    if let Some(name) = en.strip_prefix("missing argument: ") {
        return Some(format!("缺少参数“{name}”"));
    }
    if let Some(what) = en.strip_prefix("unexpected ") {
        return Some(format!("此处不应出现{}", words_zh(what)));
    }
    if en.starts_with("cannot ") {
        return Some("类型不符，无法进行这一运算或操作".to_string());
    }
    if en.starts_with("failed to load file") {
        return Some("无法读取文件".to_string());
    }
    if en.starts_with("file not found") {
        return Some("找不到文件".to_string());
    }
    if en.starts_with("dictionary does not contain key") {
        return Some("字典中没有这个键".to_string());
    }
    None
}

/// `closing paren` → 右圆括号“)”; `string or content` → 字符串或内容.
fn words_zh(words: &str) -> String {
    words
        .split(" or ")
        .flat_map(|w| w.split(", "))
        .map(|w| {
            match w.trim() {
                "expression" => "表达式",
                "identifier" => "名字",
                "opening paren" => "左圆括号“(”",
                "closing paren" => "右圆括号“)”",
                "opening bracket" => "左方括号“[”",
                "closing bracket" => "右方括号“]”",
                "opening brace" => "左花括号“{”",
                "closing brace" => "右花括号“}”",
                "comma" => "逗号“,”",
                "colon" => "冒号“:”",
                "semicolon" => "分号“;”",
                "line break" => "换行",
                "hash" => "“#”",
                "star" => "“*”",
                "equals sign" => "等号“=”",
                "dot" => "点“.”",
                "string" | "str" => "字符串",
                "integer" | "int" => "整数",
                "float" => "小数",
                "content" => "内容",
                "array" => "数组",
                "dictionary" => "字典",
                "function" => "函数",
                "length" => "长度",
                "relative length" => "相对长度",
                "ratio" => "比例",
                "boolean" | "bool" => "布尔值",
                "color" => "颜色",
                "alignment" => "对齐方式",
                "datetime" => "日期",
                "block" => "代码块",
                "argument list" => "参数列表",
                "pattern" => "模式",
                "end of file" | "end of tokens" => "文件结尾",
                other => other,
            }
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("或")
}

/// The first error of a failed render as a county that edits its templates
/// needs it: in Chinese, at the line of its own file, and how many more
/// there are (usually consequences of the first).
///
/// `main` is the generated `/main.typ`, `templates` the `.j2` files it was
/// rendered from, `style_shown` how to name `/style.typ`.
pub fn for_template_author(
    diags: &[Diagnostic],
    main: &str,
    templates: &[TemplateSource],
    style_shown: &str,
) -> String {
    let Some(first) = diags.iter().find(|d| d.is_error).or(diags.first()) else {
        return "排版失败，typst 没有给出原因".to_string();
    };
    let mut notes = Vec::new();
    let place = |loc: &Location, notes: &mut Vec<String>| -> String {
        match loc.file.as_str() {
            "/main.typ" => {
                let generated = format!("生成的 typst 源文件 {loc}");
                match template_origin(templates, main, loc.line, loc.column) {
                    Origin::Line { shown, line } => {
                        notes.push(format!("（{generated}；加上 --emit-typ 文件夹 可写出它）"));
                        format!("{shown}:{line}")
                    }
                    other => {
                        let text: String = main
                            .lines()
                            .nth(loc.line - 1)
                            .unwrap_or("")
                            .trim()
                            .chars()
                            .take(80)
                            .collect();
                        let from = match other {
                            Origin::Candidates(c) => format!(
                                "，可能来自 {}",
                                c.iter()
                                    .map(|(s, l)| format!("{s}:{l}"))
                                    .collect::<Vec<_>>()
                                    .join("、")
                            ),
                            _ => String::new(),
                        };
                        notes.push(format!(
                            "（无法确定是模板的哪一行{from}；这一行是：{text}。\
                             加上 --emit-typ 文件夹 可写出生成的源文件，按行号查看）"
                        ));
                        generated
                    }
                }
            }
            "/style.typ" => format!("{style_shown}:{}:{}", loc.line, loc.column),
            _ => loc.to_string(),
        }
    };
    let mut out = match &first.location {
        Some(loc) => format!("{}：{}", place(loc, &mut notes), message_zh(&first.message)),
        None => message_zh(&first.message),
    };
    for note in notes.drain(..) {
        out.push_str(&format!("\n  {note}"));
    }
    for hint in &first.hints {
        out.push_str(&format!("\n  提示：{hint}"));
    }
    for point in &first.trace {
        let what = match &point.location {
            Some(loc) => format!("{}：{}", place(loc, &mut notes), point.what),
            None => point.what.clone(),
        };
        out.push_str(&format!("\n  {what}"));
    }
    if diags.len() > 1 {
        out.push_str(&format!(
            "\n另有 {} 处错误，多由这一处引起；改正后重新运行即可。",
            diags.len() - 1
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(shown: &str, text: &str) -> TemplateSource {
        TemplateSource {
            shown: shown.into(),
            text: text.into(),
        }
    }

    #[test]
    fn static_text_skips_tags_and_keeps_line_numbers() {
        let lines =
            static_lines("a{{ x }}b\n{% if y %}\n{# two\nlines #}c\n  {{ z }}  \n#f({{ v|s }})");
        assert_eq!(
            lines,
            vec![
                vec!["a".to_string(), "b".to_string()],
                vec![],
                vec![],
                vec!["c".to_string()],
                vec![],
                vec!["#f(".to_string(), ")".to_string()],
            ]
        );
    }

    #[test]
    fn generated_line_maps_to_its_template_line() {
        let body = t(
            "模板/body.typ.j2",
            "= 一\n{% for p in ps %}\n{{ p }}\n{% endfor %}\n#foo({{ x|s }}, size: 1pt)\n",
        );
        let generated = "= 一\n\n甲\n\n乙\n\n#foo(\"值\", size: 1pt)\n";
        assert_eq!(
            template_origin(&[body], generated, 7, 2),
            Origin::Line {
                shown: "模板/body.typ.j2".into(),
                line: 5
            }
        );
    }

    #[test]
    fn identical_lines_are_a_tie_not_a_guess() {
        let a = t("a.j2", "#table({{ x }})\n");
        let b = t("b.j2", "#table({{ y }})\n");
        let origin = template_origin(&[a, b], "#table(1)\n", 1, 2);
        assert_eq!(
            origin,
            Origin::Candidates(vec![("a.j2".into(), 1), ("b.j2".into(), 1)])
        );
        // A line no template explains.
        assert_eq!(
            template_origin(&[t("a.j2", "#x\n")], "甲乙\n", 1, 1),
            Origin::Unknown
        );
    }

    #[test]
    fn messages_in_chinese_with_the_original() {
        assert_eq!(
            message_zh("expected expression, found closing paren"),
            "此处应为表达式，实际是右圆括号“)”（expected expression, found closing paren）"
        );
        assert_eq!(
            message_zh("unknown variable: foo"),
            "未定义的名字“foo”：变量或函数名拼错了，或没有从 /style.typ 导入（unknown variable: foo）"
        );
        assert_eq!(message_zh("something new"), "typst 报错（something new）");
        assert_eq!(message_zh("未知字体“x”"), "未知字体“x”");
    }
}

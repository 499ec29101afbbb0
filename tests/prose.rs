//! The plan's narrative text prints literally, whatever a drafter types,
//! and a typst mistake in a county's own templates is reported once, in
//! Chinese, at the line of its template file. Real binary, real files.

mod common;
#[path = "common/templates.rs"]
mod templates;
use templates::insert_after;

use common::*;
use dudao::render::{FontSet, RenderJob, render_with_fonts};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use typst::text::FontWeight;

fn dudao() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dudao"))
}

/// `examples/sixian/` copied into a fresh folder.
fn example_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sixian");
    for entry in std::fs::read_dir(&src).expect("example folder") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy");
    }
    let plan = dir.path().join("plan.yaml");
    (dir, plan)
}

/// A YAML double-quoted scalar whose value is exactly `s`.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Replaces the value of the `nth` key `key` (a line `{indent}{key}:`) and
/// the more indented lines under it by `value`, written at that indent.
fn set_value(yaml: &str, key: &str, nth: usize, value: Option<&str>) -> String {
    let lines: Vec<&str> = yaml.lines().collect();
    let (at, indent) = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let indent = l.len() - l.trim_start().len();
            l.trim_start()
                .starts_with(&format!("{key}:"))
                .then_some((i, indent))
        })
        .nth(nth)
        .unwrap_or_else(|| panic!("no {key} #{nth} in plan"));
    let end = (at + 1..lines.len())
        .find(|&i| {
            let l = lines[i];
            !l.trim().is_empty() && l.len() - l.trim_start().len() <= indent
        })
        .unwrap_or(lines.len());
    let mut out: Vec<String> = lines[..at].iter().map(|l| l.to_string()).collect();
    if let Some(v) = value {
        out.push(format!("{}{key}: {v}", " ".repeat(indent)));
    }
    out.extend(lines[end..].iter().map(|l| l.to_string()));
    out.join("\n") + "\n"
}

fn yaml_list(items: &[&str]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| quoted(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The hostile texts, per field.
struct Hostile {
    overview: String,
    progress: String,
    text: String,
    problems: Vec<String>,
    next_steps: Vec<String>,
    conclusion: String,
}

fn hostile() -> Hostile {
    Hostile {
        overview: "　　概述开头/* 未闭合的注释\r\n第二段 // 不是注释 反斜杠\\ 结尾\r第三段\n\n第四段 `代码` ~ -- ... 完"
            .into(),
        progress: "#read(\"/etc/passwd\") 与 $x$ 与 @ref 与 _x_ 与 <label> 完".into(),
        text: "#let f(x) = f(x)\n#f(1) {} [] 与 = 标题 与 - 列表 完".into(),
        problems: vec![
            "问题一 **粗体** 与 ** 孤星 完".into(),
            "*单星* 与 \\u{41} 与 #{1+1} 完".into(),
        ],
        next_steps: vec![format!("{}尾", "很长的一行".repeat(300)), "#f(1) 结束".into()],
        conclusion: "结论 /* 再来 */ 与 #set text(size: 100pt) 完".into(),
    }
}

/// Writes the hostile plan: one task item keeps `progress`, the next one
/// loses it so its `text` is printed.
fn hostile_plan(plan: &Path, h: &Hostile) {
    let mut yaml = std::fs::read_to_string(plan).expect("plan");
    yaml = set_value(&yaml, "overview", 0, Some(&quoted(&h.overview)));
    yaml = set_value(&yaml, "conclusion", 0, Some(&quoted(&h.conclusion)));
    let problems: Vec<&str> = h.problems.iter().map(String::as_str).collect();
    yaml = set_value(&yaml, "problems", 0, Some(&yaml_list(&problems)));
    let steps: Vec<&str> = h.next_steps.iter().map(String::as_str).collect();
    yaml = set_value(&yaml, "next_steps", 0, Some(&yaml_list(&steps)));
    yaml = set_value(&yaml, "progress", 0, Some(&quoted(&h.progress)));
    yaml = set_value(&yaml, "progress", 1, None);
    // The `text` of task items (indent 8); the second item is the one
    // without progress now.
    let item_texts: Vec<usize> = yaml
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("        text:"))
        .map(|(i, _)| i)
        .collect();
    let nth = yaml
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("text:"))
        .position(|(i, _)| i == item_texts[1])
        .expect("second item text");
    yaml = set_value(&yaml, "text", nth, Some(&quoted(&h.text)));
    std::fs::write(plan, yaml).expect("write plan");
}

fn render(plan: &Path, pdf: &Path) -> Output {
    dudao()
        .arg("render")
        .arg(plan)
        .arg("-o")
        .arg(pdf)
        .args(["--no-system-fonts", "--school-pages", "none"])
        .output()
        .expect("runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// What a drafter expects to read: each line of a field a paragraph, the
/// `**` of the one bold span gone.
fn paragraphs(s: &str) -> Vec<String> {
    s.split(['\n', '\r'])
        .map(|p| p.trim().replace("**粗体**", "粗体"))
        .filter(|p| !p.is_empty())
        .collect()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn hostile_narrative_text_prints_literally() {
    let (dir, plan) = example_copy();
    let h = hostile();
    hostile_plan(&plan, &h);
    let plan_bytes = std::fs::read(&plan).unwrap();
    let pdf = dir.path().join("报告.pdf");
    let out = render(&plan, &pdf);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read(&plan).unwrap(), plan_bytes, "plan unchanged");

    // The same report through the library, to read its laid-out pages; the
    // bytes show it is the PDF the binary wrote.
    let county = dudao::input::load(&plan, &[]).expect("plan loads");
    let eval = dudao::evaluate::evaluate(&county);
    let src = dudao::report::sources(&county, &eval, false).expect("templates render");
    let mut job = RenderJob::new(
        src.main,
        &county.project_dir,
        county.plan.report.date.value.0,
    );
    job.files = src.files;
    job.system_fonts = false;
    job.title = county.plan.report.title.clone();
    job.author = county.plan.report.issuer.clone();
    let r = render_with_fonts(&job, &FontSet::embedded_only()).expect("renders");
    assert!(
        r.pdf == std::fs::read(&pdf).unwrap(),
        "the binary wrote another PDF"
    );

    let body: Vec<Run> = (0..r.document.pages().len())
        .flat_map(|i| runs(&r.document.pages()[i].frame))
        .filter(|run| run.turns == 0 && (run.size - BODY).abs() < 0.01)
        .collect();
    let text: String = body.iter().map(|run| run.text.as_str()).collect();
    let text = squeeze(&text);
    let fields = [&h.overview, &h.progress, &h.text, &h.conclusion]
        .into_iter()
        .chain(&h.problems)
        .chain(&h.next_steps);
    for field in fields {
        for p in paragraphs(field) {
            assert!(text.contains(&squeeze(&p)), "not printed literally: {p}");
        }
    }
    assert!(
        !text.contains("root:"),
        "a file outside the project was read"
    );

    // Paragraphs, not forced line breaks: each starts a line of its own,
    // indented two characters like every body paragraph.
    let lines: Vec<Vec<Run>> = (0..r.document.pages().len())
        .flat_map(|i| lines(&runs(&r.document.pages()[i].frame), BODY))
        .collect();
    let indented = mm(28.0) + 2.0 * (BODY - 0.22);
    for p in paragraphs(&h.overview) {
        let head: String = p.chars().take(4).collect();
        let line = lines
            .iter()
            .find(|l| line_text(l).starts_with(&head))
            .unwrap_or_else(|| {
                let near: Vec<String> = lines
                    .iter()
                    .map(|l| line_text(l))
                    .filter(|t| t.contains(&head))
                    .collect();
                panic!("no line starts with {head}: {near:?}")
            });
        assert_near(line[0].x, indented, 0.5, &format!("indent of {head}"));
    }

    // **粗体** is the only bold body text.
    let bold: String = body
        .iter()
        .filter(|run| run.weight() >= FontWeight::BOLD)
        .map(|run| run.text.as_str())
        .collect();
    assert_eq!(bold, "粗体");

    if let Ok(o) = Command::new("pdftotext")
        .arg(&pdf)
        .arg(dir.path().join("报告.txt"))
        .output()
        && o.status.success()
    {
        let txt = squeeze(&std::fs::read_to_string(dir.path().join("报告.txt")).unwrap());
        for p in paragraphs(&h.progress).iter().chain(&paragraphs(&h.text)) {
            assert!(txt.contains(&squeeze(p)), "pdftotext: {p}");
        }
    } else {
        eprintln!("pdftotext 不可用，跳过 PDF 文本比对");
    }
}

/// The county's templates folder `模板`, from `dudao init --templates`.
fn with_templates() -> (tempfile::TempDir, PathBuf) {
    let (dir, plan) = example_copy();
    let out = dudao()
        .args(["init", "--templates"])
        .arg(dir.path().join("模板"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let yaml = std::fs::read_to_string(&plan).unwrap();
    let yaml = set_value(
        &yaml,
        "school_pages",
        0,
        Some("appendix\n  templates: 模板"),
    );
    std::fs::write(&plan, yaml).unwrap();
    (dir, plan)
}

/// Runs the render that must fail; checks exit 1, no PDF, the plan
/// untouched, and returns the message.
fn failing_render(dir: &Path, plan: &Path) -> String {
    let plan_bytes = std::fs::read(plan).unwrap();
    let pdf = dir.join("报告.pdf");
    let out = render(plan, &pdf);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!pdf.exists(), "a failed render left a PDF");
    assert_eq!(std::fs::read(plan).unwrap(), plan_bytes);
    let err = stderr(&out);
    assert_eq!(err.matches("错误：").count(), 1, "one error: {err}");
    err
}

#[test]
fn unknown_name_in_body_template_is_reported_at_its_line() {
    let (dir, plan) = with_templates();
    let body = dir.path().join("模板/body.typ.j2");
    let line = insert_after(&body, "= 一、基本情况", "#未定义的函数()");
    let err = failing_render(dir.path(), &plan);
    assert!(
        err.starts_with(&format!(
            "错误：生成报告失败：模板/body.typ.j2:{line}：未定义的名字“未定义的函数”"
        )),
        "{err}"
    );
    assert!(err.contains("（unknown variable: 未定义的函数）"), "{err}");
    assert!(!err.contains("另有"), "{err}");
}

#[test]
fn unclosed_bracket_in_body_template_is_one_error_at_its_line() {
    let (dir, plan) = with_templates();
    let body = dir.path().join("模板/body.typ.j2");
    let line = insert_after(
        &body,
        "= 一、基本情况",
        "#text(size: 12pt)[未闭合的方括号 #data-table(",
    );
    let err = failing_render(dir.path(), &plan);
    assert!(
        err.starts_with(&format!(
            "错误：生成报告失败：模板/body.typ.j2:{line}：括号没有闭合"
        )),
        "{err}"
    );
    assert!(err.contains("（unclosed delimiter）"), "{err}");
    // Everything after the bracket fails too; those are counted, not listed.
    assert!(err.contains("另有 ") && err.contains(" 处错误"), "{err}");
    assert_eq!(err.matches("body.typ.j2:").count(), 1, "{err}");
}

#[test]
fn unclosed_paren_in_style_is_reported_in_style_typ() {
    let (dir, plan) = with_templates();
    let style = dir.path().join("模板/style.typ");
    let text = std::fs::read_to_string(&style).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("#let body-size = 16pt"))
        .expect("body-size line")
        + 1;
    std::fs::write(
        &style,
        text.replacen("#let body-size = 16pt", "#let body-size = (16pt", 1),
    )
    .unwrap();
    let err = failing_render(dir.path(), &plan);
    assert!(
        err.starts_with(&format!(
            "错误：生成报告失败：模板/style.typ:{line}:18：括号没有闭合"
        )),
        "{err}"
    );
    // Where the style is imported from: the county's main.typ.j2.
    assert!(err.contains("模板/main.typ.j2:"), "{err}");
}

#[test]
fn typo_in_builtin_template_call_names_the_copied_file() {
    let (dir, plan) = with_templates();
    let main = dir.path().join("模板/main.typ.j2");
    let text = std::fs::read_to_string(&main).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("#show: gbt-doc.with(title:"))
        .expect("show line")
        + 1;
    std::fs::write(
        &main,
        text.replacen("gbt-doc.with(title:", "gbt-doc.with(titel:", 1),
    )
    .unwrap();
    let err = failing_render(dir.path(), &plan);
    assert!(
        err.starts_with(&format!(
            "错误：生成报告失败：模板/main.typ.j2:{line}：多余的参数“titel”（unexpected argument: titel）"
        )),
        "{err}"
    );
}

//! minijinja renders `report_templates/*.typ.j2` into typst source.
//! Templates are trusted; data is not, and the plan's own narrative text is
//! data too: every `{{ value }}` is escaped for typst markup; `s` gives a
//! typst string literal for code mode; `prose` sets the county's narrative
//! fields as paragraphs with `**粗体**` and nothing else (see
//! [`typst_prose`]). No filter passes text through unescaped.

use crate::access::{Access, InputKind};
use crate::error::Error;
use crate::output::format;
use crate::render::escape::{typst_markup, typst_prose, typst_str};
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use std::path::PathBuf;
use std::sync::Arc;

/// The built-in templates, embedded so the binary works anywhere; a county
/// overrides any of them by putting a file of the same name in its
/// templates folder.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "main.typ.j2",
        include_str!("../../report_templates/main.typ.j2"),
    ),
    (
        "body.typ.j2",
        include_str!("../../report_templates/body.typ.j2"),
    ),
    (
        "indicators.typ.j2",
        include_str!("../../report_templates/indicators.typ.j2"),
    ),
    (
        "county.typ.j2",
        include_str!("../../report_templates/county.typ.j2"),
    ),
    (
        "appendix.typ.j2",
        include_str!("../../report_templates/appendix.typ.j2"),
    ),
    (
        "school.typ.j2",
        include_str!("../../report_templates/school.typ.j2"),
    ),
    (
        "school-main.typ.j2",
        include_str!("../../report_templates/school-main.typ.j2"),
    ),
    (
        "ledger.typ.j2",
        include_str!("../../report_templates/ledger.typ.j2"),
    ),
    (
        "units-attachment.typ.j2",
        include_str!("../../report_templates/units-attachment.typ.j2"),
    ),
    (
        "units.typ.j2",
        include_str!("../../report_templates/units.typ.j2"),
    ),
    (
        "units-body.typ.j2",
        include_str!("../../report_templates/units-body.typ.j2"),
    ),
    (
        "review.typ.j2",
        include_str!("../../report_templates/review.typ.j2"),
    ),
    (
        "review-body.typ.j2",
        include_str!("../../report_templates/review-body.typ.j2"),
    ),
    (
        "review-attachments.typ.j2",
        include_str!("../../report_templates/review-attachments.typ.j2"),
    ),
    ("style.typ", crate::render::STYLE_TYP),
    (
        "charts.typ",
        include_str!("../../report_templates/charts.typ"),
    ),
];

/// Files a user may override in a templates folder.
pub fn template_names() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|(n, _)| *n)
}

/// A county's templates folder, and the run's read permissions.
#[derive(Debug, Clone)]
pub struct TemplateDir {
    /// As the plan gives it (joined to the plan's folder).
    pub dir: PathBuf,
    pub access: Arc<Access>,
}

/// The start of the message refusing a template name that leads out of
/// the templates folder.
const REFUSED: &str = "模板只能引用模板文件夹中的文件";

fn refused(name: &str) -> Error {
    Error::Other(format!("{REFUSED}，拒绝读取“{name}”"))
}

/// A template's text: the county's override if it has one, else built in.
/// Names (also those of `include`, `import`, `extends`) resolve only inside
/// the templates folder: no absolute path, no `..`, no link leading out.
pub fn source(name: &str, dir: Option<&TemplateDir>) -> Result<String, Error> {
    let rel = crate::access::confined_name(name).ok_or_else(|| refused(name))?;
    if let Some(d) = dir {
        let p = d.dir.join(&rel);
        // A dangling link is still the county's file, and an error.
        if p.symlink_metadata().is_ok() {
            let canonical = std::fs::canonicalize(&p).map_err(|e| Error::io(&p, e))?;
            let root = std::fs::canonicalize(&d.dir).map_err(|e| Error::io(&d.dir, e))?;
            if !canonical.starts_with(&root) {
                return Err(refused(name));
            }
            return d.access.read_text(&p, InputKind::Template, None);
        }
    }
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| t.to_string())
        .ok_or_else(|| Error::Other(format!("没有名为“{name}”的报告模板")))
}

/// Steps (minijinja's fuel: about one per instruction, and one per 64
/// bytes of text made) one render of a template may take. 泗县's report
/// (283 school rows) takes 0.45 million, a synthetic 1,000-school county
/// 2.7 million (BENCHMARKS.md, “Bounded templates”): the budget is 36
/// times the larger, and a loop that never ends runs out of it in about
/// five seconds (some 20 million steps a second).
pub const FUEL: u64 = 100_000_000;

pub fn environment(dir: Option<TemplateDir>) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_fuel(Some(FUEL));
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::Custom("typst".into()));
    env.set_formatter(|out, state, value| {
        if value.is_safe() || value.is_none() {
            if !value.is_none() {
                write!(out, "{value}")?;
            }
            return Ok(());
        }
        match state.auto_escape() {
            AutoEscape::None => write!(out, "{value}")?,
            _ => out.write_str(&typst_markup(&value.to_string()))?,
        }
        Ok(())
    });
    env.set_loader(move |name| {
        source(name, dir.as_ref()).map(Some).map_err(|e| {
            let msg = e.to_string();
            // `ignore missing` must not hide a refusal.
            let kind = if msg.starts_with(REFUSED) {
                minijinja::ErrorKind::InvalidOperation
            } else {
                minijinja::ErrorKind::TemplateNotFound
            };
            minijinja::Error::new(kind, msg)
        })
    });
    env.add_filter("s", |v: Value| {
        Value::from_safe_string(typst_str(&plain(&v)))
    });
    env.add_filter("prose", |v: Value| {
        Value::from_safe_string(typst_prose(&plain(&v)))
    });
    env.add_filter("grouped", |v: Value, d: Option<usize>| {
        num(&v, |x| format::grouped(x, d.unwrap_or(0)))
    });
    env.add_filter("fixed", |v: Value, d: Option<usize>| {
        num(&v, |x| format::fixed(x, d.unwrap_or(2)))
    });
    env.add_filter("cv", |v: Value| num(&v, |x| format::fixed(x, 6)));
    env.add_filter("pct", |v: Value, d: Option<usize>| {
        num(&v, |x| format!("{}%", format::fixed(x, d.unwrap_or(1))))
    });
    env.add_filter("section_zh", |v: String| match v.as_str() {
        "primary" => "小学".to_string(),
        "junior" => "初中".to_string(),
        other => other.to_string(),
    });
    env.add_filter("cjk_num", |v: usize| cjk_number(v));
    // A title as the lines it is printed in, longer first (梯形).
    env.add_filter("title_lines", |v: String| super::context::title_lines(&v));
    env
}

fn plain(v: &Value) -> String {
    if v.is_none() || v.is_undefined() {
        String::new()
    } else if let Some(s) = v.as_str() {
        s.to_string()
    } else {
        v.to_string()
    }
}

/// Format a number; `—` for none. Plain text (escaped like any value).
fn num(v: &Value, f: impl Fn(f64) -> String) -> String {
    match f64::try_from(v.clone()) {
        Ok(x) if !v.is_none() => f(x),
        _ => "—".to_string(),
    }
}

/// 1 → 一, 12 → 十二: numbering of 附表 and headings.
pub fn cjk_number(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].to_string(),
        10 => "十".to_string(),
        11..=19 => format!("十{}", D[n - 10]),
        20..=99 => format!(
            "{}十{}",
            D[n / 10],
            if n.is_multiple_of(10) { "" } else { D[n % 10] }
        ),
        _ => n.to_string(),
    }
}

fn place(e: &minijinja::Error) -> String {
    match (e.name(), e.line()) {
        (Some(n), Some(l)) => format!("report_templates/{n}:{l}"),
        (Some(n), None) => format!("report_templates/{n}"),
        _ => "报告模板".to_string(),
    }
}

/// Render a template, turning minijinja errors into file:line messages.
/// It runs within the limits of [`crate::guard`] (fuel bounds its steps;
/// time and memory are bounded as typst's compile is).
pub fn render(env: &Environment<'static>, name: &str, ctx: &Value) -> Result<String, Error> {
    let (env, owned, ctx) = (env.clone(), name.to_string(), ctx.clone());
    let ran = crate::guard::bounded(move || {
        let tmpl = env.get_template(&owned).map_err(template_error)?;
        tmpl.render(ctx).map_err(template_error)
    });
    ran.unwrap_or_else(|stop| {
        Err(Error::Render(format!(
            "report_templates/{name}：{stop}（正在渲染该模板及其引用的模板；{}）",
            stop.advice()
        )))
    })
}

fn template_error(e: minijinja::Error) -> Error {
    // A refused include, or a loop that ran out of fuel, is reported where
    // it is written: the innermost template of the chain, not the one that
    // included it.
    let mut inner: &minijinja::Error = &e;
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        if let Some(m) = s.downcast_ref::<minijinja::Error>() {
            inner = m;
        }
        src = s.source();
    }
    if inner.kind() == minijinja::ErrorKind::OutOfFuel {
        return Error::Render(format!(
            "{}：模板运行超过 {FUEL} 步，已停止（模板中的循环可能不会结束）",
            place(inner)
        ));
    }
    // minijinja's own caps on what one expression may make.
    let too_large = match inner.detail() {
        Some("repeated string is too large") => Some("重复生成的文字过长（超过 1 亿个字符）"),
        Some("repeated sequence is too large") => Some("重复生成的列表过长（超过 1 亿项）"),
        Some("range has too many elements") => Some("range 的项数过多（超过 10 万项）"),
        _ => None,
    };
    if let Some(what) = too_large {
        return Error::Render(format!("{}：{what}，已停止", place(inner)));
    }
    if let Some(d) = inner.detail().filter(|d| d.starts_with(REFUSED)) {
        return Error::Render(format!("{}：{d}", place(inner)));
    }
    let detail = e
        .detail()
        .map(str::to_string)
        .unwrap_or(e.kind().to_string());
    let mut msg = format!("{}：模板错误：{detail}", place(&e));
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg.push_str(&format!("（{s}）"));
        src = s.source();
    }
    // Templates copied out before |markup and raw() were removed.
    let detail = e.to_string();
    if matches!(
        e.kind(),
        minijinja::ErrorKind::UnknownFilter | minijinja::ErrorKind::UnknownFunction
    ) && (detail.contains("markup") || detail.contains("raw"))
    {
        msg.push_str(
            "。|markup 和 raw() 已取消：计划文件中的文字请用 |prose（原样印出，每行一段，**粗体** 加粗）",
        );
    }
    Error::Render(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_unless_marked() {
        let mut env = environment(None);
        env.add_template("t", "{{ a }}|{{ a|s }}|{{ b|prose }}|{{ n|grouped(2) }}")
            .unwrap();
        let ctx = minijinja::context! { a => "#read(\"/etc/passwd\") *粗体*", b => "*强调* **重点**", n => 1234.5 };
        let out = env.get_template("t").unwrap().render(ctx).unwrap();
        assert_eq!(
            out,
            "\\#read\\(\\\"\\/etc\\/passwd\\\"\\) \\*粗体\\*|\"#read(\\\"/etc/passwd\\\") *粗体*\"|\\*强调\\* #strong[重点]|1\\,234\\.50"
        );
    }

    #[test]
    fn removed_markup_filter_says_what_replaces_it() {
        let mut env = environment(None);
        env.add_template("t.typ.j2", "行一\n{{ a|markup }}")
            .unwrap();
        let err = render(&env, "t.typ.j2", &minijinja::context! { a => "x" })
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("t.typ.j2:2"), "{err}");
        assert!(err.contains("请用 |prose"), "{err}");
    }

    #[test]
    fn a_loop_that_never_ends_runs_out_of_fuel_at_its_line() {
        let mut env = environment(None);
        env.add_template(
            "loop.typ.j2",
            "一\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        )
        .unwrap();
        env.add_template("outer.typ.j2", "{% include \"loop.typ.j2\" %}")
            .unwrap();
        let err = render(&env, "outer.typ.j2", &minijinja::context! {})
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("report_templates/loop.typ.j2:2"), "{err}");
        assert!(err.contains(&format!("模板运行超过 {FUEL} 步")), "{err}");
    }

    #[test]
    fn chinese_numbers() {
        assert_eq!(cjk_number(3), "三");
        assert_eq!(cjk_number(12), "十二");
        assert_eq!(cjk_number(20), "二十");
        assert_eq!(cjk_number(35), "三十五");
    }
}

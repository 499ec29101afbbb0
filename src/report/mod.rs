//! The report: renders `report_templates/` with minijinja into typst source
//! ([`templates`], fed by [`context`]) and compiles it to PDF with the
//! embedded typst ([`crate::render`]). Nothing here computes an indicator.

pub mod context;
pub mod templates;

use crate::access::{Access, InputKind};
use crate::error::Error;
use crate::evaluate::Evaluation;
use crate::input::plan::SchoolPages;
use crate::model::County;
use crate::render::{FontSet, RenderJob, Rendered};
use minijinja::value::{Serde, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The typst sources of one report, before compiling.
pub struct Sources {
    pub main: String,
    pub files: BTreeMap<String, Vec<u8>>,
}

/// What `dudao render` was asked for; the command line builds it.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    pub plan: PathBuf,
    /// Workbooks replacing the plan's `data.schools`.
    pub schools: Vec<PathBuf>,
    /// The PDF; by default named after the report title, beside the plan.
    pub output: Option<PathBuf>,
    /// A folder to write the typst sources to.
    pub emit_typ: Option<PathBuf>,
    pub font_paths: Vec<PathBuf>,
    pub no_system_fonts: bool,
    pub pdf_a: bool,
    pub tagged: bool,
    /// The plan's choice unless given.
    pub school_pages: Option<SchoolPages>,
}

/// The county's templates folder, if the plan names one.
fn template_dir(county: &County) -> Result<Option<templates::TemplateDir>, Error> {
    match &county.plan.report.templates {
        None => Ok(None),
        Some(d) => {
            let dir = county.project_dir.join(d);
            if dir.is_dir() {
                Ok(Some(templates::TemplateDir {
                    dir,
                    access: county.access.clone(),
                }))
            } else {
                Err(Error::Other(format!(
                    "计划文件 report.templates 指定的模板文件夹不存在：{}",
                    dir.display()
                )))
            }
        }
    }
}

/// Typst sources of the report.
pub fn sources(
    county: &County,
    eval: &Evaluation,
    with_school_pages: bool,
) -> Result<Sources, Error> {
    let dir = template_dir(county)?;
    let ctx = context::build(county, eval, with_school_pages);
    let env = templates::environment(dir.clone());
    let main = templates::render(&env, "main.typ.j2", &Value::from(Serde(&ctx)))?;
    let style = templates::source("style.typ", dir.as_ref())?;
    let mut files = BTreeMap::new();
    files.insert(crate::render::STYLE_PATH.to_string(), style.into_bytes());
    let charts = templates::source("charts.typ", dir.as_ref())?;
    files.insert("/charts.typ".to_string(), charts.into_bytes());
    Ok(Sources { main, files })
}

fn job(county: &County, args: &RenderOptions, src: Sources) -> RenderJob {
    let mut job = RenderJob::new(
        src.main,
        &county.project_dir,
        county.plan.report.date.value.0,
    );
    job.files = src.files;
    job.font_paths = args.font_paths.clone();
    job.system_fonts = !args.no_system_fonts;
    job.pdf_a = args.pdf_a;
    job.tagged = args.tagged;
    job.title = county.plan.report.title.clone();
    job.author = county.plan.report.issuer.clone();
    // `dudao render` exits after its compiles; the caches also speed up
    // the similar school files of --school-pages separate.
    job.keep_caches = true;
    job
}

fn compile(county: &County, job: &RenderJob, fonts: &FontSet) -> Result<Rendered, Error> {
    use crate::render::RenderError;
    use crate::render::diag::{TemplateSource, for_template_author};
    crate::render::render_with_fonts(job, fonts).map_err(|e| match e {
        // The drafter edits templates, not the generated source: name the
        // first error at the template line, in the county's own folder.
        RenderError::Compile(diags) => {
            let dir = template_dir(county).ok().flatten();
            let shown = |name: &str| match &dir {
                Some(d) if d.dir.join(name).is_file() => {
                    let rel = d.dir.strip_prefix(&county.project_dir).unwrap_or(&d.dir);
                    rel.join(name).display().to_string()
                }
                _ => format!("内置模板 {name}"),
            };
            let sources: Vec<TemplateSource> = templates::template_names()
                .filter(|name| name.ends_with(".j2"))
                .filter_map(|name| {
                    Some(TemplateSource {
                        shown: shown(name),
                        text: templates::source(name, dir.as_ref()).ok()?,
                    })
                })
                .collect();
            Error::Render(for_template_author(
                &diags,
                &job.main,
                &sources,
                &shown("style.typ"),
            ))
        }
        other => Error::Render(other.to_string()),
    })
}

/// `dudao render`.
pub fn run(args: &RenderOptions) -> Result<(), Error> {
    let mut clock = Stages::new();
    let county = crate::input::load(&args.plan, &args.schools)?;
    clock.lap("读取数据");
    let access = county.access.clone();
    let out = args.output.clone().unwrap_or_else(|| {
        let name = crate::output::file_component(&county.plan.report.title, "自评报告");
        county.project_dir.join(format!("{name}.pdf"))
    });
    // Refused before the render, so nobody waits for a refusal.
    access.check_output(&out)?;
    let eval = crate::evaluate::evaluate(&county);
    clock.lap("计算指标");
    let mode = args.school_pages.unwrap_or(county.plan.report.school_pages);
    let src = sources(&county, &eval, mode == SchoolPages::Appendix)?;
    clock.lap("渲染模板");
    // The typst sources are written first: when a template fails to
    // compile they are what the drafter needs to look at.
    if let Some(dir) = &args.emit_typ {
        emit_typ(&access, dir, &src.main, &src.files)?;
        eprintln!(
            "typst 源文件：{}（可用 typst compile --font-path fonts {} 复现）",
            dir.join("main.typ").display(),
            dir.join("main.typ").display()
        );
    }
    let fonts = FontSet::new(&args.font_paths, !args.no_system_fonts);
    clock.lap("加载字体");
    let job = job(&county, args, src);
    let report = compile(&county, &job, &fonts)?;
    clock.lap("typst 排版与导出 PDF");

    // Separate school files are rendered before anything is written, so a
    // failure leaves no partial output.
    let mut school_files = Vec::new();
    if mode == SchoolPages::Separate {
        let dir = template_dir(&county)?;
        let env = templates::environment(dir);
        let ctx = context::build(&county, &eval, false);
        let names: Vec<String> = ctx
            .schools
            .iter()
            .map(|s| crate::output::file_component(&s.file_stem, "学校"))
            .collect();
        let names = crate::output::distinct_names(&names);
        for (s, name) in ctx.schools.iter().zip(names) {
            let c = minijinja::context! { plan => Value::from(Serde(&county.plan)), s => Value::from(Serde(s)) };
            let main = templates::render(&env, "school-main.typ.j2", &c)?;
            let mut j = job.clone();
            j.main = main;
            j.title = format!("{}（{}）资源配置指标核对表", s.name, s.section);
            let r = compile(&county, &j, &fonts)?;
            school_files.push((format!("{name}.pdf"), r.pdf));
        }
    }

    // The fonts the render read are inputs too.
    for p in fonts.font_path_files() {
        access.record_input(p, InputKind::Font);
    }
    for f in &report.fonts_used {
        if let Some(p) = f.origin.path() {
            access.record_input(p, InputKind::Font);
        }
    }
    access.check_output(&out)?;
    let stem = out.file_stem().and_then(|s| s.to_str()).unwrap_or("报告");
    let school_dir = out.with_file_name(format!("{stem}-一校一表"));
    // The school folder is staged and moved into place first; if the
    // report then cannot be written, it is taken back.
    let committed = if school_files.is_empty() {
        None
    } else {
        access.check_output_dir(&school_dir)?;
        let staged = crate::output::stage_folder(&school_dir, &school_files, ".pdf")?;
        Some(staged.commit()?)
    };
    if let Err(e) = crate::output::write_file(&out, &report.pdf) {
        if let Some(c) = committed {
            c.rollback();
        }
        return Err(e);
    }
    if let Some(c) = committed {
        c.finish();
    }
    let pages = report.document.pages().len();
    eprintln!("已生成报告：{}（{} 页）", out.display(), pages);
    if !school_files.is_empty() {
        eprintln!(
            "一校一表：{} 个文件，在 {}",
            school_files.len(),
            school_dir.display()
        );
    }
    clock.lap("写出文件");
    eprintln!(
        "使用字体：{}",
        crate::render::fonts::summary(&report.fonts_used)
    );
    clock.report();
    for w in &report.warnings {
        eprintln!("提醒：{w}");
    }
    Ok(())
}

/// Stage timings for benchmarks, printed when `DUDAO_TIMINGS` is set.
struct Stages {
    on: bool,
    last: std::time::Instant,
    laps: Vec<(&'static str, f64)>,
}

impl Stages {
    fn new() -> Self {
        Stages {
            on: std::env::var_os("DUDAO_TIMINGS").is_some(),
            last: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, stage: &'static str) {
        let now = std::time::Instant::now();
        self.laps.push((stage, (now - self.last).as_secs_f64()));
        self.last = now;
    }

    fn report(&self) {
        if self.on {
            for (stage, s) in &self.laps {
                eprintln!("用时 {stage}：{s:.3} 秒");
            }
        }
    }
}

/// The typst sources as a folder, all files or none.
fn emit_typ(
    access: &Access,
    dir: &Path,
    main: &str,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<(), Error> {
    access.check_output_dir(dir)?;
    let mut all = vec![("main.typ".to_string(), main.as_bytes().to_vec())];
    for (name, bytes) in files {
        all.push((name.trim_start_matches('/').to_string(), bytes.clone()));
    }
    for (name, _) in &all {
        access.check_output(&dir.join(name))?;
    }
    crate::output::write_folder(dir, &all, ".typ")
}

/// `dudao init --templates`: the built-in templates, copied out for editing.
pub fn copy_templates(dir: &Path) -> Result<(), Error> {
    for (name, _) in templates::BUILTIN {
        let p = dir.join(name);
        if p.exists() {
            return Err(Error::Other(format!(
                "{} 已存在，未覆盖任何文件",
                p.display()
            )));
        }
    }
    let files: Vec<(String, Vec<u8>)> = templates::BUILTIN
        .iter()
        .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
        .collect();
    // Only an empty folder is replaced (`dudao init` makes sure of that).
    crate::output::write_folder(dir, &files, "")?;
    eprintln!(
        "已把报告模板复制到 {}。在计划文件的 report 一节写上 templates: {} 即可使用。",
        dir.display(),
        dir.display()
    );
    Ok(())
}

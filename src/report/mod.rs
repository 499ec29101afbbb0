//! The report: renders `report_templates/` with minijinja into typst source
//! ([`templates`], fed by [`context`]) and compiles it to PDF with the
//! embedded typst ([`crate::render`]). Nothing here computes an indicator.

pub mod context;
pub mod templates;
pub mod watch;

use crate::access::{Access, InputKind};
use crate::error::Error;
use crate::evaluate::Evaluation;
use crate::input::plan::SchoolPages;
use crate::model::County;
use crate::render::{FontSet, RenderJob, Rendered};
use minijinja::value::{Serde, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// The report file; by default named after the report title, beside
    /// the plan.
    pub output: Option<PathBuf>,
    /// PDF or Word; by default from the output's extension, else PDF.
    pub format: Option<ReportFormat>,
    /// A folder to write the typst sources to.
    pub emit_typ: Option<PathBuf>,
    pub font_paths: Vec<PathBuf>,
    pub no_system_fonts: bool,
    pub pdf_a: bool,
    pub tagged: bool,
    /// The plan's choice unless given.
    pub school_pages: Option<SchoolPages>,
    /// The plan's templates folder unless a reviewing body says otherwise.
    pub templates: TemplateChoice,
}

/// Which templates a render uses.
#[derive(Debug, Clone, Default)]
pub enum TemplateChoice {
    /// The plan's `report.templates`, else the built-in ones.
    #[default]
    Plan,
    /// The built-in templates, whatever the plan says: a county's
    /// templates are untrusted input to the body reviewing it.
    Builtin,
    /// These (a reviewing body's), whatever the plan says.
    Dir(templates::TemplateDir),
}

/// What `dudao render` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReportFormat {
    #[default]
    Pdf,
    /// An editable Word document from the same templates.
    Docx,
}

impl ReportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "pdf",
            ReportFormat::Docx => "docx",
        }
    }

    /// The format a file name asks for.
    pub fn of_path(path: &Path) -> Option<ReportFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "pdf" => Some(ReportFormat::Pdf),
            "docx" => Some(ReportFormat::Docx),
            _ => None,
        }
    }
}

/// One compiled report file, PDF or Word.
struct Compiled {
    bytes: Vec<u8>,
    /// "253 页" for a PDF; Word paginates itself.
    extent: String,
    fonts_used: Vec<crate::render::FontUse>,
    warnings: Vec<String>,
}

/// The templates folder a render uses: the plan's, if it names one, unless
/// `choice` says otherwise.
fn template_dir(
    county: &County,
    choice: &TemplateChoice,
) -> Result<Option<templates::TemplateDir>, Error> {
    match choice {
        TemplateChoice::Plan => plan_template_dir(county),
        TemplateChoice::Builtin => Ok(None),
        TemplateChoice::Dir(d) => Ok(Some(d.clone())),
    }
}

/// The county's templates folder, if the plan names one.
pub fn plan_template_dir(county: &County) -> Result<Option<templates::TemplateDir>, Error> {
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

/// Typst sources of the report, from the plan's templates.
pub fn sources(
    county: &County,
    eval: &Evaluation,
    with_school_pages: bool,
) -> Result<Sources, Error> {
    sources_from(county, eval, with_school_pages, plan_template_dir(county)?)
}

/// Typst sources of the report, from the templates of `dir` (built-in
/// where it has none).
pub fn sources_from(
    county: &County,
    eval: &Evaluation,
    with_school_pages: bool,
    dir: Option<templates::TemplateDir>,
) -> Result<Sources, Error> {
    let ctx = context::build(county, eval, with_school_pages);
    let env = templates::environment(dir.clone());
    // The 整改台账 and 责任清单 as attachments, when the plan asks.
    let r = &county.plan.report;
    let value = if r.ledger || r.units {
        let l = crate::ledger::build(county, eval, None)?;
        let u = crate::units::build(&county.plan, eval, &l);
        let extra = minijinja::context! {
            ledger => Value::from(Serde(&l)),
            unit_list => Value::from(Serde(&u)),
            data_date => l.data_date.clone(),
        };
        // The report's context with the two lists beside it, without
        // copying the context through JSON.
        minijinja::value::merge_maps([extra, Value::from(Serde(&ctx))])
    } else {
        Value::from(Serde(&ctx))
    };
    let main = templates::render(&env, "main.typ.j2", &value)?;
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

fn compile(
    county: &County,
    dir: Option<&templates::TemplateDir>,
    job: &RenderJob,
    fonts: &Arc<FontSet>,
    format: ReportFormat,
) -> Result<Compiled, Error> {
    let done = match format {
        ReportFormat::Pdf => {
            crate::render::render_bounded(job, fonts).map(|r: Rendered| Compiled {
                extent: format!("{} 页", r.document.pages().len()),
                bytes: r.pdf,
                fonts_used: r.fonts_used,
                warnings: r.warnings,
            })
        }
        ReportFormat::Docx => crate::render::render_docx_bounded(job, fonts).map(|r| {
            let tables = r
                .document
                .sections
                .iter()
                .flat_map(|s| &s.blocks)
                .filter(|b| matches!(b, crate::render::docx::model::Block::Table(_)))
                .count();
            Compiled {
                extent: format!("{} 节、{} 个表格", r.document.sections.len(), tables),
                bytes: r.docx,
                fonts_used: Vec::new(),
                warnings: r.warnings,
            }
        }),
    };
    done.map_err(|e| Error::Render(for_template_author(dir, &county.project_dir, &job.main, e)))
}

/// A failed render as whoever edits the templates needs it: the first
/// typst error at the line of the `.j2` file (in `dir` when it holds that
/// file, else the built-in one) that produced it, `dir` shown relative to
/// `base`. Shared by the county report and the 复核报告.
pub fn for_template_author(
    dir: Option<&templates::TemplateDir>,
    base: &Path,
    main: &str,
    e: crate::render::RenderError,
) -> String {
    use crate::render::RenderError;
    use crate::render::diag::TemplateSource;
    match e {
        // Typst cannot say where it was: the files the county changed are
        // where to look.
        RenderError::Stopped(stop) => {
            let edited = edited_templates(dir, base);
            let which = if edited.is_empty() {
                "内置模板".to_string()
            } else {
                edited.join("、")
            };
            format!("{stop}（正在排版由 {which} 生成的报告；{}）", stop.advice())
        }
        // The drafter edits templates, not the generated source.
        RenderError::Compile(diags) => {
            let shown = |name: &str| match dir {
                Some(d) if d.dir.join(name).is_file() => {
                    let rel = d.dir.strip_prefix(base).unwrap_or(&d.dir);
                    rel.join(name).display().to_string()
                }
                _ => format!("内置模板 {name}"),
            };
            let sources: Vec<TemplateSource> = templates::template_names()
                .filter(|name| name.ends_with(".j2"))
                .filter_map(|name| {
                    Some(TemplateSource {
                        shown: shown(name),
                        text: templates::source(name, dir).ok()?,
                    })
                })
                .collect();
            crate::render::diag::for_template_author(&diags, main, &sources, &shown("style.typ"))
        }
        other => other.to_string(),
    }
}

/// The templates of `dir` that differ from the built-in ones, shown
/// relative to `base`: where a runaway compile comes from.
fn edited_templates(dir: Option<&templates::TemplateDir>, base: &Path) -> Vec<String> {
    let Some(d) = dir else {
        return Vec::new();
    };
    let rel = d.dir.strip_prefix(base).unwrap_or(&d.dir);
    templates::BUILTIN
        .iter()
        .filter(|(name, builtin)| {
            d.dir.join(name).is_file()
                && templates::source(name, dir).is_ok_and(|text| text != *builtin)
        })
        .map(|(name, _)| rel.join(name).display().to_string())
        .collect()
}

/// What one render wrote, for the command to tell.
pub struct Done {
    pub out: PathBuf,
    pub format: ReportFormat,
    /// "253 页" or "8 节、624 个表格".
    pub extent: String,
    /// Separate school files and their folder, if any.
    pub school_files: usize,
    pub school_dir: PathBuf,
    pub fonts_used: Vec<crate::render::FontUse>,
    pub warnings: Vec<String>,
    /// Every file the render read (plan, workbooks, templates, project
    /// files): what `dudao watch` watches.
    pub inputs: Vec<PathBuf>,
    /// The templates folder the plan names, used or not (see
    /// [`RenderOptions::templates`]).
    pub plan_templates: Option<String>,
}

/// `dudao render`.
pub fn run(args: &RenderOptions) -> Result<(), Error> {
    let mut clock = Stages::new();
    let fonts = Arc::new(FontSet::new(&args.font_paths, !args.no_system_fonts));
    clock.lap("加载字体");
    let done = render_once(args, &fonts, &mut clock)?;
    eprintln!("已生成报告：{}（{}）", done.out.display(), done.extent);
    if done.school_files > 0 {
        eprintln!(
            "一校一表：{} 个文件，在 {}",
            done.school_files,
            done.school_dir.display()
        );
    }
    match done.format {
        ReportFormat::Pdf => eprintln!(
            "使用字体：{}",
            crate::render::fonts::summary(&done.fonts_used)
        ),
        // Word embeds nothing: it shows the fonts the document names, or
        // its own substitutes where a machine lacks them.
        ReportFormat::Docx => eprintln!(
            "文档指定字体：{}（Word、WPS 打开时使用本机所装字体）",
            crate::render::docx::spec::font_summary()
        ),
    }
    clock.report();
    for w in &done.warnings {
        eprintln!("提醒：{w}");
    }
    Ok(())
}

/// The format asked for: `--format`, else the output's extension, else PDF.
pub fn format_of(args: &RenderOptions) -> Result<ReportFormat, Error> {
    let by_name = args.output.as_deref().and_then(ReportFormat::of_path);
    let format = match (args.format, by_name) {
        (Some(f), Some(n)) if f != n => {
            return Err(Error::Other(format!(
                "输出文件 {} 的扩展名与 --format {} 不一致，请改用 .{} 结尾的文件名或去掉 --format",
                args.output.as_deref().unwrap_or(Path::new("")).display(),
                f.extension(),
                f.extension()
            )));
        }
        (Some(f), _) | (None, Some(f)) => f,
        (None, None) => ReportFormat::Pdf,
    };
    if format == ReportFormat::Docx && (args.pdf_a || args.tagged) {
        return Err(Error::Other(
            "--pdf-a 和 --tagged 只用于 PDF，Word 文档不适用".into(),
        ));
    }
    Ok(format)
}

/// One render, all files written or none: what `dudao render` does once
/// and `dudao watch` on every change. `fonts` are scanned by the caller, so
/// that a watch scans them once.
pub fn render_once(
    args: &RenderOptions,
    fonts: &Arc<FontSet>,
    clock: &mut Stages,
) -> Result<Done, Error> {
    let format = format_of(args)?;
    let county = crate::input::load(&args.plan, &args.schools)?;
    clock.lap("读取数据");
    let access = county.access.clone();
    let ext = format.extension();
    let out = args.output.clone().unwrap_or_else(|| {
        let name = crate::output::file_component(&county.plan.report.title, "自评报告");
        county.project_dir.join(format!("{name}.{ext}"))
    });
    // Refused before the render, so nobody waits for a refusal.
    access.check_output(&out)?;
    let eval = crate::evaluate::evaluate(&county);
    clock.lap("计算指标");
    let mode = args.school_pages.unwrap_or(county.plan.report.school_pages);
    let dir = template_dir(&county, &args.templates)?;
    let src = sources_from(&county, &eval, mode == SchoolPages::Appendix, dir.clone())?;
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
    let job = job(&county, args, src);
    let report = compile(&county, dir.as_ref(), &job, fonts, format)?;
    clock.lap(match format {
        ReportFormat::Pdf => "typst 排版与导出 PDF",
        ReportFormat::Docx => "typst 编译与写出 Word 文档",
    });

    // Separate school files are rendered before anything is written, so a
    // failure leaves no partial output.
    let mut school_files = Vec::new();
    if mode == SchoolPages::Separate {
        let env = templates::environment(dir.clone());
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
            let r = compile(&county, dir.as_ref(), &j, fonts, format)?;
            school_files.push((format!("{name}.{ext}"), r.bytes));
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
        let staged = crate::output::stage_folder(&school_dir, &school_files)?;
        Some(staged.commit()?)
    };
    if let Err(e) = crate::output::write_file(&out, &report.bytes) {
        if let Some(c) = committed {
            c.rollback();
        }
        return Err(e);
    }
    if let Some(c) = committed {
        c.finish();
    }
    clock.lap("写出文件");
    Ok(Done {
        out,
        format,
        extent: report.extent,
        school_files: school_files.len(),
        school_dir,
        fonts_used: report.fonts_used,
        warnings: report.warnings,
        inputs: access.inputs(&[InputKind::Font]),
        plan_templates: county.plan.report.templates.clone(),
    })
}

/// Stage timings for benchmarks, printed when `DUDAO_TIMINGS` is set.
pub struct Stages {
    on: bool,
    last: std::time::Instant,
    laps: Vec<(&'static str, f64)>,
}

impl Default for Stages {
    fn default() -> Self {
        Self::new()
    }
}

impl Stages {
    pub fn new() -> Self {
        Stages {
            on: std::env::var_os("DUDAO_TIMINGS").is_some(),
            last: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }

    pub fn lap(&mut self, stage: &'static str) {
        let now = std::time::Instant::now();
        self.laps.push((stage, (now - self.last).as_secs_f64()));
        self.last = now;
    }

    pub fn report(&self) {
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
    crate::output::write_folder(dir, &all)
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
    crate::output::write_folder(dir, &files)?;
    eprintln!(
        "已把报告模板复制到 {}。在计划文件的 report 一节写上 templates: {} 即可使用。",
        dir.display(),
        dir.display()
    );
    Ok(())
}

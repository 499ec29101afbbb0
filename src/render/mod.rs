//! Render engine: typst sources of a report in, GB/T 9704 PDF out.
//!
//! Other modules generate typst markup (using the functions of
//! `report_templates/style.typ`, served as `/style.typ`) and call [`render`].
//! Everything that makes rendering safe and reproducible lives here: the
//! confined [`world`], the bundled [`fonts`], [`escape`] for data pasted into
//! sources, fixed PDF ids and dates.

pub mod diag;
pub mod docx;
pub mod escape;
pub mod fonts;
pub mod pdf;
// pub mod templates;
pub mod world;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use typst::diag::Warned;
use typst_layout::PagedDocument;

pub use self::diag::{Diagnostic, Location, RenderError};
pub use self::fonts::{FontOrigin, FontRole, FontSet, FontUse};

/// The GB/T 9704 style (`report_templates/style.typ`), served at
/// [`STYLE_PATH`] unless a job supplies its own file there.
pub const STYLE_TYP: &str = include_str!("../../report_templates/style.typ");

/// Virtual path templates import the style from: `#import "/style.typ": *`.
pub const STYLE_PATH: &str = "/style.typ";

/// Everything needed to render one report.
#[derive(Debug, Clone)]
pub struct RenderJob {
    /// Typst source of `/main.typ`.
    pub main: String,
    /// Extra virtual files, keyed by absolute virtual path like `/style.typ`.
    /// They shadow project files of the same path; `/style.typ` defaults to
    /// [`STYLE_TYP`], and a `/main.typ` entry is ignored in favour of `main`.
    pub files: BTreeMap<String, Vec<u8>>,
    /// User files (images, …) are readable only below this directory.
    pub project_root: PathBuf,
    /// The report date: typst's `datetime.today()` and the PDF creation date.
    pub date: chrono::NaiveDate,
    /// `--font-path` directories, searched recursively.
    pub font_paths: Vec<PathBuf>,
    /// Whether to use installed fonts (so the official fonts are found).
    pub system_fonts: bool,
    /// Write PDF/A-2b (for archiving).
    pub pdf_a: bool,
    /// Write a tagged (accessible) PDF.
    ///
    /// Defaults to `false` (see [`RenderJob::DEFAULT_TAGGED`]).
    pub tagged: bool,
    /// PDF title; overrides `set document(title: ..)` unless empty.
    pub title: String,
    /// PDF author (the county's education bureau); overrides
    /// `set document(author: ..)` unless empty.
    pub author: String,
    /// Keep typst's memoisation caches after the compile. A command that
    /// renders and exits sets this: evicting a 350-page report's caches
    /// takes 0.2 s, and the process frees them anyway. Library users that
    /// render repeatedly leave it off so memory stays bounded.
    pub keep_caches: bool,
}

impl RenderJob {
    /// Default for [`RenderJob::tagged`]: off.
    ///
    /// Measured on a 100-page test report (20 chapters of body text and
    /// tables; `measure_tagged_pdf` in `tests/render_layout.rs`): untagged
    /// 173 KB, tagged 760 KB (4.4×; every table cell becomes a structure
    /// element); export 23 ms against 42 ms, both small beside the ~0.75 s
    /// of layout. Size is what matters: reports are mailed and uploaded to
    /// provincial review systems with attachment limits, and read on paper
    /// or on screen, where tags add nothing (text stays searchable and
    /// copyable without them). PDF/A-2b does not require tags. Turn it on
    /// when an accessible PDF is asked for.
    pub const DEFAULT_TAGGED: bool = false;

    /// A job with the defaults: system fonts on, no PDF/A, untagged.
    pub fn new(
        main: impl Into<String>,
        project_root: impl Into<PathBuf>,
        date: chrono::NaiveDate,
    ) -> RenderJob {
        RenderJob {
            main: main.into(),
            files: BTreeMap::new(),
            project_root: project_root.into(),
            date,
            font_paths: Vec::new(),
            system_fonts: true,
            pdf_a: false,
            tagged: RenderJob::DEFAULT_TAGGED,
            title: String::new(),
            author: String::new(),
            keep_caches: false,
        }
    }
}

/// A rendered report.
#[derive(Debug)]
pub struct Rendered {
    /// The PDF file.
    pub pdf: Vec<u8>,
    /// The laid-out pages (for checks on positions and fonts).
    pub document: PagedDocument,
    /// Fonts the document used, for telling the user.
    pub fonts_used: Vec<FontUse>,
    /// Typst warnings that did not fail the render, formatted.
    pub warnings: Vec<String>,
}

/// Renders a job within the limits of [`crate::guard`], building its font
/// set (scanning `font_paths` and, if asked, the system fonts).
pub fn render(job: &RenderJob) -> Result<Rendered, RenderError> {
    let fonts = Arc::new(FontSet::new(&job.font_paths, job.system_fonts));
    let mut rendered = render_bounded(job, &fonts)?;
    // A mistyped --font-path would otherwise silently fall back to the
    // bundled fonts.
    for dir in job.font_paths.iter().filter(|dir| !dir.is_dir()) {
        rendered.warnings.push(format!(
            "警告：字体目录 {} 不存在或不是目录，已忽略",
            dir.display()
        ));
    }
    Ok(rendered)
}

/// The world a job compiles in: its files, the built-in style unless the
/// job brings its own, for the PDF or the Word target.
fn job_world<'a>(
    job: &RenderJob,
    fonts: &'a FontSet,
    target: world::Target,
) -> Result<world::ReportWorld<'a>, RenderError> {
    let mut files = job.files.clone();
    files
        .entry(STYLE_PATH.to_string())
        .or_insert_with(|| STYLE_TYP.as_bytes().to_vec());
    world::ReportWorld::new(
        &job.main,
        &files,
        &job.project_root,
        job.date,
        fonts,
        target,
    )
}

/// Renders a job with an existing font set, so that several reports can
/// share one font scan. `job.font_paths` and `job.system_fonts` are ignored.
pub fn render_with_fonts(job: &RenderJob, fonts: &FontSet) -> Result<Rendered, RenderError> {
    evicting(job, render_inner(job, fonts))
}

/// [`render_with_fonts`] within the limits of [`crate::guard`]: a compile
/// that runs too long or takes too much memory is left behind and
/// [`RenderError::Stopped`] returned. What every command uses, since the
/// sources come from templates a county edits.
pub fn render_bounded(job: &RenderJob, fonts: &Arc<FontSet>) -> Result<Rendered, RenderError> {
    let (j, f) = (job.clone(), fonts.clone());
    settle(job, crate::guard::bounded(move || render_inner(&j, &f)))
}

/// [`render_docx_with_fonts`] within the limits of [`crate::guard`].
pub fn render_docx_bounded(
    job: &RenderJob,
    fonts: &Arc<FontSet>,
) -> Result<RenderedDocx, RenderError> {
    let (j, f) = (job.clone(), fonts.clone());
    settle(
        job,
        crate::guard::bounded(move || render_docx_inner(&j, &f)),
    )
}

fn settle<T>(
    job: &RenderJob,
    ran: Result<Result<T, RenderError>, crate::guard::Stop>,
) -> Result<T, RenderError> {
    match ran {
        Ok(done) => evicting(job, done),
        // The compile left behind may be inside typst's caches: they are
        // not touched.
        Err(stop) => Err(RenderError::Stopped(stop)),
    }
}

fn render_inner(job: &RenderJob, fonts: &FontSet) -> Result<Rendered, RenderError> {
    let world = job_world(job, fonts, world::Target::Pdf)?;
    let options = pdf::options(job)?;

    let Warned { output, warnings } = typst::compile::<PagedDocument>(&world);
    let (font_errors, warnings) = diag::classify_warnings(&world, &warnings);
    let mut document = match output {
        Ok(document) => document,
        Err(errors) => {
            let mut all = diag::convert(&world, &errors);
            all.extend(font_errors);
            return Err(RenderError::Compile(all));
        }
    };
    if !font_errors.is_empty() {
        return Err(RenderError::Compile(font_errors));
    }

    let info = document.info_mut();
    if !job.title.is_empty() {
        info.title = Some(job.title.as_str().into());
    }
    if !job.author.is_empty() {
        info.author = vec![job.author.as_str().into()];
    }

    let pdf = pdf::export(&document, &options)
        .map_err(|errors| RenderError::Pdf(diag::convert(&world, &errors)))?;
    let fonts_used = fonts::fonts_used(&document, fonts);
    Ok(Rendered {
        pdf,
        document,
        fonts_used,
        warnings: warnings.iter().map(|w| w.to_string()).collect(),
    })
}

/// A report rendered as a Word document.
#[derive(Debug)]
pub struct RenderedDocx {
    /// The .docx file.
    pub docx: Vec<u8>,
    /// What was written, for checks.
    pub document: docx::model::Document,
    /// Typst warnings that did not fail the render, formatted.
    pub warnings: Vec<String>,
}

/// Renders a job as a .docx: the same sources compiled for typst's HTML
/// target with `dudao-format=docx`, then written as WordprocessingML.
pub fn render_docx_with_fonts(
    job: &RenderJob,
    fonts: &FontSet,
) -> Result<RenderedDocx, RenderError> {
    evicting(job, render_docx_inner(job, fonts))
}

/// Typst memoises across compilations in global caches; they are dropped
/// unless the caller is about to exit anyway (or, like `dudao watch`,
/// wants them). Not once a thread is parked over the memory cap: it may
/// hold the caches' lock.
fn evicting<T>(job: &RenderJob, result: T) -> T {
    if !job.keep_caches && !crate::guard::tripped() {
        typst::comemo::evict(0);
    }
    result
}

fn render_docx_inner(job: &RenderJob, fonts: &FontSet) -> Result<RenderedDocx, RenderError> {
    let world = job_world(job, fonts, world::Target::Docx)?;
    let Warned { output, warnings } = typst::compile::<typst_html::HtmlDocument>(&world);
    let (font_errors, warnings) = diag::classify_warnings(&world, &warnings);
    let html = output.map_err(|errors| RenderError::Compile(diag::convert(&world, &errors)))?;
    drop(font_errors); // fonts are Word's business in a .docx
    let title = if job.title.is_empty() {
        use typst::model::Document as _;
        html.info().title.as_deref().unwrap_or("").to_string()
    } else {
        job.title.clone()
    };
    let (bytes, document) = docx::from_html(&html, &title, &job.author, job.date)
        .map_err(|e| RenderError::Docx(e.to_string()))?;
    Ok(RenderedDocx {
        docx: bytes,
        document,
        warnings: warnings
            .iter()
            .map(|w| w.to_string())
            // typst's notice that its HTML export is experimental: our use
            // of it is pinned and tested.
            .filter(|w| !w.contains("html export is under active development"))
            .collect(),
    })
}

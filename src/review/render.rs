//! The 复核报告 PDF: `report_templates/review.typ.j2` (and its
//! `review-*.typ.j2` includes) rendered with minijinja from
//! [`super::context`], then compiled by the embedded typst through
//! [`crate::render`], as the county report is. The templates use only the
//! style's functions, so the same ones can give a Word document later.

use super::Review;
use super::config::Loaded;
use crate::error::Error;
use crate::render::{FontSet, RenderJob};
use crate::report::templates::TemplateDir;
use minijinja::value::{Serde, Value};

/// The PDF's file name in the packet.
pub const PDF_FILE: &str = "复核报告.pdf";

/// REVIEW.yaml's templates folder, readable and nothing outside it.
fn template_dir(cfg: &Loaded) -> Result<Option<TemplateDir>, Error> {
    let Some(t) = &cfg.config.templates else {
        return Ok(None);
    };
    let dir = cfg.resolve(&t.value);
    if !dir.is_dir() {
        return Err(Error::Yaml {
            at: cfg.at(t),
            message: format!("模板文件夹“{}”不存在", t.value),
        });
    }
    Ok(Some(TemplateDir {
        access: std::sync::Arc::new(crate::access::Access::for_root(&dir)),
        dir,
    }))
}

/// The typst source of the 复核报告, with the built-in templates or those
/// of `dir`.
pub fn source(
    review: &Review,
    date: chrono::NaiveDate,
    dir: Option<TemplateDir>,
) -> Result<String, Error> {
    let ctx = super::context::build(review, date);
    let env = crate::report::templates::environment(dir);
    crate::report::templates::render(&env, "review.typ.j2", &Value::from(Serde(&ctx)))
}

/// The 复核报告 as PDF bytes.
pub fn pdf(cfg: &Loaded, review: &Review, fonts: &FontSet) -> Result<Vec<u8>, Error> {
    let date = cfg.config.date.0;
    let dir = template_dir(cfg)?;
    let style = crate::report::templates::source("style.typ", dir.as_ref())?;
    let main = source(review, date, dir.clone())?;
    let mut job = RenderJob::new(main, &cfg.dir, date);
    job.files
        .insert(crate::render::STYLE_PATH.to_string(), style.into_bytes());
    // The PDF's title and author are the template's (`gbt-doc`). The
    // command exits after its renders; `county_reports` evicts per report.
    job.keep_caches = true;
    // A reviewing body that edits its templates is told the line of its
    // own file, as a county is.
    let done = crate::render::render_with_fonts(&job, fonts).map_err(|e| {
        match crate::report::for_template_author(dir.as_ref(), &cfg.dir, &job.main, e) {
            Error::Render(m) => Error::Render(format!("复核报告排版失败：{m}")),
            other => other,
        }
    })?;
    Ok(done.pdf)
}

/// At most this many county reports are laid out at once: each holds a
/// few hundred MB while typst lays it out.
const REPORTS_AT_ONCE: usize = 2;

/// `--with-reports`: each complete county's own full report, as `dudao
/// render` makes it from the county's plan (its 一校一表 in the appendix,
/// in a folder beside the report or left out, as the plan says), written
/// into `dir`, each its own document, never one giant one.
/// Returns how many were written.
///
/// The reports are rendered by plain worker threads, not a rayon
/// `par_iter`: typst itself uses rayon, and a rayon worker waiting inside
/// one report steals the next county's, so reports piled up in memory (13
/// GB for 100 counties). Plain threads take the next county only when
/// their report is done.
pub fn county_reports(
    cfg: &Loaded,
    review: &Review,
    dir: &std::path::Path,
    fonts: &FontSet,
    progress: bool,
) -> Result<usize, Error> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let todo: Vec<(&super::config::CountyEntry, &super::CountyReview)> = cfg
        .config
        .counties
        .iter()
        .zip(&review.counties)
        .filter(|(_, c)| c.complete)
        .collect();
    let stems: Vec<String> = todo
        .iter()
        .map(|(_, c)| crate::output::file_component(&format!("{}自评报告", c.county), "自评报告"))
        .collect();
    let names = crate::output::distinct_names(&stems);
    let bar = super::progress_bar(todo.len(), progress, "自评报告");
    let next = AtomicUsize::new(0);
    let render = |k: usize| {
        let (e, c) = todo[k];
        let args = crate::report::RenderOptions {
            plan: cfg.resolve(&e.plan.value),
            output: Some(dir.join(format!("{}.pdf", names[k]))),
            ..Default::default()
        };
        let mut clock = crate::report::Stages::new();
        let r = crate::report::render_once(&args, fonts, &mut clock)
            .map(|_| ())
            .map_err(|err| Error::Other(format!("【{}】自评报告生成失败：{err}", c.county)));
        // `render_once` keeps typst's caches for a one-shot command; a
        // hundred reports would keep them all.
        typst::comemo::evict(0);
        bar.inc(1);
        r
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, REPORTS_AT_ONCE);
    let mut errors: Vec<(usize, Error)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut failed = Vec::new();
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= todo.len() {
                            break failed;
                        }
                        if let Err(e) = render(k) {
                            failed.push((k, e));
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    bar.finish_and_clear();
    if errors.is_empty() {
        return Ok(names.len());
    }
    // In REVIEW.yaml order, whichever thread met them.
    errors.sort_by_key(|(k, _)| *k);
    Err(Error::Many(errors.into_iter().map(|(_, e)| e).collect()))
}

//! The 复核报告 PDF: `report_templates/review.typ.j2` (and its
//! `review-*.typ.j2` includes) rendered with minijinja from
//! [`super::context`], then compiled by the embedded typst through
//! [`crate::render`], as the county report is. The templates use only the
//! style's functions, so the same ones can give a Word document later.

use super::Review;
use super::config::Loaded;
use crate::error::Error;
use crate::render::{FontSet, RenderJob};
use minijinja::value::{Serde, Value};

/// The PDF's file name in the packet.
pub const PDF_FILE: &str = "复核报告.pdf";

/// The typst source of the 复核报告.
pub fn source(review: &Review, date: chrono::NaiveDate) -> Result<String, Error> {
    let ctx = super::context::build(review, date);
    let env = crate::report::templates::environment(None);
    crate::report::templates::render(&env, "review.typ.j2", &Value::from(Serde(&ctx)))
}

/// The 复核报告 as PDF bytes.
pub fn pdf(cfg: &Loaded, review: &Review, fonts: &FontSet) -> Result<Vec<u8>, Error> {
    let date = cfg.config.date.0;
    let main = source(review, date)?;
    let mut job = RenderJob::new(main, &cfg.dir, date);
    job.title = format!("{}{}报告", review.body, review.level);
    job.author = review.body.clone();
    let done = crate::render::render_with_fonts(&job, fonts)
        .map_err(|e| Error::Render(format!("复核报告排版失败：{e}")))?;
    Ok(done.pdf)
}

/// `--with-reports`: each complete county's own full report (as `dudao
/// render` makes it, 一校一表 as its appendix so the packet stays one flat
/// folder) written into `dir`, two at a time on two cores and never as one
/// document, so memory stays that of the reports being laid out. Returns
/// how many were written.
pub fn county_reports(
    cfg: &Loaded,
    review: &Review,
    dir: &std::path::Path,
    fonts: &FontSet,
    progress: bool,
) -> Result<usize, Error> {
    use rayon::prelude::*;
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
    let done: Vec<Result<(), Error>> = todo
        .par_iter()
        .zip(&names)
        .map(|((e, c), name)| {
            let args = crate::report::RenderOptions {
                plan: cfg.resolve(&e.plan.value),
                output: Some(dir.join(format!("{name}.pdf"))),
                school_pages: Some(crate::input::plan::SchoolPages::Appendix),
                ..Default::default()
            };
            let mut clock = crate::report::Stages::new();
            let r = crate::report::render_once(&args, fonts, &mut clock)
                .map(|_| ())
                .map_err(|err| Error::Other(format!("【{}】自评报告生成失败：{err}", c.county)));
            // `render_once` keeps typst's caches for a one-shot command;
            // a hundred reports would keep them all.
            typst::comemo::evict(0);
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    let errors: Vec<Error> = done.into_iter().filter_map(Result::err).collect();
    if errors.is_empty() {
        Ok(names.len())
    } else {
        Err(Error::Many(errors))
    }
}

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

//! The 复核报告 PDF: `report_templates/review.typ.j2` (and its
//! `review-*.typ.j2` includes) rendered with minijinja from
//! [`super::context`], then compiled by the embedded typst through
//! [`crate::render`], as the county report is. The templates use only the
//! style's functions, so the same ones can give a Word document later.

use super::Review;
use super::config::{Loaded, ReportTemplates};
use crate::error::Error;
use crate::render::{FontSet, RenderJob};
use crate::report::TemplateChoice;
use crate::report::templates::TemplateDir;
use minijinja::value::{Serde, Value};
use std::sync::Arc;

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
pub fn pdf(cfg: &Loaded, review: &Review, fonts: &Arc<FontSet>) -> Result<Vec<u8>, Error> {
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
    let done = crate::render::render_bounded(&job, fonts).map_err(|e| {
        let m = crate::report::for_template_author(dir.as_ref(), &cfg.dir, &job.main, e);
        Error::Render(format!("复核报告排版失败：{m}"))
    })?;
    Ok(done.pdf)
}

/// At most this many county reports are laid out at once.
const REPORTS_AT_ONCE: usize = 2;

/// School-学段 rows of the reports laid out at once, a second report
/// waiting while it would go over. Typst holds about 2 MB per row while it
/// lays a report out (a 400-row county's report peaks at 870 MB, a 284-row
/// one at 650 MB), so two large counties side by side went past 1.8 GB; a
/// report bigger than this still runs, alone.
const ROWS_AT_ONCE: usize = 420;

/// Hands out the reports in order, two at a time while their rows stay
/// within [`ROWS_AT_ONCE`]. (Letting a later, smaller county go first when
/// the next does not fit was 12% faster but paired large counties with
/// others more often: 1.57 GB for the 100 counties, against 1.42 GB in
/// order.)
struct Budget {
    /// The next report to hand out, and the rows being laid out.
    state: std::sync::Mutex<(usize, usize)>,
    freed: std::sync::Condvar,
}

impl Budget {
    fn new() -> Budget {
        Budget {
            state: std::sync::Mutex::new((0, 0)),
            freed: std::sync::Condvar::new(),
        }
    }

    /// The next report to lay out, once there is room for it; `None` when
    /// all are taken.
    fn take(&self, rows: &[usize]) -> Option<usize> {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let (next, busy) = *st;
            if next >= rows.len() {
                return None;
            }
            if busy == 0 || busy + rows[next] <= ROWS_AT_ONCE {
                *st = (next + 1, busy + rows[next]);
                return Some(next);
            }
            st = self.freed.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn done(&self, rows: usize) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.1 -= rows;
        self.freed.notify_all();
    }
}

/// Typst's caches dropped, and the memory they held given back to the
/// system. glibc keeps freed memory in the arena of the thread that
/// allocated it, and each report is laid out on other threads than the
/// last, so without the trim the process kept every arena's high-water
/// mark: 1.7 GB for 100 counties where two reports need about 1.2 GB.
fn release_caches() {
    // A thread parked over the memory cap may hold the caches' lock.
    if crate::guard::tripped() {
        return;
    }
    typst::comemo::evict(0);
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system; it is
    // safe to call at any time from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// `--with-reports`: each complete county's own full report, as `dudao
/// render` makes it from the county's plan (its 一校一表 in the appendix,
/// in a folder beside the report or left out, as the plan says), written
/// into `dir`, each its own document, never one giant one.
/// Returns how many were written.
///
/// A county's templates are input from the county under review: each
/// report is laid out with the built-in templates, or the reviewing
/// body's, unless REVIEW.yaml's `report_templates: county` says to run
/// the counties' own; the run says which ([`which_templates`]).
///
/// The reports are rendered by plain worker threads, not a rayon
/// `par_iter`: typst itself uses rayon, and a rayon worker waiting inside
/// one report steals the next county's, so reports piled up in memory (13
/// GB for 100 counties). Plain threads take the next county only when
/// their report is done and the [`Budget`] has room for it.
pub fn county_reports(
    cfg: &Loaded,
    review: &Review,
    dir: &std::path::Path,
    fonts: &Arc<FontSet>,
    progress: bool,
) -> Result<usize, Error> {
    let choice = cfg
        .config
        .report_templates
        .as_ref()
        .map_or(ReportTemplates::Builtin, |t| t.value);
    let templates = match choice {
        ReportTemplates::Builtin => TemplateChoice::Builtin,
        ReportTemplates::County => TemplateChoice::Plan,
        // `check` made sure the folder is named.
        ReportTemplates::Review => {
            template_dir(cfg)?.map_or(TemplateChoice::Builtin, TemplateChoice::Dir)
        }
    };
    // The 复核报告 laid out just before keeps its caches (most of the
    // packet's memory) for nothing now: without this the first two
    // reports were laid out on top of them.
    release_caches();
    // Each complete county with its school-学段 rows, the measure of its
    // report's memory.
    let todo: Vec<(&super::config::CountyEntry, &super::CountyReview, usize)> = cfg
        .config
        .counties
        .iter()
        .zip(&review.counties)
        .zip(&review.evaluations)
        .filter(|((_, c), _)| c.complete)
        .map(|((e, c), ev)| (e, c, ev.as_ref().map_or(0, |ev| ev.schools.len())))
        .collect();
    let rows: Vec<usize> = todo.iter().map(|t| t.2).collect();
    let stems: Vec<String> = todo
        .iter()
        .map(|(_, c, _)| {
            crate::output::file_component(&format!("{}自评报告", c.county), "自评报告")
        })
        .collect();
    let names = crate::output::distinct_names(&stems);
    let bar = super::progress_bar(todo.len(), progress, "自评报告");
    let budget = Budget::new();
    let render = |k: usize| {
        let (e, c, _) = todo[k];
        let args = crate::report::RenderOptions {
            plan: cfg.resolve(&e.plan.value),
            output: Some(dir.join(format!("{}.pdf", names[k]))),
            templates: templates.clone(),
            ..Default::default()
        };
        let mut clock = crate::report::Stages::new();
        let r = crate::report::render_once(&args, fonts, &mut clock)
            .map(|done| (c.county.clone(), done.plan_templates))
            .map_err(|err| Error::Other(format!("【{}】自评报告生成失败：{err}", c.county)));
        // `render_once` keeps typst's caches for a one-shot command; a
        // hundred reports would keep them all.
        release_caches();
        bar.inc(1);
        r
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, REPORTS_AT_ONCE);
    type Outcome = (usize, Result<(String, Option<String>), Error>);
    let mut outcomes: Vec<Outcome> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    while let Some(k) = budget.take(&rows) {
                        let r = render(k);
                        budget.done(rows[k]);
                        done.push((k, r));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    bar.finish_and_clear();
    // In REVIEW.yaml order, whichever thread met them.
    outcomes.sort_by_key(|(k, _)| *k);
    let mut rendered = Vec::new();
    let mut errors = Vec::new();
    for (_, r) in outcomes {
        match r {
            Ok(done) => rendered.push(done),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        eprint!("{}", which_templates(choice, cfg, &rendered));
        return Ok(names.len());
    }
    Err(Error::Many(errors))
}

/// Which templates laid out the counties' reports, as the run tells it:
/// one line for all, and one for each county whose plan names its own
/// templates, saying whether they were used.
fn which_templates(
    choice: ReportTemplates,
    cfg: &Loaded,
    rendered: &[(String, Option<String>)],
) -> String {
    let mut s = match (choice, &cfg.config.templates) {
        (ReportTemplates::Review, Some(t)) => {
            format!("各县自评报告使用复核单位的模板（{}）\n", t.value)
        }
        _ => format!("各县自评报告使用{}\n", choice.zh()),
    };
    for (county, own) in rendered {
        let Some(own) = own else { continue };
        if choice == ReportTemplates::County {
            s.push_str(&format!("【{county}】使用本县的模板（{own}）\n"));
        } else {
            s.push_str(&format!(
                "【{county}】计划文件指定的模板（{own}）未使用：被复核县的模板须在 REVIEW.yaml 写 report_templates: county 才会运行\n"
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_taken_in_order_while_their_rows_fit() {
        let rows = [300, 200, 100, 500];
        let b = Budget::new();
        assert_eq!(b.take(&rows), Some(0));
        // 300 + 200 rows would be over the budget: the second waits …
        assert_eq!(*b.state.lock().unwrap(), (1, 300));
        b.done(300);
        // … and goes once the first is done, the third beside it.
        assert_eq!(b.take(&rows), Some(1));
        assert_eq!(b.take(&rows), Some(2));
        b.done(200);
        b.done(100);
        // A report over the budget runs alone.
        assert_eq!(b.take(&rows), Some(3));
        b.done(500);
        assert_eq!(b.take(&rows), None);
    }

    #[test]
    fn a_waiting_report_starts_when_the_other_finishes() {
        let rows = [400, 400];
        let b = Budget::new();
        assert_eq!(b.take(&rows), Some(0));
        std::thread::scope(|s| {
            let second = s.spawn(|| b.take(&rows));
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert!(!second.is_finished(), "two 400-row reports at once");
            b.done(400);
            assert_eq!(second.join().unwrap(), Some(1));
        });
    }
}

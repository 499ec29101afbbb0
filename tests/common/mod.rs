//! Reading laid-out typst frames the way a reviewer reads a page: text runs
//! in page coordinates, grouped into lines. Shared by the layout tests.
#![allow(dead_code)]

use dudao::render::{FontSet, RenderJob, Rendered, render_with_fonts};
use std::path::{Path, PathBuf};
use typst::layout::{Abs, Frame, FrameItem, Point, Transform};
use typst::text::{FontInstance, FontWeight};

/// Points per millimetre.
pub const PT_PER_MM: f64 = 72.0 / 25.4;
pub const BODY: f64 = 16.0;

pub fn mm(v: f64) -> f64 {
    v * PT_PER_MM
}

/// One shaped text run, in page coordinates (points).
#[derive(Debug, Clone)]
pub struct Run {
    /// Start of the baseline.
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub size: f64,
    pub font: FontInstance,
    pub text: String,
    /// Rotation in quarter turns clockwise (landscape page numbers are
    /// turned by one).
    pub turns: i32,
}

impl Run {
    pub fn family(&self) -> &str {
        &self.font.font().info().family
    }

    pub fn weight(&self) -> FontWeight {
        self.font.font().info().variant.weight
    }

    /// Height of the em dash stroke centre above the baseline, from the
    /// glyph outline of the run's font.
    pub fn dash_centre(&self) -> f64 {
        let ttf = self.font.ttf();
        let gid = ttf.glyph_index('—').expect("font has an em dash");
        let bbox = ttf.glyph_bounding_box(gid).expect("em dash has an outline");
        let centre = (f64::from(bbox.y_min) + f64::from(bbox.y_max)) / 2.0;
        centre / f64::from(ttf.units_per_em()) * self.size
    }

    pub fn cjk_count(&self) -> usize {
        self.text.chars().filter(|&c| is_cjk(c)).count()
    }
}

pub fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

pub fn runs(frame: &Frame) -> Vec<Run> {
    let mut out = Vec::new();
    collect(frame, Transform::identity(), &mut out);
    out
}

pub fn collect(frame: &Frame, ts: Transform, out: &mut Vec<Run>) {
    for (pos, item) in frame.items() {
        match item {
            FrameItem::Group(group) => {
                let inner = ts
                    .pre_concat(Transform::translate(pos.x, pos.y))
                    .pre_concat(group.transform);
                collect(&group.frame, inner, out);
            }
            FrameItem::Text(text) => {
                let p = pos.transform(ts);
                let linear = Transform {
                    tx: Abs::zero(),
                    ty: Abs::zero(),
                    ..ts
                };
                let dir = Point::new(Abs::pt(1.0), Abs::zero()).transform(linear);
                let turns = if dir.x.to_pt() > 0.5 {
                    0
                } else if dir.y.to_pt() > 0.5 {
                    1
                } else if dir.x.to_pt() < -0.5 {
                    2
                } else {
                    3
                };
                out.push(Run {
                    x: p.x.to_pt(),
                    y: p.y.to_pt(),
                    width: text.width().to_pt(),
                    size: text.size.to_pt(),
                    font: text.font.clone(),
                    text: text.text.to_string(),
                    turns,
                });
            }
            _ => {}
        }
    }
}

/// Upright runs of one size grouped into lines by baseline, top to bottom.
pub fn lines(runs: &[Run], size: f64) -> Vec<Vec<Run>> {
    let mut lines: Vec<Vec<Run>> = Vec::new();
    let mut sorted: Vec<&Run> = runs
        .iter()
        .filter(|r| r.turns == 0 && (r.size - size).abs() < 0.01)
        .collect();
    sorted.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    for run in sorted {
        match lines.last_mut() {
            Some(line) if (line[0].y - run.y).abs() < 0.5 => line.push(run.clone()),
            _ => lines.push(vec![run.clone()]),
        }
    }
    lines
}

pub fn line_text(line: &[Run]) -> String {
    line.iter().map(|r| r.text.as_str()).collect()
}

pub fn assert_near(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: {:.2} mm, expected {:.2} mm ± {:.2}",
        actual / PT_PER_MM,
        expected / PT_PER_MM,
        tolerance / PT_PER_MM
    );
}

/// A plan rendered through the library as `dudao render` does, with the
/// bundled fonts only (so every machine lays it out alike): the job, to
/// re-render variants, and the laid-out document.
pub fn render_plan(plan: &Path, schools: &[PathBuf], school_pages: bool) -> (RenderJob, Rendered) {
    let county = dudao::input::load(plan, schools).expect("plan loads");
    let eval = dudao::evaluate::evaluate(&county);
    let src = dudao::report::sources(&county, &eval, school_pages).expect("templates render");
    let mut job = RenderJob::new(
        src.main,
        &county.project_dir,
        county.plan.report.date.value.0,
    );
    job.files = src.files;
    job.system_fonts = false;
    let r = render_with_fonts(&job, &FontSet::embedded_only()).expect("report compiles");
    (job, r)
}

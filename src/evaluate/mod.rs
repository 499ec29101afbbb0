//! Evaluation stage: every indicator, exactly as the national method does.
//! The result is one serializable [`Evaluation`]; the JSON, the reviewer's
//! workbook, the terminal tables and the report templates all read it and
//! compute nothing themselves.

pub mod county;
pub mod cv;
pub mod funding;
pub mod gaps;
pub mod previous;
pub mod readback;
pub mod resource;
pub mod standards;
pub mod targets;

use crate::model::{County, Section, SkippedRow, Warning};
use crate::profile::ResourceIndicator;
use crate::source::CellRef;
use serde::Serialize;
use std::collections::BTreeMap;

/// The whole evaluation of one county. Its JSON form is a documented,
/// stable contract (see `docs/evaluation-json.md`).
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// Contract version of this structure.
    pub version: u32,
    pub county: String,
    pub profile: String,
    /// The standards actually applied: the profile and the plan's changes.
    pub standards: standards::Standards,
    pub report_date: String,
    pub overview: Overview,
    pub resource: ResourceResult,
    /// Every school-学段 row, counted or not, in workbook order.
    pub schools: Vec<SchoolResult>,
    pub guarantee: Vec<IndicatorResult>,
    pub quality: Vec<IndicatorResult>,
    pub recognition: Recognition,
    pub vetoes: Vec<Veto>,
    pub gaps: gaps::Gaps,
    pub targets: Vec<targets::TargetResult>,
    /// 两个只增不减、三个增长 from the plan's 教育经费 by year.
    pub funding: funding::Funding,
    pub verdict: Verdict,
    pub skipped: Vec<SkippedRow>,
    pub warnings: Vec<Warning>,
    /// This year against last, when the plan names last year's data.
    pub previous: Option<previous::Comparison>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResourceResult {
    pub primary: SectionResult,
    pub junior: SectionResult,
    pub min_met: u32,
    pub floor_ratio: f64,
    /// How whole-school resources were apportioned, as one sentence.
    pub apportion_rule: String,
    /// The same rule as facts, for the report's scope statement.
    pub apportion: Apportion,
}

/// How shared whole-school resources were split between 部.
#[derive(Debug, Clone, Serialize)]
pub struct Apportion {
    /// `exact`: students × factor ÷ total; `rounded`: that share rounded
    /// to `rounded` decimals first.
    pub method: String,
    /// `小学∶初中∶高中＝1∶1.1∶1.32，完全中学初中∶高中＝1∶1.2` (the ratio
    /// sign and no spaces, as Chinese text writes a ratio)
    pub ratio: String,
    pub rounded: Option<u8>,
}

impl ResourceResult {
    pub fn section(&self, s: Section) -> &SectionResult {
        match s {
            Section::Primary => &self.primary,
            Section::Junior => &self.junior,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionResult {
    /// Rows counted in the assessment.
    pub schools: usize,
    pub students: f64,
    pub schools_passing: usize,
    pub all_pass: bool,
    pub cv_all_ok: bool,
    pub indicators: BTreeMap<ResourceIndicator, SectionIndicator>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionIndicator {
    pub name: String,
    pub unit: String,
    pub decimals: u8,
    pub standard: f64,
    /// The profile's standard where the plan changed it (`L6.primary`).
    pub base_standard: Option<f64>,
    /// 85% of the standard.
    pub floor: f64,
    /// Weighted county mean (= the county aggregate ratio), unrounded.
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub cv: Option<f64>,
    pub cv_limit: f64,
    /// The profile's limit where the plan changed it.
    pub base_cv_limit: Option<f64>,
    pub cv_ok: bool,
    pub schools_met: usize,
    /// Counted rows without the data for this indicator.
    pub schools_missing: usize,
    /// Where the CV is over its limit: the schools adding most variance.
    pub contributors: Vec<CvContribution>,
    /// The rows the CV was computed from, in workbook order: the 差异系数
    /// 计算表 prints these, so its sums are the evaluation's own.
    pub points: Vec<CvPoint>,
}

/// One school-学段 row entering a CV: Pᵢ and Xᵢ as the CV used them.
#[derive(Debug, Clone, Serialize)]
pub struct CvPoint {
    /// Index into `Evaluation::schools`.
    pub school: usize,
    /// Pᵢ, the row's students.
    pub students: f64,
    /// Xᵢ, the row's indicator value.
    pub value: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CvContribution {
    pub name: String,
    pub value: f64,
    /// Share of the weighted variance, 0–1.
    pub share: f64,
    pub direction: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetStatus {
    /// At or above the standard.
    Met,
    /// Below the standard but at least 85% of it.
    Floor,
    /// Under 85% of the standard.
    Below,
    /// No data.
    Missing,
}

/// A cell behind a computed value.
#[derive(Debug, Clone, Serialize)]
pub struct InputRef {
    pub label: String,
    pub value: f64,
    pub at: CellRef,
}

impl InputRef {
    pub fn new(label: &str, value: f64, at: &CellRef) -> Self {
        InputRef {
            label: label.to_string(),
            value,
            at: at.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SchoolResult {
    pub name: String,
    pub section: Section,
    pub school_type: String,
    pub ownership: String,
    pub locality: Option<String>,
    pub township: Option<String>,
    /// Counted in the resource assessment.
    pub included: bool,
    /// Why not, when not.
    pub exclusion: Option<String>,
    pub students: f64,
    pub classes: Option<f64>,
    pub teachers: Option<f64>,
    /// L1–L7, unrounded; null where the data is missing.
    pub values: BTreeMap<ResourceIndicator, Option<f64>>,
    pub status: BTreeMap<ResourceIndicator, MetStatus>,
    pub met_count: u32,
    /// ≥6 of 7 met and the rest ≥85%.
    pub passes: bool,
    /// Notes on whole-school figures apportioned to this row.
    pub apportioned: Vec<String>,
    /// This row's share of the whole-school figures it was given (the same
    /// for every shared measure of the row): the workbook's formulas use it.
    /// Not in the JSON contract.
    #[serde(skip)]
    pub share: Option<f64>,
    /// The cells each value was computed from.
    pub inputs: BTreeMap<ResourceIndicator, Vec<InputRef>>,
    pub at: CellRef,
    /// What it must add to pass (failing rows only).
    pub gap: Option<gaps::SchoolGap>,
    /// The school-level 政府保障程度 items (G3 rooms, G4 size, G5 class
    /// size, G12 certification) judged for this school alone, so its page
    /// never calls it 达标 while it fails one. Empty for rows not counted.
    pub items: Vec<SchoolItem>,
}

/// One school-level check of a G indicator, by the same rule and the same
/// applied threshold as the county figure.
#[derive(Debug, Clone, Serialize)]
pub struct SchoolItem {
    /// `G3`, `G4`, `G5`, `G12`.
    pub id: String,
    /// What is checked: `music_rooms`, `art_rooms`, `music_room_area`,
    /// `art_room_area`, `size`, `class_size`, `certified`.
    pub key: String,
    /// The profile criterion applied (`through_train` for a 一贯制 school's
    /// size, `primary`/`junior` for class size …).
    pub criterion: String,
    /// The school's figure; null where the workbook lacks it.
    pub value: Option<f64>,
    pub unit: String,
    pub op: crate::profile::Op,
    /// Null where it cannot be derived (rooms needed without a class count).
    pub threshold: Option<f64>,
    pub met: Option<bool>,
    /// Judged for the whole school (G3, G4 of a school with several 部).
    pub whole_school: bool,
    /// G5 from the mean class size: the workbook gives no 最大班额.
    pub estimated: bool,
    /// The figures behind `value` and `threshold`: `classes` and `per`
    /// (classes per room) for rooms, `area` and `rooms` for the mean room
    /// area, `certified` and `teachers` for the certification rate.
    pub basis: BTreeMap<String, f64>,
}

/// A G, Q or S indicator, evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorResult {
    pub id: String,
    pub name: String,
    /// `schools` (computed from the workbooks) or `plan` (county figures).
    pub source: String,
    pub criteria: Vec<CriterionResult>,
    /// None: no data to decide.
    pub met: Option<bool>,
    pub evidence: Option<String>,
    /// What was found, for a yes/no item given in the plan (`figures.G1.finding`).
    pub finding: Option<String>,
    /// Schools that fall short, for indicators computed per school.
    pub failing: Vec<String>,
}

impl IndicatorResult {
    /// How criterion `c` is named in a table row: a single-criterion
    /// indicator reads best under its own name (Q3's criterion is just
    /// “是否达到”). Shared by the terminal table and the report.
    pub fn criterion_label(&self, c: &CriterionResult) -> String {
        if self.criteria.len() == 1 {
            self.name.clone()
        } else {
            c.label.clone()
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CriterionResult {
    pub key: String,
    pub label: String,
    /// The standard as printed: `≥95%`; one the plan changed is marked
    /// `≥96%（本县方案标准，国家标准为95%）`.
    pub standard: String,
    pub threshold: Option<f64>,
    /// The profile's own threshold where the plan changed it, else null.
    pub base_threshold: Option<f64>,
    /// The standard in words for prose: `不低于96%（本县方案标准，国家标准为95%）`;
    /// empty for a yes/no item.
    pub standard_words: String,
    pub value: Option<f64>,
    /// The actual figure as printed: `96.3%`, `是`, `118/120 所达标`.
    pub actual: String,
    pub met: Option<bool>,
    /// 缺口数 as printed; empty when met.
    pub gap: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recognition {
    pub indicator: IndicatorResult,
    pub groups: Vec<SurveyGroupResult>,
    pub total_sample: u32,
    /// Weighted satisfaction, percent.
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SurveyGroupResult {
    pub group: String,
    pub sample: u32,
    pub satisfied: u32,
    pub rate: f64,
    pub weight: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Veto {
    pub name: String,
    /// None: the plan does not say.
    pub occurred: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// Schools (not rows) by type, in a fixed order.
    pub schools_by_type: Vec<(String, usize)>,
    pub schools_total: usize,
    pub sections: BTreeMap<Section, SectionOverview>,
    pub townships: usize,
    pub excluded: Vec<Excluded>,
    pub apportioned_schools: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionOverview {
    /// All rows of this 学段, counted or not.
    pub rows: usize,
    pub students: f64,
    pub classes: f64,
    pub teachers: f64,
    pub included_rows: usize,
    pub included_students: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Excluded {
    pub name: String,
    pub section: Section,
    pub students: f64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub resource: bool,
    pub guarantee: bool,
    pub quality: bool,
    pub recognition: bool,
    /// No 一票否决 item occurred.
    pub no_veto: bool,
    pub overall: bool,
    /// One sentence for the report and the terminal.
    pub summary: String,
}

pub const JSON_VERSION: u32 = 2;

/// Evaluate a checked county.
pub fn evaluate(county: &County) -> Evaluation {
    let p = &county.profile;
    let mut schools = resource::school_results(county);
    let primary = resource::section_result(Section::Primary, &schools, p);
    let junior = resource::section_result(Section::Junior, &schools, p);
    let ratio = format!(
        "小学∶初中∶高中＝{}∶{}∶{}，完全中学初中∶高中＝{}∶{}",
        crate::profile::fmt_number(p.apportion.primary),
        crate::profile::fmt_number(p.apportion.junior),
        crate::profile::fmt_number(p.apportion.high),
        crate::profile::fmt_number(p.apportion.complete_junior),
        crate::profile::fmt_number(p.apportion.complete_high),
    );
    let method = match p.apportion.round_share {
        None => "分摊比例为各部加权学生数（学生数×系数）占全校加权学生数之比，不取整".to_string(),
        Some(d) => format!("分摊比例先四舍五入到{d}位小数，再乘全校数"),
    };
    let resource = ResourceResult {
        primary,
        junior,
        min_met: p.resource.min_met,
        floor_ratio: p.resource.floor_ratio,
        apportion_rule: format!(
            "一贯制学校、完全中学只有全校数的共用资源（校舍面积、仪器设备、专用教室等），按加权学生数分摊：{ratio}，{method}；教师不分摊，按学段填报"
        ),
        apportion: Apportion {
            method: if p.apportion.round_share.is_some() {
                "rounded"
            } else {
                "exact"
            }
            .into(),
            ratio,
            rounded: p.apportion.round_share,
        },
    };
    let gaps = gaps::gaps(county, &mut schools, &resource);
    county::school_items(county, &mut schools);
    let standards = standards::standards(p);
    let mut guarantee = county::indicators(county, crate::profile::Area::Guarantee);
    let mut quality = county::indicators(county, crate::profile::Area::Quality);
    let mut recognition = county::recognition(county);
    for i in guarantee
        .iter_mut()
        .chain(quality.iter_mut())
        .chain(std::iter::once(&mut recognition.indicator))
    {
        standards::mark(&standards, p, i);
    }
    let vetoes = county::vetoes(county);
    let overview = county::overview(county, &schools);
    let targets = targets::check(county, &schools, &guarantee, &quality, &recognition);
    let previous = previous::compare(county, &schools, &resource, &guarantee, &quality);
    let verdict = verdict(
        &resource,
        &guarantee,
        &quality,
        &recognition,
        &vetoes,
        &standards.label,
    );
    Evaluation {
        version: JSON_VERSION,
        county: county.plan.county.clone(),
        profile: p.name.clone(),
        standards,
        report_date: county.plan.report.date.value.zh(),
        overview,
        resource,
        schools,
        guarantee,
        quality,
        recognition,
        vetoes,
        gaps,
        targets,
        funding: funding::evaluate(&county.plan),
        verdict,
        skipped: county.skipped.clone(),
        warnings: county.warnings.clone(),
        previous,
    }
}

fn verdict(
    r: &ResourceResult,
    g: &[IndicatorResult],
    q: &[IndicatorResult],
    s: &Recognition,
    v: &[Veto],
    label: &str,
) -> Verdict {
    let resource = [&r.primary, &r.junior]
        .iter()
        .all(|x| x.all_pass && x.cv_all_ok);
    let guarantee = g.iter().all(|i| i.met == Some(true));
    let quality = q.iter().all(|i| i.met == Some(true));
    let recognition = s.indicator.met == Some(true);
    let no_veto = v.iter().all(|x| x.occurred != Some(true));
    let overall = resource && guarantee && quality && recognition && no_veto;
    let short: Vec<&str> = [
        (resource, "资源配置"),
        (guarantee, "政府保障程度"),
        (quality, "教育质量"),
        (recognition, "社会认可度"),
    ]
    .iter()
    .filter(|(ok, _)| !ok)
    .map(|(_, n)| *n)
    .collect();
    let summary = if overall {
        format!(
            "资源配置、政府保障程度、教育质量、社会认可度四个方面均达到县域义务教育优质均衡发展评估标准（{label}），无一票否决情形。"
        )
    } else if !no_veto {
        "存在一票否决情形，不具备申报条件。".to_string()
    } else {
        format!(
            "{}方面尚未全部达到县域义务教育优质均衡发展评估标准（{label}）。",
            short.join("、")
        )
    };
    Verdict {
        resource,
        guarantee,
        quality,
        recognition,
        no_veto,
        overall,
        summary,
    }
}

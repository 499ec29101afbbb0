//! What the templates see: the plan, the evaluation, and the facts the
//! body narrates (counts, names, figures formatted the one way the report
//! prints them, verdicts) plus table rows. Sentences are the templates'
//! business, so a county rewords its report without a new binary.

use crate::evaluate::{Evaluation, IndicatorResult, MetStatus, SchoolResult};
use crate::input::plan::Plan;
use crate::model::{County, Measure, RowPart, Section};
use crate::output::format::{cv, fixed, grouped};
use crate::profile::{Op, ResourceIndicator};
use chrono::Datelike;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Context<'a> {
    pub plan: &'a Plan,
    pub e: &'a Evaluation,
    pub title_lines: Vec<String>,
    pub date: DateParts,
    pub date_zh: String,
    /// 统计时点 the figures refer to.
    pub stats_date: String,
    /// Who is counted where: 学校 and 教学点, exclusions, 高中部, apportioning.
    pub scope: Scope,
    /// （一）资源配置, one entry per 学段.
    pub sections: Vec<SectionFacts>,
    /// 政府保障程度 and 教育质量 indicators, each with its criteria.
    pub indicators: Vec<Narrated>,
    pub recognition: RecognitionFacts,
    /// 四、存在的问题: facts of every shortfall (the bureau's own follow
    /// from `plan.report.problems`).
    pub problems: Vec<Problem>,
    pub include_school_pages: bool,
    pub tables: Tables,
    pub schools: Vec<SchoolPage>,
    /// This year against last, when the plan names last year's data.
    pub previous: Option<YearFacts>,
    /// What the charts draw, per 学段.
    pub charts: Vec<SectionChart>,
}

#[derive(Debug, Serialize)]
pub struct DateParts {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// A table as the style's `data-table` takes it.
#[derive(Debug, Serialize, Default)]
pub struct TableRows {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// (row, column) of cells to mark as failing: ▲ and the darker shade.
    pub failing: Vec<(usize, usize)>,
    /// (row, column) of values below the standard but not below its 85%
    /// floor: △ and the lighter shade.
    pub short: Vec<(usize, usize)>,
    /// (row, column, colspan, rowspan) of merged cells; rows stay full
    /// width, the cells a span covers are left out.
    pub spans: Vec<(usize, usize, usize, usize)>,
    /// Rows set in 黑体: 标准 and floor rows, group headings, totals.
    pub emphasis: Vec<usize>,
    pub numeric: Vec<usize>,
}

/// What 附件1's 合计 row sums, for the note under it.
#[derive(Debug, Serialize)]
pub struct BasicTotal {
    /// School-学段 rows listed (all 义务教育 rows, counted or not).
    pub rows: usize,
    pub schools: usize,
    pub points: usize,
    pub excluded_rows: usize,
    pub students: String,
    pub classes: String,
    pub teachers: String,
}

/// A standard the plan changed, for the legend of 附件2.
#[derive(Debug, Serialize)]
pub struct ChangedStandard {
    pub indicator: String,
    pub name: String,
    pub applied: String,
    pub base: String,
    pub unit: String,
}

/// 附件2 of one 学段.
#[derive(Debug, Serialize)]
pub struct ResourceTable {
    pub section: String,
    /// `标准的85%`, from the profile's floor ratio.
    pub floor_label: String,
    pub changed: Vec<ChangedStandard>,
    pub table: TableRows,
}

/// 附件3's calculation of one indicator in one 学段.
#[derive(Debug, Serialize)]
pub struct CvCalculation {
    pub section: String,
    pub indicator: String,
    pub name: String,
    pub unit: String,
    pub table: TableRows,
}

#[derive(Debug, Serialize)]
pub struct Tables {
    pub basic: TableRows,
    pub basic_total: BasicTotal,
    /// 附件2, one per 学段.
    pub resource: Vec<ResourceTable>,
    /// 附件3's first part: the county figures per indicator.
    pub cv: TableRows,
    pub cv_calculation: Vec<CvCalculation>,
    /// The body's short CV table: indicators by name, no ids.
    pub cv_summary: TableRows,
    pub guarantee_quality: TableRows,
    pub tasks: TableRows,
}

/// One school's page of the 一校一表, as facts: the template words the
/// standards, the statuses and the verdict.
#[derive(Debug, Serialize)]
pub struct SchoolPage {
    pub name: String,
    pub title_lines: Vec<String>,
    pub section: String,
    pub file_stem: String,
    pub school_type: String,
    pub ownership: String,
    pub township: String,
    pub locality: String,
    pub students: String,
    pub classes: String,
    pub teachers: String,
    /// L1–L7 in order.
    pub resource: Vec<PageIndicator>,
    /// G3, G4, G5 and G12 as judged for this school alone.
    pub items: Vec<PageItem>,
    /// Why the row is not counted, when it is not.
    pub exclusion: Option<String>,
    pub met_count: u32,
    /// How many resource indicators there are (7).
    pub indicator_count: usize,
    /// How many must reach the standard (6).
    pub min_met: u32,
    /// The per-school resource rule holds.
    pub passes: bool,
    /// `85%`.
    pub floor_pct: String,
    /// Ids of the school-level items not met, and of those without data.
    pub items_failing: Vec<String>,
    pub items_missing: Vec<String>,
    /// How many minimal ways to pass there are (0 when it passes).
    pub options_count: usize,
    /// Shared resources apportioned to this row.
    pub notes: Vec<String>,
    /// Last year's name of this row (differs where renamed) and verdict,
    /// when last year's data has it.
    pub previous_name: Option<String>,
    pub previous_passes: Option<bool>,
    /// The floor as a ratio (0.85), for the chart.
    pub floor_ratio: String,
}

/// One resource indicator on a school's page.
#[derive(Debug, Serialize)]
pub struct PageIndicator {
    pub name: String,
    pub unit: String,
    /// The numerator figures used (the students are in the page's facts).
    pub inputs: Vec<(String, String)>,
    pub value: String,
    pub standard: String,
    pub status: MetStatus,
    /// Shade it: counted and below the standard.
    pub marked: bool,
    /// Each minimal way to pass that adds to this indicator.
    pub needs: Vec<Need>,
    /// What the full standard takes, where no option already reaches it.
    pub to_standard: Option<String>,
    /// Last year's value, when last year's data names this row.
    pub previous: Option<String>,
    /// The value as a share of the standard (1 = the standard), 3 places,
    /// for the school page's chart.
    pub share: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Need {
    /// 1-based number of the option.
    pub option: usize,
    /// `644平方米`
    pub amount: String,
    /// `达到标准`, `达到85%`.
    pub to: String,
}

/// One school-level item (see [`crate::evaluate::SchoolItem`]), formatted.
#[derive(Debug, Serialize)]
pub struct PageItem {
    pub id: String,
    pub key: String,
    pub criterion: String,
    /// `—` without data.
    pub value: String,
    pub threshold: String,
    pub unit: String,
    pub op: Op,
    pub met: Option<bool>,
    pub whole_school: bool,
    pub estimated: bool,
    pub basis: std::collections::BTreeMap<String, String>,
}

/// Split a long title into lines of at most 20 characters (22 pt on a
/// 156 mm line), the longer line first, as GB/T 9704 lays titles.
pub fn title_lines(title: &str) -> Vec<String> {
    let chars: Vec<char> = title.chars().collect();
    if chars.len() <= 20 {
        return vec![title.to_string()];
    }
    for tail in ["自评报告", "督导评估自评报告", "工作自评报告"] {
        if let Some(head) = title.strip_suffix(tail)
            && head.chars().count() <= 20
            && head.chars().count() >= tail.chars().count()
        {
            return vec![head.to_string(), tail.to_string()];
        }
    }
    // Break where the words allow (after 、 or ，, before （ 和 与 及), the
    // longer line first, as near the middle as possible; else at the middle.
    let n = chars.len();
    let cut = (n.div_ceil(2)..n.min(21))
        .filter(|&k| "、，".contains(chars[k - 1]) || "（和与及".contains(chars[k]))
        .min_by_key(|&k| k - n.div_ceil(2))
        .unwrap_or(n.div_ceil(2));
    vec![chars[..cut].iter().collect(), chars[cut..].iter().collect()]
}

fn floor_pct(e: &Evaluation) -> String {
    format!(
        "{}%",
        crate::profile::fmt_number(e.resource.floor_ratio * 100.0)
    )
}

fn decimals(e: &Evaluation, i: ResourceIndicator) -> usize {
    e.resource
        .primary
        .indicators
        .get(&i)
        .map(|x| x.decimals as usize)
        .unwrap_or(2)
}

fn value_text(e: &Evaluation, s: &SchoolResult, i: ResourceIndicator) -> String {
    s.values
        .get(&i)
        .copied()
        .flatten()
        .map(|v| grouped(v, decimals(e, i)))
        .unwrap_or_else(|| "—".into())
}

pub fn build<'a>(county: &'a County, e: &'a Evaluation, include_school_pages: bool) -> Context<'a> {
    let plan = &county.plan;
    let d = plan.report.date.value.0;
    Context {
        plan,
        e,
        title_lines: title_lines(&plan.report.title),
        date: DateParts {
            year: d.year(),
            month: d.month(),
            day: d.day(),
        },
        date_zh: plan.report.date.value.zh(),
        // The plan's 统计时点 when it gives one; else the report date.
        stats_date: plan
            .self_evaluation
            .as_ref()
            .and_then(|s| s.statistics_date.as_ref())
            .map_or_else(|| plan.report.date.value.zh(), |d| d.value.zh()),
        scope: scope(county, e),
        sections: Section::ALL
            .into_iter()
            .map(|s| section_facts(e, s))
            .collect(),
        indicators: e
            .guarantee
            .iter()
            .chain(&e.quality)
            .map(|i| narrated(county, i))
            .collect(),
        recognition: recognition(e),
        problems: problems(plan, e),
        include_school_pages,
        tables: {
            let (basic, basic_total) = basic_table(e);
            Tables {
                basic,
                basic_total,
                resource: Section::ALL
                    .into_iter()
                    .map(|s| resource_table(e, s))
                    .collect(),
                cv: cv_table(e),
                cv_calculation: cv_calculation(e),
                cv_summary: cv_summary(e),
                guarantee_quality: gq_table(e),
                tasks: task_table(plan, e),
            }
        },
        schools: e
            .schools
            .iter()
            .enumerate()
            .map(|(k, s)| school_page(e, k, s))
            .collect(),
        previous: year_facts(e),
        charts: Section::ALL
            .into_iter()
            .map(|s| section_chart(e, s))
            .collect(),
    }
}

/// A row left out of the resource assessment, as the body names it.
#[derive(Debug, Serialize)]
pub struct Left {
    pub name: String,
    pub section: String,
    pub students: String,
    pub reason: String,
}

/// A 高中部 in the workbook: outside compulsory education, not counted.
#[derive(Debug, Serialize)]
pub struct HighPart {
    pub name: String,
    pub students: String,
    pub classes: String,
}

/// Who the figures count, so every denominator can be explained.
#[derive(Debug, Serialize)]
pub struct Scope {
    /// 学校 (教学点 not among them) by type, and their number.
    pub school_types: Vec<(String, usize)>,
    pub schools: usize,
    /// 教学点 are counted in 个, apart from 学校.
    pub points: usize,
    pub point_names: Vec<String>,
    pub townships: usize,
    /// All rows (部) of the workbook, counted or not: the county total,
    /// then per 学段.
    pub students: String,
    pub classes: String,
    pub teachers: String,
    pub by_section: Vec<SectionCount>,
    pub left: Vec<Left>,
    /// 学校 and 教学点 of the school-level indicators (G3, G4): those
    /// with at least one counted row.
    pub assessed_schools: usize,
    pub assessed_points: usize,
    pub high: Vec<HighPart>,
    pub high_students: String,
    pub high_classes: String,
    /// Schools whose shared resources were split between 学段.
    pub apportioned: Vec<String>,
    /// Teachers of the counted rows who enter 持证上岗率.
    pub certified_teachers: String,
    pub certified_of: String,
}

#[derive(Debug, Serialize)]
pub struct SectionCount {
    pub section: String,
    pub students: String,
    pub classes: String,
    pub teachers: String,
}

#[derive(Debug, Serialize)]
pub struct IndicatorCv {
    pub name: String,
    pub cv: String,
    pub limit: String,
    pub ok: bool,
}

/// A school-学段 row failing the per-school rule.
#[derive(Debug, Serialize)]
pub struct Failing {
    pub name: String,
    pub met_count: u32,
}

/// （一）资源配置 of one 学段.
#[derive(Debug, Serialize)]
pub struct SectionFacts {
    pub section: String,
    /// Counted rows: 学校（部） and 教学点 apart.
    pub rows: usize,
    pub points: usize,
    pub students: String,
    pub passing: usize,
    pub failing: Vec<Failing>,
    pub cv_limit: String,
    pub cv_all_ok: bool,
    pub max_cv: String,
    pub indicators: Vec<IndicatorCv>,
    pub min_met: u32,
    pub floor: String,
}

/// One criterion as the body states it: the applied standard by its
/// operator (the template words it), the figure, the verdict.
#[derive(Debug, Serialize)]
pub struct CriterionFacts {
    pub label: String,
    /// at_least | at_most | below | yes
    pub op: &'static str,
    /// The applied threshold with its unit (`96%`, `12个`).
    pub threshold: String,
    /// An at-least standard of 100% reads 达到, not 不低于.
    pub full: bool,
    pub actual: String,
    /// Counted from the workbooks: how many were judged, how many met.
    pub total: Option<usize>,
    pub ok: Option<usize>,
    pub met: Option<bool>,
    pub gap: String,
}

#[derive(Debug, Serialize)]
pub struct Narrated {
    pub id: String,
    pub name: String,
    pub area: &'static str,
    /// plan | schools
    pub source: String,
    pub met: Option<bool>,
    pub criteria: Vec<CriterionFacts>,
    pub evidence: Option<String>,
    /// What was found, for a yes/no item.
    pub finding: Option<String>,
    pub failing: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct GroupFacts {
    pub group: String,
    pub sample: u32,
    pub satisfied: u32,
    pub rate: String,
}

#[derive(Debug, Serialize)]
pub struct RecognitionFacts {
    pub groups: Vec<GroupFacts>,
    pub total: u32,
    pub rate: Option<String>,
    pub standard: String,
    pub met: Option<bool>,
    pub weighted: bool,
    pub evidence: Option<String>,
}

/// Evidence without its closing 。, so the template ends the sentence.
fn sentence(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(|t| t.trim().trim_end_matches('。').to_string())
        .filter(|t| !t.is_empty())
}

fn count(v: f64) -> String {
    fixed(v, 0)
}

fn is_point(s: &SchoolResult) -> bool {
    s.school_type == "教学点"
}

fn scope(county: &County, e: &Evaluation) -> Scope {
    let o = &e.overview;
    let points = o
        .schools_by_type
        .iter()
        .find(|(t, _)| t == "教学点")
        .map_or(0, |x| x.1);
    let mut point_names: Vec<String> = Vec::new();
    let mut assessed: Vec<(&str, bool)> = Vec::new();
    for s in &e.schools {
        if is_point(s) && !point_names.contains(&s.name) {
            point_names.push(s.name.clone());
        }
        if s.included && !assessed.iter().any(|(n, _)| *n == s.name) {
            assessed.push((&s.name, is_point(s)));
        }
    }
    let mut high = Vec::new();
    let (mut high_students, mut high_classes) = (0.0, 0.0);
    for s in &county.schools {
        for r in s.rows.iter().filter(|r| r.part == RowPart::HighSchool) {
            let students = r.get(Measure::Students).map_or(0.0, |f| f.value);
            let classes = r.get(Measure::Classes).map_or(0.0, |f| f.value);
            high_students += students;
            high_classes += classes;
            high.push(HighPart {
                name: s.name.clone(),
                students: count(students),
                classes: count(classes),
            });
        }
    }
    let mut apportioned: Vec<String> = Vec::new();
    for s in e.schools.iter().filter(|s| !s.apportioned.is_empty()) {
        if !apportioned.contains(&s.name) {
            apportioned.push(s.name.clone());
        }
    }
    // The same rows and figures G12 is computed from.
    let (mut certified, mut of) = (0.0, 0.0);
    for s in &county.schools {
        for (_, r) in s.section_rows() {
            let students = r.get(Measure::Students).map_or(0.0, |f| f.value);
            if crate::evaluate::resource::exclusion(s, students, &county.profile).is_some() {
                continue;
            }
            if let (Some(c), Some(t)) = (
                r.get(Measure::CertifiedTeachers),
                r.get(Measure::FullTimeTeachers),
            ) {
                certified += c.value;
                of += t.value;
            }
        }
    }
    let sum =
        |f: fn(&crate::evaluate::SectionOverview) -> f64| count(o.sections.values().map(f).sum());
    Scope {
        school_types: o
            .schools_by_type
            .iter()
            .filter(|(t, _)| t != "教学点")
            .cloned()
            .collect(),
        schools: o.schools_total - points,
        points,
        point_names,
        townships: o.townships,
        students: sum(|s| s.students),
        classes: sum(|s| s.classes),
        teachers: sum(|s| s.teachers),
        by_section: o
            .sections
            .iter()
            .map(|(k, s)| SectionCount {
                section: k.zh().into(),
                students: count(s.students),
                classes: count(s.classes),
                teachers: count(s.teachers),
            })
            .collect(),
        left: o
            .excluded
            .iter()
            .map(|x| Left {
                name: x.name.clone(),
                section: x.section.zh().into(),
                students: count(x.students),
                reason: x.reason.clone(),
            })
            .collect(),
        assessed_schools: assessed.iter().filter(|(_, p)| !p).count(),
        assessed_points: assessed.iter().filter(|(_, p)| *p).count(),
        high,
        high_students: count(high_students),
        high_classes: count(high_classes),
        apportioned,
        certified_teachers: count(certified),
        certified_of: count(of),
    }
}

fn section_facts(e: &Evaluation, section: Section) -> SectionFacts {
    let r = e.resource.section(section);
    let rows: Vec<&SchoolResult> = e
        .schools
        .iter()
        .filter(|s| s.section == section && s.included)
        .collect();
    let max_cv = r
        .indicators
        .values()
        .filter_map(|x| x.cv)
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
    SectionFacts {
        section: section.zh().into(),
        rows: rows.len(),
        points: rows.iter().filter(|s| is_point(s)).count(),
        students: count(e.overview.sections[&section].included_students),
        passing: r.schools_passing,
        failing: rows
            .iter()
            .filter(|s| !s.passes)
            .map(|s| Failing {
                name: s.name.clone(),
                met_count: s.met_count,
            })
            .collect(),
        cv_limit: r
            .indicators
            .values()
            .next()
            .map(|x| fixed(x.cv_limit, 2))
            .unwrap_or_default(),
        cv_all_ok: r.cv_all_ok,
        max_cv: max_cv.map_or_else(|| "—".into(), |v| fixed(v, 3)),
        indicators: r
            .indicators
            .values()
            .map(|x| IndicatorCv {
                name: x.name.clone(),
                cv: x.cv.map_or_else(|| "—".into(), |v| fixed(v, 3)),
                limit: fixed(x.cv_limit, 2),
                ok: x.cv_ok,
            })
            .collect(),
        min_met: e.resource.min_met,
        floor: floor_pct(e),
    }
}

/// The evaluation states workbook counts as `143所中142所达标`.
fn counted_total(actual: &str) -> Option<usize> {
    actual.split_once("所中")?.0.parse().ok()
}

fn narrated(county: &County, i: &IndicatorResult) -> Narrated {
    let spec = county.profile.indicators.get(&i.id);
    let criteria = i
        .criteria
        .iter()
        .map(|c| {
            let cs = spec.and_then(|s| s.criterion(&c.key));
            let op = match cs.map(|x| x.op) {
                Some(Op::AtLeast) => "at_least",
                Some(Op::AtMost) => "at_most",
                Some(Op::Below) => "below",
                Some(Op::Yes) | None => "yes",
            };
            let unit = cs.map(|x| x.unit.as_str()).unwrap_or_default();
            let total = (i.source == "schools")
                .then(|| counted_total(&c.actual))
                .flatten();
            CriterionFacts {
                label: c.label.clone(),
                op,
                threshold: c
                    .threshold
                    .map(|t| format!("{}{unit}", crate::profile::fmt_number(t)))
                    .unwrap_or_default(),
                full: op == "at_least" && unit == "%" && c.threshold == Some(100.0),
                actual: c.actual.clone(),
                ok: total.and(c.value).map(|v| v as usize),
                total,
                met: c.met,
                gap: c.gap.clone(),
            }
        })
        .collect();
    Narrated {
        id: i.id.clone(),
        name: i.name.clone(),
        area: if i.id.starts_with('Q') {
            "quality"
        } else {
            "guarantee"
        },
        source: i.source.clone(),
        met: i.met,
        criteria,
        evidence: sentence(&i.evidence),
        finding: i.finding.clone(),
        failing: i.failing.clone(),
    }
}

fn recognition(e: &Evaluation) -> RecognitionFacts {
    let r = &e.recognition;
    RecognitionFacts {
        groups: r
            .groups
            .iter()
            .map(|g| GroupFacts {
                group: g.group.clone(),
                sample: g.sample,
                satisfied: g.satisfied,
                rate: fixed(g.rate, 2),
            })
            .collect(),
        total: r.total_sample,
        rate: r.rate.map(|v| fixed(v, 2)),
        standard: r
            .indicator
            .criteria
            .first()
            .and_then(|c| c.threshold)
            .map(|t| format!("{}%", crate::profile::fmt_number(t)))
            .unwrap_or_default(),
        met: r.indicator.met,
        weighted: r.groups.iter().any(|g| g.weight != g.sample as f64),
        evidence: sentence(&r.indicator.evidence),
    }
}

/// One of 四、存在的问题 as facts: what falls short (原因: which figure,
/// how far off), the remedy, who is responsible and by when. The sentences
/// are in body.typ.j2.
#[derive(Debug, Serialize)]
pub struct Problem {
    /// `rule` a school fails the per-school rule; `below` schools below a
    /// standard on one indicator; `cv` a CV over its limit; `indicator` a
    /// G/Q/S indicator not met; `target` a plan target due and not met;
    /// `missing` data to fill in.
    pub kind: String,
    /// What falls short, in words: `生均体育运动场馆面积`.
    pub subject: String,
    pub section: String,
    /// The schools concerned, with their figure: `大路口初级中学（9.63平方米）`.
    pub schools: Vec<String>,
    /// The figure and how far off: sentences' parts, already worded.
    pub facts: Vec<String>,
    /// For `rule`: every minimal way to pass, each `+644平方米体育运动场馆面积`.
    pub options: Vec<Vec<String>>,
    /// What reaching the full standard takes.
    pub to_standard: Vec<String>,
    /// The plan's own dated targets that differ from the standard, with what
    /// they take: `方案任务一.6（时限2023年底）需补充700平方米体育运动场馆`.
    pub to_plan: Vec<String>,
    /// The plan's dated targets that are the standard itself:
    /// `方案任务一.6（时限2023年底）`.
    pub plan_same: Vec<String>,
    /// Plan targets due and not met that this problem covers:
    /// `方案任务一.2承诺小学班额≤45人（时限2023年底）`.
    pub targets: Vec<String>,
    /// The indicator ids it concerns, for matching targets (not printed).
    pub indicators: Vec<String>,
    /// 整改措施 (the profile's wording).
    pub remedy: String,
    /// 牵头单位 then 责任单位, from the plan's task carrying the indicator.
    pub lead: Vec<String>,
    pub responsible: Vec<String>,
    /// That task group's number (`一`), so a list of units printed once can
    /// be referred to afterwards; empty when no task carries it.
    pub task_group: String,
    /// 时限: the task's deadline, or where it has passed the next milestone.
    pub deadline: String,
    /// The task's own deadline has passed by the report date.
    pub overdue: bool,
}

/// `不低于10.2平方米`, and where the plan changed it the value it replaced.
fn resource_standard_words(e: &Evaluation, x: &crate::evaluate::SectionIndicator) -> String {
    let f = crate::profile::fmt_number;
    let mut s = format!("不低于{}{}", f(x.standard), x.unit);
    if let Some(b) = x.base_standard {
        s.push_str(&format!(
            "（本县方案标准，{}为{}{}）",
            e.standards.base_name,
            f(b),
            x.unit
        ));
    }
    s
}

fn addition_text(a: &crate::evaluate::gaps::Addition) -> String {
    format!("{}{}{}", fixed(a.amount, 0), a.unit, a.what)
}

fn deadline_zh(d: &crate::input::plan::Deadline) -> String {
    deadline_text(&d.text, d.last_day)
}

/// `2023` → 2023年底, `2024-06` → 2024年6月底, a day as 2024年6月30日.
fn deadline_text(text: &str, last_day: chrono::NaiveDate) -> String {
    let (y, m, d) = (last_day.year(), last_day.month(), last_day.day());
    match text.trim_end_matches('年').len() {
        4 => format!("{y}年底"),
        7 => format!("{y}年{m}月底"),
        _ => format!("{y}年{m}月{d}日"),
    }
}

/// The task that carries an indicator (L targets of another 学段 do not),
/// its units and its deadline; a passed deadline gives way to the plan's
/// next milestone, since a rectification cannot be due in the past.
fn responsibility(plan: &Plan, id: &str, section: Option<Section>) -> Responsibility {
    let today = plan.report.date.value.0;
    let next_milestone = plan
        .milestones
        .iter()
        .filter(|m| m.by.value.last_day > today)
        .min_by_key(|m| m.by.value.last_day)
        .map(|m| deadline_zh(&m.by.value));
    for g in &plan.tasks {
        for t in &g.items {
            if let Some(x) = t.targets.iter().find(|x| {
                x.indicator.value == id
                    && (section.is_none() || x.section.is_none() || x.section == section)
            }) {
                let overdue = x.by.value.last_day <= today;
                let deadline = match (&next_milestone, overdue) {
                    (Some(m), true) => m.clone(),
                    _ => deadline_zh(&x.by.value),
                };
                return Responsibility {
                    lead: g.lead.clone(),
                    responsible: g.responsible.clone(),
                    task_group: g.number.clone(),
                    deadline,
                    overdue,
                };
            }
        }
    }
    Responsibility {
        lead: Vec::new(),
        responsible: Vec::new(),
        task_group: String::new(),
        deadline: next_milestone.unwrap_or_default(),
        overdue: false,
    }
}

/// Who answers for an indicator and by when, from the plan's tasks.
struct Responsibility {
    lead: Vec<String>,
    responsible: Vec<String>,
    task_group: String,
    deadline: String,
    overdue: bool,
}

fn remedy(e: &Evaluation, id: &str) -> String {
    e.standards
        .remedies
        .get(id)
        .or_else(|| e.standards.remedies.get("default"))
        .cloned()
        .unwrap_or_default()
}

fn problem(plan: &Plan, e: &Evaluation, kind: &str, id: &str, section: Option<Section>) -> Problem {
    let Responsibility {
        lead,
        responsible,
        task_group,
        deadline,
        overdue,
    } = responsibility(plan, id, section);
    Problem {
        kind: kind.into(),
        subject: String::new(),
        section: section.map(|s| s.zh().to_string()).unwrap_or_default(),
        schools: Vec::new(),
        facts: Vec::new(),
        options: Vec::new(),
        to_standard: Vec::new(),
        to_plan: Vec::new(),
        plan_same: Vec::new(),
        targets: Vec::new(),
        indicators: vec![id.to_string()],
        remedy: remedy(e, id),
        lead,
        responsible,
        task_group,
        deadline,
        overdue,
    }
}

fn problems(plan: &Plan, e: &Evaluation) -> Vec<Problem> {
    let mut out = Vec::new();
    let unit_value = |i: ResourceIndicator, s: Section, v: f64| {
        let x = &e.resource.section(s).indicators[&i];
        format!("{}{}", fixed(v, (x.decimals as usize).clamp(2, 3)), x.unit)
    };
    // Schools failing the per-school rule: every way to pass.
    for g in e.gaps.schools.iter().filter(|g| !g.passes) {
        let Some(s) = e
            .schools
            .iter()
            .find(|s| s.name == g.name && s.section == g.section)
        else {
            continue;
        };
        let first = g
            .options
            .first()
            .and_then(|o| o.first())
            .map(|a| a.indicator)
            .or(g.missing.first().copied())
            .unwrap_or(ResourceIndicator::L1);
        let mut p = problem(plan, e, "rule", first.id(), Some(g.section));
        p.subject = g.name.clone();
        p.schools = vec![g.name.clone()];
        for i in ResourceIndicator::ALL {
            let x = &e.resource.section(g.section).indicators[&i];
            match (s.status.get(&i), s.values.get(&i).copied().flatten()) {
                (Some(MetStatus::Floor | MetStatus::Below), Some(v)) => p.facts.push(format!(
                    "{}为{}，标准为{}{}",
                    x.name,
                    unit_value(i, g.section, v),
                    resource_standard_words(e, x),
                    if s.status.get(&i) == Some(&MetStatus::Below) {
                        format!("，低于标准的{}", floor_pct(e))
                    } else {
                        String::new()
                    }
                )),
                (Some(MetStatus::Missing), _) => p.facts.push(format!("{}缺少数据", x.name)),
                _ => {}
            }
        }
        p.options = g
            .options
            .iter()
            .map(|o| o.iter().map(addition_text).collect())
            .collect();
        p.to_standard = g.to_standard.iter().map(addition_text).collect();
        for t in &g.to_plan {
            let when = crate::input::plan::parse_deadline(&t.deadline)
                .map(|d| deadline_zh(&d))
                .unwrap_or_else(|| t.deadline.clone());
            let same = g
                .to_standard
                .iter()
                .any(|a| a.indicator == t.addition.indicator && a.amount == t.addition.amount);
            if same {
                p.plan_same
                    .push(format!("方案任务{}（时限{when}）", t.task));
            } else {
                p.to_plan.push(format!(
                    "方案任务{}（时限{when}）需补充{}",
                    t.task,
                    addition_text(&t.addition)
                ));
            }
        }
        p.indicators = ResourceIndicator::ALL
            .into_iter()
            .filter(|i| matches!(s.status.get(i), Some(MetStatus::Floor | MetStatus::Below)))
            .map(|i| i.id().to_string())
            .collect();
        // Any option may be chosen: the remedy of each indicator concerned.
        p.remedy = p.indicators.iter().map(|i| remedy(e, i)).collect();
        out.push(p);
    }
    // Every school below a standard though passing, grouped by indicator.
    for section in Section::ALL {
        for i in ResourceIndicator::ALL {
            let below: Vec<&crate::evaluate::gaps::SchoolGap> = e
                .gaps
                .schools
                .iter()
                .filter(|g| g.passes && g.section == section)
                .filter(|g| g.to_standard.iter().any(|a| a.indicator == i))
                .collect();
            if below.is_empty() {
                continue;
            }
            let x = &e.resource.section(section).indicators[&i];
            let mut p = problem(plan, e, "below", i.id(), Some(section));
            p.subject = x.name.clone();
            p.facts
                .push(format!("标准为{}", resource_standard_words(e, x)));
            for g in below {
                let v = e
                    .schools
                    .iter()
                    .find(|s| s.name == g.name && s.section == section)
                    .and_then(|s| s.values.get(&i).copied().flatten());
                let need = g.to_standard.iter().find(|a| a.indicator == i);
                p.schools.push(format!(
                    "{}（{}）",
                    g.name,
                    v.map(|v| unit_value(i, section, v)).unwrap_or_default()
                ));
                if let Some(a) = need {
                    p.to_standard
                        .push(format!("{}{}", g.name, addition_text(a)));
                }
            }
            out.push(p);
        }
    }
    for c in &e.gaps.cv {
        let x = &e.resource.section(c.section).indicators[&c.indicator];
        let mut p = problem(plan, e, "cv", c.indicator.id(), Some(c.section));
        p.remedy = remedy(e, "cv");
        p.subject = format!("{}校际差异系数", x.name);
        p.facts.push(format!(
            "校际差异系数为{}，超过{}的限值",
            fixed(c.cv, 3),
            fixed(c.limit, 2)
        ));
        p.schools = c
            .contributors
            .iter()
            .take(3)
            .map(|x| x.name.clone())
            .collect();
        out.push(p);
    }
    for i in e
        .guarantee
        .iter()
        .chain(&e.quality)
        .chain(std::iter::once(&e.recognition.indicator))
    {
        if i.met != Some(false) {
            continue;
        }
        let mut p = problem(plan, e, "indicator", &i.id, None);
        p.subject = i.name.clone();
        for c in i.criteria.iter().filter(|c| c.met == Some(false)) {
            p.facts.push(if i.source == "schools" {
                // “142/143所达标” is a count of schools, not a value.
                format!("{}{}，{}", c.label, c.actual, c.gap)
            } else if c.standard_words.is_empty() {
                format!("{}为{}", c.label, c.actual)
            } else {
                format!("{}为{}，标准为{}", c.label, c.actual, c.standard_words)
            });
        }
        p.schools = i.failing.clone();
        out.push(p);
    }
    // Plan targets due and not met: told with the problem they concern,
    // on their own only where no problem above covers them.
    for t in e
        .targets
        .iter()
        .filter(|t| t.due && t.achieved == Some(false))
    {
        let when = crate::input::plan::parse_deadline(&t.deadline)
            .map(|d| deadline_zh(&d))
            .unwrap_or_else(|| t.deadline.clone());
        let said = format!("方案任务{}“{}”（时限{when}）", t.task, t.task_title);
        let section = t.section.map(|s| s.zh().to_string());
        let covering = out.iter_mut().find(|p| {
            p.kind != "cv"
                && p.indicators.contains(&t.indicator)
                && section.as_ref().is_none_or(|s| *s == p.section)
        });
        match covering {
            Some(p) => {
                if !p.targets.contains(&said) {
                    p.targets.push(said);
                }
            }
            None => {
                let mut p = problem(plan, e, "target", &t.indicator, t.section);
                p.subject = t.task_title.clone();
                p.facts.push(format!(
                    "{said}的目标为{}，现为{}",
                    t.target_words, t.actual
                ));
                out.push(p);
            }
        }
    }
    out
}

fn table(header: &[&str], numeric: Vec<usize>) -> TableRows {
    TableRows {
        header: header.iter().map(|s| s.to_string()).collect(),
        numeric,
        ..Default::default()
    }
}

impl TableRows {
    /// Mark a cell by the school's status on one indicator: ▲ below the
    /// floor or without data, △ below the standard but not the floor.
    fn mark(&mut self, row: usize, col: usize, st: MetStatus) {
        match st {
            MetStatus::Met => {}
            MetStatus::Floor => self.short.push((row, col)),
            MetStatus::Below | MetStatus::Missing => self.failing.push((row, col)),
        }
    }

    /// A row whose first `label_cols` columns hold one label.
    fn push_labelled(&mut self, label: String, label_cols: usize, rest: Vec<String>) {
        let r = self.rows.len();
        let mut row = vec![label];
        row.extend(std::iter::repeat_n(String::new(), label_cols - 1));
        row.extend(rest);
        self.rows.push(row);
        self.spans.push((r, 0, label_cols, 1));
        self.emphasis.push(r);
    }
}

fn opt0(v: Option<f64>) -> String {
    v.map(|x| grouped(x, 0)).unwrap_or_else(|| "—".into())
}

/// Workbook order (the 教育事业统计 order) with 教学点 moved last.
fn statistics_order(e: &Evaluation) -> Vec<usize> {
    let (points, schools): (Vec<usize>, Vec<usize>) =
        (0..e.schools.len()).partition(|&k| is_point(&e.schools[k]));
    schools.into_iter().chain(points).collect()
}

fn distinct_names<'a>(rows: impl Iterator<Item = &'a SchoolResult>) -> usize {
    let mut names: Vec<&str> = rows.map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names.len()
}

fn basic_table(e: &Evaluation) -> (TableRows, BasicTotal) {
    let mut t = table(
        &[
            "序号",
            "学校名称",
            "学校类型",
            "学段",
            "办学性质",
            "城乡类别",
            "所在乡镇",
            "学生数",
            "班级数",
            "专任教师数",
            "是否参评",
        ],
        vec![0, 7, 8, 9],
    );
    let (mut students, mut classes, mut teachers) = (0.0, 0.0, 0.0);
    for (n, k) in statistics_order(e).into_iter().enumerate() {
        let s = &e.schools[k];
        students += s.students;
        classes += s.classes.unwrap_or(0.0);
        teachers += s.teachers.unwrap_or(0.0);
        t.rows.push(vec![
            (n + 1).to_string(),
            s.name.clone(),
            s.school_type.clone(),
            s.section.zh().into(),
            s.ownership.clone(),
            s.locality.clone().unwrap_or_default(),
            s.township.clone().unwrap_or_default(),
            grouped(s.students, 0),
            opt0(s.classes),
            opt0(s.teachers),
            match &s.exclusion {
                None => "参评".into(),
                Some(w) => format!("不参评（{w}）"),
            },
        ]);
    }
    let total = BasicTotal {
        rows: e.schools.len(),
        schools: distinct_names(e.schools.iter().filter(|s| !is_point(s))),
        points: distinct_names(e.schools.iter().filter(|s| is_point(s))),
        excluded_rows: e.schools.iter().filter(|s| !s.included).count(),
        students: grouped(students, 0),
        classes: grouped(classes, 0),
        teachers: grouped(teachers, 0),
    };
    t.push_labelled(
        format!("合计（学校{}所、教学点{}个）", total.schools, total.points),
        7,
        vec![
            total.students.clone(),
            total.classes.clone(),
            total.teachers.clone(),
            String::new(),
        ],
    );
    (t, total)
}

/// A standard as the tables print it: the indicator's decimals, and a
/// floor with as many more as it needs to be exact (4.5 × 85% = 3.825).
fn standard_cell(v: f64, decimals: usize) -> String {
    let s = grouped(v, decimals + 3);
    let s = s.trim_end_matches('0');
    let s = s.trim_end_matches('.');
    let have = s.split_once('.').map_or(0, |(_, f)| f.len());
    if have < decimals {
        grouped(v, decimals)
    } else {
        s.to_string()
    }
}

fn resource_table(e: &Evaluation, section: Section) -> ResourceTable {
    let mut t = table(
        &[
            "序号",
            "学校名称",
            "学生数",
            "L1",
            "L2",
            "L3",
            "L4",
            "L5",
            "L6",
            "L7",
            "达标项数",
            "结果",
        ],
        vec![0, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    let spec = &e.resource.section(section).indicators;
    let floor = format!("标准的{}", floor_pct(e));
    let row_of = |f: &dyn Fn(&crate::evaluate::SectionIndicator) -> f64| -> Vec<String> {
        let mut v: Vec<String> = ResourceIndicator::ALL
            .into_iter()
            .map(|i| standard_cell(f(&spec[&i]), spec[&i].decimals as usize))
            .collect();
        v.extend([String::new(), String::new()]);
        v
    };
    t.push_labelled("标准".into(), 3, row_of(&|x| x.standard));
    t.push_labelled(floor.clone(), 3, row_of(&|x| x.floor));
    let order: Vec<usize> = statistics_order(e)
        .into_iter()
        .filter(|&k| e.schools[k].section == section)
        .collect();
    for (n, k) in order.into_iter().enumerate() {
        let s = &e.schools[k];
        let r = t.rows.len();
        let mut row = vec![(n + 1).to_string(), s.name.clone(), grouped(s.students, 0)];
        for (c, i) in ResourceIndicator::ALL.into_iter().enumerate() {
            row.push(value_text(e, s, i));
            if s.included {
                t.mark(
                    r,
                    3 + c,
                    s.status.get(&i).copied().unwrap_or(MetStatus::Missing),
                );
            }
        }
        row.push(format!("{}", s.met_count));
        row.push(match (&s.exclusion, s.passes) {
            (Some(_), _) => "不参评".into(),
            (None, true) => "达标".into(),
            (None, false) => "未达标".into(),
        });
        if s.included && !s.passes {
            t.failing.push((r, 11));
        }
        t.rows.push(row);
    }
    ResourceTable {
        section: section.zh().into(),
        floor_label: floor,
        changed: ResourceIndicator::ALL
            .into_iter()
            .filter_map(|i| {
                let x = &spec[&i];
                let base = x.base_standard?;
                Some(ChangedStandard {
                    indicator: i.to_string(),
                    name: x.name.clone(),
                    applied: standard_cell(x.standard, x.decimals as usize),
                    base: standard_cell(base, x.decimals as usize),
                    unit: x.unit.clone(),
                })
            })
            .collect(),
        table: t,
    }
}

fn cv_table(e: &Evaluation) -> TableRows {
    let mut t = table(
        &[
            "学段",
            "指标",
            "标准",
            "全县平均值",
            "标准差",
            "差异系数",
            "限值",
            "是否达到",
        ],
        vec![2, 3, 4, 5, 6],
    );
    for section in Section::ALL {
        for (i, x) in &e.resource.section(section).indicators {
            let r = t.rows.len();
            t.rows.push(vec![
                section.zh().into(),
                format!("{} {}", i, x.name),
                grouped(x.standard, x.decimals as usize),
                x.mean.map_or_else(|| "—".into(), |v| fixed(v, 6)),
                x.sd.map_or_else(|| "—".into(), |v| fixed(v, 6)),
                cv(x.cv),
                fixed(x.cv_limit, 2),
                if x.cv_ok { "是" } else { "否" }.into(),
            ]);
            if !x.cv_ok {
                t.failing.push((r, 5));
                t.failing.push((r, 7));
            }
        }
    }
    t
}

/// Decimals of the squared deviations: about nine significant digits of
/// the variance, so that summing the printed terms gives the CV back to
/// its six printed decimals.
fn square_decimals(variance: f64) -> usize {
    if variance <= 0.0 {
        return 6;
    }
    (9 - variance.log10().ceil() as i64).clamp(2, 9) as usize
}

/// 附件3's calculation: per 学段 and indicator, every row's Pᵢ and Xᵢ as
/// the evaluation used them, the terms of the weighted variance and the
/// county figures they sum to.
fn cv_calculation(e: &Evaluation) -> Vec<CvCalculation> {
    let mut out = Vec::new();
    for section in Section::ALL {
        for (i, x) in &e.resource.section(section).indicators {
            let (Some(mean), Some(sd)) = (x.mean, x.sd) else {
                continue;
            };
            let p: f64 = x.points.iter().map(|q| q.students).sum();
            let d = square_decimals(sd * sd);
            let xd = (x.decimals as usize + 2).max(4);
            let mut t = table(
                &[
                    "序号",
                    "学校名称",
                    "学生数",
                    "指标值",
                    "学生数占比",
                    "离差平方",
                    "加权离差平方",
                ],
                vec![0, 2, 3, 4, 5, 6],
            );
            for (n, q) in x.points.iter().enumerate() {
                let dev = (q.value - mean).powi(2);
                t.rows.push(vec![
                    (n + 1).to_string(),
                    e.schools[q.school].name.clone(),
                    fixed(q.students, 0),
                    fixed(q.value, xd),
                    fixed(q.students / p, 8),
                    fixed(dev, d),
                    fixed(q.students / p * dev, d),
                ]);
            }
            let county = |t: &mut TableRows, label: &str, v: String| {
                t.push_labelled(label.into(), 6, vec![v]);
            };
            county(&mut t, "学生数合计", fixed(p, 0));
            county(&mut t, "全县平均值（按学生数加权）", fixed(mean, 6));
            county(&mut t, "方差（加权离差平方之和）", fixed(sd * sd, d));
            county(&mut t, "标准差（方差的平方根）", fixed(sd, 6));
            county(&mut t, "差异系数（标准差÷全县平均值）", cv(x.cv));
            county(&mut t, "限值", fixed(x.cv_limit, 2));
            county(&mut t, "是否达到", if x.cv_ok { "是" } else { "否" }.into());
            if !x.cv_ok {
                let r = t.rows.len();
                t.failing.push((r - 3, 6));
                t.failing.push((r - 1, 6));
            }
            out.push(CvCalculation {
                section: section.zh().into(),
                indicator: i.to_string(),
                name: x.name.clone(),
                unit: x.unit.clone(),
                table: t,
            });
        }
    }
    out
}

fn cv_summary(e: &Evaluation) -> TableRows {
    let mut t = table(
        &["学段", "指标", "差异系数", "限值", "是否达到"],
        vec![2, 3],
    );
    for section in Section::ALL {
        for x in e.resource.section(section).indicators.values() {
            let r = t.rows.len();
            t.rows.push(vec![
                section.zh().into(),
                x.name.clone(),
                cv(x.cv),
                fixed(x.cv_limit, 2),
                if x.cv_ok { "是" } else { "否" }.into(),
            ]);
            if !x.cv_ok {
                t.failing.push((r, 2));
                t.failing.push((r, 4));
            }
        }
    }
    t
}

/// The national numbering: 政府保障程度 and 教育质量 each count from 1.
fn national_number(id: &str) -> String {
    id.trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .to_string()
}

/// A standard as 附件4 prints it: in words, and a full 100% as just that.
fn gq_standard(c: &crate::evaluate::CriterionResult) -> String {
    if c.standard_words.is_empty() {
        return if c.threshold.is_none() {
            "符合要求".into()
        } else {
            c.standard.clone()
        };
    }
    match c.standard_words.strip_prefix("不低于100%") {
        Some(rest) => format!("100%{rest}"),
        None => c.standard_words.clone(),
    }
}

fn gq_table(e: &Evaluation) -> TableRows {
    let mut t = table(
        &[
            "序号",
            "指标",
            "具体要求",
            "标准",
            "实际数",
            "是否达到",
            "缺口数",
            "数据来源与佐证",
        ],
        vec![0],
    );
    let areas: [(&str, Vec<&IndicatorResult>); 3] = [
        ("政府保障程度", e.guarantee.iter().collect()),
        ("教育质量", e.quality.iter().collect()),
        ("社会认可度", vec![&e.recognition.indicator]),
    ];
    for (area, list) in areas {
        let r = t.rows.len();
        let mut heading = vec![area.to_string()];
        heading.extend(std::iter::repeat_n(String::new(), 7));
        t.rows.push(heading);
        t.spans.push((r, 0, 8, 1));
        t.emphasis.push(r);
        for i in list {
            let first = t.rows.len();
            let n = i.criteria.len().max(1);
            for (k, c) in i.criteria.iter().enumerate() {
                let r = t.rows.len();
                t.rows.push(vec![
                    if k == 0 {
                        national_number(&i.id)
                    } else {
                        String::new()
                    },
                    if k == 0 {
                        i.name.clone()
                    } else {
                        String::new()
                    },
                    if n > 1 { c.label.clone() } else { "—".into() },
                    gq_standard(c),
                    // A yes/no item: what was found, where the plan says.
                    match (&i.finding, c.threshold) {
                        (Some(f), None) if n == 1 => f.clone(),
                        _ => c.actual.clone(),
                    },
                    match c.met {
                        Some(true) => "是".into(),
                        Some(false) => "否".into(),
                        None => "无数据".into(),
                    },
                    c.gap.clone(),
                    if k == 0 {
                        let mut ev = i.evidence.clone().unwrap_or_default();
                        if !i.failing.is_empty() {
                            ev.push_str(&format!("。未达到的学校：{}", i.failing.join("、")));
                        }
                        ev
                    } else {
                        String::new()
                    },
                ]);
                if c.met == Some(false) {
                    t.failing.push((r, 4));
                    t.failing.push((r, 5));
                }
            }
            if n > 1 {
                for c in [0, 1, 7] {
                    t.spans.push((first, c, 1, n));
                }
            }
        }
    }
    t
}

/// A task's 时限: its targets' latest deadline; without targets, the
/// plan's final milestone (the date the whole plan is due).
fn task_deadline(plan: &Plan, item: &crate::input::plan::Task) -> String {
    let own = item
        .targets
        .iter()
        .map(|t| &t.by.value)
        .max_by_key(|d| d.last_day);
    let last = plan
        .milestones
        .iter()
        .map(|m| &m.by.value)
        .max_by_key(|d| d.last_day);
    own.or(last).map(deadline_zh).unwrap_or_else(|| "—".into())
}

fn task_table(plan: &Plan, e: &Evaluation) -> TableRows {
    let mut t = table(&["序号", "任务", "时限", "目标", "进展"], vec![]);
    for g in &plan.tasks {
        // 牵头单位 and 责任单位 once per group, in its heading row.
        let r = t.rows.len();
        let mut heading = vec![format!(
            "（{}）{}　牵头单位：{}{}",
            g.number,
            g.title,
            g.lead.join("、"),
            if g.responsible.is_empty() {
                String::new()
            } else {
                format!("；责任单位：{}", g.responsible.join("、"))
            }
        )];
        heading.extend(std::iter::repeat_n(String::new(), 4));
        t.rows.push(heading);
        t.spans.push((r, 0, 5, 1));
        t.emphasis.push(r);
        for item in &g.items {
            let key = format!("{}.{}", g.number, item.number);
            let targets: Vec<&crate::evaluate::targets::TargetResult> =
                e.targets.iter().filter(|x| x.task == key).collect();
            let goals: Vec<String> = targets
                .iter()
                .map(|x| format!("{}：{}，现为{}", x.target_words, x.status, x.actual))
                .collect();
            let r = t.rows.len();
            t.rows.push(vec![
                key,
                item.title.clone(),
                task_deadline(plan, item),
                goals.join("；"),
                item.progress.clone().unwrap_or_default(),
            ]);
            if targets.iter().any(|x| x.achieved == Some(false) && x.due) {
                t.failing.push((r, 3));
            }
        }
    }
    t
}

/// `某校（小学）资源配置指标核对表`, broken after the school when too long
/// for one line (24 characters of the page's 18 pt title) rather than in
/// the middle of a name.
fn school_title(s: &SchoolResult) -> Vec<String> {
    let head = format!("{}（{}）", s.name, s.section.zh());
    let tail = "资源配置指标核对表";
    if head.chars().count() + tail.chars().count() <= 24 {
        vec![format!("{head}{tail}")]
    } else {
        vec![head, tail.to_string()]
    }
}

/// Names short enough for the one-page school table.
fn short_name(i: ResourceIndicator) -> &'static str {
    match i {
        ResourceIndicator::L1 => "每百名学生高于规定学历教师数",
        ResourceIndicator::L2 => "每百名学生县级以上骨干教师数",
        ResourceIndicator::L3 => "每百名学生体育艺术专任教师数",
        ResourceIndicator::L4 => "生均教学及辅助用房面积",
        ResourceIndicator::L5 => "生均体育运动场馆面积",
        ResourceIndicator::L6 => "生均教学仪器设备值",
        ResourceIndicator::L7 => "每百名学生网络多媒体教室数",
    }
}

/// Whole numbers as they are, others to 2 places: counts stay counts (and
/// 412.53万元 read as 4125299.999… is still 4125300).
fn figure(v: f64) -> String {
    grouped(v, if (v - v.round()).abs() < 1e-6 { 0 } else { 2 })
}

fn school_page(e: &Evaluation, k: usize, s: &SchoolResult) -> SchoolPage {
    let last = e
        .previous
        .as_ref()
        .and_then(|p| p.schools.iter().find(|c| c.school == k));
    let spec = &e.resource.section(s.section).indicators;
    let resource = ResourceIndicator::ALL
        .into_iter()
        .map(|i| {
            let x = &spec[&i];
            let inputs = s
                .inputs
                .get(&i)
                .map(|v| {
                    v.iter()
                        .filter(|r| r.label != Measure::Students.zh())
                        .map(|r| (r.label.clone(), figure(r.value)))
                        .collect()
                })
                .unwrap_or_default();
            let status = s.status.get(&i).copied().unwrap_or(MetStatus::Missing);
            let amount =
                |a: &crate::evaluate::gaps::Addition| format!("{}{}", fixed(a.amount, 0), a.unit);
            let needs: Vec<Need> = s
                .gap
                .iter()
                .flat_map(|g| g.options.iter().enumerate())
                .filter_map(|(k, o)| {
                    let a = o.iter().find(|a| a.indicator == i)?;
                    Some(Need {
                        option: k + 1,
                        amount: amount(a),
                        to: a.to.clone(),
                    })
                })
                .collect();
            let to_standard = s
                .gap
                .iter()
                .flat_map(|g| &g.to_standard)
                .find(|a| a.indicator == i)
                .filter(|_| !needs.iter().any(|n| n.to == "达到标准"))
                .map(amount);
            PageIndicator {
                name: short_name(i).into(),
                unit: x.unit.clone(),
                inputs,
                value: value_text(e, s, i),
                standard: grouped(x.standard, x.decimals as usize),
                status,
                marked: s.included && status != MetStatus::Met,
                needs,
                to_standard,
                previous: last.map(|c| {
                    c.values
                        .get(&i)
                        .copied()
                        .flatten()
                        .map_or_else(|| "—".into(), |v| grouped(v, decimals(e, i)))
                }),
                share: share_of(s.values.get(&i).copied().flatten(), x.standard),
            }
        })
        .collect();
    let items: Vec<PageItem> = s
        .items
        .iter()
        .map(|x| PageItem {
            id: x.id.clone(),
            key: x.key.clone(),
            criterion: x.criterion.clone(),
            value: x.value.map(figure).unwrap_or_else(|| "—".into()),
            threshold: x.threshold.map(figure).unwrap_or_else(|| "—".into()),
            unit: x.unit.clone(),
            op: x.op,
            met: x.met,
            whole_school: x.whole_school,
            estimated: x.estimated,
            basis: x
                .basis
                .iter()
                .map(|(k, v)| (k.clone(), figure(*v)))
                .collect(),
        })
        .collect();
    let ids = |pick: fn(Option<bool>) -> bool| {
        let mut v: Vec<String> = Vec::new();
        for x in s.items.iter().filter(|x| pick(x.met)) {
            if !v.contains(&x.id) {
                v.push(x.id.clone());
            }
        }
        v
    };
    SchoolPage {
        title_lines: school_title(s),
        name: s.name.clone(),
        section: s.section.zh().into(),
        file_stem: format!("{}-{}", s.name, s.section.zh()),
        school_type: s.school_type.clone(),
        ownership: s.ownership.clone(),
        township: s.township.clone().unwrap_or_else(|| "—".into()),
        locality: s.locality.clone().unwrap_or_else(|| "—".into()),
        students: grouped(s.students, 0),
        classes: opt0(s.classes),
        teachers: opt0(s.teachers),
        resource,
        items_failing: ids(|m| m == Some(false)),
        items_missing: ids(|m| m.is_none()),
        items,
        exclusion: s.exclusion.clone(),
        met_count: s.met_count,
        indicator_count: ResourceIndicator::ALL.len(),
        min_met: e.resource.min_met,
        passes: s.passes,
        floor_pct: floor_pct(e),
        options_count: s.gap.as_ref().map(|g| g.options.len()).unwrap_or(0),
        notes: s.apportioned.clone(),
        previous_name: last.map(|c| c.previous_name.clone()),
        floor_ratio: fixed(e.resource.floor_ratio, 2),
        previous_passes: last.map(|c| c.passes),
    }
}

fn share_of(v: Option<f64>, standard: f64) -> Option<String> {
    let v = v?;
    (standard > 0.0).then(|| fixed(v / standard, 3))
}

/// One CV this year and last, as the body and the table state it.
#[derive(Debug, Serialize)]
pub struct CvChange {
    pub name: String,
    pub now: String,
    pub last: String,
    /// down | up | same (at 3 places) | none (a year lacks it)
    pub trend: &'static str,
    /// Over its limit last year and within it now, and the reverse.
    pub closed: bool,
    pub opened: bool,
}

/// One 学段 this year against last.
#[derive(Debug, Serialize)]
pub struct SectionYear {
    pub section: String,
    pub cvs: Vec<CvChange>,
    pub rows_last: usize,
    pub passing_last: usize,
    pub rows_now: usize,
    pub passing_now: usize,
    pub newly_passing: Vec<String>,
    pub newly_failing: Vec<String>,
}

/// A G or Q item judged in both years.
#[derive(Debug, Serialize)]
pub struct ItemYear {
    pub id: String,
    pub name: String,
    pub closed: bool,
    pub opened: bool,
}

/// This year against last, for 三、 and the comparison table.
#[derive(Debug, Serialize)]
pub struct YearFacts {
    pub sections: Vec<SectionYear>,
    pub items: Vec<ItemYear>,
    /// Rows found in one year only, as `名称（学段）`.
    pub only_last: Vec<String>,
    pub only_now: Vec<String>,
    pub renamed: Vec<(String, String)>,
    /// 学段, 指标, this year's mean/SD/CV, last year's, the change.
    pub table: TableRows,
}

fn year_facts(e: &Evaluation) -> Option<YearFacts> {
    let p = e.previous.as_ref()?;
    let mut table = table(
        &["学段", "指标", "项目", "本年", "上年", "增减"],
        vec![3, 4, 5],
    );
    let change = |v: Option<f64>, d: usize| match v {
        None => "—".to_string(),
        Some(x) if x.abs() < 0.5 * 10f64.powi(-(d as i32)) => fixed(0.0, d),
        Some(x) if x > 0.0 => format!("+{}", fixed(x, d)),
        Some(x) => fixed(x, d),
    };
    let opt = |v: Option<f64>, d: usize| v.map_or_else(|| "—".into(), |x| fixed(x, d));
    let mut sections = Vec::new();
    for section in Section::ALL {
        let now = e.resource.section(section);
        let Some(last) = p.sections.get(&section) else {
            continue;
        };
        let mut cvs = Vec::new();
        for (i, x) in &now.indicators {
            let Some(l) = last.indicators.get(i) else {
                continue;
            };
            let d = x.decimals as usize;
            let first = table.rows.len();
            // The 学段 and the indicator only where they change: a column
            // repeating them reads as noise.
            for (k, (what, n, v, c, dd)) in [
                ("均值", x.mean, l.mean, l.mean_change, d),
                ("差异系数", x.cv, l.cv, l.cv_change, 3),
            ]
            .into_iter()
            .enumerate()
            {
                let head = if k == 0 && cvs.is_empty() {
                    section.zh()
                } else {
                    ""
                };
                let name = if k == 0 { short_name(*i) } else { "" };
                table.rows.push(vec![
                    head.into(),
                    name.into(),
                    what.into(),
                    opt(n, dd),
                    opt(v, dd),
                    change(c, dd),
                ]);
            }
            if !x.cv_ok {
                table.failing.push((first + 1, 3));
            }
            // As printed: 0.1904 against 0.1898 reads 0.190 both years.
            let printed = |v: Option<f64>| v.map(|v| (v * 1000.0).round());
            let trend = match (printed(x.cv), printed(l.cv)) {
                (Some(n), Some(p)) if n < p => "down",
                (Some(n), Some(p)) if n > p => "up",
                (Some(_), Some(_)) => "same",
                _ => "none",
            };
            cvs.push(CvChange {
                name: short_name(*i).into(),
                now: opt(x.cv, 3),
                last: opt(l.cv, 3),
                trend,
                closed: !l.cv_ok && x.cv_ok,
                opened: l.cv_ok && !x.cv_ok,
            });
        }
        sections.push(SectionYear {
            section: section.zh().into(),
            cvs,
            rows_last: last.schools,
            passing_last: last.schools_passing,
            rows_now: now.schools,
            passing_now: now.schools_passing,
            newly_passing: last.newly_passing.clone(),
            newly_failing: last.newly_failing.clone(),
        });
    }
    let rows = |year: &str| {
        p.unmatched
            .iter()
            .filter(|u| u.year == year)
            .map(|u| format!("{}（{}）", u.name, u.section.zh()))
            .collect()
    };
    Some(YearFacts {
        sections,
        items: p
            .items
            .iter()
            .map(|i| ItemYear {
                id: i.id.clone(),
                name: i.name.clone(),
                closed: i.met == Some(false) && i.met_now == Some(true),
                opened: i.met == Some(true) && i.met_now == Some(false),
            })
            .collect(),
        only_last: rows("previous"),
        only_now: rows("current"),
        renamed: p.renamed.clone(),
        table,
    })
}

/// One indicator's schools against its standard, as shares of it.
#[derive(Debug, Serialize)]
pub struct Strip {
    pub name: String,
    /// Each counted row's value ÷ the standard, 3 places, sorted.
    pub shares: Vec<String>,
    pub met: usize,
    /// Below the standard but not below 85% of it, and below that.
    pub floor: usize,
    pub below: usize,
}

/// What a 学段's charts draw: its CVs against the limit, and each
/// indicator's schools against the standard and the floor.
#[derive(Debug, Serialize)]
pub struct SectionChart {
    pub section: String,
    /// The limit, 2 places.
    pub limit: String,
    /// (short name, this year's CV, last year's CV or empty), 3 places.
    pub cvs: Vec<(String, String, String)>,
    pub floor_ratio: String,
    pub strips: Vec<Strip>,
}

fn section_chart(e: &Evaluation, section: Section) -> SectionChart {
    let r = e.resource.section(section);
    let last = e.previous.as_ref().and_then(|p| p.sections.get(&section));
    let limit = r.indicators.values().next().map_or(0.0, |x| x.cv_limit);
    SectionChart {
        section: section.zh().into(),
        limit: fixed(limit, 2),
        cvs: r
            .indicators
            .iter()
            .map(|(i, x)| {
                let l = last
                    .and_then(|l| l.indicators.get(i))
                    .and_then(|l| l.cv)
                    .map_or_else(String::new, |v| fixed(v, 3));
                (
                    short_name(*i).into(),
                    x.cv.map_or_else(|| fixed(0.0, 3), |v| fixed(v, 3)),
                    l,
                )
            })
            .collect(),
        floor_ratio: fixed(e.resource.floor_ratio, 2),
        strips: r
            .indicators
            .iter()
            .map(|(i, x)| {
                let mut shares: Vec<f64> = x
                    .points
                    .iter()
                    .filter(|_| x.standard > 0.0)
                    .map(|p| p.value / x.standard)
                    .collect();
                shares.sort_by(f64::total_cmp);
                let rows = e
                    .schools
                    .iter()
                    .filter(|s| s.section == section && s.included);
                let status =
                    |m: MetStatus| rows.clone().filter(|s| s.status.get(i) == Some(&m)).count();
                Strip {
                    name: short_name(*i).into(),
                    shares: shares.into_iter().map(|v| fixed(v, 3)).collect(),
                    met: status(MetStatus::Met),
                    floor: status(MetStatus::Floor),
                    below: status(MetStatus::Below),
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::title_lines;

    #[test]
    fn titles_split_longer_line_first() {
        assert_eq!(title_lines("泗县县域义务教育优质均衡发展自评报告").len(), 1);
        let l = title_lines("安徽省宿州市泗县县域义务教育优质均衡发展督导评估自评报告");
        assert_eq!(l.len(), 2);
        assert!(l[0].chars().count() >= l[1].chars().count());
        assert!(l.iter().all(|x| x.chars().count() <= 20));
    }

    #[test]
    fn attachment_titles_break_between_words() {
        assert_eq!(
            title_lines("泗县义务教育政府保障程度、教育质量和社会认可度达成情况表"),
            [
                "泗县义务教育政府保障程度、教育质量",
                "和社会认可度达成情况表"
            ]
        );
        assert_eq!(
            title_lines("泗县义务教育学校资源配置指标核对表（一校一表）"),
            ["泗县义务教育学校资源配置指标核对表", "（一校一表）"]
        );
        assert_eq!(
            title_lines("泗县义务教育学校资源配置指标校际差异系数计算表"),
            ["泗县义务教育学校资源配置", "指标校际差异系数计算表"]
        );
    }
}

//! What the templates see: the plan, the evaluation, and the facts the
//! body narrates (counts, names, figures formatted the one way the report
//! prints them, verdicts) plus table rows. Sentences are the templates'
//! business, so a county rewords its report without a new binary.
//!
//! The body's facts are here; the appendix tables, a school's page and
//! the year-on-year facts are in their own files below.

use crate::evaluate::{Evaluation, IndicatorResult, MetStatus, SchoolResult};
use crate::input::plan::Plan;
use crate::model::{County, Measure, RowPart, Section};
use crate::output::format::{cv, fixed, grouped};
use crate::profile::{Op, ResourceIndicator};
use chrono::Datelike;
use serde::Serialize;

mod problems;
mod school;
mod tables;
mod year;

pub use problems::*;
use school::*;
use tables::*;
pub use year::*;

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
    /// How many minimal ways to pass there are (0 when it passes, and
    /// while a value is missing).
    pub options_count: usize,
    /// The values without data, to fill in before a way to pass can be
    /// computed.
    pub missing: Vec<MissingValue>,
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
        problems: problems(county, e),
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
            .map(|(k, s)| school_page(county, e, k, s))
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
    /// Some row gives 班级数 / 专任教师数 (else the totals are not 0 but
    /// not reported).
    pub classes_given: bool,
    pub teachers_given: bool,
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
    /// School-学段 rows of the 学段 (0: the county has none).
    pub rows: usize,
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
    /// Indicators without data (named in 四).
    pub missing: usize,
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
        classes_given: e.schools.iter().any(|s| s.classes.is_some()),
        teachers_given: e.schools.iter().any(|s| s.teachers.is_some()),
        by_section: o
            .sections
            .iter()
            .map(|(k, s)| SectionCount {
                section: k.zh().into(),
                rows: s.rows,
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
                missing: s
                    .status
                    .values()
                    .filter(|x| **x == MetStatus::Missing)
                    .count(),
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

//! 整改测算: for each school-学段 below a standard, every minimal way to
//! pass the per-school rule (alternatives, not one of them), what the full
//! standard and the plan's own targets take, summed by township and county;
//! for each CV over its limit, the schools that add most variance.

use super::{MetStatus, ResourceResult, SchoolResult};
use crate::model::{County, Section};
use crate::profile::ResourceIndicator;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct Addition {
    pub indicator: ResourceIndicator,
    /// What to add, in the input's unit: teachers, m², 元, rooms.
    pub amount: f64,
    pub unit: String,
    /// e.g. `县级以上骨干教师`
    pub what: String,
    /// To the standard, only to the 85% floor, or to the plan's target.
    pub to: String,
}

/// An addition the plan itself has promised, with its deadline.
#[derive(Debug, Clone, Serialize)]
pub struct PlanAddition {
    #[serde(flatten)]
    pub addition: Addition,
    /// The promised level, in the indicator's unit (per student or per 100).
    pub level: f64,
    /// 任务编号 of the plan's task, e.g. `一.4`.
    pub task: String,
    /// The deadline as the plan writes it: `2023`, `2024-06`.
    pub deadline: String,
    /// The deadline is on or before the report date.
    pub due: bool,
}

/// A school-学段 below the standard on at least one of L1–L7.
#[derive(Debug, Clone, Serialize)]
pub struct SchoolGap {
    pub name: String,
    pub section: Section,
    pub township: Option<String>,
    /// It passes the per-school rule all the same (below the standard only
    /// where the rule allows).
    pub passes: bool,
    /// Every minimal way to pass the per-school rule; any one of them
    /// suffices (“或”). None is cheaper on every indicator than another.
    /// Empty when the school passes, and while any indicator lacks data
    /// (`missing`): no way to pass can be computed until it is filled.
    pub options: Vec<Vec<Addition>>,
    /// What reaching the full standard on every indicator below it takes.
    pub to_standard: Vec<Addition>,
    /// What the plan's own dated targets take, where the plan has one for
    /// an indicator the school has not reached.
    pub to_plan: Vec<PlanAddition>,
    /// Indicators without data: to be filled in before any estimate.
    pub missing: Vec<ResourceIndicator>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GapTotal {
    pub indicator: ResourceIndicator,
    pub what: String,
    pub unit: String,
    pub amount: f64,
    pub schools: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct TownshipGap {
    pub township: String,
    pub totals: Vec<GapTotal>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CvGap {
    pub section: Section,
    pub indicator: ResourceIndicator,
    pub cv: f64,
    pub limit: f64,
    pub contributors: Vec<super::CvContribution>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Gaps {
    pub schools: Vec<SchoolGap>,
    pub townships: Vec<TownshipGap>,
    pub county: Vec<GapTotal>,
    pub cv: Vec<CvGap>,
}

/// What the numerator counts, and its whole unit step.
fn resource_unit(i: ResourceIndicator) -> (&'static str, &'static str, f64) {
    match i {
        ResourceIndicator::L1 => ("高于规定学历教师", "人", 1.0),
        ResourceIndicator::L2 => ("县级以上骨干教师", "人", 1.0),
        ResourceIndicator::L3 => ("体育艺术专任教师", "人", 1.0),
        ResourceIndicator::L4 => ("教学及辅助用房", "平方米", 1.0),
        ResourceIndicator::L5 => ("体育运动场馆", "平方米", 1.0),
        ResourceIndicator::L6 => ("教学仪器设备", "元", 1.0),
        ResourceIndicator::L7 => ("网络多媒体教室", "间", 1.0),
    }
}

/// The smallest whole amount that lifts `value` to `target` for a school
/// with `students`; the tiny epsilon keeps 4.2 × 500 / 100 from rounding up.
fn needed(value: f64, target: f64, students: f64, scale: f64, step: f64) -> f64 {
    let missing = (target - value) * students / scale;
    if missing <= 0.0 {
        0.0
    } else {
        ((missing / step) - 1e-9).ceil() * step
    }
}

fn addition(s: &SchoolResult, i: ResourceIndicator, target: f64, to: String) -> Option<Addition> {
    let v = s.values.get(&i).copied().flatten().unwrap_or(0.0);
    let (_, scale) = super::resource::numerator(i);
    let (what, unit, step) = resource_unit(i);
    let amount = needed(v, target, s.students, scale, step);
    (amount > 0.0).then(|| Addition {
        indicator: i,
        amount,
        unit: unit.into(),
        what: what.into(),
        to,
    })
}

/// Every way of choosing which unmet indicators stay below the standard
/// (at most as many as the rule allows, each lifted to the floor) while the
/// others reach it; an option another undercuts on every indicator is not
/// minimal and is dropped.
fn pass_options(
    s: &SchoolResult,
    county: &County,
    unmet: &[ResourceIndicator],
) -> Vec<Vec<Addition>> {
    let p = &county.profile;
    let allowed = (ResourceIndicator::ALL.len() as u32).saturating_sub(p.resource.min_met) as usize;
    let floor_text = format!(
        "达到标准的{}%",
        crate::profile::fmt_number(p.resource.floor_ratio * 100.0)
    );
    let mut options: Vec<Vec<Addition>> = Vec::new();
    let stay = allowed.min(unmet.len());
    for mask in 0u32..(1 << unmet.len()) {
        if mask.count_ones() as usize != stay {
            continue;
        }
        let adds: Vec<Addition> = unmet
            .iter()
            .enumerate()
            .filter_map(|(k, i)| {
                let std = p.resource_spec(*i).standard(s.section);
                if mask & (1 << k) != 0 {
                    let floor = crate::profile::floor_of(std, p.resource.floor_ratio);
                    addition(s, *i, floor, floor_text.clone())
                } else {
                    addition(s, *i, std, "达到标准".into())
                }
            })
            .collect();
        options.push(adds);
    }
    let amount = |o: &[Addition], i: ResourceIndicator| {
        o.iter()
            .find(|a| a.indicator == i)
            .map(|a| a.amount)
            .unwrap_or(0.0)
    };
    let undercuts = |b: &[Addition], a: &[Addition]| {
        unmet.iter().all(|i| amount(b, *i) <= amount(a, *i))
            && unmet.iter().any(|i| amount(b, *i) < amount(a, *i))
    };
    let mut minimal: Vec<Vec<Addition>> = Vec::new();
    for o in &options {
        let dominated = options.iter().any(|b| undercuts(b, o));
        let seen = minimal
            .iter()
            .any(|m| m.len() == o.len() && unmet.iter().all(|i| amount(m, *i) == amount(o, *i)));
        if !dominated && !seen && !o.is_empty() {
            minimal.push(o.clone());
        }
    }
    // In indicator order of what each option adds: a stable, readable order.
    minimal.sort_by_key(|o| o.iter().map(|a| a.indicator).collect::<Vec<_>>());
    minimal
}

/// The plan's dated L targets this school has not reached.
fn plan_additions(
    s: &SchoolResult,
    county: &County,
    unmet: &[ResourceIndicator],
) -> Vec<PlanAddition> {
    let report_day = county.plan.report.date.value.0;
    let mut out = Vec::new();
    for g in &county.plan.tasks {
        for t in &g.items {
            for target in &t.targets {
                let Some(i) = ResourceIndicator::parse(&target.indicator.value) else {
                    continue;
                };
                if !unmet.contains(&i) || target.section.is_some_and(|x| x != s.section) {
                    continue;
                }
                let std = county.profile.resource_spec(i).standard(s.section);
                let level = target
                    .value
                    .as_ref()
                    .and_then(|v| v.value.as_f64())
                    .unwrap_or(std);
                if let Some(a) = addition(s, i, level, "达到方案目标".into()) {
                    out.push(PlanAddition {
                        addition: a,
                        level,
                        task: format!("{}.{}", g.number, t.number),
                        deadline: target.by.value.text.clone(),
                        due: target.by.value.last_day <= report_day,
                    });
                }
            }
        }
    }
    out
}

pub fn school_gap(s: &SchoolResult, county: &County) -> Option<SchoolGap> {
    if !s.included || s.status.values().all(|x| *x == MetStatus::Met) {
        return None;
    }
    let p = &county.profile;
    let unmet: Vec<ResourceIndicator> = ResourceIndicator::ALL
        .into_iter()
        .filter(|i| matches!(s.status.get(i), Some(MetStatus::Floor | MetStatus::Below)))
        .collect();
    let to_standard = unmet
        .iter()
        .filter_map(|i| {
            addition(
                s,
                *i,
                p.resource_spec(*i).standard(s.section),
                "达到标准".into(),
            )
        })
        .collect();
    let missing: Vec<ResourceIndicator> = ResourceIndicator::ALL
        .into_iter()
        .filter(|i| s.status.get(i) == Some(&MetStatus::Missing))
        .collect();
    Some(SchoolGap {
        name: s.name.clone(),
        section: s.section,
        township: s.township.clone(),
        passes: s.passes,
        // A way to pass is only known once every value is: an indicator
        // without data may itself be below the floor.
        options: if s.passes || !missing.is_empty() {
            Vec::new()
        } else {
            pass_options(s, county, &unmet)
        },
        to_standard,
        to_plan: plan_additions(s, county, &unmet),
        missing,
    })
}

/// Where the figure behind an indicator without data is to be filled in.
pub struct MissingAt {
    /// The figure the indicator divides: 教学及辅助用房面积.
    pub measure: crate::model::Measure,
    /// The blank cells of the row, and of the school's 全校 row when the
    /// figure may be given for the whole school; empty when the table has
    /// no column for it.
    pub cells: Vec<crate::source::CellRef>,
    /// A shared resource of a school with several 部 (a 全校 row may give it).
    pub whole_school: bool,
    /// The school has a 全校 row.
    pub whole_row: bool,
}

impl MissingAt {
    /// The figure and its blank cells, as a ledger field gives a fact:
    /// `教学及辅助用房面积（学校.xlsx，工作表“学校”，单元格 I5）`.
    pub fn fact(&self) -> String {
        let cells: Vec<String> = self.cells.iter().map(ToString::to_string).collect();
        if cells.is_empty() {
            self.measure.zh().to_string()
        } else {
            format!("{}（{}）", self.measure.zh(), cells.join("、"))
        }
    }
}

/// For each indicator of `s` without data, in L1–L7 order, what to fill in
/// and where.
pub fn missing_at(county: &County, s: &SchoolResult) -> Vec<(ResourceIndicator, MissingAt)> {
    use crate::model::RowPart;
    let school = county.schools.iter().find(|x| x.name == s.name);
    let row = school.and_then(|x| x.row(RowPart::Section(s.section)));
    let whole = school.and_then(|x| x.row(RowPart::WholeSchool));
    let several = school.is_some_and(|x| x.rows.len() > 1);
    ResourceIndicator::ALL
        .into_iter()
        .filter(|i| s.status.get(i) == Some(&MetStatus::Missing))
        .map(|i| {
            let measure = super::resource::numerator(i).0[0];
            let whole_school = measure.is_shared_resource() && several;
            let cells = row
                .into_iter()
                .chain(whole.filter(|_| whole_school))
                .filter_map(|r| r.blank.get(&measure).cloned())
                .collect();
            let at = MissingAt {
                measure,
                cells,
                whole_school,
                whole_row: whole.is_some(),
            };
            (i, at)
        })
        .collect()
}

/// Totals of what reaching the standard takes: the one sum that does not
/// depend on which option each school chooses.
fn totals<'a>(gs: impl Iterator<Item = &'a SchoolGap>) -> Vec<GapTotal> {
    let mut map: BTreeMap<ResourceIndicator, GapTotal> = BTreeMap::new();
    for g in gs {
        for a in &g.to_standard {
            let e = map.entry(a.indicator).or_insert_with(|| GapTotal {
                indicator: a.indicator,
                what: a.what.clone(),
                unit: a.unit.clone(),
                amount: 0.0,
                schools: 0,
            });
            e.amount += a.amount;
            e.schools += 1;
        }
    }
    map.into_values().collect()
}

pub fn gaps(county: &County, schools: &mut [SchoolResult], resource: &ResourceResult) -> Gaps {
    for s in schools.iter_mut() {
        s.gap = school_gap(s, county);
    }
    let list: Vec<SchoolGap> = schools.iter().filter_map(|s| s.gap.clone()).collect();
    let mut names: Vec<String> = list
        .iter()
        .map(|g| g.township.clone().unwrap_or_else(|| "（未填乡镇）".into()))
        .collect();
    names.sort();
    names.dedup();
    let townships = names
        .into_iter()
        .map(|t| TownshipGap {
            totals: totals(
                list.iter()
                    .filter(|g| g.township.clone().unwrap_or_else(|| "（未填乡镇）".into()) == t),
            ),
            township: t,
        })
        .collect();
    let mut cv = Vec::new();
    for section in Section::ALL {
        for (i, ind) in &resource.section(section).indicators {
            if let (Some(c), false) = (ind.cv, ind.cv_ok) {
                cv.push(CvGap {
                    section,
                    indicator: *i,
                    cv: c,
                    limit: ind.cv_limit,
                    contributors: ind.contributors.clone(),
                });
            }
        }
    }
    Gaps {
        county: totals(list.iter()),
        townships,
        schools: list,
        cv,
    }
}

#[cfg(test)]
mod tests {
    use super::needed;

    #[test]
    fn exact_need_does_not_round_up() {
        // 500 students at 4.2 per 100 need exactly 21 teachers.
        assert_eq!(needed(0.0, 4.2, 500.0, 100.0, 1.0), 21.0);
        assert_eq!(needed(4.0, 4.2, 500.0, 100.0, 1.0), 1.0);
        assert_eq!(needed(4.3, 4.2, 500.0, 100.0, 1.0), 0.0);
        assert_eq!(needed(7.0, 7.5, 401.0, 1.0, 1.0), 201.0);
    }
}

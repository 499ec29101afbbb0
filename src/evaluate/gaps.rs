//! 整改测算: for each school-学段 that fails the per-school rule, the
//! smallest additions that make it pass, summed by township and county;
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
    /// To the standard, or only to the 85% floor.
    pub to: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SchoolGap {
    pub name: String,
    pub section: Section,
    pub township: Option<String>,
    pub additions: Vec<Addition>,
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
        ResourceIndicator::L4 => ("教学及辅助用房面积", "平方米", 1.0),
        ResourceIndicator::L5 => ("体育运动场馆面积", "平方米", 1.0),
        ResourceIndicator::L6 => ("教学仪器设备值", "元", 1.0),
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

pub fn school_gap(s: &SchoolResult, county: &County) -> Option<SchoolGap> {
    if s.passes || !s.included {
        return None;
    }
    let p = &county.profile;
    let allowed_unmet =
        (ResourceIndicator::ALL.len() as u32).saturating_sub(p.resource.min_met) as usize;
    // Unmet indicators, the hardest first: those may stay at the floor.
    let mut unmet: Vec<(ResourceIndicator, f64)> = ResourceIndicator::ALL
        .into_iter()
        .filter(|i| !matches!(s.status.get(i), Some(MetStatus::Met | MetStatus::Missing)))
        .map(|i| {
            let std = p.resource_spec(i).standard(s.section);
            let v = s.values.get(&i).copied().flatten().unwrap_or(0.0);
            (i, (std - v) / std)
        })
        .collect();
    unmet.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut additions = Vec::new();
    for (k, (i, _)) in unmet.iter().enumerate() {
        let std = p.resource_spec(*i).standard(s.section);
        let stay_at_floor = k < allowed_unmet;
        let target = if stay_at_floor {
            crate::profile::floor_of(std, p.resource.floor_ratio)
        } else {
            std
        };
        let v = s.values.get(i).copied().flatten().unwrap_or(0.0);
        let (_, scale) = super::resource::numerator(*i);
        let (what, unit, step) = resource_unit(*i);
        let amount = needed(v, target, s.students, scale, step);
        if amount > 0.0 {
            additions.push(Addition {
                indicator: *i,
                amount,
                unit: unit.into(),
                what: what.into(),
                to: if stay_at_floor {
                    format!(
                        "达到标准的{}%",
                        crate::profile::fmt_number(p.resource.floor_ratio * 100.0)
                    )
                } else {
                    "达到标准".into()
                },
            });
        }
    }
    additions.sort_by_key(|a| a.indicator);
    Some(SchoolGap {
        name: s.name.clone(),
        section: s.section,
        township: s.township.clone(),
        additions,
        missing: ResourceIndicator::ALL
            .into_iter()
            .filter(|i| s.status.get(i) == Some(&MetStatus::Missing))
            .collect(),
    })
}

fn totals<'a>(gs: impl Iterator<Item = &'a SchoolGap>) -> Vec<GapTotal> {
    let mut map: BTreeMap<ResourceIndicator, GapTotal> = BTreeMap::new();
    for g in gs {
        for a in &g.additions {
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

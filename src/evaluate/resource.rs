//! 资源配置: L1–L7 for every school-学段 row, apportioning of whole-school
//! resources, exclusions, the per-school 6-of-7 rule and the weighted CVs.

use super::cv::{variance_shares, weighted_cv};
use super::{
    CvContribution, CvPoint, InputRef, MetStatus, SchoolResult, SectionIndicator, SectionResult,
};
use crate::model::{County, Measure, Ownership, RowPart, School, SchoolType, Section};
use crate::profile::{ApportionRule, Profile, ResourceIndicator, floor_of};
use std::collections::BTreeMap;

/// What an indicator divides, and by how much it scales (per 100 students).
pub fn numerator(i: ResourceIndicator) -> (&'static [Measure], f64) {
    use Measure::*;
    match i {
        ResourceIndicator::L1 => (&[TeachersAboveDegree], 100.0),
        ResourceIndicator::L2 => (&[BackboneTeachers], 100.0),
        ResourceIndicator::L3 => (&[PeArtTeachers], 100.0),
        ResourceIndicator::L4 => (&[TeachingArea], 1.0),
        ResourceIndicator::L5 => (&[SportsArea], 1.0),
        ResourceIndicator::L6 => (&[EquipmentValue], 1.0),
        ResourceIndicator::L7 => (&[MultimediaRooms], 100.0),
    }
}

/// Why a row takes no part in the resource assessment, if it doesn't.
pub fn exclusion(school: &School, students: f64, p: &Profile) -> Option<String> {
    let e = &p.exclude;
    if e.private && school.ownership == Ownership::Private {
        return Some("民办学校".into());
    }
    match &school.school_type {
        SchoolType::Special if e.special => Some("特殊教育学校".into()),
        SchoolType::Other(t) if e.other_types => Some(format!("非义务教育学校（{t}）")),
        SchoolType::TeachingPoint if (students as u32) < e.teaching_point_below => {
            Some(format!("教学点学生数不足 {} 人", e.teaching_point_below))
        }
        _ => None,
    }
}

/// Weight of one 部 in apportioning: students × the rule's factor.
fn part_weight(school: &School, part: RowPart, rule: &ApportionRule) -> Option<f64> {
    let complete = school.school_type == SchoolType::Complete;
    let factor = match part {
        RowPart::Section(Section::Primary) => rule.primary,
        RowPart::Section(Section::Junior) if complete => rule.complete_junior,
        RowPart::Section(Section::Junior) => rule.junior,
        RowPart::HighSchool if complete => rule.complete_high,
        RowPart::HighSchool => rule.high,
        RowPart::WholeSchool => return None,
    };
    let students = school.row(part)?.get(Measure::Students)?.value;
    Some(students * factor)
}

/// The share of a whole-school figure that falls to one 部: exact unless
/// the profile says to round it first, as some published worksheets do.
pub fn apportion_share(weight: f64, total: f64, decimals: Option<u8>) -> f64 {
    match decimals {
        None => weight / total,
        Some(d) => {
            let k = 10f64.powi(d as i32);
            ((weight / total) * k).round() / k
        }
    }
}

/// A row's figure for a measure: its own cell, else its share of the whole
/// school's figure. Returns the value, the cells behind it and a note.
fn figure_for(
    school: &School,
    part: RowPart,
    m: Measure,
    rule: &ApportionRule,
) -> Option<(f64, Vec<InputRef>, Option<Apportioned>)> {
    let row = school.row(part)?;
    if let Some(f) = row.get(m) {
        return Some((f.value, vec![InputRef::new(m.zh(), f.value, &f.at)], None));
    }
    if m == Measure::PeArtTeachers {
        // 体育 + 音乐 + 美术 given separately.
        let parts: Vec<_> = [
            Measure::PeTeachers,
            Measure::MusicTeachers,
            Measure::ArtTeachers,
        ]
        .into_iter()
        .filter_map(|x| row.get(x).map(|f| (x, f)))
        .collect();
        if parts.is_empty() {
            return None;
        }
        let sum = parts.iter().map(|(_, f)| f.value).sum();
        let refs = parts
            .iter()
            .map(|(x, f)| InputRef::new(x.zh(), f.value, &f.at))
            .collect();
        return Some((sum, refs, None));
    }
    let whole = school.whole.get(&m)?;
    let parts: Vec<RowPart> = school
        .rows
        .iter()
        .map(|r| r.part)
        .filter(|p| *p != RowPart::WholeSchool)
        .collect();
    let weights: Vec<(RowPart, f64)> = parts
        .iter()
        .filter_map(|p| part_weight(school, *p, rule).map(|w| (*p, w)))
        .collect();
    let total: f64 = weights.iter().map(|(_, w)| w).sum();
    let mine = weights.iter().find(|(p, _)| *p == part)?.1;
    if total <= 0.0 {
        return None;
    }
    let share = apportion_share(mine, total, rule.round_share);
    Some((
        whole.value * share,
        vec![InputRef::new(
            &format!("{}（全校）", m.zh()),
            whole.value,
            &whole.at,
        )],
        Some(Apportioned {
            measure: m,
            share,
            weights: weight_text(school, rule),
        }),
    ))
}

/// A whole-school figure split to this 部.
struct Apportioned {
    measure: Measure,
    share: f64,
    weights: String,
}

/// One note per row: which figures were whole-school and this 部's share.
fn apportion_note(parts: &[Apportioned]) -> Option<String> {
    let first = parts.first()?;
    let names: Vec<&str> = parts.iter().map(|a| a.measure.zh()).collect();
    Some(format!(
        "{}为全校数，按加权学生数分摊（{}），本学段占{:.2}%",
        names.join("、"),
        first.weights,
        first.share * 100.0
    ))
}

fn weight_text(school: &School, r: &ApportionRule) -> String {
    let f = crate::profile::fmt_number;
    if school.school_type == SchoolType::Complete {
        format!("初中∶高中＝{}∶{}", f(r.complete_junior), f(r.complete_high))
    } else if school.row(RowPart::HighSchool).is_some() {
        format!(
            "小学∶初中∶高中＝{}∶{}∶{}",
            f(r.primary),
            f(r.junior),
            f(r.high)
        )
    } else {
        format!("小学∶初中＝{}∶{}", f(r.primary), f(r.junior))
    }
}

/// One result per school-学段 row, in workbook order.
pub fn school_results(county: &County) -> Vec<SchoolResult> {
    let p = &county.profile;
    let mut out = Vec::new();
    for school in &county.schools {
        for (section, row) in school.section_rows() {
            let students = row.get(Measure::Students).map(|f| f.value).unwrap_or(0.0);
            let excluded = exclusion(school, students, p);
            let mut values = BTreeMap::new();
            let mut inputs = BTreeMap::new();
            let mut status = BTreeMap::new();
            let mut shared = Vec::new();
            let mut met_count = 0;
            let mut floor_ok = true;
            for i in ResourceIndicator::ALL {
                let spec = p.resource_spec(i);
                let standard = spec.standard(section);
                let (measures, scale) = numerator(i);
                let fig = figure_for(school, RowPart::Section(section), measures[0], &p.apportion);
                let value = fig.as_ref().map(|(v, _, _)| v * scale / students);
                let mut refs = Vec::new();
                if let Some(s) = row.get(Measure::Students) {
                    refs.push(InputRef::new(Measure::Students.zh(), s.value, &s.at));
                }
                if let Some((_, r, a)) = fig {
                    refs.splice(0..0, r);
                    shared.extend(a);
                }
                let st = match value {
                    None => MetStatus::Missing,
                    Some(v) if v >= standard => MetStatus::Met,
                    Some(v) if v >= floor_of(standard, p.resource.floor_ratio) => MetStatus::Floor,
                    Some(_) => MetStatus::Below,
                };
                match st {
                    MetStatus::Met => met_count += 1,
                    MetStatus::Floor => {}
                    _ => floor_ok = false,
                }
                values.insert(i, value);
                inputs.insert(i, refs);
                status.insert(i, st);
            }
            let passes = met_count >= p.resource.min_met && floor_ok;
            out.push(SchoolResult {
                name: school.name.clone(),
                section,
                school_type: school.school_type.zh().to_string(),
                ownership: school.ownership.zh().to_string(),
                locality: school.locality.map(|l| l.zh().to_string()),
                township: school.township.clone(),
                included: excluded.is_none(),
                exclusion: excluded,
                students,
                classes: row.get(Measure::Classes).map(|f| f.value),
                teachers: row.get(Measure::FullTimeTeachers).map(|f| f.value),
                values,
                status,
                met_count,
                passes,
                apportioned: apportion_note(&shared).into_iter().collect(),
                share: shared.first().map(|a| a.share),
                inputs,
                at: row.at.clone(),
                gap: None,
                items: Vec::new(),
            });
        }
    }
    out
}

/// County mean, SD and CV per indicator for one 学段, over included rows.
pub fn section_result(section: Section, schools: &[SchoolResult], p: &Profile) -> SectionResult {
    let indexed: Vec<(usize, &SchoolResult)> = schools
        .iter()
        .enumerate()
        .filter(|(_, s)| s.section == section && s.included)
        .collect();
    let rows: Vec<&SchoolResult> = indexed.iter().map(|(_, s)| *s).collect();
    let students: f64 = rows.iter().map(|s| s.students).sum();
    let limit = p.resource.cv_limit.get(section);
    let key = match section {
        Section::Primary => "primary",
        Section::Junior => "junior",
    };
    let base = |k: String| p.adjustments.iter().find(|a| a.key == k).map(|a| a.base);
    let base_cv_limit = base(format!("resource.cv_limit.{key}"));
    let mut indicators = BTreeMap::new();
    for i in ResourceIndicator::ALL {
        let spec = p.resource_spec(i);
        let points: Vec<CvPoint> = indexed
            .iter()
            .filter_map(|(k, s)| {
                let value = s.values.get(&i).copied().flatten()?;
                Some(CvPoint {
                    school: *k,
                    students: s.students,
                    value,
                })
            })
            .collect();
        let pts: Vec<(f64, f64)> = points.iter().map(|p| (p.students, p.value)).collect();
        let missing = rows.len() - pts.len();
        let w = weighted_cv(&pts);
        let cv = w.and_then(|w| w.cv);
        // A 学段 the county does not have cannot fail its CV.
        let cv_ok = rows.is_empty() || cv.is_some_and(|c| c <= limit);
        let mut contributors = Vec::new();
        if let (Some(w), false) = (w, cv_ok) {
            let shares = variance_shares(&pts, w.mean);
            let named: Vec<&&SchoolResult> = rows
                .iter()
                .filter(|s| s.values.get(&i).copied().flatten().is_some())
                .collect();
            let mut c: Vec<CvContribution> = named
                .iter()
                .zip(shares)
                .zip(&pts)
                .map(|((s, share), (_, x))| CvContribution {
                    name: s.name.clone(),
                    value: *x,
                    share,
                    direction: if *x >= w.mean {
                        "高于均值"
                    } else {
                        "低于均值"
                    }
                    .into(),
                })
                .collect();
            c.sort_by(|a, b| b.share.total_cmp(&a.share).then(a.name.cmp(&b.name)));
            c.truncate(5);
            contributors = c;
        }
        indicators.insert(
            i,
            SectionIndicator {
                name: spec.name.clone(),
                unit: spec.unit.clone(),
                decimals: spec.decimals,
                standard: spec.standard(section),
                base_standard: base(format!("{i}.{key}")),
                floor: floor_of(spec.standard(section), p.resource.floor_ratio),
                mean: w.map(|w| w.mean),
                sd: w.map(|w| w.sd),
                cv,
                cv_limit: limit,
                base_cv_limit,
                cv_ok,
                schools_met: rows
                    .iter()
                    .filter(|s| s.status.get(&i) == Some(&MetStatus::Met))
                    .count(),
                schools_missing: missing,
                contributors,
                points,
            },
        );
    }
    let passing = rows.iter().filter(|s| s.passes).count();
    SectionResult {
        schools: rows.len(),
        students,
        schools_passing: passing,
        all_pass: passing == rows.len(),
        cv_all_ok: indicators.values().all(|i| i.cv_ok),
        indicators,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 166 小学 and 210 初中 students sharing 23,226 books: rounded shares
    /// (0.4181 : 0.5819) give 9,711 and 13,515 as the published worksheet;
    /// the exact shares (166 : 231) give 9,711.8 and 13,514.2, summing back.
    #[test]
    fn apportioning_example() {
        let rule = Profile::national().apportion;
        assert_eq!(rule.round_share, None, "exact by default");
        let (wp, wj) = (166.0 * rule.primary, 210.0 * rule.junior);
        let total = wp + wj;
        let p = 23226.0 * apportion_share(wp, total, Some(4));
        let j = 23226.0 * apportion_share(wj, total, Some(4));
        assert_eq!(p.round(), 9711.0);
        assert_eq!(j.round(), 13515.0);
        let p = 23226.0 * apportion_share(wp, total, None);
        let j = 23226.0 * apportion_share(wj, total, None);
        assert!((p - 23226.0 * 166.0 / 397.0).abs() < 1e-9);
        assert!((p + j - 23226.0).abs() < 1e-9);
    }
}

//! One school's page (一校一表): its figures, standards, marks, needs and
//! last year's values, as the school template lays them out.

use super::*;

/// `某校（小学）资源配置指标核对表`, broken after the school when too long
/// for one line (24 characters of the page's 18 pt title) rather than in
/// the middle of a name.
pub(super) fn school_title(s: &SchoolResult) -> Vec<String> {
    let head = format!("{}（{}）", s.name, s.section.zh());
    let tail = "资源配置指标核对表";
    if head.chars().count() + tail.chars().count() <= 24 {
        vec![format!("{head}{tail}")]
    } else {
        vec![head, tail.to_string()]
    }
}

/// Names short enough for the one-page school table.
pub(super) fn short_name(i: ResourceIndicator) -> &'static str {
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
pub(super) fn figure(v: f64) -> String {
    grouped(v, if (v - v.round()).abs() < 1e-6 { 0 } else { 2 })
}

pub(super) fn school_page(
    county: &County,
    e: &Evaluation,
    k: usize,
    s: &SchoolResult,
) -> SchoolPage {
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
        missing: if s.included {
            super::problems::missing_values(county, e, s)
        } else {
            Vec::new()
        },
        notes: s.apportioned.clone(),
        previous_name: last.map(|c| c.previous_name.clone()),
        floor_ratio: fixed(e.resource.floor_ratio, 2),
        previous_passes: last.map(|c| c.passes),
    }
}

pub(super) fn share_of(v: Option<f64>, standard: f64) -> Option<String> {
    let v = v?;
    (standard > 0.0).then(|| fixed(v / standard, 3))
}

//! 政府保障程度, 教育质量, 社会认可度 and the vetoes: computed from the
//! school workbooks where the data allows (G3, G4, G5, G12), otherwise taken
//! from the plan's county figures and compared with the profile.

use super::{
    CriterionResult, Excluded, IndicatorResult, Overview, Recognition, SchoolItem, SchoolResult,
    SectionOverview, SurveyGroupResult, Veto,
};
use crate::input::plan::Scalar;
use crate::model::{County, Measure, RowPart, School, SchoolRow, Section};
use crate::profile::{Area, Criterion, IndicatorSpec, Op, fmt_number};
use std::collections::BTreeMap;

pub fn indicators(county: &County, area: Area) -> Vec<IndicatorResult> {
    let p = &county.profile;
    p.indicator_ids(area)
        .into_iter()
        .map(|id| {
            let spec = &p.indicators[id];
            let from_plan = county.plan.figures.get(id);
            match (spec.from_schools, id, from_plan) {
                // The plan's figure wins where the bureau gives one.
                (_, _, Some(_)) | (false, _, None) => from_figures(county, id, spec),
                (true, "G3", None) => g3(county, spec),
                (true, "G4", None) => g4(county, spec),
                (true, "G5", None) => g5(county, spec),
                (true, "G12", None) => g12(county, spec),
                (true, _, None) => from_figures(county, id, spec),
            }
        })
        .collect()
}

fn pct_or_unit(v: f64, c: &Criterion) -> String {
    format!("{}{}", fmt_number((v * 100.0).round() / 100.0), c.unit)
}

/// Compare a county figure with a criterion.
fn judge(c: &Criterion, value: Option<&Scalar>) -> CriterionResult {
    let threshold = c.value;
    let (val, actual, met) = match (c.op, value) {
        (_, None) => (None, "无数据".to_string(), None),
        (Op::Yes, Some(Scalar::Bool(b))) => (
            Some(if *b { 1.0 } else { 0.0 }),
            if *b { "是" } else { "否" }.to_string(),
            Some(*b),
        ),
        (op, Some(Scalar::Number(n))) => {
            let met = threshold.map(|t| op.meets(*n, t));
            (Some(*n), pct_or_unit(*n, c), met)
        }
        (_, Some(Scalar::Text(t))) => (None, t.clone(), None),
        (_, Some(other)) => (other.as_f64(), format!("{other:?}"), None),
    };
    let gap = match (met, val, threshold, c.op) {
        (Some(false), Some(v), Some(t), Op::AtLeast) => shortfall("差", t - v, c),
        (Some(false), Some(v), Some(t), Op::AtMost | Op::Below) => shortfall("超", v - t, c),
        (Some(false), _, _, Op::Yes) => "未达到".to_string(),
        _ => String::new(),
    };
    CriterionResult {
        base_threshold: None,
        standard_words: String::new(),
        key: c.key.clone(),
        label: c.label.clone(),
        standard: c.standard_text(),
        threshold,
        value: val,
        actual,
        met,
        gap,
    }
}

fn all_met(criteria: &[CriterionResult]) -> Option<bool> {
    if criteria.iter().any(|c| c.met == Some(false)) {
        Some(false)
    } else if criteria.iter().all(|c| c.met == Some(true)) {
        Some(true)
    } else {
        None
    }
}

fn from_figures(county: &County, id: &str, spec: &IndicatorSpec) -> IndicatorResult {
    let entry = county.plan.figures.get(id).map(|e| &e.value);
    let criteria: Vec<CriterionResult> = spec
        .criteria
        .iter()
        .map(|c| {
            judge(
                c,
                entry.and_then(|e| e.values.get(&c.key)).map(|s| &s.value),
            )
        })
        .collect();
    IndicatorResult {
        id: id.to_string(),
        name: spec.name.clone(),
        source: "plan".into(),
        met: all_met(&criteria),
        criteria,
        evidence: entry.and_then(|e| e.evidence.clone()),
        finding: entry.and_then(|e| e.finding.clone()),
        failing: Vec::new(),
    }
}

/// Schools taking part in the assessment (public, compulsory, not excluded).
fn assessed(county: &County) -> impl Iterator<Item = &School> {
    county.schools.iter().filter(|s| {
        s.section_rows().any(|(_, r)| {
            let students = r.get(Measure::Students).map(|f| f.value).unwrap_or(0.0);
            super::resource::exclusion(s, students, &county.profile).is_none()
        })
    })
}

fn sum_sections(s: &School, m: Measure) -> Option<f64> {
    let v: Vec<f64> = s
        .section_rows()
        .filter_map(|(_, r)| r.get(m).map(|f| f.value))
        .collect();
    (!v.is_empty()).then(|| v.iter().sum())
}

/// A school's room count or area: the 部 rows summed, or the whole figure.
fn rooms(s: &School, m: Measure) -> Option<f64> {
    sum_sections(s, m).or_else(|| s.whole.get(&m).map(|f| f.value))
}

/// An indicator computed from the school workbooks.
fn computed(
    id: &str,
    spec: &IndicatorSpec,
    criteria: Vec<CriterionResult>,
    evidence: Option<String>,
    failing: Vec<String>,
) -> IndicatorResult {
    IndicatorResult {
        id: id.into(),
        name: spec.name.clone(),
        source: "schools".into(),
        met: all_met(&criteria),
        criteria,
        evidence,
        finding: None,
        failing,
    }
}

fn counted(label: &str, ok: usize, total: usize) -> String {
    format!("{total}所中{ok}所{label}")
}

/// A gap in a percentage is in 百分点, not percent.
fn shortfall(word: &str, d: f64, c: &Criterion) -> String {
    let v = fmt_number((d * 100.0).round() / 100.0);
    if c.unit == "%" {
        format!("{word}{v}个百分点")
    } else {
        format!("{word}{v}{}", c.unit)
    }
}

fn g3(county: &County, spec: &IndicatorSpec) -> IndicatorResult {
    let per = spec
        .criterion("classes_per_room")
        .and_then(|c| c.value)
        .unwrap_or(12.0);
    let music_min = spec
        .criterion("music_room_area")
        .and_then(|c| c.value)
        .unwrap_or(96.0);
    let art_min = spec
        .criterion("art_room_area")
        .and_then(|c| c.value)
        .unwrap_or(90.0);
    let (mut total, mut rooms_ok, mut music_ok, mut art_ok) = (0, 0, 0, 0);
    let (mut music_short, mut art_short, mut data) = (0.0, 0.0, true);
    let mut failing = Vec::new();
    for s in assessed(county) {
        let Some(classes) = sum_sections(s, Measure::Classes) else {
            data = false;
            continue;
        };
        let (Some(mr), Some(ar)) = (rooms(s, Measure::MusicRooms), rooms(s, Measure::ArtRooms))
        else {
            data = false;
            continue;
        };
        total += 1;
        let need = (classes / per).ceil().max(1.0);
        let enough = mr >= need && ar >= need;
        music_short += (need - mr).max(0.0);
        art_short += (need - ar).max(0.0);
        let ma = rooms(s, Measure::MusicRoomArea).map(|a| if mr > 0.0 { a / mr } else { 0.0 });
        let aa = rooms(s, Measure::ArtRoomArea).map(|a| if ar > 0.0 { a / ar } else { 0.0 });
        let m_ok = ma.is_none_or(|a| a >= music_min);
        let a_ok = aa.is_none_or(|a| a >= art_min);
        rooms_ok += enough as usize;
        music_ok += m_ok as usize;
        art_ok += a_ok as usize;
        if !(enough && m_ok && a_ok) {
            let mut why = Vec::new();
            if !enough {
                why.push(format!("{classes}个班，音乐教室{mr}间、美术教室{ar}间"));
            }
            if !m_ok {
                why.push(format!("音乐教室平均{:.1}平方米", ma.unwrap_or(0.0)));
            }
            if !a_ok {
                why.push(format!("美术教室平均{:.1}平方米", aa.unwrap_or(0.0)));
            }
            failing.push(format!("{}（{}）", s.name, why.join("，")));
        }
    }
    let mk = |key: &str, ok: usize, gap: String| {
        let c = spec.criterion(key);
        CriterionResult {
            base_threshold: None,
            standard_words: String::new(),
            key: key.into(),
            label: c.map(|c| c.label.clone()).unwrap_or_default(),
            standard: c.map(|c| c.standard_text()).unwrap_or_default(),
            threshold: c.and_then(|c| c.value),
            value: Some(ok as f64),
            actual: counted("达标", ok, total),
            met: (total > 0 && data)
                .then_some(ok == total)
                .or((ok < total).then_some(false)),
            gap: if ok < total { gap } else { String::new() },
        }
    };
    let criteria = vec![
        mk("classes_per_room", rooms_ok, {
            let parts: Vec<String> = [("音乐", music_short), ("美术", art_short)]
                .iter()
                .filter(|(_, n)| *n > 0.0)
                .map(|(k, n)| format!("{k}专用教室{n}间"))
                .collect();
            format!("缺{}", parts.join("、"))
        }),
        mk(
            "music_room_area",
            music_ok,
            format!("{}所学校音乐教室面积不足", total - music_ok),
        ),
        mk(
            "art_room_area",
            art_ok,
            format!("{}所学校美术教室面积不足", total - art_ok),
        ),
    ];
    computed(
        "G3",
        spec,
        criteria,
        Some("据学校统计表各校班级数、音乐和美术专用教室间数与面积计算".into()),
        failing,
    )
}

fn g4(county: &County, spec: &IndicatorSpec) -> IndicatorResult {
    let mut rows: BTreeMap<&str, (usize, usize, f64)> = BTreeMap::new();
    let mut failing = Vec::new();
    for s in assessed(county) {
        let (key, size) = if s.school_type.is_through_train() {
            (
                "through_train",
                sum_sections(s, Measure::Students).unwrap_or(0.0),
            )
        } else {
            let section = s
                .section_rows()
                .next()
                .map(|(x, _)| x)
                .unwrap_or(Section::Primary);
            let students = s
                .row(RowPart::Section(section))
                .and_then(|r| r.get(Measure::Students))
                .map(|f| f.value)
                .unwrap_or(0.0);
            (section.key(), students)
        };
        let limit = spec
            .criterion(key)
            .and_then(|c| c.value)
            .unwrap_or(f64::INFINITY);
        let e = rows.entry(key).or_insert((0, 0, 0.0));
        e.0 += 1;
        if size <= limit {
            e.1 += 1;
        } else {
            e.2 += size - limit;
            failing.push(format!("{}（{}人，超{}人）", s.name, size, size - limit));
        }
    }
    let criteria = spec
        .criteria
        .iter()
        .map(|c| {
            let (total, ok, over) = rows.get(c.key.as_str()).copied().unwrap_or((0, 0, 0.0));
            CriterionResult {
                base_threshold: None,
                standard_words: String::new(),
                key: c.key.clone(),
                label: c.label.clone(),
                standard: c.standard_text(),
                threshold: c.value,
                value: Some(ok as f64),
                actual: counted("达标", ok, total),
                met: Some(ok == total),
                gap: if ok < total {
                    format!("{}所超规模，共超{}人", total - ok, over)
                } else {
                    String::new()
                },
            }
        })
        .collect::<Vec<_>>();
    computed(
        "G4",
        spec,
        criteria,
        Some("据学校统计表各校学生数计算；一贯制学校按义务教育阶段合计".into()),
        failing,
    )
}

fn g5(county: &County, spec: &IndicatorSpec) -> IndicatorResult {
    let mut stat: BTreeMap<Section, (usize, usize, bool)> = BTreeMap::new();
    let mut failing = Vec::new();
    let mut used_average = false;
    for s in assessed(county) {
        for (section, r) in s.section_rows() {
            let limit = spec
                .criterion(section.key())
                .and_then(|c| c.value)
                .unwrap_or(f64::INFINITY);
            let size = match (
                r.get(Measure::LargestClass),
                r.get(Measure::Classes),
                r.get(Measure::Students),
            ) {
                (Some(l), _, _) => Some(l.value),
                (None, Some(c), Some(p)) if c.value > 0.0 => {
                    used_average = true;
                    Some(p.value / c.value)
                }
                _ => None,
            };
            let e = stat.entry(section).or_insert((0, 0, true));
            let Some(size) = size else {
                e.2 = false;
                continue;
            };
            e.0 += 1;
            if size <= limit {
                e.1 += 1;
            } else {
                failing.push(format!("{}（{}，{:.0}人）", s.name, section.zh(), size));
            }
        }
    }
    let criteria = spec
        .criteria
        .iter()
        .map(|c| {
            let section = if c.key == "junior" {
                Section::Junior
            } else {
                Section::Primary
            };
            let (total, ok, complete) = stat.get(&section).copied().unwrap_or((0, 0, false));
            CriterionResult {
                base_threshold: None,
                standard_words: String::new(),
                key: c.key.clone(),
                label: c.label.clone(),
                standard: c.standard_text(),
                threshold: c.value,
                value: Some(ok as f64),
                actual: counted("达标", ok, total),
                met: if ok < total {
                    Some(false)
                } else {
                    complete.then_some(true)
                },
                gap: if ok < total {
                    format!("{}所学校存在超标班额", total - ok)
                } else {
                    String::new()
                },
            }
        })
        .collect::<Vec<_>>();
    computed(
        "G5",
        spec,
        criteria,
        Some(if used_average {
            "据学校统计表计算；未填最大班额的学校按平均班额（学生数 ÷ 班级数）计算，须另以分班名册核实".into()
        } else {
            "据学校统计表各校最大班额计算".into()
        }),
        failing,
    )
}

fn g12(county: &County, spec: &IndicatorSpec) -> IndicatorResult {
    let (mut certified, mut teachers) = (0.0, 0.0);
    let mut failing = Vec::new();
    let mut data = false;
    for s in assessed(county) {
        for (section, r) in s.section_rows() {
            if let (Some(c), Some(t)) = (
                r.get(Measure::CertifiedTeachers),
                r.get(Measure::FullTimeTeachers),
            ) {
                data = true;
                certified += c.value;
                teachers += t.value;
                if c.value < t.value {
                    failing.push(format!(
                        "{}（{}，{}人无证）",
                        s.name,
                        section.zh(),
                        t.value - c.value
                    ));
                }
            }
        }
    }
    let rate = (data && teachers > 0.0).then(|| certified / teachers * 100.0);
    let criteria: Vec<CriterionResult> = spec
        .criteria
        .iter()
        .map(|c| judge(c, rate.map(Scalar::Number).as_ref()))
        .map(|mut r| {
            if r.met == Some(false) {
                r.gap = format!("{}名专任教师未持证", teachers - certified);
            }
            r
        })
        .collect();
    computed(
        "G12",
        spec,
        criteria,
        Some("据学校统计表专任教师数与持证专任教师数计算".into()),
        failing,
    )
}

/// G3, G4, G5 and G12 judged for each counted school row by the rules of
/// the county figures above (same thresholds, same fallbacks), so a school's
/// page states the items the school itself meets. `rows` are the
/// [`super::resource::school_results`], in the same school × 学段 order.
pub fn school_items(county: &County, rows: &mut [SchoolResult]) {
    let p = &county.profile;
    let spec = |id: &str| p.indicators.get(id).filter(|s| s.from_schools);
    let mut rows = rows.iter_mut();
    for s in &county.schools {
        let whole = s.section_rows().count() > 1;
        for (section, r) in s.section_rows() {
            let Some(row) = rows.next() else { return };
            if !row.included || row.name != s.name || row.section != section {
                continue;
            }
            let mut items = Vec::new();
            if let Some(x) = spec("G3") {
                items.extend(g3_school(s, x, whole));
            }
            if let Some(x) = spec("G4") {
                items.extend(g4_school(s, x, whole));
            }
            if let Some(x) = spec("G5") {
                items.extend(g5_school(section, r, x));
            }
            if let Some(x) = spec("G12") {
                items.extend(g12_school(r, x));
            }
            row.items = items;
        }
    }
}

fn item(id: &str, key: &str, criterion: &str, unit: &str, op: Op) -> SchoolItem {
    SchoolItem {
        id: id.into(),
        key: key.into(),
        criterion: criterion.into(),
        value: None,
        unit: unit.into(),
        op,
        threshold: None,
        met: None,
        whole_school: false,
        estimated: false,
        basis: BTreeMap::new(),
    }
}

/// Judge `value` against `threshold` unrounded, as the county figure does.
fn judged(mut i: SchoolItem, value: Option<f64>, threshold: Option<f64>) -> SchoolItem {
    i.value = value;
    i.threshold = threshold;
    i.met = value.zip(threshold).map(|(v, t)| i.op.meets(v, t));
    i
}

/// Rooms needed from the whole school's classes (one per `per` classes, at
/// least one), and the mean area per room where the areas are given; a
/// school without rooms has a mean area of 0, as in [`g3`].
fn g3_school(s: &School, spec: &IndicatorSpec, whole: bool) -> Vec<SchoolItem> {
    let value =
        |key: &str, default: f64| spec.criterion(key).and_then(|c| c.value).unwrap_or(default);
    let (per, music_min, art_min) = (
        value("classes_per_room", 12.0),
        value("music_room_area", 96.0),
        value("art_room_area", 90.0),
    );
    let classes = sum_sections(s, Measure::Classes);
    let need = classes.map(|c| (c / per).ceil().max(1.0));
    let mut out = Vec::new();
    for (key, area_key, rooms_m, area_m, min) in [
        (
            "music_rooms",
            "music_room_area",
            Measure::MusicRooms,
            Measure::MusicRoomArea,
            music_min,
        ),
        (
            "art_rooms",
            "art_room_area",
            Measure::ArtRooms,
            Measure::ArtRoomArea,
            art_min,
        ),
    ] {
        let n = rooms(s, rooms_m);
        let mut i = judged(
            item("G3", key, "classes_per_room", "间", Op::AtLeast),
            n,
            need,
        );
        i.whole_school = whole;
        if let Some(c) = classes {
            i.basis = BTreeMap::from([("classes".into(), c), ("per".into(), per)]);
        }
        out.push(i);
        if let (Some(n), Some(a)) = (n, rooms(s, area_m)) {
            let mean = if n > 0.0 { a / n } else { 0.0 };
            let mut i = judged(
                item("G3", area_key, area_key, "平方米", Op::AtLeast),
                Some(mean),
                Some(min),
            );
            i.whole_school = whole;
            i.basis = BTreeMap::from([("area".into(), a), ("rooms".into(), n)]);
            out.push(i);
        }
    }
    out
}

/// A 一贯制 school is judged on all its 部 together, any other school on
/// its one 学段, as in [`g4`].
fn g4_school(s: &School, spec: &IndicatorSpec, whole: bool) -> Option<SchoolItem> {
    let (key, size) = if s.school_type.is_through_train() {
        ("through_train", sum_sections(s, Measure::Students))
    } else {
        let (section, r) = s.section_rows().next()?;
        (section.key(), r.get(Measure::Students).map(|f| f.value))
    };
    let c = spec.criterion(key)?;
    let mut i = judged(item("G4", "size", key, &c.unit, c.op), size, c.value);
    i.whole_school = whole;
    Some(i)
}

/// The largest class, or the mean class where it is not given, as in [`g5`].
fn g5_school(section: Section, r: &SchoolRow, spec: &IndicatorSpec) -> Option<SchoolItem> {
    let c = spec.criterion(section.key())?;
    let (size, estimated) = match (
        r.get(Measure::LargestClass),
        r.get(Measure::Classes),
        r.get(Measure::Students),
    ) {
        (Some(l), _, _) => (Some(l.value), false),
        (None, Some(n), Some(p)) if n.value > 0.0 => (Some(p.value / n.value), true),
        _ => (None, false),
    };
    let mut i = judged(
        item("G5", "class_size", section.key(), &c.unit, c.op),
        size,
        c.value,
    );
    i.estimated = estimated;
    Some(i)
}

/// Certified among full-time teachers of this 学段, in percent, as in [`g12`].
fn g12_school(r: &SchoolRow, spec: &IndicatorSpec) -> Option<SchoolItem> {
    let c = spec.criteria.first()?;
    let mut i = item("G12", "certified", &c.key, &c.unit, c.op);
    let (Some(n), Some(t)) = (
        r.get(Measure::CertifiedTeachers),
        r.get(Measure::FullTimeTeachers),
    ) else {
        i.threshold = c.value;
        return Some(i);
    };
    i.basis = BTreeMap::from([("certified".into(), n.value), ("teachers".into(), t.value)]);
    // No teachers, nobody without a certificate: the county figure counts
    // such a row as meeting it (certified ≥ teachers).
    let rate = if t.value > 0.0 {
        n.value / t.value * 100.0
    } else {
        100.0
    };
    Some(judged(i, Some(rate), c.value))
}

pub fn recognition(county: &County) -> Recognition {
    let spec = county.profile.indicators.get("S1");
    let groups: Vec<SurveyGroupResult> = county
        .plan
        .survey
        .iter()
        .flat_map(|s| &s.groups)
        .map(|g| {
            let sample = g.sample.value;
            let satisfied = g.satisfied.value;
            SurveyGroupResult {
                group: g.group.clone(),
                sample,
                satisfied,
                rate: if sample > 0 {
                    satisfied as f64 / sample as f64 * 100.0
                } else {
                    0.0
                },
                weight: g.weight.as_ref().map(|w| w.value).unwrap_or(sample as f64),
            }
        })
        .collect();
    let wsum: f64 = groups.iter().map(|g| g.weight).sum();
    let survey_rate =
        (wsum > 0.0).then(|| groups.iter().map(|g| g.weight * g.rate).sum::<f64>() / wsum);
    let indicator = match spec {
        Some(spec) => {
            let mut r = from_figures(county, "S1", spec);
            if let Some(rate) = survey_rate
                && !county.plan.figures.contains_key("S1")
            {
                r.criteria = spec
                    .criteria
                    .iter()
                    .map(|c| judge(c, Some(&Scalar::Number(rate))))
                    .collect();
                r.met = all_met(&r.criteria);
                r.source = "survey".into();
                r.evidence = county.plan.survey.as_ref().and_then(|s| s.evidence.clone());
            }
            r
        }
        None => IndicatorResult {
            id: "S1".into(),
            name: "社会认可度".into(),
            source: "plan".into(),
            criteria: Vec::new(),
            met: None,
            evidence: None,
            finding: None,
            failing: Vec::new(),
        },
    };
    Recognition {
        rate: indicator.criteria.first().and_then(|c| c.value),
        total_sample: groups.iter().map(|g| g.sample).sum(),
        groups,
        indicator,
    }
}

pub fn vetoes(county: &County) -> Vec<Veto> {
    county
        .profile
        .vetoes
        .iter()
        .map(|name| Veto {
            name: name.clone(),
            occurred: county.plan.vetoes.get(name).map(|v| v.value),
        })
        .collect()
}

pub fn overview(county: &County, results: &[SchoolResult]) -> Overview {
    let mut by_type: Vec<(String, usize)> = Vec::new();
    for s in &county.schools {
        let t = s.school_type.zh().to_string();
        match by_type.iter_mut().find(|(n, _)| *n == t) {
            Some(e) => e.1 += 1,
            None => by_type.push((t, 1)),
        }
    }
    let order = [
        "小学",
        "初中",
        "九年一贯制学校",
        "十二年一贯制学校",
        "完全中学",
        "教学点",
        "特殊教育学校",
    ];
    by_type.sort_by_key(|(t, _)| order.iter().position(|o| o == t).unwrap_or(order.len()));
    let mut sections = BTreeMap::new();
    for section in Section::ALL {
        let rows: Vec<&SchoolResult> = results.iter().filter(|r| r.section == section).collect();
        sections.insert(
            section,
            SectionOverview {
                rows: rows.len(),
                students: rows.iter().map(|r| r.students).sum(),
                classes: rows.iter().filter_map(|r| r.classes).sum(),
                teachers: rows.iter().filter_map(|r| r.teachers).sum(),
                included_rows: rows.iter().filter(|r| r.included).count(),
                included_students: rows.iter().filter(|r| r.included).map(|r| r.students).sum(),
            },
        );
    }
    let mut townships: Vec<&str> = county
        .schools
        .iter()
        .filter_map(|s| s.township.as_deref())
        .collect();
    townships.sort();
    townships.dedup();
    Overview {
        schools_total: county.schools.len(),
        schools_by_type: by_type,
        sections,
        townships: townships.len(),
        excluded: results
            .iter()
            .filter_map(|r| {
                r.exclusion.as_ref().map(|why| Excluded {
                    name: r.name.clone(),
                    section: r.section,
                    students: r.students,
                    reason: why.clone(),
                })
            })
            .collect(),
        apportioned_schools: county
            .schools
            .iter()
            .filter(|s| !s.whole.is_empty())
            .count(),
    }
}

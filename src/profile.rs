//! The standard profile: every threshold the evaluation compares against.
//! Standards are data: the national profile is embedded as YAML and a province
//! or county changes any number from its plan, never in code.

use crate::model::Section;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The national profile (教督〔2017〕6号), built into the binary.
pub const NATIONAL_YAML: &str = include_str!("profiles/national.yaml");

/// One of the seven 资源配置 indicators, ids as in county monitoring tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ResourceIndicator {
    L1,
    L2,
    L3,
    L4,
    L5,
    L6,
    L7,
}

impl ResourceIndicator {
    pub const ALL: [ResourceIndicator; 7] = [
        ResourceIndicator::L1,
        ResourceIndicator::L2,
        ResourceIndicator::L3,
        ResourceIndicator::L4,
        ResourceIndicator::L5,
        ResourceIndicator::L6,
        ResourceIndicator::L7,
    ];

    pub fn id(self) -> &'static str {
        match self {
            ResourceIndicator::L1 => "L1",
            ResourceIndicator::L2 => "L2",
            ResourceIndicator::L3 => "L3",
            ResourceIndicator::L4 => "L4",
            ResourceIndicator::L5 => "L5",
            ResourceIndicator::L6 => "L6",
            ResourceIndicator::L7 => "L7",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.id() == s)
    }
}

impl fmt::Display for ResourceIndicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A value per 学段.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerSection<T> {
    pub primary: T,
    pub junior: T,
}

impl<T: Copy> PerSection<T> {
    pub fn get(&self, s: Section) -> T {
        match s {
            Section::Primary => self.primary,
            Section::Junior => self.junior,
        }
    }

    pub fn get_mut(&mut self, s: Section) -> &mut T {
        match s {
            Section::Primary => &mut self.primary,
            Section::Junior => &mut self.junior,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceSpec {
    pub name: String,
    pub unit: String,
    /// Decimal places the province prints.
    pub decimals: u8,
    pub primary: f64,
    pub junior: f64,
}

impl ResourceSpec {
    pub fn standard(&self, s: Section) -> f64 {
        match s {
            Section::Primary => self.primary,
            Section::Junior => self.junior,
        }
    }
}

/// 85% of a standard, rounded to 9 decimals: 5.9 × 0.85 is
/// 5.015000000000001 in binary floating point, and a school at exactly 5.015
/// must count as at the floor.
pub fn floor_of(standard: f64, ratio: f64) -> f64 {
    ((standard * ratio) * 1e9).round() / 1e9
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceRules {
    /// How many of the seven indicators a school must meet (6).
    pub min_met: u32,
    /// The floor for the others, as a share of the standard (0.85).
    pub floor_ratio: f64,
    pub cv_limit: PerSection<f64>,
    pub indicators: BTreeMap<ResourceIndicator, ResourceSpec>,
}

/// Weights for apportioning whole-school resources by weighted students.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApportionRule {
    pub primary: f64,
    pub junior: f64,
    pub high: f64,
    pub complete_junior: f64,
    pub complete_high: f64,
    /// None (the default): the exact weighted share, students × factor ÷
    /// total, so a reviewer applying the stated rule gets the printed CV.
    /// Some(n): shares rounded to n decimals before use, as some published
    /// worksheets do (166:231 → 0.4181 : 0.5819).
    #[serde(default, alias = "share_decimals")]
    pub round_share: Option<u8>,
}

/// Which rows take no part in the resource assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExcludeRule {
    pub private: bool,
    pub special: bool,
    pub other_types: bool,
    /// 教学点 with fewer students are excluded; 0 keeps all.
    pub teaching_point_below: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    /// 政府保障程度
    Guarantee,
    /// 教育质量
    Quality,
    /// 社会认可度
    Recognition,
}

impl Area {
    pub fn zh(self) -> &'static str {
        match self {
            Area::Guarantee => "政府保障程度",
            Area::Quality => "教育质量",
            Area::Recognition => "社会认可度",
        }
    }
}

/// How a criterion compares a figure with its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// 达到…以上: equal meets it.
    AtLeast,
    /// 不超过: equal meets it.
    AtMost,
    /// 低于: strictly below.
    Below,
    /// A yes/no fact that must be yes.
    Yes,
}

impl Op {
    /// Does `value` meet `threshold`? Compared unrounded.
    pub fn meets(self, value: f64, threshold: f64) -> bool {
        match self {
            Op::AtLeast => value >= threshold,
            Op::AtMost => value <= threshold,
            Op::Below => value < threshold,
            Op::Yes => value >= 1.0,
        }
    }

    /// The comparison as prose says it (never ≥/≤ in a sentence).
    pub fn words(self) -> &'static str {
        match self {
            Op::AtLeast => "不低于",
            Op::AtMost => "不超过",
            Op::Below => "低于",
            Op::Yes => "",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Op::AtLeast => "≥",
            Op::AtMost => "≤",
            Op::Below => "<",
            Op::Yes => "",
        }
    }
}

/// One measurable part of an indicator (G13 has two: 小学 and 初中).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub key: String,
    pub label: String,
    pub op: Op,
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub unit: String,
}

impl Criterion {
    /// The standard as a reviewer reads it: `≥95%`, `是`.
    pub fn standard_text(&self) -> String {
        match (self.op, self.value) {
            (Op::Yes, _) | (_, None) => "是".to_string(),
            (op, Some(v)) => format!("{}{}{}", op.zh(), fmt_number(v), self.unit),
        }
    }
}

/// 政府保障程度, 教育质量 or 社会认可度 indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSpec {
    pub area: Area,
    pub name: String,
    /// Computed from the school workbooks rather than taken from the plan.
    #[serde(default)]
    pub from_schools: bool,
    pub criteria: Vec<Criterion>,
}

impl IndicatorSpec {
    pub fn criterion(&self, key: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.key == key)
    }
}

/// The range a raw figure usually falls in. Outside it the figure is
/// possible but more often a typing or unit slip (万元 typed where 元 was
/// meant makes equipment per student 10,000 times too small): `check` warns
/// at the cell, never refuses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlausibleRange {
    /// What the warning calls the figure: 生均教学仪器设备值.
    pub label: String,
    /// The column checked, by its canonical header (教学仪器设备值).
    pub figure: String,
    /// Divided by this column of the same row (学生数, 班级数); none checks
    /// the figure itself.
    #[serde(default)]
    pub per: Option<String>,
    /// Multiplier after dividing: 100 for 每百名学生.
    #[serde(default = "one")]
    pub scale: f64,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub unit: String,
    /// Only rows of this 学段; none checks both.
    #[serde(default)]
    pub section: Option<Section>,
}

fn one() -> f64 {
    1.0
}

impl PlausibleRange {
    /// `100–100000 元`, `≤70 人`.
    pub fn range_text(&self) -> String {
        match (self.min, self.max) {
            (Some(a), Some(b)) => format!("{}–{}{}", fmt_number(a), fmt_number(b), self.unit),
            (Some(a), None) => format!("≥{}{}", fmt_number(a), self.unit),
            (None, Some(b)) => format!("≤{}{}", fmt_number(b), self.unit),
            (None, None) => "不限".into(),
        }
    }
}

/// A province profile written before the ranges existed keeps the national
/// ones rather than losing every plausibility warning.
fn national_plausibility() -> BTreeMap<String, PlausibleRange> {
    #[derive(Deserialize)]
    struct Only {
        plausibility: BTreeMap<String, PlausibleRange>,
    }
    // Other sections are ignored: `Only` does not deny unknown fields.
    serde_saphyr::from_str::<Only>(NATIONAL_YAML)
        .map(|o| o.plausibility)
        .unwrap_or_default()
}

/// What the 整改台账 needs beyond the standards: a deadline where the plan
/// gives none, and unit costs for a rough 估算投入.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerRules {
    /// Months after the report date an item is due when no task of the
    /// plan and no later milestone gives a date.
    #[serde(default = "six")]
    pub deadline_months: u32,
    /// 元 per unit of what a school must add (L1–L7 by id): per teacher,
    /// per m², per 元 of equipment, per room. Indicators without one get no
    /// estimate.
    #[serde(default)]
    pub unit_costs: BTreeMap<String, UnitCost>,
    /// The 问题 column's wording, clause by clause, with `{名称}` fields
    /// the tool fills in (see [`PROBLEM_FIELDS`]); a province rewrites any
    /// of them, the national wording stands for the others.
    #[serde(default)]
    pub problems: BTreeMap<String, String>,
}

impl Default for LedgerRules {
    fn default() -> Self {
        LedgerRules {
            deadline_months: six(),
            unit_costs: BTreeMap::new(),
            problems: BTreeMap::new(),
        }
    }
}

/// Each 问题 clause of the 整改台账 and the fields its wording may use.
/// The ledger joins clauses with “；” and ends a problem with “。”.
pub const PROBLEM_FIELDS: &[(&str, &[&str])] = &[
    ("resource", &["指标", "数值", "单位", "标准"]),
    ("resource_missing", &["指标", "缺少"]),
    ("below_floor", &["比例"]),
    ("to_standard", &["数量", "单位", "内容"]),
    ("school_fails", &[]),
    ("music_rooms", &["数值", "单位", "标准"]),
    ("art_rooms", &["数值", "单位", "标准"]),
    ("music_room_area", &["数值", "单位", "标准"]),
    ("art_room_area", &["数值", "单位", "标准"]),
    ("size", &["数值", "单位", "标准"]),
    ("class_size", &["数值", "单位", "标准"]),
    ("class_size_estimated", &["数值", "单位", "标准"]),
    ("certified", &["数值", "单位", "标准"]),
    ("cv", &["学段", "差异系数", "限值"]),
    ("cv_sources", &["学校"]),
    ("criterion", &["项目", "现值", "标准"]),
    ("criterion_plain", &["项目", "现值"]),
    ("target", &["任务", "任务名称", "目标", "时限", "现值"]),
];

impl LedgerRules {
    /// The clause `key` in this profile's wording (else the national one),
    /// its `{名称}` fields filled from `fields`.
    pub fn problem(&self, key: &str, fields: &[(&str, &str)]) -> String {
        static NATIONAL: std::sync::OnceLock<BTreeMap<String, String>> = std::sync::OnceLock::new();
        let national = NATIONAL.get_or_init(|| Profile::national().ledger.problems);
        let wording = self
            .problems
            .get(key)
            .or_else(|| national.get(key))
            .map(String::as_str);
        match wording {
            Some(w) => fill(w, fields),
            // A check without wording still shows its figures.
            None => fields
                .iter()
                .map(|(_, v)| *v)
                .collect::<Vec<_>>()
                .join("，"),
        }
    }
}

/// `{名称}` replaced by its value; anything else kept as written.
fn fill(wording: &str, fields: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(wording.len() + 32);
    let mut rest = wording;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) if fields.iter().any(|(k, _)| *k == name) => {
                let v = fields.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
                out.push_str(v.unwrap_or(""));
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A 问题 clause's wording names a clause the ledger has and only the
/// fields that clause gives.
pub fn check_problem_wording(key: &str, wording: &str) -> Result<(), String> {
    let Some((_, allowed)) = PROBLEM_FIELDS.iter().find(|(k, _)| *k == key) else {
        let known: Vec<&str> = PROBLEM_FIELDS.iter().map(|(k, _)| *k).collect();
        return Err(format!(
            "没有这一项问题措辞，可写的有：{}",
            known.join("、")
        ));
    };
    if let Some(name) = unknown_fields(wording, allowed).first() {
        let given: Vec<String> = allowed.iter().map(|f| format!("{{{f}}}")).collect();
        return Err(format!(
            "“{{{name}}}”不是这一项可用的数值，可用的有：{}",
            if given.is_empty() {
                "（无）".to_string()
            } else {
                given.join("、")
            }
        ));
    }
    Ok(())
}

/// The fields a wording names that its clause does not give.
fn unknown_fields<'a>(wording: &'a str, allowed: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = wording;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !allowed.contains(&name) {
            out.push(name);
        }
        rest = &after[close + 1..];
    }
    out
}

fn six() -> u32 {
    6
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitCost {
    /// 元 per unit.
    pub yuan: f64,
    /// The unit priced, as the addition gives it: 人, 平方米, 元, 间.
    pub per: String,
}

/// One standard the plan's `standards.set` changed from the profile it
/// started from: what a reviewer must be told was judged differently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    /// `Q1.rate`, `L6.primary`, `resource.cv_limit.junior`.
    pub key: String,
    /// The profile's value before the plan changed it.
    pub base: f64,
    /// The value applied.
    pub applied: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    /// The embedded national profile, not a province's file.
    #[serde(skip)]
    pub national: bool,
    /// Changes the plan made, in the plan's order (filled while loading).
    #[serde(skip)]
    pub adjustments: Vec<Adjustment>,
    /// 整改措施 wording per indicator (L1–L7, G/Q/S ids); the report's
    /// 存在的问题 proposes it, a province or county edits it here.
    #[serde(default)]
    pub remedies: BTreeMap<String, String>,
    /// How the 整改台账 dates and prices its items.
    #[serde(default)]
    pub ledger: LedgerRules,
    pub resource: ResourceRules,
    pub apportion: ApportionRule,
    pub exclude: ExcludeRule,
    /// G1–G15, Q1–Q9, S1, in id order (G2 before G10).
    pub indicators: BTreeMap<String, IndicatorSpec>,
    pub vetoes: Vec<String>,
    /// Usual ranges of raw figures, by key (`equipment_per_student`).
    #[serde(default = "national_plausibility")]
    pub plausibility: BTreeMap<String, PlausibleRange>,
}

impl Profile {
    /// The embedded national profile. It is part of the binary and tested, so
    /// failing to parse it is a build defect.
    pub fn national() -> Profile {
        let mut p = parse_profile(NATIONAL_YAML).expect("embedded national profile parses");
        p.national = true;
        p
    }

    pub fn resource_spec(&self, i: ResourceIndicator) -> &ResourceSpec {
        // Profiles are checked on load to define all seven.
        &self.resource.indicators[&i]
    }

    /// G/Q/S ids in natural order: G1, G2, …, G10.
    pub fn indicator_ids(&self, area: Area) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .indicators
            .iter()
            .filter(|(_, s)| s.area == area)
            .map(|(k, _)| k.as_str())
            .collect();
        ids.sort_by_key(|id| indicator_sort_key(id));
        ids
    }

    /// Is `id` an indicator this profile knows (L1–L7 or a G/Q/S id)?
    pub fn knows(&self, id: &str) -> bool {
        ResourceIndicator::parse(id).is_some() || self.indicators.contains_key(id)
    }
}

/// Sort key so that G2 comes before G10.
pub fn indicator_sort_key(id: &str) -> (u8, u32) {
    let letter = match id.as_bytes().first() {
        Some(b'L') => 0,
        Some(b'G') => 1,
        Some(b'Q') => 2,
        Some(b'S') => 3,
        _ => 4,
    };
    (
        letter,
        id.get(1..).and_then(|n| n.parse().ok()).unwrap_or(0),
    )
}

/// Parse a profile and check it is complete.
pub fn parse_profile(yaml: &str) -> Result<Profile, String> {
    let p: Profile = serde_saphyr::from_str(yaml).map_err(|e| e.to_string())?;
    for i in ResourceIndicator::ALL {
        if !p.resource.indicators.contains_key(&i) {
            return Err(format!("标准缺少资源配置指标 {i}"));
        }
    }
    for (key, wording) in &p.ledger.problems {
        check_problem_wording(key, wording).map_err(|e| format!("ledger.problems.{key}：{e}"))?;
    }
    check_numbers(&p)?;
    for (key, r) in &p.plausibility {
        for name in std::iter::once(&r.figure).chain(r.per.as_ref()) {
            if crate::model::Measure::from_zh(name).is_none() {
                return Err(format!(
                    "plausibility.{key}：“{name}”不是数据字典中的数值列"
                ));
            }
        }
    }
    Ok(p)
}

/// Every threshold, weight and price of a profile is a finite number not
/// below zero: YAML reads `.nan`, `.inf` and `-1` as numbers, and a NaN
/// standard would make every comparison false without a word.
fn check_numbers(p: &Profile) -> Result<(), String> {
    let mut numbers: Vec<(String, f64)> = vec![
        ("resource.floor_ratio".into(), p.resource.floor_ratio),
        (
            "resource.cv_limit.primary".into(),
            p.resource.cv_limit.primary,
        ),
        (
            "resource.cv_limit.junior".into(),
            p.resource.cv_limit.junior,
        ),
        ("apportion.primary".into(), p.apportion.primary),
        ("apportion.junior".into(), p.apportion.junior),
        ("apportion.high".into(), p.apportion.high),
        (
            "apportion.complete_junior".into(),
            p.apportion.complete_junior,
        ),
        ("apportion.complete_high".into(), p.apportion.complete_high),
    ];
    for (i, spec) in &p.resource.indicators {
        numbers.push((format!("resource.indicators.{i}.primary"), spec.primary));
        numbers.push((format!("resource.indicators.{i}.junior"), spec.junior));
    }
    for (id, spec) in &p.indicators {
        for c in &spec.criteria {
            if let Some(v) = c.value {
                numbers.push((format!("indicators.{id}.{}.value", c.key), v));
            }
        }
    }
    for (key, r) in &p.plausibility {
        numbers.push((format!("plausibility.{key}.scale"), r.scale));
        for (bound, v) in [("min", r.min), ("max", r.max)] {
            if let Some(v) = v {
                numbers.push((format!("plausibility.{key}.{bound}"), v));
            }
        }
    }
    for (key, c) in &p.ledger.unit_costs {
        numbers.push((format!("ledger.unit_costs.{key}.yuan"), c.yuan));
    }
    match numbers.iter().find(|(_, v)| !(v.is_finite() && *v >= 0.0)) {
        Some((key, v)) => Err(format!("{key} 为 {v}，应为不小于 0 的有限数")),
        None => Ok(()),
    }
}

/// Numbers as the report prints them: no trailing zeros.
pub fn fmt_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A province's profile with `.nan`, `.inf` or a negative threshold is
    /// refused naming the key, never judged by.
    #[test]
    fn non_finite_and_negative_thresholds_are_refused() {
        let national = include_str!("profiles/national.yaml");
        parse_profile(national).unwrap();
        let floor = national
            .lines()
            .find(|l| l.trim_start().starts_with("floor_ratio:"))
            .expect("floor_ratio in the national profile");
        for bad in [".nan", ".inf", "-0.85"] {
            let indent = &floor[..floor.len() - floor.trim_start().len()];
            let text = national.replacen(floor, &format!("{indent}floor_ratio: {bad}"), 1);
            let e = parse_profile(&text).unwrap_err();
            assert!(e.starts_with("resource.floor_ratio 为 "), "{bad}: {e}");
            assert!(e.contains("应为不小于 0 的有限数"), "{e}");
        }
    }

    #[test]
    fn national_profile_words_every_ledger_problem_with_its_own_fields() {
        let p = Profile::national();
        for (key, _) in PROBLEM_FIELDS {
            let w = p
                .ledger
                .problems
                .get(*key)
                .unwrap_or_else(|| panic!("{key}"));
            check_problem_wording(key, w).unwrap();
        }
        assert_eq!(p.ledger.problems.len(), PROBLEM_FIELDS.len());
        assert_eq!(
            p.ledger.problem(
                "cv",
                &[("学段", "初中"), ("差异系数", "0.512"), ("限值", "0.45")]
            ),
            "初中校际差异系数为0.512，超过限值0.45"
        );
    }

    #[test]
    fn a_province_wording_with_an_unknown_clause_or_field_is_refused() {
        let bad_key = NATIONAL_YAML.replace("  problems:\n", "  problems:\n    cv_total: \"x\"\n");
        let e = parse_profile(&bad_key).unwrap_err();
        assert!(
            e.starts_with("ledger.problems.cv_total：没有这一项问题措辞"),
            "{e}"
        );
        let bad_field = NATIONAL_YAML.replace(
            "    school_fails: \"该校（部）资源配置未达标\"",
            "    school_fails: \"{指标}未达标\"",
        );
        assert_ne!(bad_field, NATIONAL_YAML);
        let e = parse_profile(&bad_field).unwrap_err();
        assert_eq!(
            e,
            "ledger.problems.school_fails：“{指标}”不是这一项可用的数值，可用的有：（无）"
        );
    }

    #[test]
    fn national_profile_is_complete() {
        let p = Profile::national();
        assert_eq!(p.resource.indicators.len(), 7);
        assert_eq!(p.indicator_ids(Area::Guarantee).len(), 15);
        assert_eq!(p.indicator_ids(Area::Quality).len(), 9);
        assert_eq!(p.indicator_ids(Area::Recognition), vec!["S1"]);
        assert_eq!(p.indicator_ids(Area::Guarantee)[1], "G2");
        assert_eq!(p.resource_spec(ResourceIndicator::L6).junior, 2500.0);
        assert_eq!(p.resource.cv_limit.get(Section::Junior), 0.45);
        assert_eq!(p.vetoes.len(), 6);
    }

    #[test]
    fn plausibility_ranges_are_in_the_profile() {
        let p = Profile::national();
        let e = &p.plausibility["equipment_per_student"];
        assert_eq!((e.min, e.max), (Some(100.0), Some(100_000.0)));
        assert_eq!(e.range_text(), "100–100000元");
        // A province profile written before the ranges keeps the national ones.
        let cut = NATIONAL_YAML.find("\n# 数据核对").unwrap();
        let older = parse_profile(&NATIONAL_YAML[..cut]).unwrap();
        assert_eq!(older.plausibility, p.plausibility);
        // A range over a column the dictionary does not know is refused.
        let bad = NATIONAL_YAML.replace("figure: 教学仪器设备值,", "figure: 仪器,");
        assert!(
            parse_profile(&bad)
                .unwrap_err()
                .contains("“仪器”不是数据字典中的数值列")
        );
    }

    #[test]
    fn equal_meets_at_least() {
        assert!(Op::AtLeast.meets(4.2, 4.2));
        assert!(!Op::AtMost.meets(0.501787, 0.50));
        assert!(!Op::Below.meets(0.15, 0.15));
    }
}

//! This year against last (上年对比). A county's report must show progress
//! (“差异系数由0.52降至0.43”), so the plan may name last year's data:
//! its workbooks, evaluated again here by the same code and this year's
//! profile (never a second copy of a formula), or the JSON of last year's
//! `dudao evaluate`. Schools are matched by name and 学段, with renames the
//! plan declares; a school found in one year only is listed, never guessed.

use super::readback;
use super::{Evaluation, IndicatorResult, ResourceResult, SchoolResult};
use crate::error::Error;
use crate::model::{County, School, Section, Warning};
use crate::profile::ResourceIndicator;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Last year's data as the input stage read it.
#[derive(Debug, Clone)]
pub struct PreviousInput {
    /// The files, as the plan names them.
    pub files: Vec<String>,
    /// 旧名 → 新名.
    pub renames: BTreeMap<String, String>,
    pub data: PreviousData,
}

#[derive(Debug, Clone)]
pub enum PreviousData {
    /// Last year's workbooks, read and checked like this year's.
    Workbooks(Box<County>),
    /// Last year's evaluation JSON.
    Evaluation(Box<Past>),
}

/// The part of an evaluation JSON (docs/evaluation-json.md) a comparison
/// needs; the field names are the contract's.
#[derive(Debug, Clone, Deserialize)]
pub struct Past {
    #[serde(default)]
    pub report_date: Option<String>,
    #[serde(deserialize_with = "possible_resource")]
    pub resource: PastResource,
    pub schools: Vec<PastSchool>,
    #[serde(default)]
    pub guarantee: Vec<PastItem>,
    #[serde(default)]
    pub quality: Vec<PastItem>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PastResource {
    pub primary: PastSection,
    pub junior: PastSection,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PastSection {
    #[serde(deserialize_with = "readback::de::count")]
    pub schools: usize,
    #[serde(deserialize_with = "readback::de::count")]
    pub schools_passing: usize,
    pub cv_all_ok: bool,
    pub indicators: BTreeMap<ResourceIndicator, PastIndicator>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PastIndicator {
    #[serde(default, deserialize_with = "readback::de::mean")]
    pub mean: Option<f64>,
    #[serde(default, deserialize_with = "readback::de::sd")]
    pub sd: Option<f64>,
    #[serde(default, deserialize_with = "readback::de::cv")]
    pub cv: Option<f64>,
    pub cv_ok: bool,
    #[serde(deserialize_with = "readback::de::count")]
    pub schools_met: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PastSchool {
    pub name: String,
    pub section: Section,
    pub included: bool,
    #[serde(deserialize_with = "readback::de::values")]
    pub values: BTreeMap<ResourceIndicator, Option<f64>>,
    #[serde(deserialize_with = "met_count")]
    pub met_count: u32,
    pub passes: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PastItem {
    pub id: String,
    pub name: String,
    pub source: String,
    pub met: Option<bool>,
}

/// Last year's sections, each figure possible on its own (the field
/// helpers) and together: no more rows passing or meeting an indicator than
/// rows counted, no CV beside a mean of zero.
fn possible_resource<'de, D: serde::Deserializer<'de>>(d: D) -> Result<PastResource, D::Error> {
    use serde::de::Error as _;
    let r = PastResource::deserialize(d)?;
    for s in Section::ALL {
        let sec = match s {
            Section::Primary => &r.primary,
            Section::Junior => &r.junior,
        };
        let at = format!("resource.{}", s.key());
        let counted = sec.schools as f64;
        let mut faults = vec![readback::more_than_counted(
            &format!("{at}.schools_passing（达到校际均衡要求的学校数）"),
            sec.schools_passing as f64,
            counted,
        )];
        for (i, x) in &sec.indicators {
            let at = format!("{at}.indicators.{i}");
            faults.push(readback::more_than_counted(
                &format!("{at}.schools_met（达到标准的学校数）"),
                x.schools_met as f64,
                counted,
            ));
            faults.push(readback::mean_without_cv(x.mean, x.cv).map(|m| format!("{at}：{m}")));
        }
        if let Some(why) = faults.into_iter().flatten().next() {
            return Err(D::Error::custom(why));
        }
    }
    Ok(r)
}

/// Indicators a school meets: at most the seven there are.
fn met_count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    use serde::de::Error as _;
    let n = readback::de::count(d)?;
    let most = ResourceIndicator::ALL.len();
    if n > most {
        return Err(D::Error::custom(format!(
            "met_count（达到标准的指标数）为 {n}，不可能：指标只有 {most} 项"
        )));
    }
    Ok(n as u32)
}

impl Past {
    /// The same facts from an evaluation made in this run.
    fn of(e: &Evaluation) -> Past {
        let section = |s: &super::SectionResult| PastSection {
            schools: s.schools,
            schools_passing: s.schools_passing,
            cv_all_ok: s.cv_all_ok,
            indicators: s
                .indicators
                .iter()
                .map(|(k, i)| {
                    (
                        *k,
                        PastIndicator {
                            mean: i.mean,
                            sd: i.sd,
                            cv: i.cv,
                            cv_ok: i.cv_ok,
                            schools_met: i.schools_met,
                        },
                    )
                })
                .collect(),
        };
        let item = |i: &IndicatorResult| PastItem {
            id: i.id.clone(),
            name: i.name.clone(),
            source: i.source.clone(),
            met: i.met,
        };
        Past {
            report_date: None,
            resource: PastResource {
                primary: section(&e.resource.primary),
                junior: section(&e.resource.junior),
            },
            schools: e
                .schools
                .iter()
                .map(|s| PastSchool {
                    name: s.name.clone(),
                    section: s.section,
                    included: s.included,
                    values: s.values.clone(),
                    met_count: s.met_count,
                    passes: s.passes,
                })
                .collect(),
            guarantee: e.guarantee.iter().map(item).collect(),
            quality: e.quality.iter().map(item).collect(),
        }
    }

    fn section(&self, s: Section) -> &PastSection {
        match s {
            Section::Primary => &self.resource.primary,
            Section::Junior => &self.resource.junior,
        }
    }
}

/// The files `data.previous` names: its workbooks, or its one JSON.
pub fn files(
    p: &serde_saphyr::Spanned<crate::input::plan::PreviousData>,
    label: &str,
) -> Result<Vec<String>, Error> {
    let at = crate::input::yaml::yaml_ref(label, p.referenced);
    let v = &p.value;
    match (&v.evaluation, v.schools.is_empty()) {
        (Some(_), false) => Err(Error::Yaml {
            at,
            message: "data.previous：schools（上年的学校统计表）和 evaluation（上年的评估结果 JSON）只写一项".into(),
        }),
        (None, true) => Err(Error::Yaml {
            at,
            message: "data.previous：请写上年的学校统计表（schools: [文件名]）或上年的评估结果（evaluation: 文件名.json）".into(),
        }),
        (Some(e), true) => Ok(vec![e.value.clone()]),
        (None, false) => Ok(v.schools.iter().map(|s| s.value.clone()).collect()),
    }
}

/// Read last year's evaluation JSON; `shown` is the path as the plan names it.
pub fn parse_evaluation(text: &str, shown: &str) -> Result<Past, Error> {
    serde_json::from_str(text).map_err(|e| Error::File {
        file: shown.to_string(),
        message: match readback::figure_refused(&e) {
            Some(why) => format!(
                "第{}行第{}列：{why}；请核对上年的评估结果 JSON（data.previous.evaluation）",
                e.line(),
                e.column()
            ),
            None => format!(
            "不是 dudao evaluate 输出的评估结果 JSON（第{}行第{}列：{}）；上年数据请写 dudao evaluate --format json 的输出，或写上年的学校统计表（data.previous.schools）",
            e.line(),
            e.column(),
            json_reason(&e)
        ),
        },
    })
}

fn json_reason(e: &serde_json::Error) -> String {
    let m = e.to_string();
    if let Some(f) = m.strip_prefix("missing field `") {
        let f = f.split('`').next().unwrap_or_default();
        return format!("缺少“{f}”");
    }
    match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            "JSON 格式错误".into()
        }
        _ => "内容与评估结果的格式不符".into(),
    }
}

impl PreviousInput {
    /// Last year's school-学段 rows by name, in their order.
    fn rows(&self) -> Vec<(String, Section)> {
        match &self.data {
            PreviousData::Workbooks(c) => section_rows(&c.schools),
            PreviousData::Evaluation(p) => p
                .schools
                .iter()
                .map(|s| (s.name.clone(), s.section))
                .collect(),
        }
    }

    /// A name of last year as this year spells it.
    fn now_name<'a>(&'a self, name: &'a str) -> &'a str {
        self.renames.get(name).map_or(name, String::as_str)
    }
}

fn section_rows(schools: &[School]) -> Vec<(String, Section)> {
    schools
        .iter()
        .flat_map(|s| s.section_rows().map(|(sec, _)| (s.name.clone(), sec)))
        .collect()
}

/// Check the plan's renames against both years' schools, and warn of
/// schools found in one year only. `label` is the plan file as shown.
pub fn check(
    prev: &PreviousInput,
    plan: &crate::input::plan::PreviousData,
    schools: &[School],
    label: &str,
) -> Result<Vec<Warning>, Error> {
    let last = prev.rows();
    let now = section_rows(schools);
    let last_names: BTreeSet<&str> = last.iter().map(|(n, _)| n.as_str()).collect();
    let now_names: BTreeSet<&str> = now.iter().map(|(n, _)| n.as_str()).collect();
    let mut errors = Vec::new();
    let mut renames_unused = Vec::new();
    let mut targets = BTreeSet::new();
    for (old, new) in &plan.renames {
        let at = crate::input::yaml::yaml_ref(label, new.referenced);
        if !last_names.contains(old.as_str()) {
            errors.push(Error::Yaml {
                at: at.clone(),
                message: format!(
                    "data.previous.renames：上年数据中没有学校“{old}”（“旧名: 新名”的旧名须与上年统计表中的学校名称一致）"
                ),
            });
        }
        // This year's workbooks may be replaced on the command line
        // (`--schools`): a new name not found there is worth a warning only.
        if !now_names.contains(new.value.as_str()) {
            renames_unused.push(Warning {
                at: None,
                message: format!(
                    "{at}：data.previous.renames：今年的学校统计表中没有学校“{}”（“旧名: 新名”的新名须与今年统计表中的学校名称一致），这条更名未用上",
                    new.value
                ),
            });
        }
        if !targets.insert(new.value.as_str()) {
            errors.push(Error::Yaml {
                at,
                message: format!(
                    "data.previous.renames：有两所上年的学校都改名为“{}”",
                    new.value
                ),
            });
        }
    }
    Error::from_list(errors)?;
    let last_keys: BTreeSet<(&str, Section)> =
        last.iter().map(|(n, s)| (prev.now_name(n), *s)).collect();
    let now_keys: BTreeSet<(&str, Section)> = now.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    let mut warnings = renames_unused;
    for (n, s) in &last {
        if !now_keys.contains(&(prev.now_name(n), *s)) {
            warnings.push(Warning {
                at: None,
                message: format!(
                    "上年数据中的“{n}”（{}）在今年的学校统计表中没有，未作对比；如已更名，请在计划文件 data.previous.renames 中写“{n}: 新名”",
                    s.zh()
                ),
            });
        }
    }
    for (n, s) in &now {
        if !last_keys.contains(&(n.as_str(), *s)) {
            warnings.push(Warning {
                at: None,
                message: format!(
                    "今年的“{n}”（{}）在上年数据中没有，未作对比（新建学校，或已更名而未在 data.previous.renames 中写明）",
                    s.zh()
                ),
            });
        }
    }
    Ok(warnings)
}

/// This year against last: what the report and the JSON carry.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// `workbooks` (last year evaluated again in this run) or `evaluation`
    /// (last year's evaluation JSON).
    pub source: String,
    /// The files, as the plan names them.
    pub files: Vec<String>,
    /// Last year's report date, where its JSON gives it.
    pub report_date: Option<String>,
    pub sections: BTreeMap<Section, SectionChange>,
    /// Every school-学段 row found in both years, in this year's order.
    pub schools: Vec<SchoolChange>,
    /// Rows found in one year only.
    pub unmatched: Vec<Unmatched>,
    /// The renames applied: last year's name and this year's.
    pub renamed: Vec<(String, String)>,
    /// G and Q items judged in both years (from workbooks: only those
    /// computed from the workbooks; the plan's county figures are this
    /// year's).
    pub items: Vec<ItemChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionChange {
    /// Last year's counted rows and passing rows.
    pub schools: usize,
    pub schools_passing: usize,
    pub cv_all_ok: bool,
    /// Rows passing now that did not last year, and the reverse (names,
    /// rows counted in both years).
    pub newly_passing: Vec<String>,
    pub newly_failing: Vec<String>,
    pub indicators: BTreeMap<ResourceIndicator, IndicatorChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorChange {
    /// Last year's figures.
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub cv: Option<f64>,
    pub cv_ok: bool,
    pub schools_met: usize,
    /// This year minus last year; null where either is missing.
    pub mean_change: Option<f64>,
    pub sd_change: Option<f64>,
    pub cv_change: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SchoolChange {
    /// Index into `Evaluation::schools`.
    pub school: usize,
    /// Last year's name (differs where renamed).
    pub previous_name: String,
    /// Last year's values, unrounded.
    pub values: BTreeMap<ResourceIndicator, Option<f64>>,
    pub included: bool,
    pub met_count: u32,
    pub passes: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unmatched {
    pub name: String,
    pub section: Section,
    /// `previous`: only in last year's data; `current`: only in this year's.
    pub year: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemChange {
    pub id: String,
    pub name: String,
    /// Last year's verdict and this year's.
    pub met: Option<bool>,
    pub met_now: Option<bool>,
}

fn diff(now: Option<f64>, last: Option<f64>) -> Option<f64> {
    Some(now? - last?)
}

/// Compare this year's results with last year's; last year's workbooks are
/// evaluated here with the same code and profile.
pub fn compare(
    county: &County,
    schools: &[SchoolResult],
    resource: &ResourceResult,
    guarantee: &[IndicatorResult],
    quality: &[IndicatorResult],
) -> Option<Comparison> {
    let prev = county.previous.as_ref()?;
    let (past, source, from_workbooks) = match &prev.data {
        PreviousData::Workbooks(c) => (Past::of(&super::evaluate(c)), "workbooks", true),
        PreviousData::Evaluation(p) => ((**p).clone(), "evaluation", false),
    };
    let mut by_key: BTreeMap<(&str, Section), usize> = BTreeMap::new();
    for (i, s) in past.schools.iter().enumerate() {
        by_key
            .entry((prev.now_name(&s.name), s.section))
            .or_insert(i);
    }
    let mut matched = BTreeSet::new();
    let mut changes = Vec::new();
    let mut unmatched = Vec::new();
    for (i, s) in schools.iter().enumerate() {
        match by_key.get(&(s.name.as_str(), s.section)) {
            Some(&j) => {
                matched.insert(j);
                let p = &past.schools[j];
                changes.push(SchoolChange {
                    school: i,
                    previous_name: p.name.clone(),
                    values: p.values.clone(),
                    included: p.included,
                    met_count: p.met_count,
                    passes: p.passes,
                });
            }
            None => unmatched.push(Unmatched {
                name: s.name.clone(),
                section: s.section,
                year: "current".into(),
            }),
        }
    }
    for (j, p) in past.schools.iter().enumerate() {
        if !matched.contains(&j) {
            unmatched.push(Unmatched {
                name: p.name.clone(),
                section: p.section,
                year: "previous".into(),
            });
        }
    }
    let sections = Section::ALL
        .into_iter()
        .map(|sec| {
            let last = past.section(sec);
            let now = resource.section(sec);
            let counted = |c: &&SchoolChange| {
                let s = &schools[c.school];
                s.section == sec && s.included && c.included
            };
            let names = |f: &dyn Fn(&SchoolChange, &SchoolResult) -> bool| {
                changes
                    .iter()
                    .filter(counted)
                    .filter(|c| f(c, &schools[c.school]))
                    .map(|c| schools[c.school].name.clone())
                    .collect::<Vec<_>>()
            };
            let indicators = now
                .indicators
                .iter()
                .filter_map(|(k, i)| {
                    let l = last.indicators.get(k)?;
                    Some((
                        *k,
                        IndicatorChange {
                            mean: l.mean,
                            sd: l.sd,
                            cv: l.cv,
                            cv_ok: l.cv_ok,
                            schools_met: l.schools_met,
                            mean_change: diff(i.mean, l.mean),
                            sd_change: diff(i.sd, l.sd),
                            cv_change: diff(i.cv, l.cv),
                        },
                    ))
                })
                .collect();
            (
                sec,
                SectionChange {
                    schools: last.schools,
                    schools_passing: last.schools_passing,
                    cv_all_ok: last.cv_all_ok,
                    newly_passing: names(&|c, s| s.passes && !c.passes),
                    newly_failing: names(&|c, s| !s.passes && c.passes),
                    indicators,
                },
            )
        })
        .collect();
    let items = guarantee
        .iter()
        .chain(quality)
        .filter(|i| !from_workbooks || i.source == "schools")
        .filter_map(|i| {
            let l = past
                .guarantee
                .iter()
                .chain(&past.quality)
                .find(|p| p.id == i.id)?;
            if from_workbooks && l.source != "schools" {
                return None;
            }
            Some(ItemChange {
                id: i.id.clone(),
                name: i.name.clone(),
                met: l.met,
                met_now: i.met,
            })
        })
        .collect();
    Some(Comparison {
        source: source.into(),
        files: prev.files.clone(),
        report_date: past.report_date.clone(),
        sections,
        schools: changes,
        unmatched,
        renamed: prev
            .renames
            .iter()
            .map(|(a, b)| (a.clone(), b.clone()))
            .collect(),
        items,
    })
}

//! The county's implementation plan (实施方案) as YAML: metadata, goals,
//! tasks with targets and 牵头/责任单位, county-level figures, standard
//! overrides and the data files. serde-saphyr locates every value, so each
//! mistake in the YAML is reported at its line and column.

use chrono::{Datelike, NaiveDate};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// 县名, e.g. 泗县
    pub county: String,
    #[serde(default)]
    pub province: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    /// The report's issuing body and date.
    pub report: ReportMeta,
    /// The implementation plan document this report rests on.
    pub plan: PlanDocument,
    #[serde(default)]
    pub goals: Vec<Goal>,
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    /// 工作重点, grouped as the plan groups them.
    #[serde(default)]
    pub tasks: Vec<TaskGroup>,
    /// 保障措施
    #[serde(default)]
    pub safeguards: Vec<Safeguard>,
    /// 实施步骤
    #[serde(default)]
    pub steps: Vec<Step>,
    /// County-level figures for G1–G15, Q1–Q9 and S1, keyed by indicator id.
    #[serde(default)]
    pub figures: BTreeMap<String, Spanned<FigureEntry>>,
    /// 社会认可度 survey, by respondent group.
    #[serde(default)]
    pub survey: Option<Survey>,
    /// 一票否决 facts: true means the thing happened.
    #[serde(default)]
    pub vetoes: BTreeMap<String, Spanned<bool>>,
    /// Changes to the standard profile.
    #[serde(default)]
    pub standards: Standards,
    /// 县情: what 一、基本情况 says about the county before its schools.
    #[serde(default)]
    pub county_profile: Option<CountyProfile>,
    /// 教育经费 by year, from which 两个只增不减 and 三个增长 are judged.
    #[serde(default)]
    pub funding: Vec<FundingYear>,
    /// 新建、改扩建 school projects.
    #[serde(default)]
    pub projects: Vec<Project>,
    /// 教师队伍 as the personnel records give it.
    #[serde(default)]
    pub teacher_force: Option<TeacherForce>,
    /// Earlier accreditations (基本均衡 and the like).
    #[serde(default)]
    pub accreditations: Vec<Accreditation>,
    /// 自评工作组织情况.
    #[serde(default)]
    pub self_evaluation: Option<SelfEvaluation>,
    /// 特色亮点、典型经验: the bureau's own paragraphs.
    #[serde(default)]
    pub highlights: Vec<Highlight>,
    /// 整改台账: who answers for an indicator where the task carrying it
    /// does not say it right.
    #[serde(default)]
    pub ledger: LedgerPlan,
    pub data: DataFiles,
}

/// A figure the county enters (an amount, an area, a head count). Text
/// where a figure belongs is refused at its place, not read as zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Amount(pub f64);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("数值")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                Ok(Amount(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                Ok(Amount(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                if v.is_finite() {
                    Ok(Amount(v))
                } else {
                    Err(E::custom("应为数值"))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                // `"12.5"` quoted is still a number; `12.5万元` or `约1万` is not:
                // the unit is fixed by the field, and a guess would be wrong.
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .map(Amount)
                    .ok_or_else(|| {
                        E::custom(format!(
                            "“{v}”不是数值：这里只填数字，单位见说明，不写单位和文字"
                        ))
                    })
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Amount, E> {
                Err(E::custom(format!("“{v}”不是数值：这里只填数字")))
            }
        }
        d.deserialize_any(V)
    }
}

pub type Figure = Option<Spanned<Amount>>;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountyProfile {
    /// 总面积，平方千米
    #[serde(default)]
    pub area_km2: Figure,
    /// 常住人口，万人
    #[serde(default)]
    pub resident_population: Figure,
    /// 户籍人口，万人
    #[serde(default)]
    pub registered_population: Figure,
    /// 乡镇数
    #[serde(default)]
    pub towns: Figure,
    /// 街道数
    #[serde(default)]
    pub subdistricts: Figure,
    /// 行政村（社区）数
    #[serde(default)]
    pub villages: Figure,
    /// 地区生产总值，亿元
    #[serde(default)]
    pub gdp: Figure,
    /// 一般公共预算收入，亿元
    #[serde(default)]
    pub budget_revenue: Figure,
    /// The year GDP and revenue are of.
    #[serde(default)]
    pub year: Option<Spanned<i32>>,
}

/// A figure given per 学段.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BySection {
    #[serde(default)]
    pub primary: Figure,
    #[serde(default)]
    pub junior: Figure,
}

/// One year of 教育经费 as the 教育经费统计 and the 决算 give it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingYear {
    pub year: Spanned<i32>,
    /// 教育经费总投入，万元
    #[serde(default)]
    pub total: Figure,
    /// 一般公共预算教育支出（教育财政拨款），万元
    #[serde(default)]
    pub public_budget: Figure,
    /// 财政经常性收入，万元
    #[serde(default)]
    pub recurring_revenue: Figure,
    /// 在校学生数（与教育经费总投入同口径），人
    #[serde(default)]
    pub students: Figure,
    /// 生均一般公共预算教育支出，元
    #[serde(default)]
    pub per_student_budget: BySection,
    /// 生均公用经费，元
    #[serde(default)]
    pub per_student_public: BySection,
    /// 教师工资总额，万元
    #[serde(default)]
    pub teacher_salary: Figure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProjectKind {
    #[serde(rename = "新建")]
    New,
    #[serde(rename = "改扩建")]
    Rebuilt,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// The school (or project) name.
    pub school: String,
    /// 新建 or 改扩建
    pub kind: ProjectKind,
    pub year: Spanned<i32>,
    /// 建筑面积，平方米
    #[serde(default)]
    pub floor_area: Figure,
    /// 新增学位，个
    #[serde(default)]
    pub places: Figure,
    /// 投资，万元
    #[serde(default)]
    pub investment: Figure,
    #[serde(default)]
    pub note: Option<String>,
}

/// A count under a label: 研究生 12, 高级职称 230.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Count {
    pub label: String,
    pub count: Spanned<Amount>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearCount {
    pub year: Spanned<i32>,
    pub count: Spanned<Amount>,
    /// 其中骨干教师 (for 交流轮岗)
    #[serde(default)]
    pub backbone: Figure,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeacherForce {
    /// 义务教育阶段教职工数
    #[serde(default)]
    pub staff: Figure,
    /// 其中专任教师数
    #[serde(default)]
    pub full_time: Figure,
    /// 学历结构
    #[serde(default)]
    pub degrees: Vec<Count>,
    /// 职称结构
    #[serde(default)]
    pub titles: Vec<Count>,
    /// 每年补充教师（招聘、特岗）
    #[serde(default)]
    pub recruitment: Vec<YearCount>,
    /// 每年交流轮岗教师
    #[serde(default)]
    pub exchange: Vec<YearCount>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accreditation {
    /// 全国义务教育发展基本均衡县
    pub title: String,
    pub year: Spanned<i32>,
    /// 认定机关
    pub body: String,
    #[serde(default)]
    pub number: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelfEvaluation {
    /// 组织自评的机构（领导小组、工作组）及其组成
    #[serde(default)]
    pub team: Option<String>,
    #[serde(default)]
    pub from: Option<Spanned<Date>>,
    #[serde(default)]
    pub to: Option<Spanned<Date>>,
    /// 自评方法（逐校自查、实地核查、问卷调查……）
    #[serde(default)]
    pub method: Option<String>,
    /// 统计数据截止日期（教育事业统计时点）
    #[serde(default)]
    pub statistics_date: Option<Spanned<Date>>,
}

/// The plan's say on the 整改台账.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerPlan {
    /// Units per indicator id (`L5`, `G11`, `cv` for the CVs), replacing
    /// those of the task that carries it.
    #[serde(default)]
    pub responsible: BTreeMap<String, Spanned<UnitsOverride>>,
}

impl LedgerPlan {
    /// The overrides whose key names no indicator `knows` accepts and is
    /// not `cv` (the CVs): a typo there would silently keep the task's units.
    pub fn unknown_keys(
        &self,
        knows: impl Fn(&str) -> bool,
    ) -> Vec<(&str, &Spanned<UnitsOverride>)> {
        self.responsible
            .iter()
            .filter(|(id, _)| id.as_str() != "cv" && !knows(id))
            .map(|(id, v)| (id.as_str(), v))
            .collect()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitsOverride {
    /// 牵头单位
    #[serde(default)]
    pub lead: Vec<String>,
    /// 责任单位 (配合)
    #[serde(default)]
    pub responsible: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Highlight {
    pub title: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportMeta {
    pub title: String,
    /// 署名: the issuing body.
    pub issuer: String,
    /// 成文日期; also the date typst's today() returns.
    pub date: Spanned<Date>,
    /// 主送机关, printed flush left under the title (GB/T 9704 §7.3.2).
    #[serde(default)]
    pub recipient: Option<String>,
    /// 加盖印章: 署名 centred over the 成文日期 with room for the seal
    /// (§7.3.5.1); `false` lays them out unsealed (§7.3.5.2).
    #[serde(default = "yes")]
    pub sealed: bool,
    /// A cover page before the report (not numbered).
    #[serde(default)]
    pub cover: bool,
    /// A printed 目录 with page numbers after the cover (not numbered).
    #[serde(default)]
    pub contents: bool,
    /// appendix | separate | none
    #[serde(default)]
    pub school_pages: SchoolPages,
    /// A folder of templates copied out by `dudao init --templates`.
    #[serde(default)]
    pub templates: Option<String>,
    /// Narrative the bureau writes itself; the report quotes it as given.
    #[serde(default)]
    pub overview: Option<String>,
    #[serde(default)]
    pub problems: Vec<String>,
    #[serde(default)]
    pub next_steps: Vec<String>,
    #[serde(default)]
    pub conclusion: Option<String>,
    /// Attach the 整改台账 to the report.
    #[serde(default)]
    pub ledger: bool,
    /// Attach the 责任清单 by unit to the report.
    #[serde(default)]
    pub units: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SchoolPages {
    /// 一校一表 as an appendix of the report.
    #[default]
    Appendix,
    /// One PDF per school beside the report.
    Separate,
    None,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDocument {
    pub title: String,
    #[serde(default)]
    pub number: Option<String>,
    pub issuer: String,
    pub date: Spanned<Date>,
    /// A later notice that adjusted the plan, if any.
    #[serde(default)]
    pub adjusted_by: Option<DocumentRef>,
    /// Documents the plan cites.
    #[serde(default)]
    pub cites: Vec<DocumentRef>,
    #[serde(default)]
    pub preamble: Option<String>,
    /// 指导思想
    #[serde(default)]
    pub guiding_ideology: Option<String>,
    /// 工作目标 (the overall paragraph)
    #[serde(default)]
    pub objective: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentRef {
    pub title: String,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub date: Option<Spanned<Date>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    pub number: String,
    pub title: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    pub by: Spanned<Deadline>,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskGroup {
    /// 一, 二, …
    pub number: String,
    pub title: String,
    /// 牵头单位
    pub lead: Vec<String>,
    /// 责任单位
    #[serde(default)]
    pub responsible: Vec<String>,
    pub items: Vec<Task>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub number: String,
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub targets: Vec<Target>,
    /// 进展 / 成效, quoted in 二、主要做法和成效.
    #[serde(default)]
    pub progress: Option<String>,
    #[serde(default)]
    pub evidence: Option<String>,
}

/// A measurable promise in the plan: indicator, level, deadline.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub indicator: Spanned<String>,
    /// Which part of a multi-part indicator (G13 `primary`), if any.
    #[serde(default)]
    pub key: Option<Spanned<String>>,
    /// For L1–L7: which 学段; absent means both.
    #[serde(default)]
    pub section: Option<crate::model::Section>,
    /// The level promised; absent means the profile's standard.
    #[serde(default)]
    pub value: Option<Spanned<Scalar>>,
    pub by: Spanned<Deadline>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Safeguard {
    pub number: String,
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub lead: Vec<String>,
    #[serde(default)]
    pub responsible: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub period: String,
    pub text: String,
}

/// The figures for one indicator: criterion key → value, plus evidence.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureEntry {
    pub values: BTreeMap<String, Spanned<Scalar>>,
    /// 核查情况: what was found, for a yes/no item (`全县139所学校均已纳入
    /// 布局规划，永久性保留学校名单已公布`); printed as its 实际数.
    #[serde(default)]
    pub finding: Option<String>,
    /// 佐证: what the report quotes as evidence.
    #[serde(default)]
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Survey {
    pub groups: Vec<SurveyGroup>,
    /// How groups are combined: by sample size unless weights are given.
    #[serde(default)]
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyGroup {
    /// 学生, 家长, 教师, 校长, 人大代表, 政协委员, 其他群众
    pub group: String,
    pub sample: Spanned<u32>,
    /// Respondents satisfied (满意 + 基本满意).
    pub satisfied: Spanned<u32>,
    /// Weight in the combined result; default: the sample size.
    #[serde(default)]
    pub weight: Option<Spanned<f64>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standards {
    /// A province's profile YAML replacing the national one (path relative
    /// to the plan).
    #[serde(default)]
    pub profile: Option<Spanned<String>>,
    /// Single values changed, by path: `Q1.rate: 96`, `L1.primary: 4.5`,
    /// `resource.cv_limit.junior: 0.45`, `exclude.teaching_point_below: 50`.
    #[serde(default)]
    pub set: BTreeMap<String, Spanned<Scalar>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataFiles {
    /// School workbooks, relative to the plan file.
    pub schools: Vec<String>,
    /// More header names per canonical header: `学校名称: [单位名称]`.
    #[serde(default)]
    pub aliases: BTreeMap<String, Vec<String>>,
    /// Read sheets the workbook hides. Off by default: a hidden sheet is
    /// usually an old copy or a helper, and counting it doubles schools.
    #[serde(default)]
    pub read_hidden_sheets: bool,
    /// Last year's data, for the year-on-year comparison.
    #[serde(default)]
    pub previous: Option<Spanned<PreviousData>>,
}

/// Last year's data: its school workbooks (evaluated again with this
/// year's profile and aliases), or the JSON a previous `dudao evaluate`
/// wrote. Exactly one of the two.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviousData {
    /// Last year's school workbooks, relative to the plan file.
    #[serde(default)]
    pub schools: Vec<Spanned<String>>,
    /// Or the evaluation JSON of last year (`dudao evaluate --format json`).
    #[serde(default)]
    pub evaluation: Option<Spanned<String>>,
    /// Schools renamed since: `旧名: 新名`.
    #[serde(default)]
    pub renames: BTreeMap<String, Spanned<String>>,
}

/// A YAML scalar: a number (`96`, `"96%"` → 96), yes/no, or text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Scalar {
    Number(f64),
    Bool(bool),
    Text(String),
}

impl Scalar {
    /// As a number: yes → 1, no → 0.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Scalar::Number(n) => Some(*n),
            Scalar::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            Scalar::Text(_) => None,
        }
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("数值、是/否或文字")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                let t = v.trim();
                if let Some(p) = t.strip_suffix('%').or_else(|| t.strip_suffix('％')) {
                    return p
                        .trim()
                        .parse::<f64>()
                        .map(Scalar::Number)
                        .map_err(|_| E::custom(format!("“{v}”不是百分数")));
                }
                Ok(match t {
                    "是" | "有" | "达到" | "已达到" => Scalar::Bool(true),
                    "否" | "无" | "未达到" => Scalar::Bool(false),
                    _ => Scalar::Text(v.to_string()),
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// A calendar date, written `2024-05-20` or `2024年5月20日`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

impl Date {
    /// GB/T 9704 form: 2024年5月20日, no leading zeros.
    pub fn zh(&self) -> String {
        format!("{}年{}月{}日", self.0.year(), self.0.month(), self.0.day())
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.format("%Y-%m-%d").to_string())
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = StrOrNum::deserialize(d)?.0;
        parse_date(&s).map(Date).ok_or_else(|| {
            de::Error::custom(format!("日期“{s}”无效，应写作 2024-05-20 或 2024年5月20日"))
        })
    }
}

/// A deadline: a year (`2023`, meaning its end), a month, or a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// As written, for the report.
    pub text: String,
    /// The last day it covers.
    pub last_day: NaiveDate,
}

impl Serialize for Deadline {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Deadline {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = StrOrNum::deserialize(d)?.0;
        parse_deadline(&s).ok_or_else(|| {
            de::Error::custom(format!(
                "时限“{s}”无效，应写作 2023、2023年、2024-06 或 2024-06-30"
            ))
        })
    }
}

/// Accept `2023` as well as `"2023"`.
struct StrOrNum(String);

impl<'de> Deserialize<'de> for StrOrNum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = StrOrNum;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("日期")
            }
            fn visit_u64<E>(self, v: u64) -> Result<StrOrNum, E> {
                Ok(StrOrNum(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<StrOrNum, E> {
                Ok(StrOrNum(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<StrOrNum, E> {
                Ok(StrOrNum(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Split `2024-5-20`, `2024/05/20`, `2024年5月20日` into numbers.
fn date_parts(s: &str) -> Option<Vec<u32>> {
    let s = s.trim().trim_end_matches(['日', '底']);
    let parts: Vec<&str> = s
        .split(['-', '/', '.', '年', '月'])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    parts.iter().map(|p| p.trim().parse().ok()).collect()
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    match date_parts(s)?.as_slice() {
        [y, m, d] if (1900..=2200).contains(y) => NaiveDate::from_ymd_opt(*y as i32, *m, *d),
        _ => None,
    }
}

pub fn parse_deadline(s: &str) -> Option<Deadline> {
    let last_day = match date_parts(s)?.as_slice() {
        [y] if (1900..=2200).contains(y) => NaiveDate::from_ymd_opt(*y as i32, 12, 31)?,
        [y, m] if (1900..=2200).contains(y) && (1..=12).contains(m) => {
            let (ny, nm) = if *m == 12 { (*y + 1, 1) } else { (*y, *m + 1) };
            NaiveDate::from_ymd_opt(ny as i32, nm, 1)?.pred_opt()?
        }
        [y, m, d] if (1900..=2200).contains(y) => NaiveDate::from_ymd_opt(*y as i32, *m, *d)?,
        _ => return None,
    };
    Some(Deadline {
        text: s.trim().to_string(),
        last_day,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_forms() {
        assert_eq!(
            parse_date("2024-05-20"),
            NaiveDate::from_ymd_opt(2024, 5, 20)
        );
        assert_eq!(
            parse_date("2024年5月20日"),
            NaiveDate::from_ymd_opt(2024, 5, 20)
        );
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(
            Date(NaiveDate::from_ymd_opt(2024, 5, 2).unwrap()).zh(),
            "2024年5月2日"
        );
    }

    #[test]
    fn deadlines_cover_their_period() {
        assert_eq!(
            parse_deadline("2023").unwrap().last_day,
            NaiveDate::from_ymd_opt(2023, 12, 31).unwrap()
        );
        assert_eq!(
            parse_deadline("2024年6月").unwrap().last_day,
            NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()
        );
        assert_eq!(
            parse_deadline("2024-02").unwrap().last_day,
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        assert!(parse_deadline("明年").is_none());
    }
}

//! What the 复核报告 templates (`report_templates/review*.typ.j2`) are
//! given: facts and finished table rows read from the [`Review`], never a
//! sentence. The templates word the report; this module only gathers the
//! numbers, lists and verdicts they word, so that a reviewing body that
//! rephrases its report edits templates, not Rust.
//!
//! One file past 800 lines: each attachment's rows are built from the same
//! per-county lookups (verdicts, sample rows, discrepancies), kept beside
//! the body's facts so an attachment and the sentence citing it agree.

use super::{Review, SampledRow};
use crate::evaluate::MetStatus;
use crate::model::Section;
use crate::output::format::{fixed, grouped};
use crate::profile::ResourceIndicator;
use crate::report::context::{DateParts, TableRows};
use chrono::Datelike;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct ReviewContext {
    pub body: String,
    /// 市级复核 / 省级督导评估.
    pub level: String,
    pub date: DateParts,
    pub profile: String,
    /// 设区市 named in REVIEW.yaml, in order of first appearance.
    pub cities: Vec<String>,
    pub scope: Scope,
    pub method: Method,
    pub counties: Vec<CountyFacts>,
    /// Counties by outcome, in REVIEW.yaml order.
    pub passed: Vec<String>,
    pub failed: Vec<String>,
    pub incomplete: Vec<String>,
    pub tables: Tables,
    /// One 实地核查表 per sampled row.
    pub checks: Vec<CheckSheet>,
    pub discrepancy_count: usize,
    pub list_checks: Vec<ListCheckFacts>,
}

#[derive(Debug, Serialize)]
pub struct Scope {
    pub counties: usize,
    pub complete: usize,
    /// Schools (not rows) of the complete counties.
    pub schools: usize,
    pub rows: usize,
    pub primary_rows: usize,
    pub junior_rows: usize,
    pub students: f64,
    pub primary_students: f64,
    pub junior_students: f64,
    pub sampled: usize,
    /// Sampled rows by school type, in a fixed order.
    pub sampled_by_type: Vec<Count>,
    /// Sampled rows by 城区/镇区/乡村.
    pub sampled_by_locality: Vec<Count>,
    /// Counties whose reported figures were checked, and the figures found
    /// differing.
    pub reported_counties: usize,
    /// Survey questionnaires over all counties.
    pub survey_sample: u64,
}

#[derive(Debug, Serialize)]
pub struct Count {
    pub name: String,
    pub n: usize,
}

#[derive(Debug, Serialize)]
pub struct Method {
    pub seed: u64,
    pub per_county: usize,
    /// `3`: how much likelier a failing row is drawn.
    pub fail_weight: String,
    /// 一贯制, 教学点, 特殊教育学校: covered first where a county has them.
    pub required: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct CountyFacts {
    pub name: String,
    pub city: Option<String>,
    pub complete: bool,
    pub errors: Vec<String>,
    pub passed: bool,
    pub resource: Option<bool>,
    pub guarantee: Option<bool>,
    pub quality: Option<bool>,
    pub recognition: Option<bool>,
    /// Some 一票否决 item occurred.
    pub veto: Option<bool>,
    pub schools: usize,
    pub students: f64,
    pub sections: Vec<SectionFacts>,
    pub guarantee_met: usize,
    pub guarantee_total: usize,
    pub quality_met: usize,
    pub quality_total: usize,
    pub unmet: Vec<UnmetFacts>,
    /// Percent.
    pub recognition_rate: Option<f64>,
    pub survey_sample: u32,
    pub survey_missing: Vec<String>,
    /// Vetoes that occurred, by name.
    pub vetoes: Vec<String>,
    pub discrepancies: usize,
    /// The county's own changes of the standards, not applied.
    pub own_standards: Vec<OwnStandard>,
    pub sampled: usize,
}

#[derive(Debug, Serialize)]
pub struct SectionFacts {
    /// 小学 / 初中.
    pub section: String,
    /// Rows counted in the assessment, and those passing the rule.
    pub schools: usize,
    pub passing: usize,
    pub failing: usize,
    pub students: f64,
    pub cv_limit: f64,
    /// The largest CV of the seven, and the indicator it belongs to.
    pub cv_max: Option<f64>,
    pub cv_max_name: String,
    pub cv_over: Vec<CvOverFacts>,
    /// Failing rows: the first few names, for the problems section.
    pub failing_names: Vec<String>,
    /// Indicators short at most failing rows, most first.
    pub failing_indicators: Vec<Count>,
}

#[derive(Debug, Serialize)]
pub struct CvOverFacts {
    pub name: String,
    pub cv: Option<f64>,
    pub limit: f64,
}

#[derive(Debug, Serialize)]
pub struct UnmetFacts {
    /// 政府保障程度 / 教育质量.
    pub area: String,
    pub name: String,
    /// No data to decide.
    pub undecided: bool,
    pub criteria: Vec<CriterionFacts>,
}

#[derive(Debug, Serialize)]
pub struct CriterionFacts {
    pub label: String,
    /// `不超过12个`.
    pub standard: String,
    pub actual: String,
    pub gap: String,
}

#[derive(Debug, Serialize)]
pub struct OwnStandard {
    pub label: String,
    pub base: String,
    pub applied: String,
}

#[derive(Debug, Serialize)]
pub struct ListCheckFacts {
    pub county: String,
    pub missing: usize,
    pub extra: usize,
    pub out_of_order_at: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct Tables {
    pub cv: TableRows,
    pub summary: TableRows,
    pub failing_schools: TableRows,
    pub unmet_items: TableRows,
    pub surveys: TableRows,
    pub discrepancies: TableRows,
    pub sample: TableRows,
}

#[derive(Debug, Serialize)]
pub struct CheckSheet {
    pub county: String,
    pub name: String,
    pub section: String,
    pub school_type: String,
    pub locality: String,
    pub township: String,
    pub reason: String,
    pub students: String,
    /// Passes the per-school rule on the county's figures.
    pub passes: bool,
    pub included: bool,
    pub table: TableRows,
}

/// How many failing rows the problems section names per 学段.
const NAMED_FAILING: usize = 5;

/// School types in the order the scope lists them.
const TYPE_ORDER: [&str; 7] = [
    "小学",
    "初级中学",
    "九年一贯制学校",
    "十二年一贯制学校",
    "完全中学",
    "教学点",
    "特殊教育学校",
];

pub fn build(r: &Review, date: chrono::NaiveDate) -> ReviewContext {
    let mut cities: Vec<String> = Vec::new();
    for c in &r.counties {
        if let Some(city) = &c.city
            && !cities.contains(city)
        {
            cities.push(city.clone());
        }
    }
    let counties: Vec<CountyFacts> = r
        .counties
        .iter()
        .zip(&r.evaluations)
        .map(|(c, e)| county_facts(r, c, e.as_ref()))
        .collect();
    let names = |f: &dyn Fn(&CountyFacts) -> bool| {
        counties
            .iter()
            .filter(|c| f(c))
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
    };
    let passed = names(&|c| c.complete && c.passed);
    let failed = names(&|c| c.complete && !c.passed);
    let incomplete = names(&|c| !c.complete);
    ReviewContext {
        body: r.body.clone(),
        level: r.level.clone(),
        date: DateParts {
            year: date.year(),
            month: date.month(),
            day: date.day(),
        },
        profile: r.profile.clone(),
        cities,
        scope: scope(r),
        method: Method {
            seed: r.sample_method.seed,
            per_county: r.sample_method.per_county,
            fail_weight: crate::profile::fmt_number(r.sample_method.fail_weight),
            required: r.sample_method.required.clone(),
        },
        passed,
        failed,
        incomplete,
        tables: Tables {
            cv: cv_table(r),
            summary: summary_table(r),
            failing_schools: failing_table(r),
            unmet_items: unmet_table(r),
            surveys: survey_table(r),
            discrepancies: discrepancy_table(r),
            sample: sample_table(r),
        },
        checks: r.sample.iter().map(check_sheet).collect(),
        discrepancy_count: r.discrepancies.len(),
        list_checks: r
            .list_checks
            .iter()
            .map(|l| ListCheckFacts {
                county: l.county.clone(),
                missing: l.missing.len(),
                extra: l.extra.len(),
                out_of_order_at: l.first_out_of_order.as_ref().map(|o| o.position),
            })
            .collect(),
        counties,
    }
}

fn counted(items: impl Iterator<Item = String>, order: &[&str]) -> Vec<Count> {
    let mut m: BTreeMap<String, usize> = BTreeMap::new();
    for i in items {
        *m.entry(i).or_default() += 1;
    }
    let rank = |n: &str| order.iter().position(|o| *o == n).unwrap_or(order.len());
    let mut v: Vec<Count> = m.into_iter().map(|(name, n)| Count { name, n }).collect();
    v.sort_by(|a, b| rank(&a.name).cmp(&rank(&b.name)).then(a.name.cmp(&b.name)));
    v
}

fn scope(r: &Review) -> Scope {
    let evals: Vec<_> = r.evaluations.iter().flatten().collect();
    let sec = |s: Section| {
        evals
            .iter()
            .filter_map(|e| e.overview.sections.get(&s))
            .fold((0, 0.0), |(n, p), o| (n + o.rows, p + o.students))
    };
    let (primary_rows, primary_students) = sec(Section::Primary);
    let (junior_rows, junior_students) = sec(Section::Junior);
    Scope {
        counties: r.counties.len(),
        complete: evals.len(),
        schools: evals.iter().map(|e| e.overview.schools_total).sum(),
        rows: primary_rows + junior_rows,
        primary_rows,
        junior_rows,
        students: primary_students + junior_students,
        primary_students,
        junior_students,
        sampled: r.sample.len(),
        sampled_by_type: counted(r.sample.iter().map(|s| s.school_type.clone()), &TYPE_ORDER),
        sampled_by_locality: counted(
            r.sample
                .iter()
                .map(|s| s.locality.clone().unwrap_or_else(|| "未填城乡类别".into())),
            &["城区", "镇区", "乡村"],
        ),
        reported_counties: r.counties.iter().filter(|c| !c.reported.is_empty()).count(),
        survey_sample: evals
            .iter()
            .map(|e| u64::from(e.recognition.total_sample))
            .sum(),
    }
}

fn county_facts(
    r: &Review,
    c: &super::CountyReview,
    e: Option<&crate::evaluate::Evaluation>,
) -> CountyFacts {
    let v = &c.verdict;
    let mut f = CountyFacts {
        name: c.county.clone(),
        city: c.city.clone(),
        complete: c.complete,
        errors: c.errors.clone(),
        passed: v.passed,
        resource: v.resource,
        guarantee: v.guarantee,
        quality: v.quality,
        recognition: v.recognition,
        veto: v.no_veto.map(|x| !x),
        schools: 0,
        students: 0.0,
        sections: Vec::new(),
        guarantee_met: 0,
        guarantee_total: 0,
        quality_met: 0,
        quality_total: 0,
        unmet: Vec::new(),
        recognition_rate: None,
        survey_sample: 0,
        survey_missing: Vec::new(),
        vetoes: Vec::new(),
        discrepancies: c.discrepancies,
        own_standards: c
            .own_standards
            .iter()
            .map(|s| OwnStandard {
                label: s.label.clone(),
                base: s.base_text.clone(),
                applied: format!("{}{}", crate::profile::fmt_number(s.applied), s.unit),
            })
            .collect(),
        sampled: c.sampled,
    };
    let Some(e) = e else { return f };
    f.schools = e.overview.schools_total;
    f.students = e.overview.sections.values().map(|s| s.students).sum();
    for s in Section::ALL {
        let sr = e.resource.section(s);
        let failing: Vec<_> = e
            .schools
            .iter()
            .filter(|x| x.section == s && x.included && !x.passes)
            .collect();
        let max = sr
            .indicators
            .values()
            .filter(|x| x.cv.is_some())
            .max_by(|a, b| a.cv.partial_cmp(&b.cv).unwrap_or(std::cmp::Ordering::Equal));
        f.sections.push(SectionFacts {
            section: s.zh().into(),
            schools: sr.schools,
            passing: sr.schools_passing,
            failing: failing.len(),
            students: sr.students,
            cv_limit: sr.indicators.values().next().map_or(0.0, |x| x.cv_limit),
            cv_max: max.and_then(|x| x.cv),
            cv_max_name: max.map(|x| x.name.clone()).unwrap_or_default(),
            cv_over: sr
                .indicators
                .values()
                .filter(|x| !x.cv_ok)
                .map(|x| CvOverFacts {
                    name: x.name.clone(),
                    cv: x.cv,
                    limit: x.cv_limit,
                })
                .collect(),
            failing_names: failing
                .iter()
                .take(NAMED_FAILING)
                .map(|x| x.name.clone())
                .collect(),
            failing_indicators: {
                let mut v = counted(
                    failing.iter().flat_map(|x| {
                        ResourceIndicator::ALL
                            .into_iter()
                            .filter(|i| x.status.get(i).is_some_and(|m| *m != MetStatus::Met))
                            .map(|i| sr.indicators[&i].name.clone())
                    }),
                    &[],
                );
                v.sort_by_key(|c| std::cmp::Reverse(c.n));
                v
            },
        });
    }
    let met =
        |v: &[crate::evaluate::IndicatorResult]| v.iter().filter(|i| i.met == Some(true)).count();
    f.guarantee_met = met(&e.guarantee);
    f.guarantee_total = e.guarantee.len();
    f.quality_met = met(&e.quality);
    f.quality_total = e.quality.len();
    f.unmet = r
        .tables
        .unmet_items
        .iter()
        .filter(|u| u.county == e.county)
        .map(|u| UnmetFacts {
            area: area_zh(&u.area).into(),
            name: u.name.clone(),
            undecided: u.met.is_none(),
            criteria: u
                .criteria
                .iter()
                .map(|c| CriterionFacts {
                    label: c.label.clone(),
                    standard: c.standard_words.clone(),
                    actual: c.actual.clone(),
                    gap: c.gap.clone(),
                })
                .collect(),
        })
        .collect();
    f.recognition_rate = e.recognition.rate;
    f.survey_sample = e.recognition.total_sample;
    f.survey_missing = r
        .tables
        .surveys
        .iter()
        .find(|s| s.county == e.county)
        .map(|s| s.groups_missing.clone())
        .unwrap_or_default();
    f.vetoes = e
        .vetoes
        .iter()
        .filter(|v| v.occurred == Some(true))
        .map(|v| v.name.clone())
        .collect();
    f
}

fn area_zh(a: &str) -> &'static str {
    match a {
        "guarantee" => "政府保障程度",
        _ => "教育质量",
    }
}

fn opt(v: Option<f64>, d: usize) -> String {
    v.map(|x| fixed(x, d)).unwrap_or_else(|| "—".into())
}

fn yes(b: Option<bool>) -> String {
    match b {
        Some(true) => "达标",
        Some(false) => "未达标",
        None => "—",
    }
    .into()
}

/// 各县差异系数表: per county a heading row, then 小学 and 初中 with rows
/// 全县平均值 / 标准差 / 差异系数 and one column per indicator.
fn cv_table(r: &Review) -> TableRows {
    let mut t = TableRows {
        header: ["学段", "项目"].map(String::from).to_vec(),
        numeric: (2..9).collect(),
        ..Default::default()
    };
    t.header
        .extend(ResourceIndicator::ALL.map(|i| i.id().to_string()));
    for b in &r.tables.cv {
        let mut head = vec![String::new(); 9];
        let limits: Vec<String> = b
            .sections
            .iter()
            .map(|s| format!("{}{}", s.section.zh(), fixed(s.cv_limit, 2)))
            .collect();
        let city = b
            .city
            .as_ref()
            .map(|c| format!("{c}　"))
            .unwrap_or_default();
        head[0] = if b.complete {
            format!("{city}{}（差异系数限值：{}）", b.county, limits.join("，"))
        } else {
            format!("{city}{}（材料不全）", b.county)
        };
        t.spans.push((t.rows.len(), 0, 9, 1));
        t.emphasis.push(t.rows.len());
        t.rows.push(head);
        for s in &b.sections {
            for (k, label) in ["全县平均值", "标准差", "差异系数"].iter().enumerate() {
                let mut row = vec![
                    if k == 0 {
                        s.section.zh().to_string()
                    } else {
                        String::new()
                    },
                    label.to_string(),
                ];
                for (c, x) in s.indicators.iter().enumerate() {
                    let v = [x.mean, x.sd, x.cv][k];
                    row.push(opt(v, 6));
                    if k == 2 && x.over_limit {
                        t.failing.push((t.rows.len(), 2 + c));
                    }
                }
                if k == 0 {
                    t.spans.push((t.rows.len(), 0, 1, 3));
                }
                t.rows.push(row);
            }
        }
    }
    t
}

/// 四个方面达标情况汇总表, a heading row per 设区市 when there are any.
fn summary_table(r: &Review) -> TableRows {
    let mut t = TableRows {
        header: [
            "序号",
            "县（市、区）",
            "达标学校（部）",
            "差异系数超过限值的指标",
            "资源配置",
            "政府保障程度",
            "教育质量",
            "社会认可度（%）",
            "一票否决",
            "结论",
        ]
        .map(String::from)
        .to_vec(),
        numeric: vec![0, 7],
        ..Default::default()
    };
    let mut n = 0;
    for g in &r.tables.summary {
        if let Some(city) = &g.city {
            t.spans.push((t.rows.len(), 0, 10, 1));
            t.emphasis.push(t.rows.len());
            let mut head = vec![String::new(); 10];
            head[0] = city.clone();
            t.rows.push(head);
        }
        for s in &g.rows {
            n += 1;
            let at = t.rows.len();
            if !s.complete {
                t.rows.push(vec![
                    n.to_string(),
                    s.county.clone(),
                    "—".into(),
                    "—".into(),
                    "—".into(),
                    "—".into(),
                    "—".into(),
                    "—".into(),
                    "—".into(),
                    "材料不全".into(),
                ]);
                t.failing.push((at, 9));
                continue;
            }
            let over: Vec<String> = s
                .cv_over
                .iter()
                .map(|o| format!("{}{}（{}）", o.section.zh(), o.name, opt(o.cv, 6)))
                .collect();
            t.rows.push(vec![
                n.to_string(),
                s.county.clone(),
                format!("{}/{}", s.schools_passing, s.schools_total),
                if over.is_empty() {
                    "无".into()
                } else {
                    over.join("；")
                },
                yes(s.resource_met),
                format!("{}/{}", s.guarantee_met, s.guarantee_total),
                format!("{}/{}", s.quality_met, s.quality_total),
                opt(s.recognition_rate, 2),
                match s.veto {
                    Some(true) => "有".into(),
                    Some(false) => "无".into(),
                    None => "—".into(),
                },
                if s.passed { "通过" } else { "未通过" }.into(),
            ]);
            let mark = |ok: bool, col: usize, t: &mut TableRows| {
                if !ok {
                    t.failing.push((at, col));
                }
            };
            mark(s.schools_passing == s.schools_total, 2, &mut t);
            mark(s.cv_over.is_empty(), 3, &mut t);
            mark(s.resource_met == Some(true), 4, &mut t);
            mark(s.guarantee_met == s.guarantee_total, 5, &mut t);
            mark(s.quality_met == s.quality_total, 6, &mut t);
            mark(s.recognition_met == Some(true), 7, &mut t);
            mark(s.veto == Some(false), 8, &mut t);
            mark(s.passed, 9, &mut t);
        }
    }
    t
}

fn failing_table(r: &Review) -> TableRows {
    let mut t = TableRows {
        header: [
            "序号",
            "县（市、区）",
            "学校名称",
            "学段",
            "未达到标准的指标（指标值/标准）",
            "达到要求需增配",
        ]
        .map(String::from)
        .to_vec(),
        numeric: vec![0],
        ..Default::default()
    };
    for (k, s) in r.tables.failing_schools.iter().enumerate() {
        let short: Vec<String> = s
            .indicators
            .iter()
            .map(|i| {
                let d = usize::from(i.decimals);
                let mark = if i.status == MetStatus::Below {
                    "▲"
                } else {
                    "△"
                };
                format!(
                    "{}{}/{}{}{mark}",
                    i.name,
                    opt(i.value, d),
                    fixed(i.standard, d),
                    i.unit
                )
            })
            .collect();
        let gap = s
            .gap
            .as_ref()
            .map(|g| crate::output::format::gap_items(g).join("；"))
            .unwrap_or_default();
        t.rows.push(vec![
            (k + 1).to_string(),
            s.county.clone(),
            s.name.clone(),
            s.section.zh().into(),
            short.join("；"),
            gap,
        ]);
    }
    t
}

fn unmet_table(r: &Review) -> TableRows {
    let mut t = TableRows {
        header: [
            "序号",
            "县（市、区）",
            "方面",
            "指标",
            "标准",
            "实际情况",
            "差距",
        ]
        .map(String::from)
        .to_vec(),
        numeric: vec![0],
        ..Default::default()
    };
    for (k, u) in r.tables.unmet_items.iter().enumerate() {
        let pick = |f: &dyn Fn(&crate::evaluate::CriterionResult) -> String| {
            u.criteria.iter().map(f).collect::<Vec<_>>().join("；")
        };
        t.rows.push(vec![
            (k + 1).to_string(),
            u.county.clone(),
            area_zh(&u.area).into(),
            u.name.clone(),
            pick(&|c| c.standard_words.clone()),
            if u.met.is_none() && u.criteria.is_empty() {
                "无数据".into()
            } else {
                pick(&|c| c.actual.clone())
            },
            pick(&|c| c.gap.clone()),
        ]);
    }
    t
}

fn survey_table(r: &Review) -> TableRows {
    const GROUPS: [&str; 7] = [
        "学生",
        "家长",
        "教师",
        "校长",
        "人大代表",
        "政协委员",
        "其他群众",
    ];
    let mut t = TableRows {
        header: ["县（市、区）"].map(String::from).to_vec(),
        numeric: (1..10).collect(),
        ..Default::default()
    };
    t.header.extend(GROUPS.map(String::from));
    t.header
        .extend(["合计", "满意度（%）", "结论"].map(String::from));
    for s in &r.tables.surveys {
        let at = t.rows.len();
        let mut row = vec![s.county.clone()];
        for (k, g) in GROUPS.iter().enumerate() {
            let n = s
                .groups
                .iter()
                .filter(|x| x.group == *g)
                .map(|x| x.sample)
                .sum::<u32>();
            if n == 0 {
                t.failing.push((at, 1 + k));
            }
            row.push(n.to_string());
        }
        row.push(s.total_sample.to_string());
        row.push(opt(s.rate, 2));
        row.push(yes(s.met));
        if s.met != Some(true) {
            t.failing.push((at, 10));
        }
        t.rows.push(row);
    }
    t
}

fn discrepancy_table(r: &Review) -> TableRows {
    let mut t = TableRows {
        header: [
            "序号",
            "县（市、区）",
            "学段",
            "学校",
            "指标",
            "项目",
            "上报数",
            "复核数",
            "差额",
            "上报数所在位置",
        ]
        .map(String::from)
        .to_vec(),
        numeric: vec![0, 6, 7, 8],
        ..Default::default()
    };
    let names = crate::profile::Profile::national();
    for (k, d) in r.discrepancies.iter().enumerate() {
        let (what, figure) = d.labels(&names);
        let dec = usize::from(d.decimals);
        t.rows.push(vec![
            (k + 1).to_string(),
            d.county.clone(),
            d.section.map(|s| s.zh().to_string()).unwrap_or_default(),
            d.school.clone().unwrap_or_default(),
            what,
            figure.into(),
            fixed(d.reported, dec),
            opt(d.recomputed, dec),
            opt(d.difference, dec),
            d.source.clone(),
        ]);
        t.failing.push((k, 6));
    }
    t
}

fn sample_table(r: &Review) -> TableRows {
    let mut t = TableRows {
        header: [
            "序号",
            "县（市、区）",
            "学校名称",
            "学段",
            "学校类型",
            "城乡类别",
            "乡镇",
            "学生数",
            "资源配置（县报数据）",
            "抽取原因",
        ]
        .map(String::from)
        .to_vec(),
        numeric: vec![0, 7],
        ..Default::default()
    };
    for (k, s) in r.sample.iter().enumerate() {
        t.rows.push(vec![
            (k + 1).to_string(),
            s.county.clone(),
            s.name.clone(),
            s.section.zh().into(),
            s.school_type.clone(),
            s.locality.clone().unwrap_or_else(|| "—".into()),
            s.township.clone().unwrap_or_else(|| "—".into()),
            grouped(s.students, 0),
            if !s.included {
                "不参评".into()
            } else if s.passes {
                "达标".into()
            } else {
                "未达标".into()
            },
            s.reason.clone(),
        ]);
        if s.included && !s.passes {
            t.failing.push((k, 8));
        }
    }
    t
}

fn check_sheet(s: &SampledRow) -> CheckSheet {
    let mut t = TableRows {
        header: [
            "指标",
            "单位",
            "县报数值",
            "标准",
            "标准的85%",
            "是否达到",
            "核查值",
            "核查是否达到",
            "备注",
        ]
        .map(String::from)
        .to_vec(),
        numeric: vec![2, 3, 4],
        ..Default::default()
    };
    for (k, c) in s.checks.iter().enumerate() {
        let d = usize::from(c.decimals);
        t.rows.push(vec![
            c.name.clone(),
            c.unit.clone(),
            opt(c.value, d),
            crate::profile::fmt_number(c.standard),
            crate::profile::fmt_number(c.floor),
            match c.status {
                MetStatus::Met => "达到",
                MetStatus::Floor => "低于标准但不低于85%",
                _ => "未达到",
            }
            .into(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        match c.status {
            MetStatus::Met => {}
            MetStatus::Floor => t.short.push((k, 2)),
            _ => t.failing.push((k, 2)),
        }
    }
    CheckSheet {
        county: s.county.clone(),
        name: s.name.clone(),
        section: s.section.zh().into(),
        school_type: s.school_type.clone(),
        locality: s.locality.clone().unwrap_or_else(|| "—".into()),
        township: s.township.clone().unwrap_or_else(|| "—".into()),
        reason: s.reason.clone(),
        students: fixed(s.students, 0),
        passes: s.passes,
        included: s.included,
        table: t,
    }
}

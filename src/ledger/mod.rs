//! 整改台账: one row per problem the evaluation found, with who answers for
//! it and by when, carried from one run to the next. The problems are read
//! off the one [`Evaluation`] (nothing is recomputed here); the previous
//! ledger, as staff edited it, is read back in [`read`] and merged in
//! [`carry`]; [`xlsx`] writes the workbook.

pub mod carry;
pub mod read;
pub mod xlsx;

use crate::evaluate::{Evaluation, MetStatus};
use crate::input::plan::{Deadline, Plan};
use crate::model::{County, Section};
use crate::profile::{ResourceIndicator, fmt_number};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Where a key's parts are separated. Not a character a school name has.
pub const KEY_SEP: char = '|';

/// The 状态 values the tool writes; staff may also write 整改中.
pub const OPEN: &str = "待整改";
pub const IN_PROGRESS: &str = "整改中";
pub const CLOSED: &str = "已整改";
pub const OVERDUE: &str = "逾期";

/// One row of the ledger.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// Stable key: school (or 全县), 学段 (or 全校/全县), indicator, joined
    /// by [`KEY_SEP`]. Rows of two runs are matched by it, never by place.
    pub key: String,
    /// 资源配置 / 办学条件 / 差异系数 / 政府保障程度 … / 方案目标.
    pub category: String,
    /// The school, or 全县.
    pub scope: String,
    /// 小学, 初中, 全校, or empty for a county item.
    pub section: String,
    /// The indicator's name (never its id: staff read this column).
    pub indicator: String,
    /// The indicator id (`L5`, `G3`), for units and deadlines.
    pub id: String,
    /// 问题, with its figures.
    pub problem: String,
    /// 整改措施: the profile's wording until staff write their own.
    pub measure: String,
    /// 牵头单位 and 配合 (责任单位), as the plan writes them.
    pub lead: Vec<String>,
    pub responsible: Vec<String>,
    /// 责任人: staff fill it in.
    pub person: String,
    /// 完成时限 as the ledger prints it: `2024年12月底`.
    pub deadline: String,
    /// Its last day, for 逾期.
    #[serde(skip)]
    pub deadline_day: Option<NaiveDate>,
    /// 估算投入, 万元, where the profile prices what must be added.
    pub cost: Option<f64>,
    pub status: String,
    /// 进展: staff's notes.
    pub progress: String,
    /// 销号情况: when and on which data an item was closed, or why a row
    /// came back.
    pub note: String,
}

impl Item {
    /// 牵头单位 and 配合 as one cell: `牵头：县教体局；配合：县财政局、县住建局`.
    pub fn units_text(&self) -> String {
        units_text(&self.lead, &self.responsible)
    }
}

/// `牵头：A、B；配合：C`.
fn units_text(lead: &[String], responsible: &[String]) -> String {
    let mut s = String::new();
    if !lead.is_empty() {
        s.push_str(&format!("牵头：{}", lead.join("、")));
    }
    if !responsible.is_empty() {
        if !s.is_empty() {
            s.push('；');
        }
        s.push_str(&format!("配合：{}", responsible.join("、")));
    }
    s
}

/// The plan's `ledger.responsible` units fill one 责任单位 cell each: one
/// too long for a cell is refused at its line, where it can be shortened.
fn check_plan_units(plan: &Plan, label: &str) -> Result<(), crate::error::Error> {
    for o in plan.ledger.responsible.values() {
        crate::output::excel::check_cell(&units_text(&o.value.lead, &o.value.responsible), || {
            crate::output::excel::Origin::Yaml(crate::input::yaml::yaml_ref(label, o.referenced))
        })?;
    }
    Ok(())
}

/// The ledger of one run: its items and what reading the previous one
/// found (rows deleted, rows closed).
#[derive(Debug, Clone, Serialize)]
pub struct Ledger {
    pub county: String,
    /// 成文日期 of the report, `2024年5月20日`.
    pub report_date: String,
    /// The date of the data judged (统计时点, else the report date).
    pub data_date: String,
    pub items: Vec<Item>,
    /// Findings of the carry-over, one sentence each, located.
    pub findings: Vec<String>,
}

/// The statistics date of the data, else the report date.
pub fn data_date(plan: &Plan) -> NaiveDate {
    plan.self_evaluation
        .as_ref()
        .and_then(|s| s.statistics_date.as_ref())
        .map(|d| d.value.0)
        .unwrap_or(plan.report.date.value.0)
}

/// `2024年5月20日`.
pub fn day_zh(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `2023` → 2023年底, `2024-06` → 2024年6月底, a day as 2024年6月30日.
pub fn deadline_zh(d: &Deadline) -> String {
    let l = d.last_day;
    match d.text.trim_end_matches('年').len() {
        4 => format!("{}年底", l.year()),
        7 => format!("{}年{}月底", l.year(), l.month()),
        _ => day_zh(l),
    }
}

/// The ledger's items from one evaluation, in the report's order: schools
/// below a standard, school-level 办学条件, CVs, county indicators, plan
/// targets not covered by any of these.
pub fn items(county: &County, e: &Evaluation) -> Vec<Item> {
    let plan = &county.plan;
    let rules = &county.profile.ledger;
    let say = |key: &str, fields: &[(&str, &str)]| rules.problem(key, fields);
    let mut out: Vec<Item> = Vec::new();
    // Keys already listed: a county of thousands of schools has tens of
    // thousands of rows, so a repeat is found by look-up, not by scanning.
    let mut listed: HashSet<String> = HashSet::new();
    let gaps: HashMap<(&str, Section), &crate::evaluate::gaps::SchoolGap> = e
        .gaps
        .schools
        .iter()
        .rev()
        .map(|g| ((g.name.as_str(), g.section), g))
        .collect();
    let new = |key: String, category: &str, scope: &str, section: &str, id: &str| Item {
        key,
        category: category.into(),
        scope: scope.into(),
        section: section.into(),
        indicator: String::new(),
        id: id.into(),
        problem: String::new(),
        measure: remedy(e, id),
        lead: Vec::new(),
        responsible: Vec::new(),
        person: String::new(),
        deadline: String::new(),
        deadline_day: None,
        cost: None,
        status: OPEN.into(),
        progress: String::new(),
        note: String::new(),
    };
    // A school-学段 below a standard, one row per indicator; one failing
    // the per-school rule says so on each of its rows.
    for s in e.schools.iter().filter(|s| s.included) {
        let gap = gaps.get(&(s.name.as_str(), s.section)).copied();
        for i in ResourceIndicator::ALL {
            let st = s.status.get(&i).copied().unwrap_or(MetStatus::Met);
            if st == MetStatus::Met {
                continue;
            }
            let x = &e.resource.section(s.section).indicators[&i];
            let mut it = new(
                key(&s.name, s.section.zh(), i.id()),
                "资源配置",
                &s.name,
                s.section.zh(),
                i.id(),
            );
            it.indicator = x.name.clone();
            let dec = (x.decimals as usize).clamp(2, 3);
            let mut clauses = Vec::new();
            match s.values.get(&i).copied().flatten() {
                Some(v) if st != MetStatus::Missing => {
                    let mut c = say(
                        "resource",
                        &[
                            ("指标", &x.name),
                            ("数值", &fixed(v, dec)),
                            ("单位", &x.unit),
                            ("标准", &fmt_number(x.standard)),
                        ],
                    );
                    if st == MetStatus::Below {
                        let pct = format!("{}%", fmt_number(e.resource.floor_ratio * 100.0));
                        c.push('，');
                        c.push_str(&say("below_floor", &[("比例", &pct)]));
                    }
                    clauses.push(c);
                }
                _ => {
                    // The figure to fill in and its cell, as the report names it.
                    let what = crate::evaluate::gaps::missing_at(county, s)
                        .into_iter()
                        .find(|(k, _)| *k == i)
                        .map(|(_, m)| m.fact())
                        .unwrap_or_default();
                    clauses.push(say(
                        "resource_missing",
                        &[("指标", &x.name), ("缺少", &what)],
                    ));
                }
            }
            if let Some(a) = gap.and_then(|g| g.to_standard.iter().find(|a| a.indicator == i)) {
                clauses.push(say(
                    "to_standard",
                    &[
                        ("数量", &fixed(a.amount, 0)),
                        ("单位", &a.unit),
                        ("内容", &a.what),
                    ],
                ));
                it.cost = cost(county, i, a.amount, &a.unit);
            }
            if !s.passes {
                clauses.push(say("school_fails", &[]));
            }
            it.problem = sentence(&clauses);
            listed.insert(it.key.clone());
            out.push(it);
        }
    }
    // School-level 办学条件 (G3 rooms, G4 size, G5 class size, G12
    // certificates): one row per school and item, a whole-school item once.
    for s in e.schools.iter().filter(|s| s.included) {
        let mut ids: Vec<&str> = Vec::new();
        for x in s.items.iter().filter(|x| x.met == Some(false)) {
            if !ids.contains(&x.id.as_str()) {
                ids.push(&x.id);
            }
        }
        for id in ids {
            let whole = s.items.iter().any(|x| x.id == id && x.whole_school);
            let section = if whole { "全校" } else { s.section.zh() };
            let k = key(&s.name, section, id);
            if !listed.insert(k.clone()) {
                continue;
            }
            let name = indicator_name(e, id);
            let mut it = new(k, "办学条件", &s.name, section, id);
            let facts: Vec<String> = s
                .items
                .iter()
                .filter(|x| x.id == id && x.met == Some(false))
                .map(|x| item_fact(rules, x))
                .collect();
            it.problem = sentence(&facts);
            it.indicator = name;
            out.push(it);
        }
    }
    for c in &e.gaps.cv {
        let x = &e.resource.section(c.section).indicators[&c.indicator];
        let mut it = new(
            key("全县", c.section.zh(), &format!("CV-{}", c.indicator.id())),
            "差异系数",
            "全县",
            c.section.zh(),
            c.indicator.id(),
        );
        it.measure = remedy(e, "cv");
        it.indicator = format!("{}校际差异系数", x.name);
        let who: Vec<&str> = c
            .contributors
            .iter()
            .take(3)
            .map(|x| x.name.as_str())
            .collect();
        let mut clauses = vec![say(
            "cv",
            &[
                ("学段", c.section.zh()),
                ("差异系数", &fixed(c.cv, 3)),
                ("限值", &fixed(c.limit, 2)),
            ],
        )];
        if !who.is_empty() {
            clauses.push(say("cv_sources", &[("学校", &who.join("、"))]));
        }
        it.problem = sentence(&clauses);
        out.push(it);
    }
    for i in e
        .guarantee
        .iter()
        .chain(&e.quality)
        .chain(std::iter::once(&e.recognition.indicator))
        .filter(|i| i.met == Some(false))
    {
        // Computed per school: the schools' rows above are the problem.
        if i.source == "schools" && out.iter().any(|it| it.id == i.id) {
            continue;
        }
        let area = county
            .profile
            .indicators
            .get(&i.id)
            .map(|s| s.area.zh())
            .unwrap_or("");
        let mut it = new(key("全县", "全县", &i.id), area, "全县", "", &i.id);
        it.indicator = i.name.clone();
        let facts: Vec<String> = i
            .criteria
            .iter()
            .filter(|c| c.met == Some(false))
            .map(|c| {
                if c.standard_words.is_empty() {
                    say(
                        "criterion_plain",
                        &[("项目", &c.label), ("现值", &c.actual)],
                    )
                } else {
                    say(
                        "criterion",
                        &[
                            ("项目", &c.label),
                            ("现值", &c.actual),
                            ("标准", &c.standard_words),
                        ],
                    )
                }
            })
            .collect();
        it.problem = sentence(&facts);
        out.push(it);
    }
    // Plan targets due and not met that no row above covers.
    for t in e
        .targets
        .iter()
        .filter(|t| t.due && t.achieved == Some(false))
    {
        let section = t.section.map(|s| s.zh()).unwrap_or("");
        let covered = out
            .iter()
            .any(|it| it.id == t.indicator && (section.is_empty() || it.section == section));
        if covered {
            continue;
        }
        let what = format!(
            "目标{}-{}{}",
            t.task,
            t.indicator,
            t.key.as_ref().map(|k| format!("-{k}")).unwrap_or_default()
        );
        let k = key(
            "全县",
            if section.is_empty() {
                "全县"
            } else {
                section
            },
            &what,
        );
        // Only target rows have keys of this form.
        if !listed.insert(k.clone()) {
            continue;
        }
        let mut it = new(k, "方案目标", "全县", section, &t.indicator);
        it.indicator = indicator_name(e, &t.indicator);
        let when = crate::input::plan::parse_deadline(&t.deadline)
            .map(|d| deadline_zh(&d))
            .unwrap_or_else(|| t.deadline.clone());
        it.problem = sentence(&[say(
            "target",
            &[
                ("任务", &t.task),
                ("任务名称", &t.task_title),
                ("目标", &t.target_words),
                ("时限", &when),
                ("现值", &t.actual),
            ],
        )]);
        out.push(it);
    }
    for it in &mut out {
        assign(plan, county, it);
    }
    out
}

/// `学校|学段|指标`.
pub fn key(scope: &str, section: &str, what: &str) -> String {
    format!("{scope}{KEY_SEP}{section}{KEY_SEP}{what}")
}

fn fixed(v: f64, d: usize) -> String {
    format!("{v:.d$}")
}

fn remedy(e: &Evaluation, id: &str) -> String {
    e.standards
        .remedies
        .get(id)
        .or_else(|| e.standards.remedies.get("default"))
        .cloned()
        .unwrap_or_default()
}

fn indicator_name(e: &Evaluation, id: &str) -> String {
    if let Some(i) = ResourceIndicator::parse(id) {
        return e.resource.primary.indicators[&i].name.clone();
    }
    e.guarantee
        .iter()
        .chain(&e.quality)
        .chain(std::iter::once(&e.recognition.indicator))
        .find(|i| i.id == id)
        .map(|i| i.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// The clauses of one problem as one sentence: joined by “；”, ended by “。”.
fn sentence(clauses: &[String]) -> String {
    format!("{}。", clauses.join("；"))
}

/// One failed school-level check, with its figures, in the profile's words
/// for its check (`class_size_estimated` where the class size is the mean).
fn item_fact(rules: &crate::profile::LedgerRules, x: &crate::evaluate::SchoolItem) -> String {
    let v = x.value.map(fmt_round).unwrap_or_else(|| "缺少数据".into());
    let t = x.threshold.map(fmt_round).unwrap_or_default();
    let key = if x.key == "class_size" && x.estimated {
        "class_size_estimated"
    } else {
        x.key.as_str()
    };
    rules.problem(key, &[("数值", &v), ("单位", &x.unit), ("标准", &t)])
}

fn fmt_round(v: f64) -> String {
    fmt_number((v * 100.0).round() / 100.0)
}

/// 估算投入 in 万元, where the profile prices the unit.
fn cost(county: &County, i: ResourceIndicator, amount: f64, unit: &str) -> Option<f64> {
    let c = county.profile.ledger.unit_costs.get(i.id())?;
    (c.per == unit).then(|| ((amount * c.yuan / 1e4) * 100.0).round() / 100.0)
}

/// 责任单位 and 完成时限 from the plan: the indicator's override, else the
/// task carrying it; the task's deadline while it lies ahead, else the
/// next milestone, else the profile's period after the report date.
fn assign(plan: &Plan, county: &County, it: &mut Item) {
    let today = plan.report.date.value.0;
    let section = match it.section.as_str() {
        "小学" => Some(Section::Primary),
        "初中" => Some(Section::Junior),
        _ => None,
    };
    let own_key = if it.category == "差异系数" {
        "cv"
    } else {
        it.id.as_str()
    };
    let mut deadline: Option<&Deadline> = None;
    'found: for g in &plan.tasks {
        for t in &g.items {
            if let Some(x) = t.targets.iter().find(|x| {
                x.indicator.value == it.id
                    && (section.is_none() || x.section.is_none() || x.section == section)
            }) {
                it.lead = g.lead.clone();
                it.responsible = g.responsible.clone();
                deadline = Some(&x.by.value);
                break 'found;
            }
        }
    }
    if it.lead.is_empty() && it.category == "差异系数" {
        // The CVs are the 资源配置 task's: the group carrying any L target.
        if let Some(g) = plan.tasks.iter().find(|g| {
            g.items.iter().any(|t| {
                t.targets
                    .iter()
                    .any(|x| ResourceIndicator::parse(&x.indicator.value).is_some())
            })
        }) {
            it.lead = g.lead.clone();
            it.responsible = g.responsible.clone();
        }
    }
    if let Some(o) = plan.ledger.responsible.get(own_key) {
        it.lead = o.value.lead.clone();
        it.responsible = o.value.responsible.clone();
    }
    let (text, day) = match deadline.filter(|d| d.last_day > today) {
        Some(d) => (deadline_zh(d), d.last_day),
        None => match plan
            .milestones
            .iter()
            .filter(|m| m.by.value.last_day > today)
            .min_by_key(|m| m.by.value.last_day)
        {
            Some(m) => (deadline_zh(&m.by.value), m.by.value.last_day),
            None => {
                let d = today
                    .checked_add_months(chrono::Months::new(county.profile.ledger.deadline_months))
                    .unwrap_or(today);
                (day_zh(d), d)
            }
        },
    };
    it.deadline = text;
    it.deadline_day = Some(day);
}

/// The ledger of this run, from scratch or carried from the previous one.
pub fn build(
    county: &County,
    e: &Evaluation,
    previous: Option<&read::Previous>,
) -> Result<Ledger, crate::error::Error> {
    let current = items(county, e);
    let data = data_date(&county.plan);
    let today = county.plan.report.date.value.0;
    let (items, findings) = match previous {
        None => (current, Vec::new()),
        Some(p) => carry::carry(current, p, data, today)?,
    };
    Ok(Ledger {
        county: county.plan.county.clone(),
        report_date: day_zh(today),
        data_date: day_zh(data),
        items,
        findings,
    })
}

/// The county loaded with the previous ledger (named on the command line,
/// so readable wherever it is) read and recorded as an input. The ledger
/// must be this county's unless `any_county` (`--ledger-any-county`).
pub fn load(
    plan: &std::path::Path,
    schools: &[std::path::PathBuf],
    previous: Option<&std::path::Path>,
    any_county: bool,
) -> Result<(County, Option<read::Previous>), crate::error::Error> {
    let mut county = crate::input::load(plan, schools)?;
    check_plan_units(&county.plan, &plan.display().to_string())?;
    let prev = match previous {
        None => None,
        Some(p) => {
            if let Some(a) = std::sync::Arc::get_mut(&mut county.access) {
                a.allow(p);
            }
            let prev = read::read(&county.access, p)?;
            prev.check_county(&county.plan.county, any_county)?;
            Some(prev)
        }
    };
    Ok((county, prev))
}

/// `dudao ledger`.
pub fn run(
    plan: &std::path::Path,
    schools: &[std::path::PathBuf],
    output: Option<&std::path::Path>,
    previous: Option<&std::path::Path>,
    any_county: bool,
) -> Result<(), crate::error::Error> {
    let (county, prev) = load(plan, schools, previous, any_county)?;
    let out = output
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| county.project_dir.join("整改台账.xlsx"));
    // The previous ledger is an input now: writing over it is refused.
    county.access.check_output(&out)?;
    let e = crate::evaluate::evaluate(&county);
    let l = build(&county, &e, prev.as_ref())?;
    let bytes = xlsx::workbook(&l, county.plan.report.date.value.0)?;
    crate::output::write_file(&out, &bytes)?;
    let n = |s: &str| l.items.iter().filter(|i| i.status == s).count();
    eprintln!(
        "已写出整改台账：{}（{}项：待整改{}、整改中{}、逾期{}、已整改{}）",
        out.display(),
        l.items.len(),
        n(OPEN),
        n(IN_PROGRESS),
        n(OVERDUE),
        n(CLOSED)
    );
    for f in &l.findings {
        eprintln!("提醒：{f}");
    }
    Ok(())
}

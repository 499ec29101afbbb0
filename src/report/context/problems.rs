//! 四、存在的问题: each shortfall the evaluation found, with its figures,
//! the units the plan makes responsible, the deadline and the remedy the
//! profile words — the facts the problems section and the ledger read.

use super::*;

/// One of 四、存在的问题 as facts: what falls short (原因: which figure,
/// how far off), the remedy, who is responsible and by when. The sentences
/// are in body.typ.j2.
#[derive(Debug, Serialize)]
pub struct Problem {
    /// `rule` a school fails the per-school rule; `below` schools below a
    /// standard on one indicator; `cv` a CV over its limit; `indicator` a
    /// G/Q/S indicator not met; `target` a plan target due and not met;
    /// `missing` data to fill in.
    pub kind: String,
    /// What falls short, in words: `生均体育运动场馆面积`.
    pub subject: String,
    pub section: String,
    /// The schools concerned, with their figure: `大路口初级中学（9.63平方米）`.
    pub schools: Vec<String>,
    /// The figure and how far off: sentences' parts, already worded.
    pub facts: Vec<String>,
    /// For `rule`: every minimal way to pass, each `+644平方米体育运动场馆面积`;
    /// none while `missing` is not empty.
    pub options: Vec<Vec<String>>,
    /// For `rule`: the values without data, to fill in first.
    pub missing: Vec<MissingValue>,
    /// What reaching the full standard takes.
    pub to_standard: Vec<String>,
    /// The plan's own dated targets that differ from the standard, with what
    /// they take: `方案任务一.6（时限2023年底）需补充700平方米体育运动场馆`.
    pub to_plan: Vec<String>,
    /// The plan's dated targets that are the standard itself:
    /// `方案任务一.6（时限2023年底）`.
    pub plan_same: Vec<String>,
    /// Plan targets due and not met that this problem covers:
    /// `方案任务一.2承诺小学班额≤45人（时限2023年底）`.
    pub targets: Vec<String>,
    /// The indicator ids it concerns, for matching targets (not printed).
    pub indicators: Vec<String>,
    /// 整改措施 (the profile's wording).
    pub remedy: String,
    /// 牵头单位 then 责任单位, from the plan's task carrying the indicator.
    pub lead: Vec<String>,
    pub responsible: Vec<String>,
    /// That task group's number (`一`), so a list of units printed once can
    /// be referred to afterwards; empty when no task carries it.
    pub task_group: String,
    /// 时限: the task's deadline, or where it has passed the next milestone.
    pub deadline: String,
    /// The task's own deadline has passed by the report date.
    pub overdue: bool,
}

/// A value the per-school rule needs and the workbook lacks: what to fill
/// in and where. Until it is filled no way to pass can be computed.
#[derive(Debug, Serialize)]
pub struct MissingValue {
    /// The indicator it enters: `生均教学及辅助用房面积`.
    pub indicator: String,
    /// The figure to fill in: `教学及辅助用房面积`.
    pub measure: String,
    /// The blank cells where it goes (file, sheet, cell); empty when the
    /// table has no column for it.
    pub cells: Vec<String>,
    /// A shared resource of a school with several 部: it may be given once
    /// for the whole school, in a 全校 row.
    pub whole_school: bool,
    /// The school has a 全校 row (its cell for the figure is among `cells`).
    pub whole_row: bool,
}

/// The values behind each indicator of `s` that has no data.
pub(super) fn missing_values(
    county: &County,
    e: &Evaluation,
    s: &SchoolResult,
) -> Vec<MissingValue> {
    crate::evaluate::gaps::missing_at(county, s)
        .into_iter()
        .map(|(i, m)| MissingValue {
            indicator: e.resource.section(s.section).indicators[&i].name.clone(),
            measure: m.measure.zh().to_string(),
            cells: m.cells.iter().map(ToString::to_string).collect(),
            whole_school: m.whole_school,
            whole_row: m.whole_row,
        })
        .collect()
}

/// `不低于10.2平方米`, and where the plan changed it the value it replaced.
pub(super) fn resource_standard_words(
    e: &Evaluation,
    x: &crate::evaluate::SectionIndicator,
) -> String {
    let f = crate::profile::fmt_number;
    let mut s = format!("不低于{}{}", f(x.standard), x.unit);
    if let Some(b) = x.base_standard {
        s.push_str(&format!(
            "（本县方案标准，{}为{}{}）",
            e.standards.base_name,
            f(b),
            x.unit
        ));
    }
    s
}

pub(super) fn addition_text(a: &crate::evaluate::gaps::Addition) -> String {
    format!("{}{}{}", fixed(a.amount, 0), a.unit, a.what)
}

pub(super) fn deadline_zh(d: &crate::input::plan::Deadline) -> String {
    deadline_text(&d.text, d.last_day)
}

/// `2023` → 2023年底, `2024-06` → 2024年6月底, a day as 2024年6月30日.
pub(super) fn deadline_text(text: &str, last_day: chrono::NaiveDate) -> String {
    let (y, m, d) = (last_day.year(), last_day.month(), last_day.day());
    match text.trim_end_matches('年').len() {
        4 => format!("{y}年底"),
        7 => format!("{y}年{m}月底"),
        _ => format!("{y}年{m}月{d}日"),
    }
}

/// The task that carries an indicator (L targets of another 学段 do not),
/// its units and its deadline; a passed deadline gives way to the plan's
/// next milestone, since a rectification cannot be due in the past.
pub(super) fn responsibility(plan: &Plan, id: &str, section: Option<Section>) -> Responsibility {
    let today = plan.report.date.value.0;
    let next_milestone = plan
        .milestones
        .iter()
        .filter(|m| m.by.value.last_day > today)
        .min_by_key(|m| m.by.value.last_day)
        .map(|m| deadline_zh(&m.by.value));
    for g in &plan.tasks {
        for t in &g.items {
            if let Some(x) = t.targets.iter().find(|x| {
                x.indicator.value == id
                    && (section.is_none() || x.section.is_none() || x.section == section)
            }) {
                let overdue = x.by.value.last_day <= today;
                let deadline = match (&next_milestone, overdue) {
                    (Some(m), true) => m.clone(),
                    _ => deadline_zh(&x.by.value),
                };
                return Responsibility {
                    lead: g.lead.clone(),
                    responsible: g.responsible.clone(),
                    task_group: g.number.clone(),
                    deadline,
                    overdue,
                };
            }
        }
    }
    Responsibility {
        lead: Vec::new(),
        responsible: Vec::new(),
        task_group: String::new(),
        deadline: next_milestone.unwrap_or_default(),
        overdue: false,
    }
}

/// Who answers for an indicator and by when, from the plan's tasks.
pub(super) struct Responsibility {
    lead: Vec<String>,
    responsible: Vec<String>,
    task_group: String,
    deadline: String,
    overdue: bool,
}

pub(super) fn remedy(e: &Evaluation, id: &str) -> String {
    e.standards
        .remedies
        .get(id)
        .or_else(|| e.standards.remedies.get("default"))
        .cloned()
        .unwrap_or_default()
}

pub(super) fn problem(
    plan: &Plan,
    e: &Evaluation,
    kind: &str,
    id: &str,
    section: Option<Section>,
) -> Problem {
    let Responsibility {
        lead,
        responsible,
        task_group,
        deadline,
        overdue,
    } = responsibility(plan, id, section);
    Problem {
        kind: kind.into(),
        subject: String::new(),
        section: section.map(|s| s.zh().to_string()).unwrap_or_default(),
        schools: Vec::new(),
        facts: Vec::new(),
        options: Vec::new(),
        missing: Vec::new(),
        to_standard: Vec::new(),
        to_plan: Vec::new(),
        plan_same: Vec::new(),
        targets: Vec::new(),
        indicators: vec![id.to_string()],
        remedy: remedy(e, id),
        lead,
        responsible,
        task_group,
        deadline,
        overdue,
    }
}

pub(super) fn problems(county: &County, e: &Evaluation) -> Vec<Problem> {
    let plan = &county.plan;
    let mut out = Vec::new();
    let unit_value = |i: ResourceIndicator, s: Section, v: f64| {
        let x = &e.resource.section(s).indicators[&i];
        format!("{}{}", fixed(v, (x.decimals as usize).clamp(2, 3)), x.unit)
    };
    // Schools failing the per-school rule: every way to pass.
    for g in e.gaps.schools.iter().filter(|g| !g.passes) {
        let Some(s) = e
            .schools
            .iter()
            .find(|s| s.name == g.name && s.section == g.section)
        else {
            continue;
        };
        let first = g
            .options
            .first()
            .and_then(|o| o.first())
            .map(|a| a.indicator)
            .or(g.missing.first().copied())
            .unwrap_or(ResourceIndicator::L1);
        let mut p = problem(plan, e, "rule", first.id(), Some(g.section));
        p.subject = g.name.clone();
        p.schools = vec![g.name.clone()];
        for i in ResourceIndicator::ALL {
            let x = &e.resource.section(g.section).indicators[&i];
            // Indicators without data are in `missing`, worded by the template.
            if let (Some(MetStatus::Floor | MetStatus::Below), Some(v)) =
                (s.status.get(&i), s.values.get(&i).copied().flatten())
            {
                p.facts.push(format!(
                    "{}为{}，标准为{}{}",
                    x.name,
                    unit_value(i, g.section, v),
                    resource_standard_words(e, x),
                    if s.status.get(&i) == Some(&MetStatus::Below) {
                        format!("，低于标准的{}", floor_pct(e))
                    } else {
                        String::new()
                    }
                ));
            }
        }
        p.missing = missing_values(county, e, s);
        p.options = g
            .options
            .iter()
            .map(|o| o.iter().map(addition_text).collect())
            .collect();
        p.to_standard = g.to_standard.iter().map(addition_text).collect();
        for t in &g.to_plan {
            let when = crate::input::plan::parse_deadline(&t.deadline)
                .map(|d| deadline_zh(&d))
                .unwrap_or_else(|| t.deadline.clone());
            let same = g
                .to_standard
                .iter()
                .any(|a| a.indicator == t.addition.indicator && a.amount == t.addition.amount);
            if same {
                p.plan_same
                    .push(format!("方案任务{}（时限{when}）", t.task));
            } else {
                p.to_plan.push(format!(
                    "方案任务{}（时限{when}）需补充{}",
                    t.task,
                    addition_text(&t.addition)
                ));
            }
        }
        p.indicators = ResourceIndicator::ALL
            .into_iter()
            .filter(|i| matches!(s.status.get(i), Some(MetStatus::Floor | MetStatus::Below)))
            .map(|i| i.id().to_string())
            .collect();
        // Any option may be chosen: the remedy of each indicator concerned.
        p.remedy = p.indicators.iter().map(|i| remedy(e, i)).collect();
        out.push(p);
    }
    // Every school below a standard though passing, grouped by indicator.
    for section in Section::ALL {
        for i in ResourceIndicator::ALL {
            let below: Vec<&crate::evaluate::gaps::SchoolGap> = e
                .gaps
                .schools
                .iter()
                .filter(|g| g.passes && g.section == section)
                .filter(|g| g.to_standard.iter().any(|a| a.indicator == i))
                .collect();
            if below.is_empty() {
                continue;
            }
            let x = &e.resource.section(section).indicators[&i];
            let mut p = problem(plan, e, "below", i.id(), Some(section));
            p.subject = x.name.clone();
            p.facts
                .push(format!("标准为{}", resource_standard_words(e, x)));
            for g in below {
                let v = e
                    .schools
                    .iter()
                    .find(|s| s.name == g.name && s.section == section)
                    .and_then(|s| s.values.get(&i).copied().flatten());
                let need = g.to_standard.iter().find(|a| a.indicator == i);
                p.schools.push(format!(
                    "{}（{}）",
                    g.name,
                    v.map(|v| unit_value(i, section, v)).unwrap_or_default()
                ));
                if let Some(a) = need {
                    p.to_standard
                        .push(format!("{}{}", g.name, addition_text(a)));
                }
            }
            out.push(p);
        }
    }
    for c in &e.gaps.cv {
        let x = &e.resource.section(c.section).indicators[&c.indicator];
        let mut p = problem(plan, e, "cv", c.indicator.id(), Some(c.section));
        p.remedy = remedy(e, "cv");
        p.subject = format!("{}校际差异系数", x.name);
        p.facts.push(format!(
            "校际差异系数为{}，超过{}的限值",
            fixed(c.cv, 3),
            fixed(c.limit, 2)
        ));
        p.schools = c
            .contributors
            .iter()
            .take(3)
            .map(|x| x.name.clone())
            .collect();
        out.push(p);
    }
    for i in e
        .guarantee
        .iter()
        .chain(&e.quality)
        .chain(std::iter::once(&e.recognition.indicator))
    {
        if i.met != Some(false) {
            continue;
        }
        let mut p = problem(plan, e, "indicator", &i.id, None);
        p.subject = i.name.clone();
        for c in i.criteria.iter().filter(|c| c.met == Some(false)) {
            p.facts.push(if i.source == "schools" {
                // “142/143所达标” is a count of schools, not a value.
                format!("{}{}，{}", c.label, c.actual, c.gap)
            } else if c.standard_words.is_empty() {
                format!("{}为{}", c.label, c.actual)
            } else {
                format!("{}为{}，标准为{}", c.label, c.actual, c.standard_words)
            });
        }
        p.schools = i.failing.clone();
        out.push(p);
    }
    // Plan targets due and not met: told with the problem they concern,
    // on their own only where no problem above covers them.
    for t in e
        .targets
        .iter()
        .filter(|t| t.due && t.achieved == Some(false))
    {
        let when = crate::input::plan::parse_deadline(&t.deadline)
            .map(|d| deadline_zh(&d))
            .unwrap_or_else(|| t.deadline.clone());
        let said = format!("方案任务{}“{}”（时限{when}）", t.task, t.task_title);
        let section = t.section.map(|s| s.zh().to_string());
        let covering = out.iter_mut().find(|p| {
            p.kind != "cv"
                && p.indicators.contains(&t.indicator)
                && section.as_ref().is_none_or(|s| *s == p.section)
        });
        match covering {
            Some(p) => {
                if !p.targets.contains(&said) {
                    p.targets.push(said);
                }
            }
            None => {
                let mut p = problem(plan, e, "target", &t.indicator, t.section);
                p.subject = t.task_title.clone();
                p.facts.push(format!(
                    "{said}的目标为{}，现为{}",
                    t.target_words, t.actual
                ));
                out.push(p);
            }
        }
    }
    out
}

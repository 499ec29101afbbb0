//! 教育经费 over the years: 两个只增不减 and 三个增长 judged year on year
//! from the plan's `funding` list, and the totals of its building projects.
//! Reviewers read these before any indicator, so every check says for each
//! pair of years whether it held, with both figures and the growth rates;
//! a missing year or figure makes a check undecided with what is missing,
//! never a silent pass. The wording lives in `county.typ.j2`.

use crate::input::plan::{BySection, Figure, FundingYear, Plan, Project, ProjectKind};
use crate::model::Section;
use crate::output::format::fixed;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, Default)]
pub struct Funding {
    /// The years given, ascending.
    pub years: Vec<FundingRow>,
    /// The years as a table: one line per quantity given in any year,
    /// cells printed as tables print them (separators, 2 decimals at most).
    pub table: Vec<FundingLine>,
    /// Three years or more, as reviews ask for.
    pub enough_years: bool,
    /// 两个只增不减 first, then 三个增长.
    pub checks: Vec<Check>,
    /// Whether every check held; None when any is undecided and none failed.
    pub all_held: Option<bool>,
    pub projects: ProjectTotals,
}

#[derive(Debug, Clone, Serialize)]
pub struct FundingLine {
    pub label: String,
    pub unit: String,
    /// One per year; empty where the year lacks it.
    pub cells: Vec<String>,
}

/// One year's figures, as given, plus the per-student spending computed.
#[derive(Debug, Clone, Serialize)]
pub struct FundingRow {
    pub year: i32,
    /// 万元
    pub total: Option<f64>,
    /// As prose prints them; empty where not given.
    pub total_text: String,
    pub public_budget_text: String,
    pub public_budget: Option<f64>,
    pub recurring_revenue: Option<f64>,
    pub students: Option<f64>,
    /// 在校学生人均教育费用，元: 教育经费总投入 ÷ 在校学生数.
    pub per_student_total: Option<f64>,
    /// 元
    pub per_student_budget_primary: Option<f64>,
    pub per_student_budget_junior: Option<f64>,
    pub per_student_public_primary: Option<f64>,
    pub per_student_public_junior: Option<f64>,
    /// 万元
    pub teacher_salary: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// 两个只增不减
    NoDecrease,
    /// 三个增长
    Growth,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Each year at least the year before (只增不减).
    NotDecreasing,
    /// Each year above the year before (逐步增长).
    Increasing,
    /// Each year's growth rate above the other quantity's (增长高于).
    FasterThan,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub group: Group,
    /// Stable key: `public_budget`, `per_student_budget.primary`, …
    pub key: String,
    /// The quantity, in the statistics' words.
    pub subject: String,
    pub section: Option<Section>,
    pub unit: String,
    pub rule: Rule,
    /// For `faster_than`: what it must outgrow.
    pub compared_with: Option<String>,
    /// None: undecided (missing data), see the steps' `missing`.
    pub held: Option<bool>,
    /// One per pair of consecutive years given.
    pub steps: Vec<Step>,
    /// Fewer than two years given: nothing to compare.
    pub too_few_years: bool,
}

/// A figure a step lacks: the year and the field's name.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Missing {
    pub year: i32,
    pub field: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub from_year: i32,
    pub to_year: i32,
    pub from: Option<f64>,
    pub to: Option<f64>,
    /// Growth in percent, signed.
    pub growth: Option<f64>,
    /// For `faster_than`: the other quantity's figures and growth.
    pub other_from: Option<f64>,
    pub other_to: Option<f64>,
    pub other_growth: Option<f64>,
    /// The figures as the report prints them (2 decimals at most, no
    /// separators); growths as magnitudes with 2 decimals.
    pub from_text: String,
    pub to_text: String,
    pub growth_text: String,
    pub other_from_text: String,
    pub other_to_text: String,
    pub other_growth_text: String,
    pub held: Option<bool>,
    pub missing: Vec<Missing>,
    /// Years between the two that the plan does not give.
    pub gap_years: Vec<i32>,
    /// The base year's figure is 0: no growth rate.
    pub zero_base: bool,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ProjectTotals {
    pub count: usize,
    pub new: usize,
    pub rebuilt: usize,
    pub first_year: Option<i32>,
    pub last_year: Option<i32>,
    /// Sums; None when any project lacks the figure (a partial sum would
    /// read as the whole).
    pub floor_area: Option<f64>,
    pub places: Option<f64>,
    pub investment: Option<f64>,
    /// The sums as prose prints them; empty where the sum is None.
    pub floor_area_text: String,
    pub places_text: String,
    pub investment_text: String,
}

fn v(f: &Figure) -> Option<f64> {
    f.as_ref().map(|s| s.value.0)
}

fn sec(b: &BySection, s: Section) -> Option<f64> {
    match s {
        Section::Primary => v(&b.primary),
        Section::Junior => v(&b.junior),
    }
}

/// Up to two decimals, trailing zeros dropped: 12.50 → 12.5, 3.00 → 3.
pub fn amount_text(x: f64) -> String {
    let s = fixed(x, 2);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn opt_text(x: Option<f64>) -> String {
    x.map(amount_text).unwrap_or_default()
}

fn growth(from: Option<f64>, to: Option<f64>) -> Option<f64> {
    match (from, to) {
        (Some(a), Some(b)) if a != 0.0 => Some((b - a) / a * 100.0),
        _ => None,
    }
}

fn growth_text(g: Option<f64>) -> String {
    g.map(|x| fixed(x.abs(), 2)).unwrap_or_default()
}

pub fn evaluate(plan: &Plan) -> Funding {
    judge(&plan.funding, &plan.projects)
}

pub fn judge(funding: &[FundingYear], projects: &[Project]) -> Funding {
    let mut given: Vec<&FundingYear> = funding.iter().collect();
    given.sort_by_key(|y| y.year.value);
    // check_plan refuses duplicate years; keep the first should one pass.
    given.dedup_by_key(|y| y.year.value);
    let years: Vec<FundingRow> = given.iter().map(|y| row(y)).collect();

    type Get = fn(&FundingRow) -> Option<f64>;
    let mut checks = Vec::new();
    let mut one = |group, key: &str, subject: &str, section, unit: &str, rule, get: Get| {
        checks.push(check(
            &years, group, key, subject, section, unit, rule, get, None,
        ));
    };
    one(
        Group::NoDecrease,
        "public_budget",
        "一般公共预算教育支出",
        None,
        "万元",
        Rule::NotDecreasing,
        |r| r.public_budget,
    );
    per_section(
        &mut one,
        &years,
        Group::NoDecrease,
        "per_student_budget",
        "生均一般公共预算教育支出",
        Rule::NotDecreasing,
        [
            |r: &FundingRow| r.per_student_budget_primary,
            |r: &FundingRow| r.per_student_budget_junior,
        ],
    );
    checks.push(check(
        &years,
        Group::Growth,
        "appropriation",
        "教育财政拨款（一般公共预算教育支出）",
        None,
        "万元",
        Rule::FasterThan,
        |r| r.public_budget,
        Some(("财政经常性收入", |r: &FundingRow| {
            r.recurring_revenue
        })),
    ));
    let mut one = |group, key: &str, subject: &str, section, unit: &str, rule, get: Get| {
        checks.push(check(
            &years, group, key, subject, section, unit, rule, get, None,
        ));
    };
    one(
        Group::Growth,
        "per_student_total",
        "在校学生人均教育费用",
        None,
        "元",
        Rule::Increasing,
        |r| r.per_student_total,
    );
    one(
        Group::Growth,
        "teacher_salary",
        "教师工资总额",
        None,
        "万元",
        Rule::Increasing,
        |r| r.teacher_salary,
    );
    per_section(
        &mut one,
        &years,
        Group::Growth,
        "per_student_public",
        "生均公用经费",
        Rule::Increasing,
        [
            |r: &FundingRow| r.per_student_public_primary,
            |r: &FundingRow| r.per_student_public_junior,
        ],
    );

    let all_held = if checks.iter().any(|c| c.held == Some(false)) {
        Some(false)
    } else if checks.iter().all(|c| c.held == Some(true)) && !checks.is_empty() {
        Some(true)
    } else {
        None
    };
    Funding {
        table: table(&years),
        enough_years: years.len() >= 3,
        years,
        checks,
        all_held,
        projects: project_totals(projects),
    }
}

/// A per-学段 quantity is judged for each 学段 the plan gives; given for
/// neither, it is judged once, undecided, so the report still names it.
#[allow(clippy::too_many_arguments)]
fn per_section(
    one: &mut impl FnMut(Group, &str, &str, Option<Section>, &str, Rule, fn(&FundingRow) -> Option<f64>),
    years: &[FundingRow],
    group: Group,
    key: &str,
    subject: &str,
    rule: Rule,
    get: [fn(&FundingRow) -> Option<f64>; 2],
) {
    let mut any = false;
    for (s, g) in Section::ALL.into_iter().zip(get) {
        if years.iter().any(|r| g(r).is_some()) {
            any = true;
            one(
                group,
                &format!("{key}.{}", s.key()),
                subject,
                Some(s),
                "元",
                rule,
                g,
            );
        }
    }
    if !any {
        one(group, key, subject, None, "元", rule, get[0]);
    }
}

fn table(years: &[FundingRow]) -> Vec<FundingLine> {
    type Get = fn(&FundingRow) -> Option<f64>;
    let lines: [(&str, &str, Get); 10] = [
        ("教育经费总投入", "万元", |r| r.total),
        ("一般公共预算教育支出", "万元", |r| {
            r.public_budget
        }),
        ("财政经常性收入", "万元", |r| r.recurring_revenue),
        ("在校学生数", "人", |r| r.students),
        ("在校学生人均教育费用", "元", |r| {
            r.per_student_total
        }),
        ("小学生均一般公共预算教育支出", "元", |r| {
            r.per_student_budget_primary
        }),
        ("初中生均一般公共预算教育支出", "元", |r| {
            r.per_student_budget_junior
        }),
        ("小学生均公用经费", "元", |r| {
            r.per_student_public_primary
        }),
        ("初中生均公用经费", "元", |r| {
            r.per_student_public_junior
        }),
        ("教师工资总额", "万元", |r| r.teacher_salary),
    ];
    lines
        .into_iter()
        .filter(|(_, _, get)| years.iter().any(|r| get(r).is_some()))
        .map(|(label, unit, get)| FundingLine {
            label: label.to_string(),
            unit: unit.to_string(),
            cells: years
                .iter()
                .map(|r| get(r).map(table_text).unwrap_or_default())
                .collect(),
        })
        .collect()
}

/// As [`amount_text`], with thousands separators (tables only).
fn table_text(x: f64) -> String {
    let s = crate::output::format::grouped(x, 2);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn row(y: &FundingYear) -> FundingRow {
    let total = v(&y.total);
    let students = v(&y.students);
    FundingRow {
        year: y.year.value,
        total,
        total_text: opt_text(total),
        public_budget_text: opt_text(v(&y.public_budget)),
        public_budget: v(&y.public_budget),
        recurring_revenue: v(&y.recurring_revenue),
        students,
        per_student_total: match (total, students) {
            (Some(t), Some(n)) if n > 0.0 => Some(t * 10000.0 / n),
            _ => None,
        },
        per_student_budget_primary: sec(&y.per_student_budget, Section::Primary),
        per_student_budget_junior: sec(&y.per_student_budget, Section::Junior),
        per_student_public_primary: sec(&y.per_student_public, Section::Primary),
        per_student_public_junior: sec(&y.per_student_public, Section::Junior),
        teacher_salary: v(&y.teacher_salary),
    }
}

type Other<'a> = Option<(&'a str, fn(&FundingRow) -> Option<f64>)>;

#[allow(clippy::too_many_arguments)]
fn check(
    years: &[FundingRow],
    group: Group,
    key: &str,
    subject: &str,
    section: Option<Section>,
    unit: &str,
    rule: Rule,
    get: fn(&FundingRow) -> Option<f64>,
    other: Other,
) -> Check {
    // The field's name as a reader looks for it in the plan.
    let field = |name: &str| match section {
        Some(s) => format!("{name}（{}）", s.zh()),
        None => name.to_string(),
    };
    let steps: Vec<Step> = years
        .windows(2)
        .map(|w| {
            let (a, b) = (&w[0], &w[1]);
            let (from, to) = (get(a), get(b));
            let mut missing = Vec::new();
            let mut need = |r: &FundingRow, x: Option<f64>, name: String| {
                if x.is_none() {
                    missing.push(Missing {
                        year: r.year,
                        field: name,
                    });
                }
            };
            // 在校学生人均教育费用 is computed: name what it is made of.
            if key == "per_student_total" {
                for r in [a, b] {
                    need(r, r.total, "教育经费总投入".into());
                    need(r, r.students.filter(|n| *n > 0.0), "在校学生数".into());
                }
            } else {
                need(a, from, field(subject));
                need(b, to, field(subject));
            }
            let (other_from, other_to) = match other {
                Some((name, g)) => {
                    need(a, g(a), name.to_string());
                    need(b, g(b), name.to_string());
                    (g(a), g(b))
                }
                None => (None, None),
            };
            let gap_years: Vec<i32> = (a.year + 1..b.year).collect();
            let g = growth(from, to);
            let og = growth(other_from, other_to);
            let zero_base =
                from == Some(0.0) || (rule == Rule::FasterThan && other_from == Some(0.0));
            // Across missing years a fall still proves a failure (some
            // year in between fell); a rise proves nothing.
            let fell = match (rule, from, to) {
                (Rule::NotDecreasing, Some(x), Some(y)) => y < x,
                (Rule::Increasing, Some(x), Some(y)) => y <= x,
                _ => false,
            };
            let held = if !missing.is_empty() {
                None
            } else if !gap_years.is_empty() {
                if fell { Some(false) } else { None }
            } else {
                match (rule, from, to) {
                    (Rule::NotDecreasing, Some(x), Some(y)) => Some(y >= x),
                    (Rule::Increasing, Some(x), Some(y)) => Some(y > x),
                    (Rule::FasterThan, _, _) => match (g, og) {
                        (Some(p), Some(q)) => Some(p > q),
                        _ => None,
                    },
                    _ => None,
                }
            };
            Step {
                from_year: a.year,
                to_year: b.year,
                from,
                to,
                growth: g,
                other_from,
                other_to,
                other_growth: og,
                from_text: opt_text(from),
                to_text: opt_text(to),
                growth_text: growth_text(g),
                other_from_text: opt_text(other_from),
                other_to_text: opt_text(other_to),
                other_growth_text: growth_text(og),
                held,
                missing,
                gap_years,
                zero_base,
            }
        })
        .collect();
    let too_few_years = years.len() < 2;
    let held = if steps.iter().any(|s| s.held == Some(false)) {
        Some(false)
    } else if !too_few_years && steps.iter().all(|s| s.held == Some(true)) {
        Some(true)
    } else {
        None
    };
    Check {
        group,
        key: key.to_string(),
        subject: subject.to_string(),
        section,
        unit: unit.to_string(),
        rule,
        compared_with: other.map(|(n, _)| n.to_string()),
        held,
        steps,
        too_few_years,
    }
}

fn project_totals(p: &[Project]) -> ProjectTotals {
    let sum = |get: fn(&Project) -> Option<f64>| -> Option<f64> { p.iter().map(get).sum() };
    let floor_area = if p.is_empty() {
        None
    } else {
        sum(|x| v(&x.floor_area))
    };
    let places = if p.is_empty() {
        None
    } else {
        sum(|x| v(&x.places))
    };
    let investment = if p.is_empty() {
        None
    } else {
        sum(|x| v(&x.investment))
    };
    ProjectTotals {
        floor_area_text: opt_text(floor_area),
        places_text: opt_text(places),
        investment_text: opt_text(investment),
        floor_area,
        places,
        investment,
        count: p.len(),
        new: p.iter().filter(|x| x.kind == ProjectKind::New).count(),
        rebuilt: p.iter().filter(|x| x.kind == ProjectKind::Rebuilt).count(),
        first_year: p.iter().map(|x| x.year.value).min(),
        last_year: p.iter().map(|x| x.year.value).max(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn years(yaml: &str) -> Vec<FundingYear> {
        crate::input::yaml::from_str(yaml, "t.yaml").expect("funding parses")
    }

    fn by_key<'a>(f: &'a Funding, key: &str) -> &'a Check {
        f.checks.iter().find(|c| c.key == key).expect(key)
    }

    const THREE: &str = "
- { year: 2023, public_budget: 144900, recurring_revenue: 236400, total: 173500, students: 129800 }
- { year: 2021, public_budget: 132400, recurring_revenue: 215300, total: 158600, students: 131200 }
- { year: 2022, public_budget: 140100, recurring_revenue: 223800, total: 166900, students: 130600 }
";

    #[test]
    fn growth_above_revenue_fails_in_the_year_it_is_lower() {
        let f = judge(&years(THREE), &[]);
        assert!(f.enough_years);
        let years: Vec<i32> = f.years.iter().map(|r| r.year).collect();
        assert_eq!(years, [2021, 2022, 2023]);
        let c = by_key(&f, "appropriation");
        assert_eq!(c.held, Some(false));
        let s = &c.steps;
        assert_eq!(
            (s[0].growth_text.as_str(), s[0].other_growth_text.as_str()),
            ("5.82", "3.95")
        );
        assert_eq!(s[0].held, Some(true));
        assert_eq!(
            (s[1].growth_text.as_str(), s[1].other_growth_text.as_str()),
            ("3.43", "5.63")
        );
        assert_eq!(s[1].held, Some(false));
        assert_eq!(by_key(&f, "public_budget").held, Some(true));
        // 在校学生人均教育费用 = 总投入 × 10000 ÷ 学生数.
        let p = by_key(&f, "per_student_total");
        assert_eq!(p.steps[0].from_text, "12088.41");
        assert_eq!(p.steps[1].to_text, "13366.72");
        assert_eq!(p.held, Some(true));
        assert_eq!(f.all_held, Some(false));
    }

    #[test]
    fn missing_figures_and_years_leave_checks_undecided() {
        let f = judge(
            &years(
                "
- { year: 2020, public_budget: 100, teacher_salary: 50, per_student_public: { primary: 700 } }
- { year: 2022, public_budget: 90, teacher_salary: 60, per_student_public: { primary: 720 } }
- { year: 2023, public_budget: 95, per_student_public: { primary: 720 } }
",
            ),
            &[],
        );
        // 2020→2022 skips 2021: not a pass, even though the figure rose.
        let salary = by_key(&f, "teacher_salary");
        assert_eq!(salary.steps[0].gap_years, [2021]);
        assert_eq!(salary.steps[0].held, None);
        assert_eq!(
            salary.steps[1].missing,
            [Missing {
                year: 2023,
                field: "教师工资总额".into()
            }]
        );
        assert_eq!(salary.held, None);
        // A fall is a failure whatever else is missing.
        assert_eq!(by_key(&f, "public_budget").held, Some(false));
        // 720 → 720 is 只增不减 but not 增长.
        let public = by_key(&f, "per_student_public.primary");
        assert_eq!(public.steps[1].held, Some(false));
        assert_eq!(public.steps[1].growth, Some(0.0));
        // Given for neither 学段: judged once, undecided, named.
        let budget = by_key(&f, "per_student_budget");
        assert_eq!(budget.section, None);
        assert_eq!(budget.held, None);
        assert!(
            !f.checks
                .iter()
                .any(|c| c.key == "per_student_public.junior")
        );
        assert_eq!(f.all_held, Some(false));
    }

    #[test]
    fn one_year_decides_nothing() {
        let f = judge(&years("- { year: 2023, public_budget: 1 }"), &[]);
        assert!(!f.enough_years);
        assert!(f.checks.iter().all(|c| c.too_few_years && c.held.is_none()));
        assert_eq!(f.all_held, None);
        assert!(judge(&[], &[]).checks.iter().all(|c| c.held.is_none()));
    }

    #[test]
    fn project_sums_only_when_every_project_gives_the_figure() {
        let p: Vec<Project> = crate::input::yaml::from_str(
            "
- { school: 甲, kind: 新建, year: 2021, floor_area: 100.5, investment: 10 }
- { school: 乙, kind: 改扩建, year: 2023, floor_area: 200, places: 90, investment: 20.25 }
",
            "t.yaml",
        )
        .unwrap();
        let t = judge(&[], &p).projects;
        assert_eq!((t.count, t.new, t.rebuilt), (2, 1, 1));
        assert_eq!((t.first_year, t.last_year), (Some(2021), Some(2023)));
        assert_eq!(t.floor_area_text, "300.5");
        assert_eq!(t.investment_text, "30.25");
        assert_eq!(t.places, None);
        assert_eq!(t.places_text, "");
    }
}

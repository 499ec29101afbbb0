//! This year against last: the facts of the progress sentences, the
//! comparison table and the charts' data.

use super::*;

/// One CV this year and last, as the body and the table state it.
#[derive(Debug, Serialize)]
pub struct CvChange {
    pub name: String,
    pub now: String,
    pub last: String,
    /// down | up | same (at 3 places) | none (a year lacks it)
    pub trend: &'static str,
    /// Over its limit last year and within it now, and the reverse.
    pub closed: bool,
    pub opened: bool,
}

/// One 学段 this year against last.
#[derive(Debug, Serialize)]
pub struct SectionYear {
    pub section: String,
    pub cvs: Vec<CvChange>,
    pub rows_last: usize,
    pub passing_last: usize,
    pub rows_now: usize,
    pub passing_now: usize,
    pub newly_passing: Vec<String>,
    pub newly_failing: Vec<String>,
}

/// A G or Q item judged in both years.
#[derive(Debug, Serialize)]
pub struct ItemYear {
    pub id: String,
    pub name: String,
    pub closed: bool,
    pub opened: bool,
}

/// This year against last, for 三、 and the comparison table.
#[derive(Debug, Serialize)]
pub struct YearFacts {
    pub sections: Vec<SectionYear>,
    pub items: Vec<ItemYear>,
    /// Rows found in one year only, as `名称（学段）`.
    pub only_last: Vec<String>,
    pub only_now: Vec<String>,
    pub renamed: Vec<(String, String)>,
    /// 学段, 指标, this year's mean/SD/CV, last year's, the change.
    pub table: TableRows,
}

pub(super) fn year_facts(e: &Evaluation) -> Option<YearFacts> {
    let p = e.previous.as_ref()?;
    let mut table = table(
        &["学段", "指标", "项目", "本年", "上年", "增减"],
        vec![3, 4, 5],
    );
    let change = |v: Option<f64>, d: usize| match v {
        None => "—".to_string(),
        Some(x) if x.abs() < 0.5 * 10f64.powi(-(d as i32)) => fixed(0.0, d),
        Some(x) if x > 0.0 => format!("+{}", fixed(x, d)),
        Some(x) => fixed(x, d),
    };
    let opt = |v: Option<f64>, d: usize| v.map_or_else(|| "—".into(), |x| fixed(x, d));
    let mut sections = Vec::new();
    for section in Section::ALL {
        let now = e.resource.section(section);
        let Some(last) = p.sections.get(&section) else {
            continue;
        };
        let mut cvs = Vec::new();
        for (i, x) in &now.indicators {
            let Some(l) = last.indicators.get(i) else {
                continue;
            };
            let d = x.decimals as usize;
            let first = table.rows.len();
            // The 学段 and the indicator only where they change: a column
            // repeating them reads as noise.
            for (k, (what, n, v, c, dd)) in [
                ("均值", x.mean, l.mean, l.mean_change, d),
                ("差异系数", x.cv, l.cv, l.cv_change, 3),
            ]
            .into_iter()
            .enumerate()
            {
                let head = if k == 0 && cvs.is_empty() {
                    section.zh()
                } else {
                    ""
                };
                let name = if k == 0 { short_name(*i) } else { "" };
                table.rows.push(vec![
                    head.into(),
                    name.into(),
                    what.into(),
                    opt(n, dd),
                    opt(v, dd),
                    change(c, dd),
                ]);
            }
            if !x.cv_ok {
                table.failing.push((first + 1, 3));
            }
            // As printed: 0.1904 against 0.1898 reads 0.190 both years.
            let printed = |v: Option<f64>| v.map(|v| (v * 1000.0).round());
            let trend = match (printed(x.cv), printed(l.cv)) {
                (Some(n), Some(p)) if n < p => "down",
                (Some(n), Some(p)) if n > p => "up",
                (Some(_), Some(_)) => "same",
                _ => "none",
            };
            cvs.push(CvChange {
                name: short_name(*i).into(),
                now: opt(x.cv, 3),
                last: opt(l.cv, 3),
                trend,
                closed: !l.cv_ok && x.cv_ok,
                opened: l.cv_ok && !x.cv_ok,
            });
        }
        sections.push(SectionYear {
            section: section.zh().into(),
            cvs,
            rows_last: last.schools,
            passing_last: last.schools_passing,
            rows_now: now.schools,
            passing_now: now.schools_passing,
            newly_passing: last.newly_passing.clone(),
            newly_failing: last.newly_failing.clone(),
        });
    }
    let rows = |year: &str| {
        p.unmatched
            .iter()
            .filter(|u| u.year == year)
            .map(|u| format!("{}（{}）", u.name, u.section.zh()))
            .collect()
    };
    Some(YearFacts {
        sections,
        items: p
            .items
            .iter()
            .map(|i| ItemYear {
                id: i.id.clone(),
                name: i.name.clone(),
                closed: i.met == Some(false) && i.met_now == Some(true),
                opened: i.met == Some(true) && i.met_now == Some(false),
            })
            .collect(),
        only_last: rows("previous"),
        only_now: rows("current"),
        renamed: p.renamed.clone(),
        table,
    })
}

/// One indicator's schools against its standard, as shares of it.
#[derive(Debug, Serialize)]
pub struct Strip {
    pub name: String,
    /// Each counted row's value ÷ the standard, 3 places, sorted.
    pub shares: Vec<String>,
    pub met: usize,
    /// Below the standard but not below 85% of it, and below that.
    pub floor: usize,
    pub below: usize,
}

/// What a 学段's charts draw: its CVs against the limit, and each
/// indicator's schools against the standard and the floor.
#[derive(Debug, Serialize)]
pub struct SectionChart {
    pub section: String,
    /// The limit, 2 places.
    pub limit: String,
    /// (short name, this year's CV, last year's CV or empty), 3 places.
    pub cvs: Vec<(String, String, String)>,
    pub floor_ratio: String,
    pub strips: Vec<Strip>,
}

pub(super) fn section_chart(e: &Evaluation, section: Section) -> SectionChart {
    let r = e.resource.section(section);
    let last = e.previous.as_ref().and_then(|p| p.sections.get(&section));
    let limit = r.indicators.values().next().map_or(0.0, |x| x.cv_limit);
    SectionChart {
        section: section.zh().into(),
        limit: fixed(limit, 2),
        cvs: r
            .indicators
            .iter()
            .map(|(i, x)| {
                let l = last
                    .and_then(|l| l.indicators.get(i))
                    .and_then(|l| l.cv)
                    .map_or_else(String::new, |v| fixed(v, 3));
                (
                    short_name(*i).into(),
                    x.cv.map_or_else(|| fixed(0.0, 3), |v| fixed(v, 3)),
                    l,
                )
            })
            .collect(),
        floor_ratio: fixed(e.resource.floor_ratio, 2),
        strips: r
            .indicators
            .iter()
            .map(|(i, x)| {
                let mut shares: Vec<f64> = x
                    .points
                    .iter()
                    .filter(|_| x.standard > 0.0)
                    .map(|p| p.value / x.standard)
                    .collect();
                shares.sort_by(f64::total_cmp);
                let rows = e
                    .schools
                    .iter()
                    .filter(|s| s.section == section && s.included);
                let status =
                    |m: MetStatus| rows.clone().filter(|s| s.status.get(i) == Some(&m)).count();
                Strip {
                    name: short_name(*i).into(),
                    shares: shares.into_iter().map(|v| fixed(v, 3)).collect(),
                    met: status(MetStatus::Met),
                    floor: status(MetStatus::Floor),
                    below: status(MetStatus::Below),
                }
            })
            .collect(),
    }
}

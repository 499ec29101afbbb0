//! Re-verification of one county: its school rows loaded as `dudao
//! evaluate` loads them, then evaluated with the reviewing body's profile.
//! The county's own `standards.set` changes are kept as facts to report,
//! never applied: a review that silently adopts a county's standards is no
//! review. Where the county's reported figures are given, each is held
//! against the recomputed one (the 数据核查差异表), and a school list whose
//! names or order differ from the statistics is flagged.

use super::reported::{self, CV_DECIMALS, Figure, Reported};
use super::{Discrepancy, ListCheck};
use crate::error::Error;
use crate::evaluate::Evaluation;
use crate::evaluate::standards::StandardChange;
use crate::model::Section;
use crate::profile::Profile;
use std::path::Path;

/// One county, re-evaluated and checked against what it reported.
#[derive(Debug, Clone)]
pub struct Verified {
    pub eval: Evaluation,
    /// The profile the county itself judged by.
    pub county_profile: String,
    /// Its `standards.set` changes, not applied here.
    pub own_standards: Vec<StandardChange>,
    pub reported_files: Vec<String>,
    pub discrepancies: Vec<Discrepancy>,
    pub list_checks: Vec<ListCheck>,
}

/// Load and re-evaluate the county of `plan`, reading through `access`
/// (which keeps the record of what was read, for the caller to check its
/// outputs against); read `reported` and compare. Every error of the
/// county is returned together.
pub fn verify(
    access: std::sync::Arc<crate::access::Access>,
    plan: &Path,
    reported: &[(std::path::PathBuf, String)],
    profile: &Profile,
) -> Result<Verified, Error> {
    let mut county = crate::input::load_in(access, plan, &[])?;
    let own = crate::evaluate::standards::standards(&county.profile);
    county.profile = profile.clone();
    let eval = crate::evaluate::evaluate(&county);
    let mut errors = Vec::new();
    let mut sets = Vec::new();
    for (path, label) in reported {
        match reported::read(path, label) {
            // Another county's file is no report of this one.
            Ok(r) if r.county.as_ref().is_some_and(|c| *c != eval.county) => {
                errors.push(Error::File {
                    file: label.clone(),
                    message: format!(
                        "这是“{}”的上报数据，不是“{}”的；请核对 REVIEW.yaml 中的 reported",
                        r.county.as_deref().unwrap_or_default(),
                        eval.county
                    ),
                })
            }
            Ok(r) => sets.push(r),
            Err(e) => errors.push(e),
        }
    }
    Error::from_list(errors)?;
    let mut discrepancies = Vec::new();
    let mut list_checks = Vec::new();
    for r in &sets {
        discrepancies.extend(compare(&eval, r));
        if let Some(c) = check_list(&eval, r) {
            list_checks.push(c);
        }
    }
    Ok(Verified {
        county_profile: own.profile.clone(),
        own_standards: own.adjustments,
        reported_files: sets.iter().map(|r| r.file.clone()).collect(),
        eval,
        discrepancies,
        list_checks,
    })
}

/// Differs beyond its printed precision: the recomputed figure, rounded to
/// the decimals it is published with, is not the reported one.
pub fn differs(reported: f64, recomputed: f64, decimals: u8) -> bool {
    let half = 0.5 * 10f64.powi(-i32::from(decimals));
    (reported - recomputed).abs() > half * (1.0 + 1e-9) + 1e-12
}

fn compare(eval: &Evaluation, r: &Reported) -> Vec<Discrepancy> {
    let mut out = Vec::new();
    let mut push = |section: Option<Section>,
                    school: Option<&str>,
                    indicator: &str,
                    figure: &str,
                    reported: &reported::Value,
                    recomputed: Option<f64>,
                    decimals: u8| {
        let differ = match recomputed {
            Some(x) => differs(reported.value, x, decimals),
            None => true,
        };
        if differ {
            out.push(Discrepancy {
                county: eval.county.clone(),
                section,
                school: school.map(str::to_string),
                indicator: indicator.to_string(),
                figure: figure.to_string(),
                reported: reported.value,
                recomputed,
                difference: recomputed.map(|x| reported.value - x),
                decimals,
                source: reported.source.clone(),
            });
        }
    };
    for (s, v) in &r.schools_passing {
        let x = eval.resource.section(*s).schools_passing as f64;
        push(Some(*s), None, "resource", "schools_passing", v, Some(x), 0);
    }
    for (s, i, f, v) in &r.cv {
        let ind = &eval.resource.section(*s).indicators[i];
        let x = match f {
            Figure::Mean => ind.mean,
            Figure::Sd => ind.sd,
            Figure::Cv => ind.cv,
        };
        push(Some(*s), None, i.id(), f.key(), v, x, CV_DECIMALS);
    }
    if let Some(list) = &r.schools {
        for rs in list {
            let Some(row) = eval
                .schools
                .iter()
                .find(|x| x.name == rs.name && x.section == rs.section)
            else {
                continue; // the list check names it
            };
            for (i, v) in &rs.values {
                let d = eval.resource.section(rs.section).indicators[i].decimals;
                let x = row.values.get(i).copied().flatten();
                push(Some(rs.section), Some(&rs.name), i.id(), "value", v, x, d);
            }
            if let Some(v) = &rs.students {
                push(
                    Some(rs.section),
                    Some(&rs.name),
                    "students",
                    "value",
                    v,
                    Some(row.students),
                    0,
                );
            }
        }
    }
    out
}

/// Names and order of a reported school list against the statistics: the
/// JSON lists every row, a published table the rows counted.
fn check_list(eval: &Evaluation, r: &Reported) -> Option<ListCheck> {
    let list = r.schools.as_ref()?;
    let key = |n: &str, s: Section| format!("{n}（{}）", s.zh());
    let stats: Vec<String> = eval
        .schools
        .iter()
        .filter(|s| r.lists_all_rows || s.included)
        .map(|s| key(&s.name, s.section))
        .collect();
    let given: Vec<String> = list.iter().map(|s| key(&s.name, s.section)).collect();
    let missing: Vec<String> = stats
        .iter()
        .filter(|k| !given.contains(k))
        .cloned()
        .collect();
    let extra: Vec<String> = given
        .iter()
        .filter(|k| !stats.contains(k))
        .cloned()
        .collect();
    let common_stats: Vec<&String> = stats.iter().filter(|k| given.contains(k)).collect();
    let common_given: Vec<&String> = given.iter().filter(|k| stats.contains(k)).collect();
    let first_out_of_order = common_stats
        .iter()
        .zip(&common_given)
        .position(|(a, b)| a != b)
        .map(|k| OutOfOrder {
            position: k + 1,
            expected: common_stats[k].to_string(),
            found: common_given[k].to_string(),
        });
    if missing.is_empty() && extra.is_empty() && first_out_of_order.is_none() {
        return None;
    }
    Some(ListCheck {
        county: eval.county.clone(),
        source: r.file.clone(),
        missing,
        extra,
        first_out_of_order,
    })
}

pub use super::OutOfOrder;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_precision_decides() {
        // 0.5151 printed for 0.51514: agrees; 0.5152 does not.
        assert!(!differs(0.5151, 0.51514, 4));
        assert!(differs(0.5152, 0.51514, 4));
        assert!(!differs(2000.0, 2000.4, 0));
        assert!(differs(2001.0, 2000.4, 0));
        assert!(!differs(0.123457, 0.1234565, 6));
    }
}

//! The site-visit draw (实地核查抽样): about ten school-学段 rows per county,
//! seeded and reproducible, so a county cannot predict it and anyone with
//! the seed can redo it.
//!
//! Method, as the packet states it:
//! 1. Rows: every row counted in the 资源配置 assessment, plus 教学点 and
//!    特殊教育学校 rows even where not counted.
//! 2. Strata: 城区/镇区/乡村 × school type.
//! 3. Each row gets a key u^(1/w) (Efraimidis–Spirakis weighted sampling),
//!    u uniform from ChaCha8 seeded with `seed` and the county's name, w = 1,
//!    or `fail_weight` for a row failing the per-school rule.
//! 4. First, one row each of 一贯制 (九年、十二年一贯制, 完全中学), 教学点
//!    and 特教 where the county has them, then of each of 城区/镇区/乡村 not
//!    yet drawn: the highest key of the group.
//! 5. Then, until `per_county` rows: the stratum furthest below its share
//!    (weighted rows of the stratum ÷ all weighted rows × per_county) gives
//!    its highest remaining key; ties go to the stratum listed first.

use super::{CheckLine, SampleMethod, SampledRow};
use crate::evaluate::{Evaluation, MetStatus, SchoolResult};
use crate::profile::ResourceIndicator;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// The groups step 4 covers first, in that order.
const REQUIRED: [&str; 3] = ["一贯制", "教学点", "特殊教育学校"];
const LOCALITIES: [&str; 3] = ["城区", "镇区", "乡村"];

pub fn method(per_county: usize, seed: u64, fail_weight: f64) -> SampleMethod {
    SampleMethod {
        seed,
        per_county,
        fail_weight,
        strata: "城区/镇区/乡村 × 学校类型".into(),
        required: REQUIRED.iter().map(|s| s.to_string()).collect(),
        algorithm: "Efraimidis–Spirakis 加权无放回抽样（ChaCha8，种子为 seed 与县名）".into(),
    }
}

fn group(s: &SchoolResult) -> Option<&'static str> {
    match s.school_type.as_str() {
        "九年一贯制学校" | "十二年一贯制学校" | "完全中学" => Some(REQUIRED[0]),
        "教学点" => Some(REQUIRED[1]),
        "特殊教育学校" => Some(REQUIRED[2]),
        _ => None,
    }
}

/// FNV-1a: a county's stream depends on its name only, not on the order
/// of REVIEW.yaml.
fn name_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The draw for one county, in the statistics order of the rows drawn.
pub fn draw(eval: &Evaluation, m: &SampleMethod) -> Vec<SampledRow> {
    let candidates: Vec<usize> = eval
        .schools
        .iter()
        .enumerate()
        .filter(|(_, s)| s.included || matches!(group(s), Some("教学点" | "特殊教育学校")))
        .map(|(k, _)| k)
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(m.seed ^ name_hash(&eval.county));
    let weight = |k: usize| {
        let s = &eval.schools[k];
        if s.included && !s.passes {
            m.fail_weight
        } else {
            1.0
        }
    };
    let key: BTreeMap<usize, f64> = candidates
        .iter()
        .map(|&k| {
            // u in (0, 1]: never 0, whose key would tie every weight.
            let u: f64 = 1.0 - rng.random::<f64>();
            (k, u.powf(1.0 / weight(k)))
        })
        .collect();
    let locality = |k: usize| {
        eval.schools[k]
            .locality
            .clone()
            .unwrap_or_else(|| "未填".into())
    };
    let stratum = |k: usize| format!("{}·{}", locality(k), eval.schools[k].school_type);
    let n = m.per_county.min(candidates.len());
    let mut chosen: Vec<(usize, String)> = Vec::new();
    let best = |pool: &mut dyn Iterator<Item = usize>, chosen: &[(usize, String)]| {
        pool.filter(|k| !chosen.iter().any(|(c, _)| c == k))
            .max_by(|a, b| key[a].total_cmp(&key[b]).then(b.cmp(a)))
    };
    for g in REQUIRED {
        if chosen.len() >= n
            || chosen
                .iter()
                .any(|(c, _)| group(&eval.schools[*c]) == Some(g))
        {
            continue;
        }
        let mut pool = candidates
            .iter()
            .copied()
            .filter(|&k| group(&eval.schools[k]) == Some(g));
        if let Some(k) = best(&mut pool, &chosen) {
            chosen.push((k, format!("覆盖{g}")));
        }
    }
    for l in LOCALITIES {
        if chosen.len() >= n || chosen.iter().any(|(c, _)| locality(*c) == l) {
            continue;
        }
        let mut pool = candidates.iter().copied().filter(|&k| locality(k) == l);
        if let Some(k) = best(&mut pool, &chosen) {
            chosen.push((k, format!("覆盖{l}")));
        }
    }
    // Strata in a fixed order: by name.
    let mut strata: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &k in &candidates {
        strata.entry(stratum(k)).or_default().push(k);
    }
    let total: f64 = candidates.iter().map(|&k| weight(k)).sum();
    while chosen.len() < n {
        let pick = strata
            .iter()
            .filter(|(_, rows)| rows.iter().any(|k| !chosen.iter().any(|(c, _)| c == k)))
            .map(|(name, rows)| {
                let share = rows.iter().map(|&k| weight(k)).sum::<f64>() / total * n as f64;
                let have = chosen.iter().filter(|(c, _)| stratum(*c) == *name).count() as f64;
                (name, rows, share - have)
            })
            .fold(
                None,
                |acc: Option<(&String, &Vec<usize>, f64)>, x| match acc {
                    Some(a) if a.2 >= x.2 => Some(a),
                    _ => Some(x),
                },
            );
        let Some((_, rows, _)) = pick else { break };
        let mut pool = rows.iter().copied();
        match best(&mut pool, &chosen) {
            Some(k) => chosen.push((k, "分层抽取".into())),
            None => break,
        }
    }
    chosen.sort_by_key(|(k, _)| *k);
    chosen
        .into_iter()
        .map(|(k, reason)| row(eval, k, stratum(k), reason, weight(k)))
        .collect()
}

/// A drawn row with what its 实地核查表 prints: per indicator the reported
/// value, the standard, the 85% floor and the status.
fn row(eval: &Evaluation, k: usize, stratum: String, reason: String, weight: f64) -> SampledRow {
    let s = &eval.schools[k];
    let checks = ResourceIndicator::ALL
        .into_iter()
        .map(|i| {
            let ind = &eval.resource.section(s.section).indicators[&i];
            CheckLine {
                indicator: i,
                name: ind.name.clone(),
                unit: ind.unit.clone(),
                decimals: ind.decimals,
                value: s.values.get(&i).copied().flatten(),
                standard: ind.standard,
                floor: ind.floor,
                status: s.status.get(&i).copied().unwrap_or(MetStatus::Missing),
            }
        })
        .collect();
    SampledRow {
        county: eval.county.clone(),
        name: s.name.clone(),
        section: s.section,
        school_type: s.school_type.clone(),
        locality: s.locality.clone(),
        township: s.township.clone(),
        stratum,
        reason,
        included: s.included,
        passes: s.passes,
        weight,
        students: s.students,
        checks,
        at: s.at.clone(),
    }
}

//! Carrying the ledger from one run to the next. Rows are matched by key:
//! what staff typed (措施, 责任人, 完成时限, 进展, a 状态 of their own) is
//! kept; an item the new data no longer finds is 已整改 on that data's
//! date; one past its deadline and still found is 逾期; new problems are
//! added after the rows staff know, in the evaluation's order. A row staff
//! deleted is not put back silently: it is reported, and if its problem is
//! still there it comes back marked so.

use super::read::{PrevRow, Previous};
use super::xlsx as w;
use super::{CLOSED, IN_PROGRESS, Item, OPEN, OVERDUE, day_zh};
use crate::error::Error;
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

pub fn carry(
    current: Vec<Item>,
    prev: &Previous,
    data: NaiveDate,
    today: NaiveDate,
) -> Result<(Vec<Item>, Vec<String>), Error> {
    let mut findings = Vec::new();
    let mut out: Vec<Item> = Vec::new();
    let mut current: Vec<Option<Item>> = current.into_iter().map(Some).collect();
    // Where each current key is, so that matching a row is one look-up
    // (the order of the output stays the lists', never the map's).
    let mut index: HashMap<String, usize> = HashMap::with_capacity(current.len());
    for (i, c) in current.iter().enumerate() {
        if let Some(c) = c {
            index.entry(c.key.clone()).or_insert(i);
        }
    }
    for row in &prev.rows {
        let found = index
            .remove(row.key.as_str())
            .and_then(|i| current[i].take());
        match found {
            Some(mut it) => {
                keep_typed(&mut it, row);
                let was = row.get(w::H_STATUS);
                let due = parse_day(row.get(w::H_DEADLINE)).or(it.deadline_day);
                it.status = if due.is_some_and(|d| d < today) {
                    OVERDUE.into()
                } else if was == IN_PROGRESS {
                    IN_PROGRESS.into()
                } else {
                    OPEN.into()
                };
                if was == CLOSED {
                    it.note = format!("上次已整改，依据{}统计数据再次未达到标准", day_zh(data));
                    findings.push(format!(
                        "{}：上次已整改的“{}”（{}）依据新数据再次未达到标准，已重新列为{}",
                        row.at, it.indicator, it.scope, it.status
                    ));
                }
                out.push(it);
            }
            None => {
                // No longer found: closed on this data, kept with staff's text.
                let mut it = from_row(row);
                if it.status != CLOSED {
                    it.status = CLOSED.into();
                    it.note = format!("依据{}统计数据已达到标准", day_zh(data));
                }
                out.push(it);
            }
        }
    }
    let kept: HashSet<&str> = prev.rows.iter().map(|r| r.key.as_str()).collect();
    let deleted: Vec<&String> = match &prev.written {
        Some(keys) => keys.iter().filter(|k| !kept.contains(k.as_str())).collect(),
        None => {
            findings.push(format!(
                "{}：缺少隐藏的工作表“{}”，无法核对上次台账中是否有被删除的行",
                prev.file,
                w::KEYS_SHEET
            ));
            Vec::new()
        }
    };
    // Keys still found and not yet matched: `index` lost the matched ones.
    for k in &deleted {
        let back = index.get(k.as_str()).is_some_and(|&i| current[i].is_some());
        findings.push(if back {
            format!(
                "{}：上次台账中标识为“{k}”的一行已被删除，但新数据中该问题仍存在，已重新列入（销号情况栏注明）",
                prev.file
            )
        } else {
            format!(
                "{}：上次台账中标识为“{k}”的一行已被删除，新数据中该问题已不存在，不再列出",
                prev.file
            )
        });
    }
    let deleted: HashSet<&str> = deleted.iter().map(|k| k.as_str()).collect();
    for mut it in current.into_iter().flatten() {
        if deleted.contains(it.key.as_str()) {
            it.note = "上次台账中此行被删除，新数据中问题仍存在，重新列入".into();
        }
        out.push(it);
    }
    Ok((out, findings))
}

/// What staff typed wins over the tool's default.
fn keep_typed(it: &mut Item, row: &PrevRow) {
    let typed = |h: &str| Some(row.get(h).to_string()).filter(|s| !s.is_empty());
    if let Some(m) = typed(w::H_MEASURE) {
        it.measure = m;
    }
    if let Some(p) = typed(w::H_PERSON) {
        it.person = p;
    }
    if let Some(d) = typed(w::H_DEADLINE) {
        it.deadline_day = parse_day(&d).or(it.deadline_day);
        it.deadline = d;
    }
    if let Some(p) = typed(w::H_PROGRESS) {
        it.progress = p;
    }
}

/// A row the new data no longer has, rebuilt from its cells.
fn from_row(row: &PrevRow) -> Item {
    let g = |h: &str| row.get(h).to_string();
    let (lead, responsible) = split_units(row.get(w::H_UNITS));
    let parts: Vec<&str> = row.key.split(super::KEY_SEP).collect();
    Item {
        key: row.key.clone(),
        category: g(w::H_CATEGORY),
        scope: g(w::H_SCOPE),
        section: g(w::H_SECTION),
        indicator: g(w::H_INDICATOR),
        id: parts.get(2).map(|s| s.to_string()).unwrap_or_default(),
        problem: g(w::H_PROBLEM),
        measure: g(w::H_MEASURE),
        lead,
        responsible,
        person: g(w::H_PERSON),
        deadline: g(w::H_DEADLINE),
        deadline_day: parse_day(row.get(w::H_DEADLINE)),
        cost: row.get(w::H_COST).parse().ok(),
        status: g(w::H_STATUS),
        progress: g(w::H_PROGRESS),
        note: g(w::H_NOTE),
    }
}

/// `牵头：A、B；配合：C` back into its lists.
fn split_units(s: &str) -> (Vec<String>, Vec<String>) {
    let mut lead = Vec::new();
    let mut resp = Vec::new();
    for part in s.split('；') {
        let list = |p: &str| -> Vec<String> {
            p.split('、')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(String::from)
                .collect()
        };
        if let Some(p) = part.strip_prefix("牵头：") {
            lead = list(p);
        } else if let Some(p) = part.strip_prefix("配合：") {
            resp = list(p);
        }
    }
    (lead, resp)
}

/// A 完成时限 as typed: `2024年底`, `2024年12月底`, `2024-12-31`.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    let t = s.trim().trim_end_matches('前');
    crate::input::plan::parse_deadline(t).map(|d| d.last_day)
}

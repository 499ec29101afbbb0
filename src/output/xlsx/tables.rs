//! The sheets of county-level indicators and follow-up: 政府保障程度,
//! 教育质量, 社会认可度, 整改测算 and 目标核对. A criterion with a county
//! figure and a numeric standard has both as numbers and its 达到/未达到
//! as an IF over them, and an indicator's 结论 counts its criteria, so a
//! reviewer who corrects a figure sees the verdict follow; yes/no items
//! and figures judged school by school are written as judged.

use super::SHEETS;
use super::style::*;
use crate::evaluate::gaps::GapTotal;
use crate::evaluate::{CriterionResult, Evaluation, IndicatorResult};
use crate::profile::{Op, ResourceIndicator, fmt_number};
use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{Formula, Worksheet, XlsxError};

// ---------------------------------------------------------------------
// 政府保障程度 / 教育质量 / 社会认可度
// ---------------------------------------------------------------------

const IND_COLS: [f64; 9] = [8.0, 34.0, 22.0, 11.0, 15.0, 10.0, 20.0, 46.0, 10.0];

fn source_text(r: &IndicatorResult) -> String {
    let from = match r.source.as_str() {
        "schools" => "据学校统计表计算",
        "plan" => "计划文件填报的县级数据",
        "survey" => "社会认可度问卷调查",
        // Never the key itself: a reviewer reads this.
        _ => "计划文件",
    };
    match &r.evidence {
        Some(ev) if !ev.is_empty() => format!("{from}。佐证：{ev}"),
        _ => format!("{from}。"),
    }
}

/// The indicator table from `r0`; returns the next free row.
fn indicator_table(ws: &mut Sheet, list: &[IndicatorResult], r0: u32) -> Result<u32, XlsxError> {
    headers(
        ws,
        r0,
        &[
            "指标编号",
            "指标内容",
            "具体指标",
            "标准",
            "实际数",
            "是否达到",
            "缺口数",
            "数据来源/佐证",
            "指标结论",
        ],
    )?;
    let mut r = r0 + 1;
    let t = text_fmt(Look::Plain);
    for ind in list {
        let n = ind.criteria.len().max(1) as u32;
        let (r1, r2) = (r, r + n - 1);
        let (verdict, look) = met_text(ind.met);
        merge(ws, (r1, 0), (r2, 0), &ind.id, &centre_fmt(Look::Plain))?;
        merge(ws, (r1, 1), (r2, 1), &ind.name, &t)?;
        let source = source_text(ind);
        merge(ws, (r1, 7), (r2, 7), &source, &t)?;
        if ind.criteria.is_empty() {
            for c in 2..=6 {
                text(ws, r, c, "", &t)?;
            }
        }
        for (k, c) in ind.criteria.iter().enumerate() {
            let row = r + k as u32;
            text(ws, row, 2, &c.label, &t)?;
            match (ind.source.as_str(), comparison(c)) {
                ("schools", _) | (_, None) => {
                    let (m, look) = met_text(c.met);
                    text(ws, row, 3, &c.standard, &centre_fmt(Look::Plain))?;
                    text(ws, row, 4, &c.actual, &centre_fmt(Look::Plain))?;
                    text(ws, row, 5, m, &centre_fmt(look))?;
                }
                (_, Some(cmp)) => live_criterion(ws, row, c, &cmp)?,
            }
            text(ws, row, 6, &c.gap, &t)?;
        }
        // The conclusion counts its criteria, as the evaluation does.
        let range = format!("{}:{}", row_col_to_cell(r1, 5), row_col_to_cell(r2, 5));
        if !ind.criteria.is_empty() && ind.met == all_met(&ind.criteria) {
            let f = Formula::new(format!(
                "=IF(COUNTIF({range},\"✗ 未达到\")>0,\"✗ 未达到\",IF(COUNTIF({range},\"达到\")={},\"达到\",\"✗ 无数据\"))",
                ind.criteria.len()
            ))
            .set_result(verdict);
            if r1 == r2 {
                ws.write_formula_with_format(r1, 8, f, &centre_fmt(Look::Plain))?;
            } else {
                ws.merge_range(r1, 8, r2, 8, "", &centre_fmt(Look::Plain))?;
                ws.write_formula_with_format(r1, 8, f, &centre_fmt(Look::Plain))?;
            }
            let bad = rust_xlsxwriter::ConditionalFormatFormula::new()
                .set_rule(format!("=LEFT({},1)=\"✗\"", row_col_to_cell(r1, 8)).as_str())
                .set_format(bad_fill());
            ws.add_conditional_format(r1, 8, r2, 8, &bad)?;
        } else {
            merge(ws, (r1, 8), (r2, 8), verdict, &centre_fmt(look))?;
        }
        r += n;
    }
    Ok(r)
}

/// A county figure compared with a numeric standard: how, and the text
/// around the threshold as the standard prints it (`≥`, `%（本县方案标准…）`).
struct Comparison {
    op: Op,
    value: f64,
    threshold: f64,
    before: String,
    after: String,
    unit: String,
}

fn comparison(c: &CriterionResult) -> Option<Comparison> {
    let (value, threshold) = (c.value?, c.threshold?);
    let printed = fmt_number(threshold);
    let at = c.standard.find(&printed)?;
    let before = &c.standard[..at];
    let after = &c.standard[at + printed.len()..];
    let op = [Op::AtLeast, Op::AtMost, Op::Below]
        .into_iter()
        .find(|op| before == op.zh())?;
    // The actual figure prints as its number and the standard's unit.
    let unit: String = after.chars().take_while(|ch| *ch != '（').collect();
    if after.contains('"') || !value.is_finite() || op.meets(value, threshold) != c.met? {
        return None;
    }
    Some(Comparison {
        op,
        value,
        threshold,
        before: before.to_string(),
        after: after.to_string(),
        unit,
    })
}

/// Standard and figure as numbers, 是否达到 an IF over them.
fn live_criterion(
    ws: &mut Sheet,
    row: u32,
    c: &CriterionResult,
    cmp: &Comparison,
) -> Result<(), XlsxError> {
    let standard_fmt = num_fmt(
        &format!("\"{}\"General\"{}\"", cmp.before, cmp.after),
        Look::Plain,
    )
    .set_text_wrap()
    .set_align(rust_xlsxwriter::FormatAlign::Center);
    num(ws, row, 3, Some(cmp.threshold), &standard_fmt)?;
    ws.need(row, wrap_lines(&c.standard, ws.span(3, 3)));
    let actual_fmt = num_fmt(&format!("General\"{}\"", cmp.unit), Look::Plain)
        .set_align(rust_xlsxwriter::FormatAlign::Center);
    num(ws, row, 4, Some(cmp.value), &actual_fmt)?;
    let (v, t) = (row_col_to_cell(row, 4), row_col_to_cell(row, 3));
    let test = match cmp.op {
        Op::AtLeast => format!("{v}>={t}"),
        Op::AtMost => format!("{v}<={t}"),
        _ => format!("{v}<{t}"),
    };
    let (m, _) = met_text(c.met);
    let f = Formula::new(format!("=IF({test},\"达到\",\"✗ 未达到\")")).set_result(m);
    ws.write_formula_with_format(row, 5, f, &centre_fmt(Look::Plain))?;
    let bad = rust_xlsxwriter::ConditionalFormatFormula::new()
        .set_rule(format!("=LEFT({},1)=\"✗\"", row_col_to_cell(row, 5)).as_str())
        .set_format(bad_fill());
    ws.add_conditional_format(row, 5, row, 5, &bad)?;
    Ok(())
}

/// An indicator's verdict from its criteria, as the evaluation forms it.
fn all_met(criteria: &[CriterionResult]) -> Option<bool> {
    if criteria.iter().any(|c| c.met == Some(false)) {
        Some(false)
    } else if criteria.iter().all(|c| c.met == Some(true)) {
        Some(true)
    } else {
        None
    }
}

/// Failing schools under an indicator table; returns the next free row.
fn failing_table(ws: &mut Sheet, list: &[IndicatorResult], r0: u32) -> Result<u32, XlsxError> {
    let mut r = r0;
    if list.iter().all(|i| i.failing.is_empty()) {
        return Ok(r);
    }
    r += 1;
    label(ws, r, 0, "未达标的学校（部）", &heading_fmt())?;
    r += 1;
    headers(ws, r, &["指标编号", "学校（部）及情况"])?;
    merge(ws, (r, 1), (r, 7), "学校（部）及情况", &header_fmt())?;
    r += 1;
    let t = text_fmt(Look::Plain);
    for ind in list {
        for f in &ind.failing {
            text(ws, r, 0, &ind.id, &centre_fmt(Look::Plain))?;
            merge(ws, (r, 1), (r, 7), f, &t)?;
            r += 1;
        }
    }
    Ok(r)
}

pub(super) fn indicator_sheet(
    raw: &mut Worksheet,
    e: &Evaluation,
    name: &str,
    title: &str,
    list: &[IndicatorResult],
) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    ws.set_name(name)?;
    widths(ws, &IND_COLS)?;
    label(ws, 0, 0, &format!("{}{}", e.county, title), &title_fmt())?;
    ws.fixed(0, 24.0);
    let r = indicator_table(ws, list, 2)?;
    failing_table(ws, list, r)?;
    ws.set_freeze_panes(3, 0)?;
    page_setup(ws, e, name, Some((2, 2)))?;
    ws.finish()
}

pub(super) fn recognition_sheet(raw: &mut Worksheet, e: &Evaluation) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    let name = SHEETS[7];
    ws.set_name(name)?;
    widths(ws, &IND_COLS)?;
    label(
        ws,
        0,
        0,
        &format!("{}社会认可度达成情况", e.county),
        &title_fmt(),
    )?;
    ws.fixed(0, 24.0);
    let rec = &e.recognition;
    let mut r = indicator_table(ws, std::slice::from_ref(&rec.indicator), 2)?;
    r += 1;
    label(ws, r, 0, "问卷调查（按调查对象）", &heading_fmt())?;
    r += 1;
    headers(
        ws,
        r,
        &["序号", "调查对象", "样本数", "满意人数", "满意率", "权重"],
    )?;
    r += 1;
    let t = text_fmt(Look::Plain);
    let int = num_fmt("#,##0", Look::Plain);
    if rec.groups.is_empty() {
        merge(ws, (r, 0), (r, 5), "计划文件没有填写问卷调查结果。", &t)?;
        r += 1;
    }
    for (k, g) in rec.groups.iter().enumerate() {
        num(ws, r, 0, Some(k as f64 + 1.0), &num_fmt("0", Look::Plain))?;
        text(ws, r, 1, &g.group, &t)?;
        num(ws, r, 2, Some(g.sample as f64), &int)?;
        num(ws, r, 3, Some(g.satisfied as f64), &int)?;
        num(ws, r, 4, Some(g.rate), &num_fmt("0.00\"%\"", Look::Plain))?;
        num(ws, r, 5, Some(g.weight), &num_fmt("#,##0.##", Look::Plain))?;
        r += 1;
    }
    let look = match rec.indicator.met {
        Some(true) => Look::Plain,
        _ => Look::Bad,
    };
    text(ws, r, 0, "", &t)?;
    text(ws, r, 1, "合计（加权）", &boxed().set_bold())?;
    num(ws, r, 2, Some(rec.total_sample as f64), &int)?;
    text(ws, r, 3, "", &t)?;
    num(ws, r, 4, rec.rate, &num_fmt("0.00\"%\"", look))?;
    text(ws, r, 5, "", &t)?;
    r += 1;
    let note = "满意率 = 满意人数（满意与基本满意）÷ 样本数；总体认可度 = Σ(权重 × 满意率) ÷ Σ权重，权重未填写时为样本数。";
    merge(ws, (r, 0), (r, 7), note, &note_fmt())?;
    page_setup(ws, e, name, None)?;
    ws.finish()
}

// ---------------------------------------------------------------------
// 整改测算
// ---------------------------------------------------------------------

pub(super) fn gaps_sheet(raw: &mut Worksheet, e: &Evaluation) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    let name = SHEETS[8];
    ws.set_name(name)?;
    let name_w = e
        .gaps
        .schools
        .iter()
        .map(|g| text_width(&g.name))
        .fold(12.0, f64::max)
        .min(36.0)
        + 2.0;
    widths(ws, &[name_w, 8.0, 12.0, 20.0, 8.0, 22.0, 14.0, 8.0, 16.0])?;
    label(
        ws,
        0,
        0,
        &format!("{}资源配置整改测算", e.county),
        &title_fmt(),
    )?;
    ws.fixed(0, 24.0);
    let allowed = ResourceIndicator::ALL.len() as u32 - e.resource.min_met.min(7);
    let note = format!(
        "未达标学校（部）列出每一种最小补充方案，任选其一即达到校际标准：7项中允许{allowed}项只达到标准的{}%（“补至”一栏注明），其余补到标准；另列达到全部标准所需和计划文件承诺目标所需。人数、间数、面积和金额均向上取整；乡镇和全县合计按达到全部标准所需汇总。",
        fmt_number(e.resource.floor_ratio * 100.0)
    );
    merge(ws, (1, 0), (1, 8), &note, &note_fmt())?;
    let t = text_fmt(Look::Plain);
    let int = num_fmt("#,##0", Look::Plain);
    let mut r = 3;
    label(
        ws,
        r,
        0,
        "一、各校（部）需补充（“达标方案”任选其一即达到校际标准）",
        &heading_fmt(),
    )?;
    r += 1;
    if e.gaps.schools.is_empty() {
        label(
            ws,
            r,
            0,
            "所有参评学校（部）各项指标均达到标准，无需补充。",
            &base(),
        )?;
        r += 1;
    } else {
        headers(
            ws,
            r,
            &[
                "学校名称",
                "学段",
                "所在乡镇",
                "用途",
                "指标",
                "补充项目",
                "数量",
                "单位",
                "补至",
            ],
        )?;
        let header_row = r;
        r += 1;
        for g in &e.gaps.schools {
            let township = g.township.as_deref().unwrap_or("");
            let n = g.options.len();
            let mut groups: Vec<(String, Vec<&crate::evaluate::gaps::Addition>)> = g
                .options
                .iter()
                .enumerate()
                .map(|(k, o)| {
                    let what = if n == 1 {
                        "达标方案".to_string()
                    } else {
                        format!("达标方案{}/{}", k + 1, n)
                    };
                    (what, o.iter().collect())
                })
                .collect();
            groups.push(("达到全部标准".into(), g.to_standard.iter().collect()));
            for t in &g.to_plan {
                groups.push((
                    format!("方案任务{}（时限{}）", t.task, t.deadline),
                    vec![&t.addition],
                ));
            }
            for (what, adds) in groups {
                for a in adds {
                    text(ws, r, 0, &g.name, &t)?;
                    text(ws, r, 1, g.section.zh(), &t)?;
                    text(ws, r, 2, township, &t)?;
                    text(ws, r, 3, &what, &t)?;
                    text(ws, r, 4, a.indicator.id(), &centre_fmt(Look::Plain))?;
                    text(ws, r, 5, &a.what, &t)?;
                    num(ws, r, 6, Some(a.amount), &int)?;
                    text(ws, r, 7, &a.unit, &centre_fmt(Look::Plain))?;
                    text(ws, r, 8, &a.to, &t)?;
                    r += 1;
                }
            }
            if !g.missing.is_empty() {
                let ids: Vec<&str> = g.missing.iter().map(|i| i.id()).collect();
                text(ws, r, 0, &g.name, &t)?;
                text(ws, r, 1, g.section.zh(), &t)?;
                text(ws, r, 2, township, &t)?;
                text(ws, r, 3, "缺数据", &t)?;
                text(ws, r, 4, &ids.join("、"), &centre_fmt(Look::Plain))?;
                for c in 5..=8 {
                    text(ws, r, c, "—", &centre_fmt(Look::Plain))?;
                }
                r += 1;
            }
        }
        ws.autofilter(header_row, 0, r - 1, 8)?;
        ws.set_repeat_rows(header_row, header_row)?;
    }

    r += 1;
    label(ws, r, 0, "二、按乡镇合计", &heading_fmt())?;
    r += 1;
    let by_township: Vec<(&str, &GapTotal)> = e
        .gaps
        .townships
        .iter()
        .flat_map(|tg| tg.totals.iter().map(move |x| (tg.township.as_str(), x)))
        .collect();
    r = totals_block(ws, r, "乡镇", &by_township)?;

    r += 1;
    label(ws, r, 0, "三、全县合计", &heading_fmt())?;
    r += 1;
    let county: Vec<(&str, &GapTotal)> = e
        .gaps
        .county
        .iter()
        .map(|x| (e.county.as_str(), x))
        .collect();
    totals_block(ws, r, "全县", &county)?;
    page_setup(ws, e, name, None)?;
    ws.finish()
}

/// A table of gap totals under a heading row: the place (乡镇 or 全县) in
/// the merged first three columns, then one total a row. Returns the next
/// free row.
fn totals_block(
    ws: &mut Sheet,
    mut r: u32,
    place: &str,
    rows: &[(&str, &GapTotal)],
) -> Result<u32, XlsxError> {
    if rows.is_empty() {
        label(ws, r, 0, "无。", &base())?;
        return Ok(r + 1);
    }
    headers(
        ws,
        r,
        &[
            "",
            "",
            "",
            "指标",
            "补充项目",
            "数量",
            "单位",
            "涉及学校（部）数",
        ],
    )?;
    merge(ws, (r, 0), (r, 2), place, &header_fmt())?;
    r += 1;
    let t = text_fmt(Look::Plain);
    for (name, x) in rows {
        merge(ws, (r, 0), (r, 2), name, &t)?;
        total_row(ws, r, x)?;
        r += 1;
    }
    Ok(r)
}

fn total_row(ws: &mut Sheet, r: u32, x: &GapTotal) -> Result<(), XlsxError> {
    let t = text_fmt(Look::Plain);
    let int = num_fmt("#,##0", Look::Plain);
    text(ws, r, 3, x.indicator.id(), &centre_fmt(Look::Plain))?;
    text(ws, r, 4, &x.what, &t)?;
    num(ws, r, 5, Some(x.amount), &int)?;
    text(ws, r, 6, &x.unit, &centre_fmt(Look::Plain))?;
    num(ws, r, 7, Some(x.schools as f64), &int)?;
    Ok(())
}

// ---------------------------------------------------------------------
// 目标核对
// ---------------------------------------------------------------------

pub(super) fn targets_sheet(raw: &mut Worksheet, e: &Evaluation) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    let name = SHEETS[9];
    ws.set_name(name)?;
    let cols = [8.0, 30.0, 8.0, 7.0, 14.0, 24.0, 10.0, 8.0, 30.0, 16.0];
    widths(ws, &cols)?;
    label(
        ws,
        0,
        0,
        &format!("{}实施方案目标核对（截至{}）", e.county, e.report_date),
        &title_fmt(),
    )?;
    ws.fixed(0, 24.0);
    headers(
        ws,
        2,
        &[
            "任务编号",
            "任务",
            "指标",
            "学段",
            "具体项",
            "目标",
            "时限",
            "是否到期",
            "实际",
            "状态",
        ],
    )?;
    let t = text_fmt(Look::Plain);
    let mut r = 3;
    if e.targets.is_empty() {
        merge(
            ws,
            (r, 0),
            (r, 9),
            "实施方案的任务中没有可核对的量化目标。",
            &t,
        )?;
        r += 1;
    }
    for x in &e.targets {
        text(ws, r, 0, &x.task, &centre_fmt(Look::Plain))?;
        text(ws, r, 1, &x.task_title, &t)?;
        text(ws, r, 2, &x.indicator, &centre_fmt(Look::Plain))?;
        text(
            ws,
            r,
            3,
            x.section.map(|s| s.zh()).unwrap_or(""),
            &centre_fmt(Look::Plain),
        )?;
        text(
            ws,
            r,
            4,
            &criterion_label(e, &x.indicator, x.key.as_deref()),
            &t,
        )?;
        text(ws, r, 5, &x.target, &t)?;
        text(ws, r, 6, &x.deadline, &centre_fmt(Look::Plain))?;
        text(
            ws,
            r,
            7,
            if x.due { "已到期" } else { "未到期" },
            &centre_fmt(Look::Plain),
        )?;
        text(ws, r, 8, &x.actual, &t)?;
        let (status, look) = match (x.achieved, x.due) {
            (Some(true), _) => (x.status.clone(), Look::Plain),
            (Some(false), true) => (format!("✗ {}（已到期）", x.status), Look::Bad),
            (Some(false), false) => (format!("✗ {}", x.status), Look::Bad),
            (None, _) => (format!("？{}", x.status), Look::Plain),
        };
        text(ws, r, 9, &status, &centre_fmt(look))?;
        r += 1;
    }
    if !e.targets.is_empty() {
        ws.autofilter(2, 0, r - 1, 9)?;
    }
    ws.set_freeze_panes(3, 0)?;
    page_setup(ws, e, name, Some((2, 2)))?;
    ws.finish()
}

/// The words of the criterion a target names, never its key: the plan's
/// `backbone_share` is a reviewer's “骨干教师交流比例”.
fn criterion_label(e: &Evaluation, indicator: &str, key: Option<&str>) -> String {
    let Some(key) = key else {
        return String::new();
    };
    e.guarantee
        .iter()
        .chain(&e.quality)
        .chain(std::iter::once(&e.recognition.indicator))
        .filter(|i| i.id == indicator)
        .flat_map(|i| {
            i.criteria
                .iter()
                .filter(|c| c.key == key)
                .map(|c| i.criterion_label(c))
        })
        .next()
        .unwrap_or_default()
}

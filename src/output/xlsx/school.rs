//! The 小学资源配置 / 初中资源配置 sheets: one row per school-学段, in the
//! statistics' order. Each row holds the figures its indicators divide (as
//! numbers, copied from the county's workbook, with the source cell
//! beside them as `文件!工作表!单元格`), the share a whole-school figure is
//! apportioned by, and then live formulas: each indicator over those cells,
//! each 达到/△/✗ an IF over the 评估标准 sheet, the count of indicators met
//! and the school's verdict. The evaluation's values are the cached
//! results, so the sheet reads the same before recalculation.
//!
//! The sheet is wide (a dozen input columns besides the seven indicators),
//! so it prints on A4 landscape split between indicator groups, the school
//! name and the header rows repeated on every page.

use super::cv::CvRanges;
use super::standards::StandardCells;
use super::style::*;
use crate::evaluate::resource::numerator;
use crate::evaluate::{Evaluation, InputRef, MetStatus, SchoolResult};
use crate::model::{Measure, Section};
use crate::profile::{ResourceIndicator, fmt_number};
use rust_xlsxwriter::utility::{row_col_to_cell, row_col_to_cell_absolute};
use rust_xlsxwriter::{ConditionalFormatFormula, Formula, Worksheet, XlsxError};

/// Columns before the indicator groups.
const LEAD: [&str; 7] = [
    "学校名称",
    "学校类型",
    "所在乡镇",
    "是否参评",
    "学生数（人）",
    "学生数来源",
    "共用资源分摊比例",
];
const INCLUDED: u16 = 3;
const STUDENTS: u16 = 4;
const SHARE: u16 = 6;
/// Columns after them.
const TAIL: [&str; 4] = [
    "达标项数",
    "是否达标",
    "分摊说明",
    "整改测算（达标方案任选其一）",
];
/// First data row (0-based): a title, then two header rows.
const FIRST: u32 = 3;
/// The print scale: 10.5 pt prints at about 8 pt, still legible.
const PRINT_SCALE: u16 = 75;

/// What 达到/△/✗ a status cell shows.
fn status_text(s: MetStatus) -> &'static str {
    match s {
        MetStatus::Met => "达到",
        MetStatus::Floor => "△",
        MetStatus::Below => "✗",
        MetStatus::Missing => "✗ 无数据",
    }
}

/// One indicator's columns: its figures, their source, value and status.
#[derive(Debug, Clone)]
struct Group {
    indicator: ResourceIndicator,
    /// The measures with a column of their own (L3 may have three).
    slots: Vec<Measure>,
    first: u16,
}

impl Group {
    fn source(&self) -> u16 {
        self.first + self.slots.len() as u16
    }
    fn value(&self) -> u16 {
        self.source() + 1
    }
    fn status(&self) -> u16 {
        self.source() + 2
    }
    fn end(&self) -> u16 {
        self.status()
    }
}

/// A school sheet as written: where its columns and rows are, for the
/// formulas of other sheets (the CV block, a review workbook).
#[derive(Debug, Clone)]
pub struct SchoolSheet {
    pub name: String,
    pub section: Section,
    /// Each row's index into `Evaluation::schools` and its sheet row.
    pub rows: Vec<(usize, u32)>,
    groups: Vec<Group>,
    /// The tail's first column (达标项数).
    tail: u16,
}

impl SchoolSheet {
    fn column(&self, c: u16) -> Option<String> {
        let first = self.rows.first()?.1;
        let last = self.rows.last()?.1;
        Some(on_sheet(
            &self.name,
            &format!(
                "{}:{}",
                row_col_to_cell_absolute(first, c),
                row_col_to_cell_absolute(last, c)
            ),
        ))
    }

    fn group(&self, i: ResourceIndicator) -> &Group {
        self.groups
            .iter()
            .find(|g| g.indicator == i)
            .expect("every indicator has its group")
    }

    /// The points of one indicator's CV; `None` for a sheet without rows.
    pub fn cv_ranges(&self, i: ResourceIndicator) -> Option<CvRanges> {
        Some(CvRanges {
            included: self.column(INCLUDED)?,
            students: self.column(STUDENTS)?,
            values: self.column(self.group(i).value())?,
        })
    }

    /// The 是否参评 cells.
    pub fn included_range(&self) -> Option<String> {
        self.column(INCLUDED)
    }

    /// The 达到/△/✗ cells of one indicator.
    pub fn status_range(&self, i: ResourceIndicator) -> Option<String> {
        self.column(self.group(i).status())
    }

    /// The 是否达标 cells (达标 / ✗ 未达标 / 不参评).
    pub fn verdict_range(&self) -> Option<String> {
        self.column(self.tail + 1)
    }

    /// Zero-based column of an indicator's value, for readers of the file.
    pub fn value_column(&self, i: ResourceIndicator) -> u16 {
        self.group(i).value()
    }

    /// Zero-based column of an indicator's 达到/△/✗.
    pub fn status_column(&self, i: ResourceIndicator) -> u16 {
        self.group(i).status()
    }

    /// Zero-based columns of 达标项数 and 是否达标.
    pub fn verdict_columns(&self) -> (u16, u16) {
        (self.tail, self.tail + 1)
    }
}

/// The measure an input names, and whether it is the whole school's.
fn measure_of(x: &InputRef) -> Option<(Measure, bool)> {
    match x.label.strip_suffix("（全校）") {
        Some(name) => Measure::from_zh(name).map(|m| (m, true)),
        None => Measure::from_zh(&x.label).map(|m| (m, false)),
    }
}

/// The numerator figures of an indicator (its inputs but the students).
fn figures(s: &SchoolResult, i: ResourceIndicator) -> Vec<&InputRef> {
    s.inputs
        .get(&i)
        .map(|v| {
            v.iter()
                .filter(|x| x.label != Measure::Students.zh())
                .collect()
        })
        .unwrap_or_default()
}

/// The measures given a column: the numerator, or for L3 whichever of the
/// combined count and its three parts the rows use.
fn slots(rows: &[&SchoolResult], i: ResourceIndicator) -> Vec<Measure> {
    let main = numerator(i).0[0];
    let candidates = if main == Measure::PeArtTeachers {
        vec![
            Measure::PeArtTeachers,
            Measure::PeTeachers,
            Measure::MusicTeachers,
            Measure::ArtTeachers,
        ]
    } else {
        vec![main]
    };
    let used: Vec<Measure> = candidates
        .iter()
        .copied()
        .filter(|m| {
            rows.iter().any(|s| {
                figures(s, i)
                    .iter()
                    .any(|x| measure_of(x).is_some_and(|(y, _)| y == *m))
            })
        })
        .collect();
    if used.is_empty() { vec![main] } else { used }
}

/// Short column header of a measure: `体育专任教师数（人）`.
fn slot_header(m: Measure) -> String {
    format!("{}（{}）", m.zh(), m.unit())
}

/// Write the school sheet of one 学段 as `name`.
pub fn write_sheet(
    raw: &mut Worksheet,
    e: &Evaluation,
    section: Section,
    name: &str,
    std: &StandardCells,
) -> Result<SchoolSheet, XlsxError> {
    let ws = &mut Sheet::new(raw);
    ws.set_name(name)?;
    let sr = e.resource.section(section);
    let rows: Vec<(usize, &SchoolResult)> = e
        .schools
        .iter()
        .enumerate()
        .filter(|(_, s)| s.section == section)
        .collect();
    let results: Vec<&SchoolResult> = rows.iter().map(|(_, s)| *s).collect();

    // The layout: lead, one group per indicator, tail.
    let mut groups = Vec::new();
    let mut c = LEAD.len() as u16;
    for i in ResourceIndicator::ALL {
        let g = Group {
            indicator: i,
            slots: slots(&results, i),
            first: c,
        };
        c = g.end() + 1;
        groups.push(g);
    }
    let tail = c;
    let last = tail + TAIL.len() as u16 - 1;

    label(
        ws,
        0,
        0,
        &format!(
            "{}{}资源配置指标学校达标情况计算表（{}）",
            e.county,
            section.zh(),
            e.standards.label
        ),
        &title_fmt(),
    )?;
    ws.fixed(0, 24.0);

    // Column widths from the data; text columns wrap.
    let name_w = results
        .iter()
        .map(|s| text_width(&s.name))
        .fold(10.0, f64::max)
        .min(22.0)
        + 1.0;
    let mut w = vec![name_w, 10.0, 8.0, 8.0, 8.5, 20.0, 9.0];
    for g in &groups {
        let decimals = sr
            .indicators
            .get(&g.indicator)
            .map(|x| x.decimals)
            .unwrap_or(2);
        for m in &g.slots {
            let fig = results
                .iter()
                .flat_map(|s| figures(s, g.indicator))
                .filter(|x| measure_of(x).is_some_and(|(y, _)| y == *m))
                .map(|x| {
                    let whole = if x.label.contains("全校") {
                        text_width("（全校）")
                    } else {
                        0.0
                    };
                    text_width(&super::super::format::grouped(x.value, 2)) + whole + 1.0
                })
                .fold(8.0, f64::max)
                .min(20.0);
            w.push(fig);
        }
        let value = results
            .iter()
            .filter_map(|s| s.values.get(&g.indicator).copied().flatten())
            .map(|v| text_width(&super::super::format::grouped(v, decimals as usize)) + 1.5)
            .fold(8.0, f64::max)
            .min(16.0);
        w.extend([20.0, value, 6.0]);
    }
    w.extend([6.0, 8.0, 22.0, 24.0]);
    widths(ws, &w)?;

    // Two header rows: groups, then the columns of each.
    let h = header_fmt();
    for (c, t) in LEAD.iter().enumerate() {
        merge(ws, (1, c as u16), (2, c as u16), t, &h)?;
    }
    for g in &groups {
        let i = g.indicator;
        let title = match sr.indicators.get(&i) {
            Some(ind) => format!(
                "{} {}（{}）\n标准{}{}，85%为{}",
                i.id(),
                ind.name,
                ind.unit,
                fmt_number(ind.standard),
                ind.base_standard
                    .map(|b| format!("（本县方案，{}为{}）", e.standards.base_name, fmt_number(b)))
                    .unwrap_or_default(),
                fmt_number(ind.floor)
            ),
            None => i.id().to_string(),
        };
        merge(ws, (1, g.first), (1, g.end()), &title, &h)?;
        for (k, m) in g.slots.iter().enumerate() {
            text(ws, 2, g.first + k as u16, &slot_header(*m), &h)?;
        }
        text(ws, 2, g.source(), "来源单元格", &h)?;
        text(ws, 2, g.value(), &format!("{}指标值", i.id()), &h)?;
        text(ws, 2, g.status(), "达到", &h)?;
    }
    for (k, t) in TAIL.iter().enumerate() {
        let c = tail + k as u16;
        merge(ws, (1, c), (2, c), t, &h)?;
    }

    let mut placed = Vec::new();
    let mut r = FIRST;
    for (k, s) in &rows {
        school_row(ws, e, s, r, &groups, tail, std)?;
        placed.push((*k, r));
        r += 1;
    }
    let sheet = SchoolSheet {
        name: name.to_string(),
        section,
        rows: placed,
        groups,
        tail,
    };
    let last_row = if rows.is_empty() { FIRST - 1 } else { r - 1 };
    ws.set_freeze_panes(FIRST, 1)?;
    ws.autofilter(2, 0, last_row, last)?;
    if !rows.is_empty() {
        paint_failures(ws, &sheet, last_row)?;
    }

    r += 1;
    r = summary(ws, e, &sheet, r)?;
    let legend = format!(
        "“达到”一栏：达到 = 达到标准；△ = 低于标准但不低于标准的85%；✗ = 低于标准的85%或无数据。浅红底色为参评学校（部）未达到标准的指标，随数据改动自动变化；灰色字为不参评学校（部）。达标规则：7项中至少{}项达到标准，其余不低于标准的{}%（见“评估标准”表）。指标值、达到与否、达标项数和是否达标都是公式，改动数据即重新计算。",
        e.resource.min_met,
        fmt_number(e.resource.floor_ratio * 100.0)
    );
    merge(ws, (r, 0), (r, 12), &legend, &note_fmt())?;

    print_base(ws, e, name, Some((1, 2)))?;
    ws.set_print_scale(PRINT_SCALE);
    ws.set_repeat_columns(0, 0)?;
    let breaks = page_breaks(&w, &sheet);
    ws.set_vertical_page_breaks(&breaks)?;
    ws.finish()?;
    Ok(sheet)
}

/// Where the printed pages split: between indicator groups, as many
/// groups on a page as fit its width at the print scale.
fn page_breaks(w: &[f64], sheet: &SchoolSheet) -> Vec<u32> {
    // Column width units a landscape A4 page holds at 100%: measured on
    // LibreOffice's print (about 100), which is narrower than Excel's.
    let width_of = |c: u16| w.get(c as usize).copied().unwrap_or(8.43);
    let avail = 100.0 / (f64::from(PRINT_SCALE) / 100.0);
    let mut spans: Vec<(u16, u16)> = vec![(0, LEAD.len() as u16 - 1)];
    spans.extend(sheet.groups.iter().map(|g| (g.first, g.end())));
    spans.push((sheet.tail, sheet.tail + TAIL.len() as u16 - 1));
    let repeated = width_of(0);
    let mut used = 0.0;
    let mut breaks = Vec::new();
    for (a, b) in spans {
        let width: f64 = (a..=b).map(width_of).sum();
        if used > 0.0 && used + width > avail {
            breaks.push(u32::from(a));
            used = repeated;
        }
        used += width;
    }
    breaks
}

/// Conditional formats that paint what the formulas judge, so the colours
/// follow the numbers when a reviewer changes one.
fn paint_failures(ws: &mut Sheet, sheet: &SchoolSheet, last_row: u32) -> Result<(), XlsxError> {
    let inc = format!("$D{}", FIRST + 1);
    for g in &sheet.groups {
        let status = format!(
            "${}{}",
            rust_xlsxwriter::utility::column_number_to_name(g.status()),
            FIRST + 1
        );
        let rule = ConditionalFormatFormula::new()
            .set_rule(format!("=AND({inc}=\"是\",{status}<>\"达到\")").as_str())
            .set_format(bad_fill());
        ws.add_conditional_format(FIRST, g.value(), last_row, g.status(), &rule)?;
    }
    let verdict = row_col_to_cell(FIRST, sheet.tail + 1);
    let rule = ConditionalFormatFormula::new()
        .set_rule(format!("=LEFT({verdict},1)=\"✗\"").as_str())
        .set_format(bad_fill());
    ws.add_conditional_format(FIRST, sheet.tail + 1, last_row, sheet.tail + 1, &rule)?;
    Ok(())
}

/// The sheet's totals as formulas under the table; returns the next row.
fn summary(ws: &mut Sheet, e: &Evaluation, sheet: &SchoolSheet, r: u32) -> Result<u32, XlsxError> {
    let sr = e.resource.section(sheet.section);
    let key = boxed().set_bold().set_text_wrap();
    let int = num_fmt("#,##0", Look::Plain);
    let (Some(inc), Some(verdict)) = (sheet.included_range(), sheet.verdict_range()) else {
        label(
            ws,
            r,
            0,
            &format!("本县没有{}学段的学校（部）。", sheet.section.zh()),
            &base(),
        )?;
        return Ok(r + 1);
    };
    let students = sheet.column(STUDENTS).unwrap_or_default();
    let lines = [
        (
            "参评学校（部）数",
            format!("=COUNTIF({inc},\"是\")"),
            sr.schools as f64,
        ),
        (
            "参评学生数（人）",
            format!("=SUMIF({inc},\"是\",{students})"),
            sr.students,
        ),
        (
            "达标学校（部）数",
            format!("=COUNTIF({verdict},\"达标\")"),
            sr.schools_passing as f64,
        ),
    ];
    let mut r = r;
    for (what, formula, cached) in lines {
        merge(ws, (r, 0), (r, 2), what, &key)?;
        let f = Formula::new(formula).set_result(number_text(cached));
        ws.write_formula_with_format(r, 3, f, &int)?;
        r += 1;
    }
    label(
        ws,
        r,
        0,
        "各指标的全县平均值、标准差和差异系数见“差异系数”表。",
        &base(),
    )?;
    Ok(r + 1)
}

/// The source cells of a row's figures: `文件!工作表!N9、O9、P9` when they
/// share a sheet (the columns' order), else one `名称：文件!工作表!单元格`
/// a line.
fn sources_text(refs: &[&InputRef]) -> String {
    match refs {
        [] => String::new(),
        [one] => cell_text(&one.at),
        [first, rest @ ..] => {
            let same = rest
                .iter()
                .all(|x| x.at.file == first.at.file && x.at.sheet == first.at.sheet);
            if same {
                let cells: Vec<&str> = refs.iter().map(|x| x.at.cell.as_str()).collect();
                format!("{}!{}!{}", first.at.file, first.at.sheet, cells.join("、"))
            } else {
                refs.iter()
                    .map(|x| format!("{}：{}", x.label, cell_text(&x.at)))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        }
    }
}

fn school_row(
    ws: &mut Sheet,
    e: &Evaluation,
    s: &SchoolResult,
    r: u32,
    groups: &[Group],
    tail: u16,
    std: &StandardCells,
) -> Result<(), XlsxError> {
    let sr = e.resource.section(s.section);
    let look = if s.included { Look::Plain } else { Look::Muted };
    let t = text_fmt(look);
    text(ws, r, 0, &s.name, &t)?;
    text(ws, r, 1, &s.school_type, &t)?;
    text(ws, r, 2, s.township.as_deref().unwrap_or(""), &t)?;
    let included = match &s.exclusion {
        None => "是".to_string(),
        Some(why) => format!("否：{why}"),
    };
    text(ws, r, INCLUDED, &included, &t)?;
    num(ws, r, STUDENTS, Some(s.students), &num_fmt("#,##0", look))?;
    let students_at = s
        .inputs
        .values()
        .flatten()
        .find(|x| x.label == Measure::Students.zh())
        .map(|x| cell_text(&x.at))
        .unwrap_or_default();
    text(ws, r, 5, &students_at, &t)?;
    match s.share {
        Some(share) => num(ws, r, SHARE, Some(share), &num_fmt("0.00##%", look))?,
        None => ws.write_blank(r, SHARE, &boxed()).map(|_| ())?,
    }
    let students_cell = row_col_to_cell(r, STUDENTS);
    let share_cell = row_col_to_cell(r, SHARE);

    let mut statuses = Vec::new();
    for g in groups {
        let i = g.indicator;
        let (_, scale) = numerator(i);
        let decimals = sr.indicators.get(&i).map(|x| x.decimals).unwrap_or(2);
        let refs = figures(s, i);
        // The figures, each in its measure's column.
        let mut whole = false;
        for (k, m) in g.slots.iter().enumerate() {
            let c = g.first + k as u16;
            let found = refs
                .iter()
                .find(|x| measure_of(x).is_some_and(|(y, _)| y == *m));
            match found {
                Some(x) => {
                    let is_whole = x.label.contains("全校");
                    whole |= is_whole;
                    let p = if m.is_count() { "#,##0" } else { "#,##0.00" };
                    let p = if is_whole {
                        format!("{p}\"（全校）\"")
                    } else {
                        p.to_string()
                    };
                    num(ws, r, c, Some(x.value), &num_fmt(&p, look))?;
                }
                None => {
                    ws.write_blank(r, c, &boxed())?;
                }
            }
        }
        // Where they came from.
        text(ws, r, g.source(), &sources_text(&refs), &t)?;
        // The value as a formula over them.
        let value = s.values.get(&i).copied().flatten();
        let vf = num_fmt(&pattern(decimals), look);
        let first = row_col_to_cell(r, g.first);
        let numer = if whole {
            format!("{first}*{share_cell}")
        } else if g.slots.len() == 1 {
            first
        } else {
            format!(
                "SUM({}:{})",
                row_col_to_cell(r, g.first),
                row_col_to_cell(r, g.source() - 1)
            )
        };
        let formula = if scale == 1.0 {
            format!("={numer}/{students_cell}")
        } else {
            format!("={numer}*{}/{students_cell}", fmt_number(scale))
        };
        match value {
            Some(v) if v.is_finite() && !refs.is_empty() && (!whole || s.share.is_some()) => {
                let f = Formula::new(formula).set_result(number_text(v));
                ws.write_formula_with_format(r, g.value(), f, &vf)?;
            }
            Some(v) if v.is_finite() => num(ws, r, g.value(), Some(v), &vf)?,
            _ => {
                ws.write_blank(r, g.value(), &vf)?;
            }
        }
        // 达到 / △ / ✗ against the standards sheet.
        let v = row_col_to_cell(r, g.value());
        let status = s.status.get(&i).copied().unwrap_or(MetStatus::Missing);
        let f = Formula::new(format!(
            "=IF(ISNUMBER({v}),IF({v}>={},\"达到\",IF({v}>={},\"△\",\"✗\")),\"✗ 无数据\")",
            std.standard(s.section, i),
            std.floor(s.section, i)
        ))
        .set_result(status_text(status));
        ws.write_formula_with_format(r, g.status(), f, &centre_fmt(look))?;
        statuses.push(row_col_to_cell(r, g.status()));
    }

    // 达标项数 and 是否达标.
    let count = |what: &str| {
        statuses
            .iter()
            .map(|c| format!("COUNTIF({c},\"{what}\")"))
            .collect::<Vec<_>>()
            .join("+")
    };
    let of = format!("0\"/{}\"", ResourceIndicator::ALL.len());
    let met = Formula::new(format!("={}", count("达到"))).set_result(s.met_count.to_string());
    ws.write_formula_with_format(r, tail, met, &num_fmt(&of, look))?;
    let met_cell = row_col_to_cell(r, tail);
    let inc = row_col_to_cell(r, INCLUDED);
    let verdict = match (s.included, s.passes) {
        (false, _) => "不参评",
        (true, true) => "达标",
        (true, false) => "✗ 未达标",
    };
    let f = Formula::new(format!(
        "=IF({inc}<>\"是\",\"不参评\",IF(AND({met_cell}>={},{met_cell}+{}={}),\"达标\",\"✗ 未达标\"))",
        std.min_met(),
        count("△"),
        ResourceIndicator::ALL.len()
    ))
    .set_result(verdict);
    ws.write_formula_with_format(r, tail + 1, f, &centre_fmt(look))?;
    text(ws, r, tail + 2, &s.apportioned.join("\n"), &t)?;
    let gap = s
        .gap
        .as_ref()
        .map(|g| super::super::format::gap_items(g).join("；\n"))
        .unwrap_or_default();
    text(ws, r, tail + 3, &gap, &t)?;
    Ok(())
}

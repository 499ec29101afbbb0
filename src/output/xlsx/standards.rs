//! The 评估标准 sheet: every standard, 85% floor and CV limit the resource
//! assessment applies, each in a cell of its own, so that the met/not-met
//! formulas of the school sheets and the CV sheet refer to the standard
//! rather than repeat it, and a reviewer who checks (or tries) another
//! standard changes it in one place.

use super::style::*;
use crate::evaluate::Evaluation;
use crate::model::Section;
use crate::profile::ResourceIndicator;
use rust_xlsxwriter::utility::{quote_sheet_name, row_col_to_cell_absolute};
use rust_xlsxwriter::{Formula, Worksheet, XlsxError};
use std::collections::BTreeMap;

/// Where the standards are, for formulas on other sheets.
#[derive(Debug, Clone)]
pub struct StandardCells {
    sheet: String,
    rows: BTreeMap<(Section, ResourceIndicator), u32>,
    min_met_row: u32,
    ratio_row: u32,
}

/// Columns of the standards table.
const STANDARD: u16 = 4;
const FLOOR: u16 = 5;
const LIMIT: u16 = 6;
const VALUE: u16 = 4;

impl StandardCells {
    fn at(&self, row: u32, col: u16) -> String {
        format!(
            "{}!{}",
            quote_sheet_name(&self.sheet),
            row_col_to_cell_absolute(row, col)
        )
    }

    fn row(&self, s: Section, i: ResourceIndicator) -> u32 {
        self.rows[&(s, i)]
    }

    /// The standard of an indicator for a 学段, e.g. `评估标准!$E$4`.
    pub fn standard(&self, s: Section, i: ResourceIndicator) -> String {
        self.at(self.row(s, i), STANDARD)
    }

    /// 85% of it.
    pub fn floor(&self, s: Section, i: ResourceIndicator) -> String {
        self.at(self.row(s, i), FLOOR)
    }

    /// The CV limit of the 学段 (the same cell for every indicator today).
    pub fn cv_limit(&self, s: Section, i: ResourceIndicator) -> String {
        self.at(self.row(s, i), LIMIT)
    }

    /// How many of the seven a school must meet.
    pub fn min_met(&self) -> String {
        self.at(self.min_met_row, VALUE)
    }
}

/// Write the standards of `e` as the sheet `name`.
pub fn write_sheet(
    raw: &mut Worksheet,
    e: &Evaluation,
    name: &str,
) -> Result<StandardCells, XlsxError> {
    let ws = &mut Sheet::new(raw);
    ws.set_name(name)?;
    widths(ws, &[8.0, 9.0, 40.0, 8.0, 12.0, 12.0, 12.0])?;
    label(
        ws,
        0,
        0,
        &format!("{}资源配置评估标准（{}）", e.county, e.standards.label),
        &title_fmt(),
    )?;
    ws.fixed(0, 24.0);
    let note = "各资源配置工作表中的“达到”与否、达标项数和差异系数是否达到，均按本表单元格计算；“标准的85%”= 标准 × 下方的比例（保留9位小数）。";
    merge(ws, (1, 0), (1, 6), note, &note_fmt())?;
    headers(
        ws,
        2,
        &[
            "学段",
            "指标编号",
            "指标名称",
            "单位",
            "标准",
            "标准的85%",
            "差异系数限值",
        ],
    )?;
    let plain = text_fmt(Look::Plain);
    let centre = centre_fmt(Look::Plain);
    let mut rows = BTreeMap::new();
    let mut r = 3;
    // The ratio's row, known before the rows that refer to it.
    let n: u32 = Section::ALL
        .iter()
        .map(|s| e.resource.section(*s).indicators.len() as u32)
        .sum();
    let min_met_row = r + n + 1;
    let ratio_row = min_met_row + 1;
    let ratio_cell = row_col_to_cell_absolute(ratio_row, VALUE);
    for section in Section::ALL {
        for (i, ind) in &e.resource.section(section).indicators {
            let sp = standard_pattern(ind.decimals);
            text(ws, r, 0, section.zh(), &centre)?;
            text(ws, r, 1, i.id(), &centre)?;
            text(ws, r, 2, &ind.name, &plain)?;
            text(ws, r, 3, &ind.unit, &centre)?;
            num(
                ws,
                r,
                STANDARD,
                Some(ind.standard),
                &num_fmt(&sp, Look::Plain),
            )?;
            // The evaluation rounds the floor to 9 places so that 5.9 × 0.85
            // is 5.015, not 5.015000000000001; the formula does the same.
            let std_cell = row_col_to_cell_absolute(r, STANDARD);
            let floor = Formula::new(format!("=ROUND({std_cell}*{ratio_cell},9)"))
                .set_result(number_text(ind.floor));
            ws.write_formula_with_format(r, FLOOR, floor, &num_fmt(&sp, Look::Plain))?;
            num(
                ws,
                r,
                LIMIT,
                Some(ind.cv_limit),
                &num_fmt("0.00", Look::Plain),
            )?;
            rows.insert((section, *i), r);
            r += 1;
        }
    }
    let key = boxed().set_bold().set_text_wrap();
    merge(
        ws,
        (min_met_row, 0),
        (min_met_row, 3),
        "每所学校（部）至少达到标准的指标项数",
        &key,
    )?;
    num(
        ws,
        min_met_row,
        VALUE,
        Some(f64::from(e.resource.min_met)),
        &num_fmt("0", Look::Plain),
    )?;
    merge(
        ws,
        (ratio_row, 0),
        (ratio_row, 3),
        "其余指标不低于标准的比例",
        &key,
    )?;
    num(
        ws,
        ratio_row,
        VALUE,
        Some(e.resource.floor_ratio),
        &num_fmt("0%", Look::Plain),
    )?;
    ws.set_freeze_panes(3, 0)?;
    page_setup(ws, e, name, Some((2, 2)))?;
    ws.finish()?;
    Ok(StandardCells {
        sheet: name.to_string(),
        rows,
        min_met_row,
        ratio_row,
    })
}

impl StandardCells {
    /// The share of the standard below which an indicator fails outright.
    pub fn floor_ratio(&self) -> String {
        self.at(self.ratio_row, VALUE)
    }
}

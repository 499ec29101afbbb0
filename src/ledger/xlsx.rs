//! The 整改台账 as the workbook staff edit: one sheet of items whose
//! columns staff write in are unlocked and the key column locked, a hidden
//! sheet recording the keys written (so that a deleted row is noticed next
//! time), and a sheet of what the carry-over found. The same ledger always
//! gives the same bytes: the creation time is the report date.

use super::Ledger;
use crate::output::excel;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, ProtectionOptions,
    Workbook, XlsxError,
};

/// The sheet staff edit; read back by this name.
pub const SHEET: &str = "整改台账";
/// The hidden sheet of keys written.
pub const KEYS_SHEET: &str = "台账标识";
pub const FINDINGS_SHEET: &str = "核对情况";

/// The title after the county's name, in the sheet's first row and the
/// document properties: read back to tell whose ledger a file is.
pub const TITLE_SUFFIX: &str = "义务教育优质均衡发展整改台账";

/// Column headers, read back by name (staff may insert columns).
pub const H_NO: &str = "序号";
pub const H_CATEGORY: &str = "问题类别";
pub const H_SCOPE: &str = "学校（范围）";
pub const H_SECTION: &str = "学段";
pub const H_INDICATOR: &str = "指标";
pub const H_PROBLEM: &str = "问题";
pub const H_MEASURE: &str = "整改措施";
pub const H_UNITS: &str = "责任单位";
pub const H_PERSON: &str = "责任人";
pub const H_DEADLINE: &str = "完成时限";
pub const H_COST: &str = "估算投入（万元）";
pub const H_STATUS: &str = "状态";
pub const H_PROGRESS: &str = "进展";
pub const H_NOTE: &str = "销号情况";
pub const H_KEY: &str = "标识（请勿修改）";

pub const HEADERS: [&str; 15] = [
    H_NO,
    H_CATEGORY,
    H_SCOPE,
    H_SECTION,
    H_INDICATOR,
    H_PROBLEM,
    H_MEASURE,
    H_UNITS,
    H_PERSON,
    H_DEADLINE,
    H_COST,
    H_STATUS,
    H_PROGRESS,
    H_NOTE,
    H_KEY,
];

/// Columns staff write in: left unlocked on the protected sheet.
/// 责任单位 is not among them: the plan's `ledger.responsible` sets it, so
/// that the 责任清单 by unit agrees with the ledger.
const EDITABLE: [&str; 5] = [H_MEASURE, H_PERSON, H_DEADLINE, H_STATUS, H_PROGRESS];

const WIDTHS: [f64; 15] = [
    5.0, 10.0, 18.0, 6.0, 18.0, 40.0, 34.0, 24.0, 10.0, 12.0, 10.0, 8.0, 28.0, 24.0, 30.0,
];

/// Zero-based row of the header.
pub const HEADER_ROW: u32 = 2;

const FONT: &str = "宋体";

/// How errors name the workbook being made.
const BOOK: &str = "整改台账工作簿";

/// The workbook's bytes.
pub fn workbook(l: &Ledger, report_day: chrono::NaiveDate) -> Result<Vec<u8>, crate::error::Error> {
    let rows = HEADER_ROW as usize + 1 + l.items.len();
    excel::check_rows(BOOK, SHEET, rows, "问题")?;
    excel::check_rows(BOOK, FINDINGS_SHEET, 1 + l.findings.len(), "核对情况")?;
    build(l, report_day).map_err(|e| excel::error(BOOK, e))
}

fn build(l: &Ledger, day: chrono::NaiveDate) -> Result<Vec<u8>, XlsxError> {
    use chrono::Datelike;
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{}{TITLE_SUFFIX}", l.county))
            .set_author("dudao")
            .set_creation_datetime(&created),
    );
    let base = Format::new()
        .set_font_name(FONT)
        .set_font_size(10.5)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    let open = base.clone().set_unlocked();
    let key = base
        .clone()
        .set_font_color(Color::RGB(0x808080))
        .set_background_color(Color::RGB(0xEEEEEE));
    let head = base
        .clone()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xDDEBF7));
    let title = Format::new()
        .set_font_name("黑体")
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let note = Format::new()
        .set_font_name(FONT)
        .set_font_size(10.5)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);

    let ws = wb.add_worksheet();
    ws.set_name(SHEET)?;
    let last = (HEADERS.len() - 1) as u16;
    let title_text = format!("{}{TITLE_SUFFIX}", l.county);
    excel::fits(ws, 0, 0, &title_text)?;
    ws.merge_range(0, 0, 0, last, &title_text, &title)?;
    ws.merge_range(
        1,
        0,
        1,
        last,
        &format!(
            "依据{}统计数据，{}生成。责任单位按实施方案（计划文件）确定。请在“整改措施”“责任人”“完成时限”“状态”“进展”栏填写；“状态”填待整改、整改中（已整改、逾期由工具按新数据判定）。最后一栏“标识”是工具用来对应下次核对结果的，请勿修改；工作表已保护（无密码），确需删除行时可在“审阅”中撤销保护，删除的行下次核对时会列出。",
            l.data_date, l.report_date
        ),
        &note,
    )?;
    ws.set_row_height(1, 48)?;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, c as u16, *h, &head)?;
        ws.set_column_width(c as u16, WIDTHS[c])?;
    }
    for (n, it) in l.items.iter().enumerate() {
        let r = HEADER_ROW + 1 + n as u32;
        let cells: [String; 15] = [
            (n + 1).to_string(),
            it.category.clone(),
            it.scope.clone(),
            it.section.clone(),
            it.indicator.clone(),
            it.problem.clone(),
            it.measure.clone(),
            it.units_text(),
            it.person.clone(),
            it.deadline.clone(),
            String::new(),
            it.status.clone(),
            it.progress.clone(),
            it.note.clone(),
            it.key.clone(),
        ];
        for (c, v) in cells.iter().enumerate() {
            let h = HEADERS[c];
            let f = if h == H_KEY {
                &key
            } else if EDITABLE.contains(&h) {
                &open
            } else {
                &base
            };
            if h == H_NO {
                ws.write_number_with_format(r, c as u16, (n + 1) as f64, f)?;
            } else if h == H_COST {
                match it.cost {
                    Some(x) => ws.write_number_with_format(
                        r,
                        c as u16,
                        x,
                        &f.clone().set_num_format("0.00"),
                    )?,
                    None => ws.write_blank(r, c as u16, f)?,
                };
            } else {
                excel::write_text(ws, r, c as u16, v, f)?;
            }
        }
    }
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    ws.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        insert_rows: true,
        delete_rows: true,
        sort: true,
        ..ProtectionOptions::default()
    });

    let ks = wb.add_worksheet();
    ks.set_name(KEYS_SHEET)?;
    ks.write_string(
        0,
        0,
        "本表记录上次写出的台账标识，用于发现被删除的行，请勿修改。",
    )?;
    for (n, it) in l.items.iter().enumerate() {
        excel::write_text(ks, 1 + n as u32, 0, &it.key, &Format::new())?;
    }
    ks.set_column_width(0, 40)?;
    ks.protect();
    ks.set_hidden(true);

    let fs = wb.add_worksheet();
    fs.set_name(FINDINGS_SHEET)?;
    fs.set_column_width(0, 120)?;
    fs.write_string_with_format(0, 0, "与上次台账核对的情况", &head)?;
    if l.findings.is_empty() {
        fs.write_string_with_format(1, 0, "无（首次生成，或与上次台账一致）。", &note)?;
    }
    for (n, f) in l.findings.iter().enumerate() {
        excel::write_text(fs, 1 + n as u32, 0, f, &note)?;
    }
    wb.save_to_buffer()
}

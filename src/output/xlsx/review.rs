//! The review packet's cross-county workbook (各县复核计算表): one school
//! sheet per county and 学段, written by [`super::school::write_sheet`] so
//! every indicator is a formula over that county's figures, and a
//! 各县差异系数 sheet whose every mean, SD and CV is a SUMPRODUCT over those
//! sheets ([`super::cv::write_block`]). A reviewer who changes one school's
//! figure sees that county's CV change. The other sheets list the packet's
//! tables (四个方面, 未达标学校, 差异表, 抽样名单) with numbers as numbers.
//!
//! Everything is read from the [`Review`]; nothing is computed here. The
//! same review gives the same bytes: the creation time is the review date.

use super::cv::{BLOCK_ROWS, CvColumn, write_block};
use super::style::*;
use crate::error::Error;
use crate::evaluate::cv::WeightedCv;
use crate::model::Section;
use crate::profile::ResourceIndicator;
use crate::review::Review;
use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{
    ConditionalFormatFormula, DocProperties, ExcelDateTime, Formula, Workbook, Worksheet, XlsxError,
};

/// The workbook's file name in the packet.
pub const FILE: &str = "各县复核计算表.xlsx";

/// The summary sheets, in order; the county sheets follow 评估标准.
pub const SHEETS: [&str; 8] = [
    "说明",
    "各县差异系数",
    "四个方面达标情况",
    "未达标学校",
    "未达标项目",
    "社会认可度样本",
    "数据核查差异",
    "实地核查抽样",
];
/// The standards every county sheet refers to (one profile for all).
pub const STANDARDS_SHEET: &str = "评估标准";

/// Columns of the 各县差异系数 sheet: county, 学段, then the block.
const CV_COUNTY: u16 = 0;
const CV_SECTION: u16 = 1;
const CV_LABEL: u16 = 2;

/// The cross-county workbook of a review.
pub fn workbook(r: &Review, date: chrono::NaiveDate) -> Result<Vec<u8>, Error> {
    build(r, date).map_err(|x| crate::output::excel::error("各县复核计算表", x))
}

/// Sheet names are at most 31 characters, without `[]:*?/\`, and unique
/// ignoring case.
fn sheet_names(wanted: &[String]) -> Vec<String> {
    let clean: Vec<String> = wanted
        .iter()
        .map(|n| {
            n.chars()
                .map(|c| if "[]:*?/\\'".contains(c) { '_' } else { c })
                .take(27)
                .collect()
        })
        .collect();
    crate::output::distinct_names(&clean)
}

fn build(r: &Review, date: chrono::NaiveDate) -> Result<Vec<u8>, XlsxError> {
    use chrono::Datelike;
    let mut wb = Workbook::new();
    let created =
        ExcelDateTime::from_ymd(date.year() as u16, date.month() as u8, date.day() as u8)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{}{}各县复核计算表", r.body, r.level))
            .set_subject("县域义务教育优质均衡发展督导复核")
            .set_author("dudao")
            .set_comment(format!("复核标准：{}；复核日期：{}", r.profile, r.date))
            .set_creation_datetime(&created),
    );

    // The county sheets first: the summary's formulas need their ranges.
    let mut county_sheets: Vec<Worksheet> = Vec::new();
    let mut standards: Option<Worksheet> = None;
    // Per county: its two school sheets (None: 材料不全).
    let mut written: Vec<Option<Vec<super::school::SchoolSheet>>> = Vec::new();
    let wanted: Vec<String> = r
        .counties
        .iter()
        .flat_map(|c| Section::ALL.map(|s| format!("{}{}", c.county, s.zh())))
        .collect();
    let names = sheet_names(&wanted);
    let mut std_cells = None;
    for (k, e) in r.evaluations.iter().enumerate() {
        let Some(e) = e else {
            written.push(None);
            continue;
        };
        if std_cells.is_none() {
            let mut ws = Worksheet::new();
            std_cells = Some(super::standards::write_sheet(&mut ws, e, STANDARDS_SHEET)?);
            standards = Some(ws);
        }
        let Some(std) = &std_cells else { continue };
        let mut sheets = Vec::new();
        for (j, s) in Section::ALL.into_iter().enumerate() {
            let mut ws = Worksheet::new();
            sheets.push(super::school::write_sheet(
                &mut ws,
                e,
                s,
                &names[2 * k + j],
                std,
            )?);
            county_sheets.push(ws);
        }
        written.push(Some(sheets));
    }

    let mut readme = Worksheet::new();
    readme_sheet(&mut readme, r)?;
    wb.push_worksheet(readme);
    let mut ws = Worksheet::new();
    cv_sheet(&mut ws, r, &written, std_cells.as_ref())?;
    wb.push_worksheet(ws);
    let mut ws = Worksheet::new();
    summary_sheet(&mut ws, r)?;
    wb.push_worksheet(ws);
    let mut ws = Worksheet::new();
    failing_sheet(&mut ws, r)?;
    wb.push_worksheet(ws);
    let mut ws = Worksheet::new();
    unmet_sheet(&mut ws, r)?;
    wb.push_worksheet(ws);
    let mut ws = Worksheet::new();
    survey_sheet(&mut ws, r)?;
    wb.push_worksheet(ws);
    let mut ws = Worksheet::new();
    discrepancy_sheet(&mut ws, r)?;
    wb.push_worksheet(ws);
    let mut ws = Worksheet::new();
    sample_sheet(&mut ws, r)?;
    wb.push_worksheet(ws);
    if let Some(ws) = standards {
        wb.push_worksheet(ws);
    }
    for ws in county_sheets {
        wb.push_worksheet(ws);
    }
    wb.save_to_buffer()
}

/// A4 landscape, one page wide, header rows repeated, page numbers.
fn print_setup(ws: &mut Sheet, r: &Review, sheet: &str, repeat: u32) -> Result<(), XlsxError> {
    ws.set_landscape()
        .set_paper_size(9)
        .set_margins(0.3, 0.3, 0.6, 0.5, 0.25, 0.25)
        .set_print_center_horizontally(true)
        .set_header(format!("&C{}　{}", amp(&r.body), amp(sheet)))
        .set_footer("&C第 &P 页，共 &N 页")
        .set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, repeat)?;
    Ok(())
}

/// Title in row 0, headers in row 1; returns the first data row.
fn start(
    ws: &mut Sheet,
    r: &Review,
    name: &str,
    title: &str,
    cols: &[(&str, f64)],
) -> Result<u32, XlsxError> {
    ws.set_name(name)?;
    let w: Vec<f64> = cols.iter().map(|c| c.1).collect();
    widths(ws, &w)?;
    label(ws, 0, 0, title, &title_fmt())?;
    ws.fixed(0, 24.0);
    let h: Vec<&str> = cols.iter().map(|c| c.0).collect();
    headers(ws, 1, &h)?;
    print_setup(ws, r, name, 1)?;
    ws.set_freeze_panes(2, 0)?;
    Ok(2)
}

fn readme_sheet(raw: &mut Worksheet, r: &Review) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    ws.set_name(SHEETS[0])?;
    widths(ws, &[20.0, 90.0])?;
    label(
        ws,
        0,
        0,
        &format!("{}{}各县复核计算表", r.body, r.level),
        &title_fmt(),
    )?;
    ws.fixed(0, 24.0);
    let key = boxed().set_bold().set_text_wrap();
    let body = text_fmt(Look::Plain);
    let facts = [
        ("复核单位", r.body.clone()),
        ("复核级别", r.level.clone()),
        ("复核日期", r.date.clone()),
        ("复核标准", r.profile.clone()),
        ("县（市、区）数", r.counties.len().to_string()),
        (
            "工作表",
            "各县差异系数：每个县（市、区）分小学、初中列出7项指标的全县平均值、标准差和差异系数，都是公式，引用该县的学校工作表；四个方面达标情况、未达标学校、未达标项目、社会认可度样本、数据核查差异、实地核查抽样：复核报告附件中的各表；评估标准：各县共用的标准、标准的85%和差异系数限值；其后每个县（市、区）每个学段一张学校工作表，每所学校（部）一行，指标值和是否达到都是公式。".into(),
        ),
        (
            "公式",
            "改动学校工作表中的任何一个数据或评估标准中的任何一个标准，相关指标值、是否达到和该县的差异系数随之重新计算；文件打开时显示的是本工具算出的结果，与重新计算的结果相同。".into(),
        ),
        (
            "标记",
            format!("超过限值的差异系数、未达到要求的项目以浅红底色、深红加粗字标出；{MARK_BAD}为未达到，{MARK_FLOOR}为低于标准但不低于标准的85%。"),
        ),
    ];
    for (k, (what, v)) in facts.iter().enumerate() {
        let row = 2 + k as u32;
        text(ws, row, 0, what, &key)?;
        text(ws, row, 1, v, &body)?;
    }
    ws.set_portrait().set_paper_size(9);
    ws.finish()
}

fn cv_sheet(
    raw: &mut Worksheet,
    r: &Review,
    written: &[Option<Vec<super::school::SchoolSheet>>],
    std: Option<&super::standards::StandardCells>,
) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    let mut cols: Vec<(String, f64)> = vec![
        ("县（市、区）".into(), 14.0),
        ("学段".into(), 6.0),
        ("项目".into(), 11.0),
    ];
    let names = crate::profile::Profile::national();
    for i in ResourceIndicator::ALL {
        let s = names.resource_spec(i);
        cols.push((format!("{} {}（{}）", i.id(), s.name, s.unit), 15.0));
    }
    let colrefs: Vec<(&str, f64)> = cols.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    let mut row = start(
        ws,
        r,
        SHEETS[1],
        "各县（市、区）义务教育学校校际差异系数表",
        &colrefs,
    )?;
    let label_fmt = boxed().set_bold();
    let number = num_fmt(CV_PATTERN, Look::Plain);
    let plain = text_fmt(Look::Plain);
    let last = CV_LABEL + ResourceIndicator::ALL.len() as u16;
    for ((c, sheets), block) in r.counties.iter().zip(written).zip(&r.tables.cv) {
        let Some(sheets) = sheets else {
            text(ws, row, CV_COUNTY, &c.county, &plain)?;
            merge(
                ws,
                (row, CV_SECTION),
                (row, last),
                "材料不全",
                &text_fmt(Look::Bad),
            )?;
            row += 1;
            continue;
        };
        for (s, sheet) in Section::ALL.into_iter().zip(sheets) {
            let cells = block.sections.iter().find(|x| x.section == s);
            let columns: Vec<CvColumn> = ResourceIndicator::ALL
                .into_iter()
                .map(|i| CvColumn {
                    ranges: sheet.cv_ranges(i),
                    cached: cells
                        .and_then(|x| x.indicators.iter().find(|y| y.indicator == i))
                        .and_then(|y| {
                            Some(WeightedCv {
                                mean: y.mean?,
                                sd: y.sd?,
                                cv: y.cv,
                            })
                        }),
                })
                .collect();
            for k in 0..BLOCK_ROWS.len() as u32 {
                text(ws, row + k, CV_COUNTY, &c.county, &plain)?;
                text(ws, row + k, CV_SECTION, s.zh(), &plain)?;
            }
            let done = write_block(ws, row, CV_LABEL, &columns, &label_fmt, &number)?;
            // Over its limit: marked, live with the formula.
            if let Some(std) = std {
                for (k, (i, cell)) in ResourceIndicator::ALL.into_iter().zip(&done.cv).enumerate() {
                    let rule = format!("=AND(ISNUMBER({cell}),{cell}>{})", std.cv_limit(s, i));
                    let bad = ConditionalFormatFormula::new()
                        .set_rule(rule.as_str())
                        .set_format(bad_fill());
                    let c = CV_LABEL + 1 + k as u16;
                    ws.add_conditional_format(row + 2, c, row + 2, c, &bad)?;
                }
            }
            row += BLOCK_ROWS.len() as u32;
        }
    }
    ws.finish()
}

fn opt_num(
    ws: &mut Sheet,
    row: u32,
    c: u16,
    v: Option<f64>,
    p: &str,
    bad: bool,
) -> Result<(), XlsxError> {
    let look = if bad { Look::Bad } else { Look::Plain };
    num(ws, row, c, v, &num_fmt(p, look))
}

fn met(ws: &mut Sheet, row: u32, c: u16, v: Option<bool>) -> Result<(), XlsxError> {
    let (t, look) = met_text(v);
    text(ws, row, c, t, &centre_fmt(look))
}

fn summary_sheet(raw: &mut Worksheet, r: &Review) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    let mut row = start(
        ws,
        r,
        SHEETS[2],
        "县域义务教育优质均衡发展四个方面达标情况汇总表",
        &[
            ("设区市", 10.0),
            ("县（市、区）", 12.0),
            ("达标学校（部）数", 9.0),
            ("参评学校（部）数", 9.0),
            ("差异系数超过限值的指标", 36.0),
            ("资源配置", 9.0),
            ("政府保障程度达到项数", 9.0),
            ("政府保障程度项数", 9.0),
            ("教育质量达到项数", 9.0),
            ("教育质量项数", 9.0),
            ("社会认可度（%）", 10.0),
            ("社会认可度", 9.0),
            ("一票否决", 8.0),
            ("结论", 10.0),
        ],
    )?;
    let plain = text_fmt(Look::Plain);
    let int = |bad: bool| num_fmt("0", if bad { Look::Bad } else { Look::Plain });
    for g in &r.tables.summary {
        for s in &g.rows {
            text(ws, row, 0, g.city.as_deref().unwrap_or(""), &plain)?;
            text(ws, row, 1, &s.county, &plain)?;
            if !s.complete {
                merge(ws, (row, 2), (row, 13), "材料不全", &text_fmt(Look::Bad))?;
                row += 1;
                continue;
            }
            ws.write_number_with_format(
                row,
                2,
                s.schools_passing as f64,
                &int(s.schools_passing < s.schools_total),
            )?;
            ws.write_number_with_format(row, 3, s.schools_total as f64, &int(false))?;
            let over: Vec<String> = s
                .cv_over
                .iter()
                .map(|o| {
                    format!(
                        "{}{}（{}）",
                        o.section.zh(),
                        o.name,
                        crate::output::format::cv(o.cv)
                    )
                })
                .collect();
            let over_text = if over.is_empty() {
                "无".to_string()
            } else {
                over.join("；")
            };
            text(
                ws,
                row,
                4,
                &over_text,
                &text_fmt(if over.is_empty() {
                    Look::Plain
                } else {
                    Look::Bad
                }),
            )?;
            met(ws, row, 5, s.resource_met)?;
            ws.write_number_with_format(
                row,
                6,
                s.guarantee_met as f64,
                &int(s.guarantee_met < s.guarantee_total),
            )?;
            ws.write_number_with_format(row, 7, s.guarantee_total as f64, &int(false))?;
            ws.write_number_with_format(
                row,
                8,
                s.quality_met as f64,
                &int(s.quality_met < s.quality_total),
            )?;
            ws.write_number_with_format(row, 9, s.quality_total as f64, &int(false))?;
            opt_num(
                ws,
                row,
                10,
                s.recognition_rate,
                "0.00",
                s.recognition_met != Some(true),
            )?;
            met(ws, row, 11, s.recognition_met)?;
            let (veto, look) = match s.veto {
                Some(true) => ("✗ 有", Look::Bad),
                Some(false) => ("无", Look::Plain),
                None => ("—", Look::Plain),
            };
            text(ws, row, 12, veto, &centre_fmt(look))?;
            let (v, look) = if s.passed {
                ("通过", Look::Plain)
            } else {
                ("✗ 未通过", Look::Bad)
            };
            text(ws, row, 13, v, &centre_fmt(look))?;
            row += 1;
        }
    }
    ws.finish()
}

fn failing_sheet(raw: &mut Worksheet, r: &Review) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    let mut row = start(
        ws,
        r,
        SHEETS[3],
        "资源配置未达标学校清单（每项未达到的指标一行）",
        &[
            ("县（市、区）", 12.0),
            ("学校名称", 22.0),
            ("学段", 6.0),
            ("乡镇", 10.0),
            ("未达到的指标", 30.0),
            ("单位", 7.0),
            ("指标值", 11.0),
            ("标准", 9.0),
            ("标准的85%", 9.0),
            ("情况", 10.0),
            ("达到要求需增配", 40.0),
        ],
    )?;
    let plain = text_fmt(Look::Plain);
    for s in &r.tables.failing_schools {
        let gap = s
            .gap
            .as_ref()
            .map(|g| crate::output::format::gap_items(g).join("；"))
            .unwrap_or_default();
        for (k, i) in s.indicators.iter().enumerate() {
            text(ws, row, 0, &s.county, &plain)?;
            text(ws, row, 1, &s.name, &plain)?;
            text(ws, row, 2, s.section.zh(), &plain)?;
            text(ws, row, 3, s.township.as_deref().unwrap_or(""), &plain)?;
            text(ws, row, 4, &i.name, &plain)?;
            text(ws, row, 5, &i.unit, &plain)?;
            let below = i.status == crate::evaluate::MetStatus::Below
                || i.status == crate::evaluate::MetStatus::Missing;
            opt_num(ws, row, 6, i.value, &pattern(i.decimals), below)?;
            opt_num(
                ws,
                row,
                7,
                Some(i.standard),
                &standard_pattern(i.decimals),
                false,
            )?;
            opt_num(
                ws,
                row,
                8,
                Some(i.floor),
                &standard_pattern(i.decimals),
                false,
            )?;
            let what = match i.status {
                crate::evaluate::MetStatus::Floor => format!("{MARK_FLOOR} 低于标准"),
                crate::evaluate::MetStatus::Missing => format!("{MARK_BAD} 无数据"),
                _ => format!("{MARK_BAD} 低于85%"),
            };
            text(
                ws,
                row,
                9,
                &what,
                &centre_fmt(if below { Look::Bad } else { Look::Plain }),
            )?;
            text(ws, row, 10, if k == 0 { &gap } else { "" }, &plain)?;
            row += 1;
        }
    }
    ws.finish()
}

fn unmet_sheet(raw: &mut Worksheet, r: &Review) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    let mut row = start(
        ws,
        r,
        SHEETS[4],
        "政府保障程度与教育质量未达标项目",
        &[
            ("县（市、区）", 12.0),
            ("方面", 12.0),
            ("指标", 40.0),
            ("项目", 16.0),
            ("标准", 14.0),
            ("实际情况", 18.0),
            ("差距", 24.0),
        ],
    )?;
    let plain = text_fmt(Look::Plain);
    for u in &r.tables.unmet_items {
        let area = if u.area == "guarantee" {
            "政府保障程度"
        } else {
            "教育质量"
        };
        let lines: Vec<_> = if u.criteria.is_empty() {
            vec![None]
        } else {
            u.criteria.iter().map(Some).collect()
        };
        for c in lines {
            text(ws, row, 0, &u.county, &plain)?;
            text(ws, row, 1, area, &plain)?;
            text(ws, row, 2, &u.name, &plain)?;
            match c {
                Some(c) => {
                    text(ws, row, 3, &c.label, &plain)?;
                    text(ws, row, 4, &c.standard_words, &plain)?;
                    text(ws, row, 5, &c.actual, &text_fmt(Look::Bad))?;
                    text(ws, row, 6, &c.gap, &plain)?;
                }
                None => {
                    text(ws, row, 3, "", &plain)?;
                    text(ws, row, 4, "", &plain)?;
                    text(ws, row, 5, "无数据", &text_fmt(Look::Bad))?;
                    text(ws, row, 6, "", &plain)?;
                }
            }
            row += 1;
        }
    }
    ws.finish()
}

const SURVEY_GROUPS: [&str; 7] = [
    "学生",
    "家长",
    "教师",
    "校长",
    "人大代表",
    "政协委员",
    "其他群众",
];

fn survey_sheet(raw: &mut Worksheet, r: &Review) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    let mut cols: Vec<(&str, f64)> = vec![("县（市、区）", 12.0)];
    cols.extend(SURVEY_GROUPS.iter().map(|g| (*g, 9.0)));
    cols.extend([("合计", 9.0), ("满意度（%）", 10.0), ("社会认可度", 9.0)]);
    let first = start(ws, r, SHEETS[5], "社会认可度调查样本情况表（人）", &cols)?;
    let plain = text_fmt(Look::Plain);
    for (k, s) in r.tables.surveys.iter().enumerate() {
        let row = first + k as u32;
        text(ws, row, 0, &s.county, &plain)?;
        for (k, g) in SURVEY_GROUPS.iter().enumerate() {
            let n: u32 = s
                .groups
                .iter()
                .filter(|x| x.group == *g)
                .map(|x| x.sample)
                .sum();
            let f = num_fmt("0", if n == 0 { Look::Bad } else { Look::Plain });
            ws.write_number_with_format(row, 1 + k as u16, f64::from(n), &f)?;
        }
        // The total is the row's sum, live.
        let first = row_col_to_cell(row, 1);
        let lastc = row_col_to_cell(row, SURVEY_GROUPS.len() as u16);
        let f =
            Formula::new(format!("=SUM({first}:{lastc})")).set_result(s.total_sample.to_string());
        ws.write_formula_with_format(row, 8, f, &num_fmt("0", Look::Plain))?;
        opt_num(ws, row, 9, s.rate, "0.00", s.met != Some(true))?;
        met(ws, row, 10, s.met)?;
    }
    ws.finish()
}

fn discrepancy_sheet(raw: &mut Worksheet, r: &Review) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    let first = start(
        ws,
        r,
        SHEETS[6],
        "数据核查差异表（上报数与复核计算数不一致）",
        &[
            ("县（市、区）", 12.0),
            ("学段", 6.0),
            ("学校", 18.0),
            ("指标", 28.0),
            ("项目", 10.0),
            ("上报数", 12.0),
            ("复核数", 12.0),
            ("差额（上报数−复核数）", 12.0),
            ("上报数所在位置", 50.0),
        ],
    )?;
    let plain = text_fmt(Look::Plain);
    let names = crate::profile::Profile::national();
    for (k, d) in r.discrepancies.iter().enumerate() {
        let row = first + k as u32;
        let (what, figure) = d.labels(&names);
        let p = if d.decimals == 0 {
            "0".to_string()
        } else {
            format!("0.{}", "0".repeat(usize::from(d.decimals)))
        };
        text(ws, row, 0, &d.county, &plain)?;
        text(ws, row, 1, d.section.map(Section::zh).unwrap_or(""), &plain)?;
        text(ws, row, 2, d.school.as_deref().unwrap_or(""), &plain)?;
        text(ws, row, 3, &what, &plain)?;
        text(ws, row, 4, figure, &plain)?;
        ws.write_number_with_format(row, 5, d.reported, &num_fmt(&p, Look::Bad))?;
        opt_num(ws, row, 6, d.recomputed, &p, false)?;
        match d.difference {
            Some(v) => {
                let f = Formula::new(format!(
                    "={}-{}",
                    row_col_to_cell(row, 5),
                    row_col_to_cell(row, 6)
                ))
                .set_result(number_text(v));
                ws.write_formula_with_format(row, 7, f, &num_fmt(&p, Look::Plain))?;
            }
            None => text(ws, row, 7, "—", &plain)?,
        }
        text(ws, row, 8, &d.source, &plain)?;
    }
    ws.finish()
}

fn sample_sheet(raw: &mut Worksheet, r: &Review) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    let m = &r.sample_method;
    let first = start(
        ws,
        r,
        SHEETS[7],
        &format!(
            "实地核查学校抽样名单（随机数种子{}，每县（市、区）{}个，分层：城区、镇区、乡村与学校类型）",
            m.seed, m.per_county
        ),
        &[
            ("县（市、区）", 12.0),
            ("学校名称", 22.0),
            ("学段", 6.0),
            ("学校类型", 14.0),
            ("城乡类别", 8.0),
            ("乡镇", 10.0),
            ("学生数", 9.0),
            ("资源配置（县报数据）", 12.0),
            ("抽取原因", 12.0),
            ("学校统计表中的位置", 36.0),
        ],
    )?;
    let plain = text_fmt(Look::Plain);
    for (k, s) in r.sample.iter().enumerate() {
        let row = first + k as u32;
        text(ws, row, 0, &s.county, &plain)?;
        text(ws, row, 1, &s.name, &plain)?;
        text(ws, row, 2, s.section.zh(), &plain)?;
        text(ws, row, 3, &s.school_type, &plain)?;
        text(ws, row, 4, s.locality.as_deref().unwrap_or(""), &plain)?;
        text(ws, row, 5, s.township.as_deref().unwrap_or(""), &plain)?;
        ws.write_number_with_format(row, 6, s.students, &num_fmt("0", Look::Plain))?;
        let (v, look) = if !s.included {
            ("不参评", Look::Muted)
        } else if s.passes {
            ("达标", Look::Plain)
        } else {
            ("✗ 未达标", Look::Bad)
        };
        text(ws, row, 7, v, &centre_fmt(look))?;
        text(ws, row, 8, &s.reason, &plain)?;
        text(ws, row, 9, &cell_text(&s.at), &plain)?;
    }
    ws.finish()
}

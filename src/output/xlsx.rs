//! The reviewer's workbook (复核计算表), written with rust_xlsxwriter.
//!
//! A reviewer must be able to re-check every number: each school-学段 row
//! shows the figures an indicator was computed from, the cell each came from
//! (`文件!工作表!单元格`) and the unrounded result; the CV sheet holds the
//! exact means, SDs and CVs. Everything is read from [`Evaluation`]; this
//! module only lays it out. Numbers are written as numbers with display
//! formats, never as text, so they can be summed and re-computed.
//!
//! The same evaluation always gives the same bytes: the document's creation
//! time is the report date and nothing else depends on the clock.

use super::format::grouped;
use crate::error::Error;
use crate::evaluate::gaps::GapTotal;
use crate::evaluate::resource::numerator;
use crate::evaluate::{Evaluation, IndicatorResult, InputRef, MetStatus, SchoolResult};
use crate::model::{Measure, Section};
use crate::profile::{ResourceIndicator, fmt_number};
use crate::source::CellRef;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};
use std::collections::BTreeMap;
use unicode_width::UnicodeWidthChar;

/// Build the workbook for an evaluation.
pub fn workbook(e: &Evaluation) -> Result<Vec<u8>, Error> {
    build(e).map_err(|x| Error::Other(format!("生成复核计算表失败：{x}")))
}

/// The sheets, in order. Tests and the 说明 sheet use these names.
pub const SHEETS: [&str; 9] = [
    "说明",
    "小学资源配置",
    "初中资源配置",
    "差异系数",
    "政府保障程度",
    "教育质量",
    "社会认可度",
    "整改测算",
    "目标核对",
];

/// Marks that survive black-and-white printing.
const MARK_BAD: &str = "✗";
const MARK_FLOOR: &str = "△";

const FONT: &str = "宋体";
const FONT_SIZE: f64 = 10.5;
const RED_FILL: u32 = 0xFFC7CE;
const RED_TEXT: u32 = 0x9C0006;
const HEAD_FILL: u32 = 0xD9D9D9;
const GREY_TEXT: u32 = 0x7F7F7F;
/// Points per wrapped line at 10.5 pt, for rows whose height we must set.
const LINE_HEIGHT: f64 = 14.0;

fn build(e: &Evaluation) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&properties(e)?);
    readme(wb.add_worksheet(), e)?;
    for section in Section::ALL {
        resource_sheet(wb.add_worksheet(), e, section)?;
    }
    cv_sheet(wb.add_worksheet(), e)?;
    indicator_sheet(
        wb.add_worksheet(),
        e,
        SHEETS[4],
        "政府保障程度指标达成情况",
        &e.guarantee,
    )?;
    indicator_sheet(
        wb.add_worksheet(),
        e,
        SHEETS[5],
        "教育质量指标达成情况",
        &e.quality,
    )?;
    recognition_sheet(wb.add_worksheet(), e)?;
    gaps_sheet(wb.add_worksheet(), e)?;
    targets_sheet(wb.add_worksheet(), e)?;
    wb.save_to_buffer()
}

/// Fixed document properties: the creation time is the report date, so the
/// same input gives the same bytes.
fn properties(e: &Evaluation) -> Result<DocProperties, XlsxError> {
    use chrono::Datelike;
    let day = crate::input::plan::parse_date(&e.report_date);
    let created = match day {
        Some(d) => ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?,
        None => ExcelDateTime::from_ymd(2000, 1, 1)?,
    };
    Ok(DocProperties::new()
        .set_title(format!(
            "{}县域义务教育优质均衡发展指标复核计算表",
            e.county
        ))
        .set_subject("县域义务教育优质均衡发展督导评估")
        .set_author("dudao")
        .set_comment(format!(
            "评估标准：{}；报告日期：{}",
            e.standards.label, e.report_date
        ))
        .set_creation_datetime(&created))
}

// ---------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------

/// How a data cell looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Look {
    Plain,
    /// Fails its standard: light red fill, dark red bold text.
    Bad,
    /// Not assessed (excluded rows): grey text, never marked.
    Muted,
}

fn base() -> Format {
    Format::new()
        .set_font_name(FONT)
        .set_font_size(FONT_SIZE)
        .set_align(FormatAlign::VerticalCenter)
}

fn boxed() -> Format {
    base().set_border(FormatBorder::Thin)
}

fn styled(f: Format, look: Look) -> Format {
    match look {
        Look::Plain => f,
        Look::Bad => f
            .set_background_color(Color::RGB(RED_FILL))
            .set_font_color(Color::RGB(RED_TEXT))
            .set_bold(),
        Look::Muted => f.set_font_color(Color::RGB(GREY_TEXT)),
    }
}

fn text_fmt(look: Look) -> Format {
    styled(boxed().set_text_wrap(), look)
}

fn centre_fmt(look: Look) -> Format {
    styled(boxed().set_text_wrap().set_align(FormatAlign::Center), look)
}

fn num_fmt(pattern: &str, look: Look) -> Format {
    styled(boxed().set_num_format(pattern), look)
}

fn header_fmt() -> Format {
    boxed()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(HEAD_FILL))
}

fn title_fmt() -> Format {
    base().set_bold().set_font_size(14)
}

fn heading_fmt() -> Format {
    base().set_bold().set_font_size(12)
}

fn note_fmt() -> Format {
    base().set_text_wrap().set_align(FormatAlign::Top)
}

/// `#,##0.00` for 2 decimals, `#,##0` for none.
fn pattern(decimals: u8) -> String {
    if decimals == 0 {
        "#,##0".to_string()
    } else {
        format!("#,##0.{}", "0".repeat(decimals as usize))
    }
}

/// A number format that prints a mark before the number.
fn marked(pattern: &str, mark: &str) -> String {
    format!("\"{mark} \"{pattern}")
}

/// A standard as printed: at least `decimals` places, up to two more, so
/// that 85% of 0.9 shows as 0.765 rather than a rounded 0.77.
fn standard_pattern(decimals: u8) -> String {
    if decimals == 0 {
        "#,##0".to_string()
    } else {
        format!("{}##", pattern(decimals))
    }
}

const CV_PATTERN: &str = "0.000000";

// ---------------------------------------------------------------------
// Writing helpers
// ---------------------------------------------------------------------

/// A worksheet being written, with what its rows need: Excel and
/// LibreOffice do not fit row heights to wrapped text on opening, so each
/// row's height is set from the text written into it.
struct Sheet<'a> {
    ws: &'a mut Worksheet,
    widths: Vec<f64>,
    /// Wrapped lines each row needs.
    lines: BTreeMap<u32, f64>,
    /// Heights set outright (titles), in points.
    fixed: BTreeMap<u32, f64>,
}

impl<'a> Sheet<'a> {
    fn new(ws: &'a mut Worksheet) -> Sheet<'a> {
        Sheet {
            ws,
            widths: Vec::new(),
            lines: BTreeMap::new(),
            fixed: BTreeMap::new(),
        }
    }

    /// Width of columns `c1..=c2`, in Excel units (8.43 where unset).
    fn span(&self, c1: u16, c2: u16) -> f64 {
        (c1..=c2)
            .map(|c| self.widths.get(c as usize).copied().unwrap_or(8.43))
            .sum()
    }

    fn need(&mut self, row: u32, lines: f64) {
        let e = self.lines.entry(row).or_insert(1.0);
        *e = e.max(lines);
    }

    fn fixed(&mut self, row: u32, points: f64) {
        self.fixed.insert(row, points);
    }

    /// Set the heights of the rows that need more than one line.
    fn finish(&mut self) -> Result<(), XlsxError> {
        let rows: std::collections::BTreeSet<u32> = self
            .lines
            .keys()
            .chain(self.fixed.keys())
            .copied()
            .collect();
        for r in rows {
            let lines = self.lines.get(&r).copied().unwrap_or(1.0);
            let by_text = if lines > 1.0 {
                lines * LINE_HEIGHT + 4.0
            } else {
                0.0
            };
            let h = by_text.max(self.fixed.get(&r).copied().unwrap_or(0.0));
            if h > 0.0 {
                self.ws.set_row_height(r, h)?;
            }
        }
        Ok(())
    }
}

impl std::ops::Deref for Sheet<'_> {
    type Target = Worksheet;
    fn deref(&self) -> &Worksheet {
        self.ws
    }
}

impl std::ops::DerefMut for Sheet<'_> {
    fn deref_mut(&mut self) -> &mut Worksheet {
        self.ws
    }
}

/// Width of one character in Excel column units at 10.5 pt.
fn char_width(c: char) -> f64 {
    match c.width() {
        Some(2) => 2.05,
        Some(1) => 1.15,
        _ => 0.0,
    }
}

/// Display width of text in Excel column units (its widest line).
fn text_width(s: &str) -> f64 {
    s.lines()
        .map(|l| l.chars().map(char_width).sum::<f64>())
        .fold(0.0, f64::max)
}

/// Lines `s` wraps to in a cell `width` units wide: CJK characters break
/// anywhere, runs of other characters only at spaces unless too long.
fn wrap_lines(s: &str, width: f64) -> f64 {
    let avail = (width - 0.8).max(1.0);
    let mut lines = 0.0;
    for para in s.split('\n') {
        lines += 1.0;
        let mut cur = 0.0;
        let mut tokens: Vec<f64> = Vec::new();
        let mut run = 0.0;
        for c in para.chars() {
            let w = char_width(c);
            if w > 1.5 || c == ' ' {
                if run > 0.0 {
                    tokens.push(run);
                    run = 0.0;
                }
                tokens.push(w);
            } else {
                run += w;
            }
        }
        if run > 0.0 {
            tokens.push(run);
        }
        for w in tokens {
            if cur + w > avail && cur > 0.0 {
                lines += 1.0;
                cur = 0.0;
            }
            if w > avail {
                let extra = (w / avail).ceil() - 1.0;
                lines += extra;
                cur = w - extra * avail;
            } else {
                cur += w;
            }
        }
    }
    lines.max(1.0)
}

/// Wrapped text (its row grows to fit).
fn text(ws: &mut Sheet, r: u32, c: u16, s: &str, f: &Format) -> Result<(), XlsxError> {
    if s.is_empty() {
        ws.write_blank(r, c, f)?;
    } else {
        ws.write_string_with_format(r, c, s, f)?;
        let lines = wrap_lines(s, ws.span(c, c));
        ws.need(r, lines);
    }
    Ok(())
}

/// A title or note that may run over the empty cells beside it.
fn label(ws: &mut Sheet, r: u32, c: u16, s: &str, f: &Format) -> Result<(), XlsxError> {
    ws.write_string_with_format(r, c, s, f)?;
    Ok(())
}

/// A number, or a dash where there is none.
fn num(ws: &mut Sheet, r: u32, c: u16, v: Option<f64>, f: &Format) -> Result<(), XlsxError> {
    match v {
        Some(v) if v.is_finite() => {
            ws.write_number_with_format(r, c, v, f)?;
        }
        _ => {
            ws.write_string_with_format(r, c, "—", f)?;
        }
    }
    Ok(())
}

/// Merge a range (or write one cell when the range is one cell); the
/// rows share the height the text needs.
fn merge(
    ws: &mut Sheet,
    (r1, c1): (u32, u16),
    (r2, c2): (u32, u16),
    s: &str,
    f: &Format,
) -> Result<(), XlsxError> {
    if r1 == r2 && c1 == c2 {
        return text(ws, r1, c1, s, f);
    }
    ws.merge_range(r1, c1, r2, c2, s, f)?;
    let lines = wrap_lines(s, ws.span(c1, c2));
    let per_row = (lines / f64::from(r2 - r1 + 1)).ceil();
    for r in r1..=r2 {
        ws.need(r, per_row);
    }
    Ok(())
}

fn headers(ws: &mut Sheet, row: u32, names: &[&str]) -> Result<(), XlsxError> {
    let f = header_fmt();
    for (c, n) in names.iter().enumerate() {
        text(ws, row, c as u16, n, &f)?;
    }
    Ok(())
}

fn widths(ws: &mut Sheet, w: &[f64]) -> Result<(), XlsxError> {
    for (c, w) in w.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.widths = w.to_vec();
    Ok(())
}

/// Landscape A4, one page wide, header rows repeated, page numbers.
fn page_setup(
    ws: &mut Sheet,
    e: &Evaluation,
    sheet: &str,
    repeat: Option<(u32, u32)>,
) -> Result<(), XlsxError> {
    ws.set_landscape()
        .set_paper_size(9)
        .set_margins(0.3, 0.3, 0.6, 0.5, 0.25, 0.25)
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true)
        .set_header(format!("&C{}　{}", amp(&e.county), amp(sheet)))
        .set_footer("&C第 &P 页，共 &N 页");
    if let Some((a, b)) = repeat {
        ws.set_repeat_rows(a, b)?;
    }
    Ok(())
}

/// `&` is a control character in page headers.
fn amp(s: &str) -> String {
    s.replace('&', "&&")
}

/// `学校统计表.xlsx!Sheet1!F7`
fn cell_text(at: &CellRef) -> String {
    format!("{}!{}!{}", at.file, at.sheet, at.cell)
}

fn met_text(m: Option<bool>) -> (&'static str, Look) {
    match m {
        Some(true) => ("达到", Look::Plain),
        Some(false) => ("✗ 未达到", Look::Bad),
        None => ("✗ 无数据", Look::Bad),
    }
}

fn yes_no(ok: bool) -> &'static str {
    if ok { "达到" } else { "✗ 未达到" }
}

// ---------------------------------------------------------------------
// 说明
// ---------------------------------------------------------------------

fn readme(raw: &mut Worksheet, e: &Evaluation) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    ws.set_name(SHEETS[0])?;
    let cols = [20.0, 30.0, 13.0, 13.0, 13.0, 13.0, 15.0, 15.0];
    widths(ws, &cols)?;
    let last: u16 = (cols.len() - 1) as u16;
    let key = boxed()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(HEAD_FILL));
    let body = text_fmt(Look::Plain);
    label(
        ws,
        0,
        0,
        &format!("{}县域义务教育优质均衡发展指标复核计算表", e.county),
        &title_fmt(),
    )?;
    ws.fixed(0, 24.0);
    let mut r = 2;

    // Key facts.
    let v = &e.verdict;
    let parts = format!(
        "资源配置：{}；政府保障程度：{}；教育质量：{}；社会认可度：{}；一票否决：{}",
        yes_no(v.resource),
        yes_no(v.guarantee),
        yes_no(v.quality),
        yes_no(v.recognition),
        if v.no_veto { "无" } else { "✗ 有" }
    );
    let limits = format!(
        "每所学校（部）7 项指标中至少 {} 项达到标准，其余不低于标准的 {}%；各指标校际差异系数小学不超过 {}，初中不超过 {}（与限值比较时不作舍入）",
        e.resource.min_met,
        fmt_number(e.resource.floor_ratio * 100.0),
        cv_limit_text(e, Section::Primary),
        cv_limit_text(e, Section::Junior),
    );
    let facts: Vec<(&str, String, Look)> = vec![
        ("县（市、区）", e.county.clone(), Look::Plain),
        ("评估标准", standards_text(e), Look::Plain),
        ("报告日期", e.report_date.clone(), Look::Plain),
        (
            "数据接口版本",
            format!(
                "{}（与 dudao evaluate --format json 的 version 一致）",
                e.version
            ),
            Look::Plain,
        ),
        (
            "评估结论",
            v.summary.clone(),
            if v.overall { Look::Plain } else { Look::Bad },
        ),
        ("分项结论", parts, Look::Plain),
        ("资源配置达标规则", limits, Look::Plain),
        (
            "共用资源分摊规则",
            e.resource.apportion_rule.clone(),
            Look::Plain,
        ),
    ];
    for (k, val, look) in facts {
        text(ws, r, 0, k, &key)?;
        merge(ws, (r, 1), (r, last), &val, &text_fmt(look))?;
        r += 1;
    }

    r += 1;
    label(ws, r, 0, "阅读说明", &heading_fmt())?;
    r += 1;
    let guide: Vec<(&str, String)> = vec![
        (
            "工作表",
            "小学资源配置、初中资源配置：每所学校（部）一行，按学校统计表中的顺序，列出每项指标所用的数据、来源单元格和计算结果；差异系数：各学段 7 项指标的全县平均值、标准差和差异系数；政府保障程度、教育质量、社会认可度：具体指标、标准、实际数、缺口数和佐证；整改测算：低于标准的学校（部）每一种最小达标方案、达到全部标准和计划目标所需，及按乡镇、全县达到全部标准所需的合计；目标核对：实施方案中可量化目标的完成情况。".into(),
        ),
        (
            "颜色与标记",
            format!(
                "浅红底色、深红加粗字 = 未达到标准。“{MARK_BAD}”= 低于标准的 85%、未达到或无数据；“{MARK_FLOOR}”= 低于标准但不低于标准的 85%。标记写在单元格的显示格式中，黑白打印也能看到，单元格的值仍是数字。灰色字 = 不参加资源配置评估的学校（部），不作标记。"
            ),
        ),
        (
            "数值",
            "单元格中是未经舍入的计算结果，显示位数由数字格式决定：指标值 2 位小数，生均教学仪器设备值取整，全县平均值、标准差、差异系数 6 位小数。复核时请以单元格中的实际值为准（选中单元格可在编辑栏看到全部位数）。".into(),
        ),
        (
            "来源单元格",
            "写作“文件名!工作表!单元格”，指向县里提供的学校统计表。一贯制学校只有全校数的共用资源，数据列显示全校数（带“（全校）”字样），按“分摊说明”中的比例分摊到本学段后再计算。".into(),
        ),
        (
            "计算方法",
            "每百名学生拥有的指标 = 分子 ÷ 学生数 × 100；生均指标 = 分子 ÷ 学生数。差异系数按学生数加权：全县平均值 X̄ = ΣPᵢXᵢ ÷ P，标准差 S = √(Σ(Pᵢ ÷ P)(Xᵢ − X̄)²)，差异系数 CV = S ÷ X̄，其中 Pᵢ 为第 i 所学校（部）的学生数，P 为参评学校（部）学生数之和，Xᵢ 为该校指标值。全县平均值等于全县分子合计 ÷ 学生合计。".into(),
        ),
    ];
    for (k, val) in guide {
        text(ws, r, 0, k, &key)?;
        merge(ws, (r, 1), (r, last), &val, &body)?;
        r += 1;
    }

    // Overview.
    r += 1;
    label(ws, r, 0, "全县概况", &heading_fmt())?;
    r += 1;
    let o = &e.overview;
    let types: Vec<String> = o
        .schools_by_type
        .iter()
        .map(|(t, n)| format!("{t} {n} 所"))
        .collect();
    let line = format!(
        "学校 {} 所（{}），分布在 {} 个乡镇（街道）；其中 {} 所学校的共用资源按全校数分摊。",
        o.schools_total,
        types.join("、"),
        o.townships,
        o.apportioned_schools
    );
    merge(ws, (r, 0), (r, last), &line, &body)?;
    r += 1;
    headers(
        ws,
        r,
        &[
            "学段",
            "学校（部）数",
            "学生数",
            "班级数",
            "专任教师数",
            "参评学校（部）数",
            "参评学生数",
        ],
    )?;
    r += 1;
    let int = num_fmt("#,##0", Look::Plain);
    for (section, s) in &o.sections {
        text(ws, r, 0, section.zh(), &body)?;
        num(ws, r, 1, Some(s.rows as f64), &int)?;
        num(ws, r, 2, Some(s.students), &int)?;
        num(ws, r, 3, Some(s.classes), &int)?;
        num(ws, r, 4, Some(s.teachers), &int)?;
        num(ws, r, 5, Some(s.included_rows as f64), &int)?;
        num(ws, r, 6, Some(s.included_students), &int)?;
        r += 1;
    }

    // Exclusions.
    r += 1;
    label(
        ws,
        r,
        0,
        "不参加资源配置评估的学校（部）（计入全县总数）",
        &heading_fmt(),
    )?;
    r += 1;
    if o.excluded.is_empty() {
        label(ws, r, 0, "无。", &base())?;
        r += 1;
    } else {
        headers(ws, r, &["学校名称", "学段", "学生数"])?;
        merge(ws, (r, 3), (r, last), "原因", &header_fmt())?;
        r += 1;
        for x in &o.excluded {
            text(ws, r, 0, &x.name, &body)?;
            text(ws, r, 1, x.section.zh(), &body)?;
            num(ws, r, 2, Some(x.students), &int)?;
            merge(ws, (r, 3), (r, last), &x.reason, &body)?;
            r += 1;
        }
    }

    // Vetoes.
    r += 1;
    label(ws, r, 0, "一票否决事项", &heading_fmt())?;
    r += 1;
    headers(ws, r, &["事项", "情况"])?;
    r += 1;
    for v in &e.vetoes {
        let (t, look) = match v.occurred {
            Some(true) => ("✗ 有", Look::Bad),
            Some(false) => ("无", Look::Plain),
            None => ("✗ 计划文件未填报", Look::Bad),
        };
        text(ws, r, 0, &v.name, &body)?;
        text(ws, r, 1, t, &text_fmt(look))?;
        r += 1;
    }

    // Skipped rows and warnings, with their cells.
    r += 1;
    label(ws, r, 0, "读取学校统计表时跳过的行", &heading_fmt())?;
    r += 1;
    if e.skipped.is_empty() {
        label(ws, r, 0, "没有跳过的行。", &base())?;
        r += 1;
    } else {
        text(ws, r, 0, "来源单元格", &header_fmt())?;
        merge(ws, (r, 1), (r, last), "原因", &header_fmt())?;
        r += 1;
        for s in &e.skipped {
            text(ws, r, 0, &cell_text(&s.at), &body)?;
            merge(ws, (r, 1), (r, last), &s.reason, &body)?;
            r += 1;
        }
    }
    r += 1;
    label(ws, r, 0, "请核对的提醒（不影响计算）", &heading_fmt())?;
    r += 1;
    if e.warnings.is_empty() {
        label(ws, r, 0, "没有需要核对的数值。", &base())?;
    } else {
        text(ws, r, 0, "来源单元格", &header_fmt())?;
        merge(ws, (r, 1), (r, last), "内容", &header_fmt())?;
        r += 1;
        for w in &e.warnings {
            let at = w.at.as_ref().map(cell_text).unwrap_or_default();
            text(ws, r, 0, &at, &body)?;
            merge(ws, (r, 1), (r, last), &w.message, &body)?;
            r += 1;
        }
    }
    page_setup(ws, e, SHEETS[0], None)?;
    ws.finish()
}

fn cv_limit_text(e: &Evaluation, s: Section) -> String {
    e.resource
        .section(s)
        .indicators
        .values()
        .next()
        .map(|i| fmt_number(i.cv_limit))
        .unwrap_or_else(|| "—".into())
}

// ---------------------------------------------------------------------
// 小学资源配置 / 初中资源配置
// ---------------------------------------------------------------------

/// Columns before the indicator groups.
const LEAD: [&str; 6] = [
    "学校名称",
    "学校类型",
    "所在乡镇",
    "是否参评",
    "学生数（人）",
    "学生数来源",
];
/// Columns after them.
const TAIL: [&str; 4] = [
    "达标项数",
    "是否达标",
    "分摊说明",
    "整改测算（达标方案任选其一）",
];

fn resource_sheet(raw: &mut Worksheet, e: &Evaluation, section: Section) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    let name = format!("{}资源配置", section.zh());
    ws.set_name(&name)?;
    let sr = e.resource.section(section);
    let rows: Vec<&SchoolResult> = e.schools.iter().filter(|s| s.section == section).collect();
    let n_ind = ResourceIndicator::ALL.len() as u16;
    let first_ind: u16 = LEAD.len() as u16;
    let tail0 = first_ind + 3 * n_ind;
    let last = tail0 + TAIL.len() as u16 - 1;

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

    // Column widths from the data. Text columns are kept narrow (their
    // text wraps) so that the 31 columns, fitted to the width of landscape
    // A4, stay as legible as they can.
    let name_w = rows
        .iter()
        .map(|s| text_width(&s.name))
        .fold(10.0, f64::max)
        .min(22.0)
        + 1.0;
    let mut w = vec![name_w, 10.0, 8.0, 8.0, 8.5, 12.0];
    for i in ResourceIndicator::ALL {
        let decimals = sr.indicators.get(&i).map(|x| x.decimals).unwrap_or(2);
        let figure = rows
            .iter()
            .map(|s| figure_width(s, i))
            .fold(8.0, f64::max)
            .min(24.0);
        let value = rows
            .iter()
            .filter_map(|s| s.values.get(&i).copied().flatten())
            .map(|v| text_width(&grouped(v, decimals as usize)) + 2.5)
            .fold(7.5, f64::max)
            .min(20.0);
        w.extend([figure + 1.0, 12.0, value + 1.0]);
    }
    w.extend([6.0, 8.0, 22.0, 22.0]);
    widths(ws, &w)?;

    // Two header rows: groups, then the three columns of each indicator.
    let h = header_fmt();
    for (c, t) in LEAD.iter().enumerate() {
        merge(ws, (1, c as u16), (2, c as u16), t, &h)?;
    }
    for (k, i) in ResourceIndicator::ALL.into_iter().enumerate() {
        let c = first_ind + 3 * k as u16;
        let (title, measure) = match sr.indicators.get(&i) {
            Some(ind) => (
                format!(
                    "{} {}（{}）\n标准 {}{}，85% 为 {}",
                    i.id(),
                    ind.name,
                    ind.unit,
                    fmt_number(ind.standard),
                    ind.base_standard
                        .map(|b| format!(
                            "（本县方案，{}为 {}）",
                            e.standards.base_name,
                            fmt_number(b)
                        ))
                        .unwrap_or_default(),
                    fmt_number(ind.floor)
                ),
                numerator(i).0[0],
            ),
            None => (i.id().to_string(), numerator(i).0[0]),
        };
        merge(ws, (1, c), (1, c + 2), &title, &h)?;
        text(
            ws,
            2,
            c,
            &format!("{}（{}）", measure.zh(), measure.unit()),
            &h,
        )?;
        text(ws, 2, c + 1, "来源单元格", &h)?;
        text(ws, 2, c + 2, &format!("{} 指标值", i.id()), &h)?;
    }
    for (k, t) in TAIL.iter().enumerate() {
        let c = tail0 + k as u16;
        merge(ws, (1, c), (2, c), t, &h)?;
    }

    let mut r = 3;
    for s in &rows {
        school_row(ws, e, s, r)?;
        r += 1;
    }
    let last_row = if rows.is_empty() { 2 } else { r - 1 };
    ws.set_freeze_panes(3, 1)?;
    ws.autofilter(2, 0, last_row, last)?;

    r += 1;
    let summary = if rows.is_empty() {
        format!("本县没有{}学段的学校（部）。", section.zh())
    } else {
        format!(
            "参评 {} 所（部），学生 {} 人；{} 所（部）达标{}。各指标的全县平均值、标准差和差异系数见“差异系数”表。",
            sr.schools,
            grouped(sr.students, 0),
            sr.schools_passing,
            if sr.all_pass {
                "，全部达标"
            } else {
                "，✗ 有学校（部）未达标"
            }
        )
    };
    merge(ws, (r, 0), (r, 12), &summary, &note_fmt())?;
    r += 1;
    let legend = format!(
        "标记：{MARK_BAD} 低于标准的 85% 或无数据；{MARK_FLOOR} 低于标准但不低于 85%；浅红底色为未达标单元格；灰色字为不参评学校（部）。达标规则：7 项中至少 {} 项达到标准，其余不低于标准的 {}%。",
        e.resource.min_met,
        fmt_number(e.resource.floor_ratio * 100.0)
    );
    merge(ws, (r, 0), (r, 12), &legend, &note_fmt())?;
    page_setup(ws, e, &name, Some((1, 2)))?;
    ws.finish()
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

/// Width the figure cell of a row needs, as `school_row` prints it.
fn figure_width(s: &SchoolResult, i: ResourceIndicator) -> f64 {
    let decimals = if numerator(i).0[0].is_count() { 0 } else { 2 };
    match figures(s, i).as_slice() {
        [] => 2.0,
        [one] if one.label.contains("全校") => {
            text_width(&grouped(one.value, decimals)) + text_width("（全校）")
        }
        [one] => text_width(&grouped(one.value, decimals)),
        many => text_width(&figures_text(many)).min(14.0),
    }
}

/// Several figures summed into one numerator: `3 + 2 + 2`.
fn figures_text(refs: &[&InputRef]) -> String {
    refs.iter()
        .map(|x| fmt_number(x.value))
        .collect::<Vec<_>>()
        .join(" + ")
}

fn school_row(ws: &mut Sheet, e: &Evaluation, s: &SchoolResult, r: u32) -> Result<(), XlsxError> {
    let sr = e.resource.section(s.section);
    let row_look = if s.included { Look::Plain } else { Look::Muted };
    let t = text_fmt(row_look);
    text(ws, r, 0, &s.name, &t)?;
    text(ws, r, 1, &s.school_type, &t)?;
    text(ws, r, 2, s.township.as_deref().unwrap_or(""), &t)?;
    let included = match &s.exclusion {
        None => "是".to_string(),
        Some(why) => format!("否：{why}"),
    };
    text(ws, r, 3, &included, &t)?;
    num(ws, r, 4, Some(s.students), &num_fmt("#,##0", row_look))?;
    let students_at = s
        .inputs
        .values()
        .flatten()
        .find(|x| x.label == Measure::Students.zh())
        .map(|x| cell_text(&x.at))
        .unwrap_or_default();
    text(ws, r, 5, &students_at, &t)?;

    let mut c = LEAD.len() as u16;
    for i in ResourceIndicator::ALL {
        let measure = numerator(i).0[0];
        let decimals = sr.indicators.get(&i).map(|x| x.decimals).unwrap_or(2);
        let status = s.status.get(&i).copied().unwrap_or(MetStatus::Missing);
        let refs = figures(s, i);
        // The figure(s) used.
        let in_pattern = if measure.is_count() {
            "#,##0"
        } else {
            "#,##0.00"
        };
        match refs.as_slice() {
            [] => text(ws, r, c, "—", &centre_fmt(row_look))?,
            [one] if one.label.contains("全校") => num(
                ws,
                r,
                c,
                Some(one.value),
                &num_fmt(&format!("{in_pattern}\"（全校）\""), row_look),
            )?,
            [one] => num(ws, r, c, Some(one.value), &num_fmt(in_pattern, row_look))?,
            many => text(ws, r, c, &figures_text(many), &t)?,
        }
        // Where they came from.
        let sources: Vec<String> = refs
            .iter()
            .map(|x| {
                if refs.len() == 1 && x.label == measure.zh() {
                    cell_text(&x.at)
                } else {
                    format!("{}：{}", x.label, cell_text(&x.at))
                }
            })
            .collect();
        text(ws, r, c + 1, &sources.join("\n"), &t)?;
        // The value, marked when it fails.
        let value = s.values.get(&i).copied().flatten();
        let p = pattern(decimals);
        match (value, status, s.included) {
            (None, _, true) => text(
                ws,
                r,
                c + 2,
                &format!("{MARK_BAD} 无数据"),
                &centre_fmt(Look::Bad),
            )?,
            (None, _, false) => text(ws, r, c + 2, "—", &centre_fmt(Look::Muted))?,
            (Some(v), _, false) => num(ws, r, c + 2, Some(v), &num_fmt(&p, Look::Muted))?,
            (Some(v), MetStatus::Met, true) => {
                num(ws, r, c + 2, Some(v), &num_fmt(&p, Look::Plain))?
            }
            (Some(v), MetStatus::Floor, true) => num(
                ws,
                r,
                c + 2,
                Some(v),
                &num_fmt(&marked(&p, MARK_FLOOR), Look::Bad),
            )?,
            (Some(v), _, true) => num(
                ws,
                r,
                c + 2,
                Some(v),
                &num_fmt(&marked(&p, MARK_BAD), Look::Bad),
            )?,
        }
        c += 3;
    }
    let of = format!("0\"/{}\"", ResourceIndicator::ALL.len());
    num(ws, r, c, Some(s.met_count as f64), &num_fmt(&of, row_look))?;
    let (verdict, look) = match (s.included, s.passes) {
        (false, _) => ("不参评", Look::Muted),
        (true, true) => ("达标", Look::Plain),
        (true, false) => ("✗ 未达标", Look::Bad),
    };
    text(ws, r, c + 1, verdict, &centre_fmt(look))?;
    text(ws, r, c + 2, &s.apportioned.join("\n"), &t)?;
    let gap = s
        .gap
        .as_ref()
        .map(|g| super::format::gap_items(g).join("；\n"))
        .unwrap_or_default();
    text(ws, r, c + 3, &gap, &t)?;
    Ok(())
}

/// The standards as judged: the label, then each of the plan's changes
/// with the value it replaced.
fn standards_text(e: &Evaluation) -> String {
    let mut s = format!("{}（标准文件：{}）", e.standards.label, e.standards.profile);
    let changes: Vec<String> = e
        .standards
        .adjustments
        .iter()
        .map(|a| {
            format!(
                "{}{}{}（{}为{}）",
                a.label, a.op_words, a.applied_text, e.standards.base_name, a.base_text
            )
        })
        .collect();
    if !changes.is_empty() {
        s.push_str(&format!("；本县方案标准：{}", changes.join("；")));
    }
    s
}

// ---------------------------------------------------------------------
// 差异系数
// ---------------------------------------------------------------------

fn cv_sheet(raw: &mut Worksheet, e: &Evaluation) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    ws.set_name(SHEETS[3])?;
    let cols = [
        8.0, 40.0, 7.0, 10.0, 10.0, 9.0, 9.0, 14.0, 14.0, 12.0, 7.0, 11.0,
    ];
    widths(ws, &cols)?;
    let last = (cols.len() - 1) as u16;
    label(
        ws,
        0,
        0,
        &format!("{}资源配置指标校际差异系数计算表", e.county),
        &title_fmt(),
    )?;
    ws.fixed(0, 24.0);
    let formula = "按学生数加权：全县平均值 X̄ = ΣPᵢXᵢ ÷ P（等于全县分子合计 ÷ 学生合计）；标准差 S = √(Σ(Pᵢ ÷ P)(Xᵢ − X̄)²)；差异系数 CV = S ÷ X̄。Pᵢ 为参评学校（部）的学生数，Xᵢ 为其指标值（见资源配置表）。单元格中为未经舍入的值，显示 6 位小数；与限值比较时不作舍入。";
    merge(ws, (1, 0), (1, last), formula, &note_fmt())?;
    let mut r = 3;
    for section in Section::ALL {
        let sr = e.resource.section(section);
        label(
            ws,
            r,
            0,
            &format!(
                "{}（参评 {} 所（部），学生 {} 人）",
                section.zh(),
                sr.schools,
                grouped(sr.students, 0)
            ),
            &heading_fmt(),
        )?;
        r += 1;
        headers(
            ws,
            r,
            &[
                "指标编号",
                "指标名称",
                "单位",
                "标准",
                "标准的85%",
                "达标校数",
                "缺数据校数",
                "全县平均值",
                "标准差",
                "差异系数",
                "限值",
                "是否达到",
            ],
        )?;
        r += 1;
        let t = text_fmt(Look::Plain);
        for (i, ind) in &sr.indicators {
            let look = if ind.cv_ok { Look::Plain } else { Look::Bad };
            text(ws, r, 0, i.id(), &centre_fmt(Look::Plain))?;
            text(ws, r, 1, &ind.name, &t)?;
            text(ws, r, 2, &ind.unit, &centre_fmt(Look::Plain))?;
            let sp = standard_pattern(ind.decimals);
            num(ws, r, 3, Some(ind.standard), &num_fmt(&sp, Look::Plain))?;
            num(ws, r, 4, Some(ind.floor), &num_fmt(&sp, Look::Plain))?;
            num(
                ws,
                r,
                5,
                Some(ind.schools_met as f64),
                &num_fmt("0", Look::Plain),
            )?;
            num(
                ws,
                r,
                6,
                Some(ind.schools_missing as f64),
                &num_fmt("0", Look::Plain),
            )?;
            num(ws, r, 7, ind.mean, &num_fmt(CV_PATTERN, Look::Plain))?;
            num(ws, r, 8, ind.sd, &num_fmt(CV_PATTERN, Look::Plain))?;
            num(ws, r, 9, ind.cv, &num_fmt(CV_PATTERN, look))?;
            num(ws, r, 10, Some(ind.cv_limit), &num_fmt("0.00", Look::Plain))?;
            let verdict = match (ind.cv_ok, ind.cv) {
                (true, _) => "达到",
                (false, Some(_)) => "✗ 未达到",
                (false, None) => "✗ 无法计算",
            };
            text(ws, r, 11, verdict, &centre_fmt(look))?;
            r += 1;
        }
        let bad = sr.indicators.values().filter(|i| !i.cv_ok).count();
        let line = if sr.cv_all_ok {
            format!("{}各项指标校际差异系数均达到限值。", section.zh())
        } else {
            format!("✗ {}有 {bad} 项指标校际差异系数未达到限值。", section.zh())
        };
        label(ws, r, 0, &line, &base())?;
        r += 2;
    }

    label(
        ws,
        r,
        0,
        "差异系数超过限值时影响最大的学校（部）",
        &heading_fmt(),
    )?;
    r += 1;
    if e.gaps.cv.is_empty() {
        label(ws, r, 0, "没有超过限值的差异系数。", &base())?;
    } else {
        headers(
            ws,
            r,
            &[
                "学段",
                "学校名称",
                "指标",
                "差异系数",
                "限值",
                "指标值",
                "占加权方差",
                "相对全县平均值",
            ],
        )?;
        r += 1;
        let t = text_fmt(Look::Plain);
        for g in &e.gaps.cv {
            let decimals = e
                .resource
                .section(g.section)
                .indicators
                .get(&g.indicator)
                .map(|x| x.decimals)
                .unwrap_or(2);
            for c in &g.contributors {
                text(ws, r, 0, g.section.zh(), &t)?;
                text(ws, r, 1, &c.name, &t)?;
                text(ws, r, 2, g.indicator.id(), &centre_fmt(Look::Plain))?;
                num(ws, r, 3, Some(g.cv), &num_fmt(CV_PATTERN, Look::Bad))?;
                num(ws, r, 4, Some(g.limit), &num_fmt("0.00", Look::Plain))?;
                num(
                    ws,
                    r,
                    5,
                    Some(c.value),
                    &num_fmt(&pattern(decimals), Look::Plain),
                )?;
                num(ws, r, 6, Some(c.share), &num_fmt("0.0%", Look::Plain))?;
                text(ws, r, 7, &c.direction, &t)?;
                r += 1;
            }
        }
    }
    page_setup(ws, e, SHEETS[3], None)?;
    ws.finish()
}

// ---------------------------------------------------------------------
// 政府保障程度 / 教育质量 / 社会认可度
// ---------------------------------------------------------------------

const IND_COLS: [f64; 9] = [8.0, 34.0, 22.0, 11.0, 15.0, 10.0, 20.0, 46.0, 10.0];

fn source_text(r: &IndicatorResult) -> String {
    let from = match r.source.as_str() {
        "schools" => "据学校统计表计算",
        "plan" => "计划文件县级数据（figures）",
        "survey" => "社会认可度问卷调查（survey）",
        other => other,
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
        merge(ws, (r1, 8), (r2, 8), verdict, &centre_fmt(look))?;
        if ind.criteria.is_empty() {
            for c in 2..=6 {
                text(ws, r, c, "", &t)?;
            }
        }
        for (k, c) in ind.criteria.iter().enumerate() {
            let row = r + k as u32;
            let (m, look) = met_text(c.met);
            text(ws, row, 2, &c.label, &t)?;
            text(ws, row, 3, &c.standard, &centre_fmt(Look::Plain))?;
            text(ws, row, 4, &c.actual, &centre_fmt(Look::Plain))?;
            text(ws, row, 5, m, &centre_fmt(look))?;
            text(ws, row, 6, &c.gap, &t)?;
        }
        r += n;
    }
    Ok(r)
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

fn indicator_sheet(
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

fn recognition_sheet(raw: &mut Worksheet, e: &Evaluation) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    let name = SHEETS[6];
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
        merge(
            ws,
            (r, 0),
            (r, 5),
            "计划文件没有填写问卷调查（survey）。",
            &t,
        )?;
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

fn gaps_sheet(raw: &mut Worksheet, e: &Evaluation) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    let name = SHEETS[7];
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
        "未达标学校（部）列出每一种最小补充方案，任选其一即达到校际标准：7 项中允许 {allowed} 项只达到标准的 {}%（“补至”一栏注明），其余补到标准；另列达到全部标准所需和计划文件承诺目标所需。人数、间数、面积和金额均向上取整；乡镇和全县合计按达到全部标准所需汇总。",
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

fn targets_sheet(raw: &mut Worksheet, e: &Evaluation) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    let name = SHEETS[8];
    ws.set_name(name)?;
    let cols = [8.0, 30.0, 8.0, 7.0, 14.0, 24.0, 10.0, 8.0, 30.0, 16.0];
    widths(ws, &cols)?;
    label(
        ws,
        0,
        0,
        &format!("{}实施方案目标核对（截至 {}）", e.county, e.report_date),
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
            "计划文件的任务中没有可核对的目标（targets）。",
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
        text(ws, r, 4, x.key.as_deref().unwrap_or(""), &t)?;
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

//! Turns workbook grids into school rows: finds the header wherever it is,
//! understands two-row headers and merged cells, skips 合计 and 其中 rows,
//! section and township headings and footers (and says so, quoting the row),
//! reads a second table stacked under the first, converts units (from the
//! header or a 单位：… line above it), and groups the 部 rows of each school.
//! Every step looks at each cell a bounded number of times: sheets of
//! 100,000 rows read in linear time.
//!
//! One file past 800 lines: the header search, the row classification and
//! the grouping share one sheet cursor and one set of skip reasons, which
//! `check` lists row by row; split, a skipped row's reason would be decided
//! in one file and reported from another.

use super::columns::{Dictionary, Field, Unit, unit_in};
use super::grid::{Cell, Grid};
use super::number::{Parsed, parse_number};
use crate::error::Error;
use crate::model::{
    Locality, Measure, Ownership, RowPart, School, SchoolRow, SchoolType, Section, SkippedRow,
    Warning,
};
use crate::source::{CellRef, Figure};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How many rows from the top the header may start at.
const HEADER_SEARCH_ROWS: u32 = 20;

/// Marks of a row that sums other rows.
const TOTAL_MARKS: &[&str] = &["合计", "小计", "总计", "全县"];
/// Marks of a footer line under the table.
const FOOTER_MARKS: &[&str] = &[
    "制表人",
    "制表",
    "填表人",
    "审核人",
    "审核",
    "负责人",
    "单位负责人",
    "统计负责人",
    "填报日期",
    "填报人",
    "说明",
    "注：",
    "注:",
    "备注：",
    "联系电话",
];

/// A column understood from the header.
#[derive(Debug, Clone)]
struct Column {
    col: u32,
    field: Field,
    unit: Option<Unit>,
}

/// What one sheet gave.
#[derive(Debug, Default)]
pub struct SheetRows {
    pub rows: Vec<RawRow>,
    pub skipped: Vec<SkippedRow>,
    /// For `check`: units taken from a line above the table, hidden rows read.
    pub notes: Vec<Warning>,
}

/// A data row, read but not yet grouped into schools.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub name: String,
    pub school_type: SchoolType,
    pub part: RowPart,
    pub ownership: Ownership,
    pub locality: Option<Locality>,
    pub township: Option<String>,
    pub figures: BTreeMap<Measure, Figure>,
    /// Figures in a value cell merged down over several rows: whole-school.
    pub merged: BTreeMap<Measure, (Figure, u32, u32)>,
    /// Value cells left blank, where a missing value is to be filled in.
    pub blank: BTreeMap<Measure, CellRef>,
    pub at: CellRef,
}

/// Does this sheet have a table at all? `None` when no header row is found.
pub fn find_header(grid: &Grid, dict: &Dictionary) -> Option<u32> {
    let mut best: Option<(u32, usize)> = None;
    let last = (grid.rows.len() as u32).min(HEADER_SEARCH_ROWS);
    for r in 0..last {
        let fields: Vec<Field> = (0..grid.width())
            .filter_map(|c| header_text(grid, r, c).and_then(|t| dict.lookup(&t)))
            .collect();
        if !fields.contains(&Field::Name) {
            continue;
        }
        let n = fields.len();
        if n >= 2 && best.is_none_or(|(_, m)| n > m) {
            best = Some((r, n));
        }
    }
    // Group headings (基本情况, 教师（人）) may sit in the row above the row
    // that names the columns: the header then starts there.
    best.map(|(r, _)| {
        if r > 0 && is_group_heading_row(grid, dict, r - 1, r) {
            r - 1
        } else {
            r
        }
    })
}

/// Is row `p` a row of group headings over row `r`? Such a row has a cell
/// merged down into `r` (序号, 学生数 spanning both rows) or, where the format
/// keeps no merges (ods, csv), a column name with nothing under it.
fn is_group_heading_row(grid: &Grid, dict: &Dictionary, p: u32, r: u32) -> bool {
    grid.merges
        .iter()
        .any(|m| m.first_row == p && m.last_row >= r)
        || (0..grid.width()).any(|c| {
            grid.merge_at(r, c).is_none()
                && grid.get(r, c).is_blank()
                && dict.lookup(&grid.get(p, c).display()).is_some()
        })
}

/// The heading over a child column. A blank, unmerged cell in the heading
/// row takes the nearest heading to its left when every column in between
/// has a child too: a merged group heading in a format that keeps no merges.
fn parent_text(grid: &Grid, header: u32, c: u32) -> String {
    if let Some(t) = header_text(grid, header, c) {
        return t;
    }
    if grid.merge_at(header, c).is_some() || grid.get(header + 1, c).is_blank() {
        return String::new();
    }
    let mut k = c;
    while k > 0 {
        k -= 1;
        if grid.get(header + 1, k).is_blank() || grid.merge_at(header + 1, k).is_some() {
            return String::new();
        }
        if let Some(t) = header_text(grid, header, k) {
            return t;
        }
    }
    String::new()
}

/// Header text at a cell, taking a horizontally merged parent's text.
fn header_text(grid: &Grid, row: u32, col: u32) -> Option<String> {
    let cell = match grid.merge_at(row, col) {
        Some(m) => grid.get(m.first_row, m.first_col),
        None => grid.get(row, col),
    };
    let t = cell.display();
    (!t.trim().is_empty()).then_some(t)
}

/// Why a sheet gave no rows.
#[derive(Debug)]
pub enum SheetError {
    /// The sheet has a header but not the required columns: a helper sheet
    /// (a school list without figures) or a 说明 sheet. Only an error when
    /// no other sheet of the file supplies schools.
    NotATable(Error),
    /// The table is there but rows in it are wrong.
    Rows(Error),
}

/// Where one table of a sheet is: its columns and its first data row.
struct Layout {
    columns: Vec<Column>,
    name_col: u32,
    first_data: u32,
    /// The 学校类型 column is absent and the 学段 context stands in for it.
    type_from_section: bool,
}

/// What reading a row needs beyond the grid: the table's columns and the
/// 学段 the sheet name or a heading row gives.
struct RowContext<'a> {
    layout: &'a Layout,
    section: Option<Section>,
}

/// Read every table of a sheet, starting with the one whose header is at
/// `header`. A repeated header further down starts another table (a second
/// table stacked on the sheet), whose columns may be in another order.
pub fn read_sheet(grid: &Grid, dict: &Dictionary, header: u32) -> Result<SheetRows, SheetError> {
    let at = |r: u32, c: u32| CellRef::new(grid.file.clone(), grid.sheet.clone(), r, c);
    let sheet_section = section_in_name(&grid.sheet);
    let mut units = (0..header)
        .flat_map(|r| (0..grid.width()).map(move |c| (r, c)))
        .find_map(|(r, c)| {
            let t = grid.get(r, c).text()?;
            units_line(t).map(|u| (u, at(r, c)))
        });
    let (mut table, notes) =
        layout(grid, dict, header, sheet_section, units.as_ref()).map_err(SheetError::NotATable)?;
    let mut out = SheetRows {
        notes,
        ..SheetRows::default()
    };
    let mut section = sheet_section;
    let mut hidden_read: Vec<u32> = Vec::new();
    let mut errors = Vec::new();
    let mut r = table.first_data;
    let height = grid.rows.len() as u32;
    while r < height {
        let value = |c: u32| -> &Cell {
            match grid.merge_at(r, c) {
                Some(m) => grid.get(m.first_row, m.first_col),
                None => grid.get(r, c),
            }
        };
        if (0..grid.width()).all(|c| value(c).is_blank()) {
            r += 1;
            continue;
        }
        let skip = |reason: String, c: u32| SkippedRow {
            at: at(r, c),
            reason,
            looked: row_preview(grid, r),
        };
        // A repeated header: another table follows, maybe with its columns
        // in another order.
        if is_header_row(grid, dict, r) {
            let start = if r > 0 && is_group_heading_row(grid, dict, r - 1, r) {
                r - 1
            } else {
                r
            };
            match layout(grid, dict, start, section, units.as_ref()) {
                Ok((next, notes)) => {
                    out.notes.extend(notes);
                    out.skipped
                        .push(skip("又一张表的表头，下面的行按这个表头读取".into(), 0));
                    // Always past this row: a header that starts a row
                    // above (group headings) could otherwise hand back this
                    // very row as its first data row, and read it for ever
                    // (found by fuzzing).
                    r = next.first_data.max(r + 1);
                    table = next;
                    continue;
                }
                Err(e) => {
                    errors.push(e);
                    break;
                }
            }
        }
        // Spaces do not count: 总  计 is 总计.
        let lead_text: String = (0..=table.name_col)
            .map(|c| value(c).display())
            .collect::<String>()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if let Some(mark) = TOTAL_MARKS.iter().find(|m| lead_text.contains(**m)) {
            out.skipped
                .push(skip(format!("“{mark}”行，不是学校"), table.name_col));
            r += 1;
            continue;
        }
        if let Some(part) = breakdown_mark(&value(table.name_col).display(), &lead_text) {
            out.skipped.push(skip(
                format!("“{part}”分项行（上面合计的细分），不是学校"),
                table.name_col,
            ));
            r += 1;
            continue;
        }
        let first_text = (0..grid.width())
            .map(|c| value(c).display())
            .find(|t| !t.trim().is_empty())
            .unwrap_or_default();
        if FOOTER_MARKS
            .iter()
            .any(|m| first_text.trim_start().starts_with(m))
        {
            out.skipped
                .push(skip("表尾说明（制表人、审核人等），不是学校".into(), 0));
            r += 1;
            continue;
        }
        // A bare 学段 word (小学, 　　　初中) with no figures is a heading
        // that sets the 学段 below; with figures it breaks a total down.
        let heading = heading_text(grid, r, &table.columns);
        if heading.is_none() && is_section_word(&value(table.name_col).display()) {
            out.skipped.push(skip(
                format!(
                    "“{}”分项行（上面合计的细分），不是学校",
                    squeezed(&value(table.name_col).display())
                ),
                table.name_col,
            ));
            r += 1;
            continue;
        }
        if let Some((text, c)) = heading {
            if let Some(u) = units_line(&text) {
                units = Some((u, at(r, c)));
                out.skipped.push(skip("单位说明行，不是学校".into(), c));
            } else {
                // 一、小学 / 二、初中 set the 学段 of the rows under them.
                if let Some(s) = section_in_name(&text) {
                    section = Some(s);
                }
                out.skipped
                    .push(skip("分组标题行（学段、乡镇等），不是学校".into(), c));
            }
            r += 1;
            continue;
        }
        let ctx = RowContext {
            layout: &table,
            section,
        };
        match read_row(grid, r, &ctx, &value) {
            Ok(row) => {
                if grid.is_row_hidden(r) {
                    hidden_read.push(r);
                }
                out.rows.push(row)
            }
            Err(e) => errors.push(e),
        }
        r += 1;
    }
    Error::from_list(errors).map_err(SheetError::Rows)?;
    if !hidden_read.is_empty() {
        out.notes.push(Warning {
            at: None,
            message: format!(
                "{}，工作表“{}”：第 {} 行是隐藏或被筛选掉的行，已照常读取；如这些行不应计入，请在表中删去",
                grid.file,
                grid.sheet,
                row_ranges(&hidden_read)
            ),
        });
    }
    Ok(out)
}

/// The columns of the table whose header starts at `header`, with notes on
/// units taken from a units line above it.
fn layout(
    grid: &Grid,
    dict: &Dictionary,
    header: u32,
    section: Option<Section>,
    units: Option<&(UnitsLine, CellRef)>,
) -> Result<(Layout, Vec<Warning>), Error> {
    let at = |r: u32, c: u32| CellRef::new(grid.file.clone(), grid.sheet.clone(), r, c);
    let name_in = |r: u32| {
        (0..grid.width())
            .find(|&c| header_text(grid, r, c).and_then(|t| dict.lookup(&t)) == Some(Field::Name))
    };
    let below = header + 1;
    let (name_col, two_rows) = match name_in(header) {
        Some(name_col) => {
            // A second header row: the row below has no school name of its
            // own (blank or merged down from the header) but has header text.
            let name_below_blank = grid.get(below, name_col).is_blank()
                || grid
                    .merge_at(below, name_col)
                    .is_some_and(|m| m.first_row == header);
            let two_rows = name_below_blank
                && (0..grid.width()).any(|c| !grid.get(below, c).is_blank())
                && !is_heading_like(grid, dict, below);
            // Or a row of column numbers or units (甲 | 乙 | 1 | 2 …).
            let cells: Vec<String> = (0..grid.width())
                .map(|c| grid.get(below, c).display())
                .filter(|t| !t.trim().is_empty())
                .collect();
            let labels = cells.len() >= 2 && cells.iter().all(|t| super::columns::is_label(t));
            (name_col, two_rows || labels)
        }
        // The header row holds group headings; the columns are named below.
        None => (name_in(below).unwrap_or(0), true),
    };
    let first_data = if two_rows { header + 2 } else { header + 1 };

    let mut columns: Vec<Column> = Vec::new();
    let mut errors = Vec::new();
    let mut from_line: Vec<&'static str> = Vec::new();
    for c in 0..grid.width() {
        let parent = if two_rows {
            parent_text(grid, header, c)
        } else {
            header_text(grid, header, c).unwrap_or_default()
        };
        let child = if two_rows {
            // A parent merged down over both rows is not a child.
            match grid.merge_at(below, c) {
                Some(m) if m.first_row == header => String::new(),
                _ => grid.get(below, c).display(),
            }
        } else {
            String::new()
        };
        let field = if child.trim().is_empty() {
            dict.lookup(&parent)
        } else {
            dict.lookup_pair(&parent, &child)
        };
        let Some(field) = field else { continue };
        if let Some(prev) = columns.iter().find(|x| x.field == field) {
            errors.push(Error::cell(
                &at(header, c),
                format!(
                    "“{}”列重复：{} 列与 {} 列都是这一列",
                    field.zh(),
                    crate::source::column_letters(prev.col),
                    crate::source::column_letters(c)
                ),
            ));
            continue;
        }
        // A header's own unit wins over the units line above the table.
        let own = unit_in(&child).or_else(|| unit_in(&parent));
        let unit = own.or_else(|| {
            let (line, _) = units?;
            let Field::Number(m) = field else { return None };
            let u = line.unit_for(m)?;
            if u.factor() != 1.0 {
                from_line.push(m.zh());
            }
            Some(u)
        });
        columns.push(Column {
            col: c,
            field,
            unit,
        });
    }
    let type_from_section =
        section.is_some() && !columns.iter().any(|c| c.field == Field::SchoolType);
    for f in Field::all().into_iter().filter(|f| f.is_required()) {
        if f == Field::SchoolType && type_from_section {
            continue;
        }
        if !columns.iter().any(|c| c.field == f) {
            errors.push(Error::cell(
                &at(header, 0),
                format!(
                    "表头（第 {} 行）缺少必需的列“{}”（也可写作：{}）",
                    header + 1,
                    f.zh(),
                    f.aliases()[1..].join("、")
                ),
            ));
        }
    }
    Error::from_list(errors)?;
    let mut notes = Vec::new();
    if let (Some((line, cell)), false) = (units, from_line.is_empty()) {
        notes.push(Warning {
            at: Some(cell.clone()),
            message: format!(
                "按表上方“{}”一行，{}按万元换算（×10000）",
                line.text,
                from_line.join("、")
            ),
        });
    }
    Ok((
        Layout {
            columns,
            name_col,
            first_data,
            type_from_section,
        },
        notes,
    ))
}

/// Does row `r` name the columns of a table (学校名称 and at least one more)?
/// Cheap unless a cell of the row names the school column.
fn is_header_row(grid: &Grid, dict: &Dictionary, r: u32) -> bool {
    let Some(row) = grid.rows.get(r as usize) else {
        return false;
    };
    let names_school = row.iter().any(|c| {
        c.text()
            .is_some_and(|t| dict.lookup(t) == Some(Field::Name))
    });
    // Data rows have figures; a header has none.
    names_school
        && !row.iter().any(|c| matches!(c, Cell::Number(_)))
        && row
            .iter()
            .filter(|c| c.text().is_some_and(|t| dict.lookup(t).is_some()))
            .count()
            >= 2
}

/// A row whose only content is one text (merged across the row or not) in a
/// column that holds no figures: 一、小学, （1）城关镇, a title line. Returns
/// the text and its column. A 序号 beside the text does not change that.
fn heading_text(grid: &Grid, r: u32, columns: &[Column]) -> Option<(String, u32)> {
    let mut text: Option<(String, u32)> = None;
    let mut last_origin = None;
    for c in 0..grid.width() {
        let origin = grid
            .merge_at(r, c)
            .map(|m| (m.first_row, m.first_col))
            .unwrap_or((r, c));
        if last_origin == Some(origin) {
            continue;
        }
        last_origin = Some(origin);
        let cell = grid.get(origin.0, origin.1);
        if cell.is_blank() {
            continue;
        }
        if origin.0 != r {
            return None;
        }
        let field = columns.iter().find(|x| x.col == origin.1).map(|x| x.field);
        if field.is_some_and(|f| !matches!(f, Field::Name | Field::Township | Field::Locality)) {
            return None;
        }
        match cell {
            Cell::Number(_) => {}
            Cell::Text(t) => match &text {
                None => text = Some((t.trim().to_string(), origin.1)),
                Some((prev, _)) if is_ordinal(prev) => {
                    text = Some((t.trim().to_string(), origin.1))
                }
                Some(_) if is_ordinal(t) => {}
                Some(_) => return None,
            },
            _ => return None,
        }
    }
    text
}

/// A 序号 typed as text: 1, （1）, 一、, ⑴.
fn is_ordinal(t: &str) -> bool {
    let t = t.trim();
    !t.is_empty()
        && t.chars().count() <= 6
        && t.chars().all(|c| {
            c.is_ascii_digit() || "一二三四五六七八九十百（）().、．⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽".contains(c)
        })
}

/// The row below a header is a heading (一、小学, （1）城关镇): one text that
/// names no column, not a second header row.
fn is_heading_like(grid: &Grid, dict: &Dictionary, r: u32) -> bool {
    let texts: Vec<String> = (0..grid.width())
        .map(|c| grid.get(r, c).display())
        .filter(|t| !t.trim().is_empty())
        .collect();
    texts.len() == 1 && dict.lookup(&texts[0]).is_none()
}

/// The 学段 a sheet name or heading names: 小学, 初中, 小学部, 初中学段,
/// 一、小学. None when it names both or neither.
fn section_in_name(name: &str) -> Option<Section> {
    let primary = name.contains("小学");
    let junior = name.contains("初中") || name.contains("初级中学");
    match (primary, junior) {
        (true, false) => Some(Section::Primary),
        (false, true) => Some(Section::Junior),
        _ => None,
    }
}

/// Text without its spaces, ideographic (　) or ordinary: how an indented
/// breakdown row reads.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A 学段 alone, however indented: `小学`, `　　　初中`, `初中部`. A school
/// is never named so (城区小学, 民办小学 are schools).
fn is_section_word(name: &str) -> bool {
    const SECTIONS: &[&str] = &[
        "小学",
        "初中",
        "小学部",
        "初中部",
        "小学学段",
        "初中学段",
        "高中",
        "高中部",
    ];
    SECTIONS.contains(&squeezed(name).as_str())
}

/// 其中：民办 / 公办 / 其中城区 / 其中 小学 under a total: a breakdown, not
/// a school. A bare 学段 word is decided by the caller (it may be a heading).
fn breakdown_mark(name: &str, lead: &str) -> Option<String> {
    let n = squeezed(name);
    let lead = lead.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    if lead.starts_with("其中") || n.starts_with("其中") {
        return Some(if n.is_empty() { lead.to_string() } else { n });
    }
    const PARTS: &[&str] = &[
        "公办",
        "民办",
        "公办学校",
        "民办学校",
        "城区",
        "镇区",
        "乡村",
        "农村",
        "城镇",
    ];
    PARTS.contains(&n.as_str()).then_some(n)
}

/// A row as the user would recognise it: its first three non-empty cells.
fn row_preview(grid: &Grid, r: u32) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut last_origin = None;
    for c in 0..grid.width() {
        let origin = grid
            .merge_at(r, c)
            .map(|m| (m.first_row, m.first_col))
            .unwrap_or((r, c));
        if last_origin == Some(origin) {
            continue;
        }
        last_origin = Some(origin);
        let t = grid.get(origin.0, origin.1).display();
        let t = t.trim();
        if !t.is_empty() {
            out.push(format!("“{}”", t.chars().take(30).collect::<String>()));
            if out.len() == 3 {
                break;
            }
        }
    }
    out.join(" ")
}

/// Row numbers as people write them: `5–7、12`.
pub fn row_ranges(rows: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let start = rows[i];
        let mut end = start;
        while i + 1 < rows.len() && rows[i + 1] == end + 1 {
            end += 1;
            i += 1;
        }
        parts.push(if end == start {
            format!("{}", start + 1)
        } else {
            format!("{}–{}", start + 1, end + 1)
        });
        i += 1;
    }
    parts.join("、")
}

/// A line such as 单位：人、平方米、万元 or 金额单位：万元 above a table.
#[derive(Debug, Clone)]
pub struct UnitsLine {
    /// The line as written, for the note.
    pub text: String,
    money: Option<Unit>,
    area: Option<Unit>,
}

impl UnitsLine {
    fn unit_for(&self, m: Measure) -> Option<Unit> {
        match m.unit() {
            "元" => self.money,
            "平方米" => self.area,
            _ => None,
        }
    }
}

/// Parse a units line; `None` when the text names no money or area unit
/// (填报单位：某某县教育局 is not one).
pub fn units_line(text: &str) -> Option<UnitsLine> {
    let mut money = None;
    let mut area = None;
    let mut shown = None;
    for (i, _) in text.match_indices("单位") {
        let after = &text[i + "单位".len()..];
        let Some(list) = after.strip_prefix('：').or_else(|| after.strip_prefix(':')) else {
            continue;
        };
        let before = &text[..i];
        let prefix: String = before
            .chars()
            .rev()
            .take_while(|c| !c.is_whitespace() && !"，,;；、（(".contains(*c))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        #[derive(PartialEq)]
        enum Scope {
            Any,
            Money,
            Area,
        }
        let scope = match prefix.as_str() {
            "" | "计量" | "数量" => Scope::Any,
            "金额" | "资金" | "货币" | "价值" => Scope::Money,
            "面积" => Scope::Area,
            _ => continue,
        };
        // The list ends at the first space: 单位：万元　　填报日期：….
        let list = list.split_whitespace().next().unwrap_or("");
        let mut any = false;
        for tok in list.split(['、', '，', ',', ';', '；', '/', '／']) {
            let (m, a) = match tok {
                "万元" => (Some(Unit::WanYuan), None),
                "元" => (Some(Unit::Yuan), None),
                "平方米" | "㎡" | "m2" | "m²" | "平米" => (None, Some(Unit::SquareMetre)),
                "人" | "个" | "间" | "所" | "班" | "名" | "台" | "件" => (None, None),
                _ => break,
            };
            any = true;
            if scope != Scope::Area && m.is_some() {
                money = m;
            }
            if scope != Scope::Money && a.is_some() {
                area = a;
            }
        }
        if any && shown.is_none() {
            shown = Some(format!("{prefix}单位：{list}"));
        }
    }
    (money.is_some() || area.is_some()).then(|| UnitsLine {
        text: shown.unwrap_or_else(|| text.trim().to_string()),
        money,
        area,
    })
}

fn read_row<'g>(
    grid: &'g Grid,
    r: u32,
    ctx: &RowContext,
    value: &dyn Fn(u32) -> &'g Cell,
) -> Result<RawRow, Error> {
    let columns = &ctx.layout.columns;
    let name_col = ctx.layout.name_col;
    let at = |c: u32| CellRef::new(grid.file.clone(), grid.sheet.clone(), r, c);
    // A formula with no saved result would read as blank (or as its text)
    // in any column: say so at its cell, whether or not the column is
    // required, before anything else reads it.
    let unsaved: Vec<Error> = columns
        .iter()
        .filter_map(|col| match value(col.col) {
            Cell::Formula(f) => Some(Error::cell(
                &at(col.col),
                format!(
                    "“{}”是公式（={f}），但文件里没有保存计算结果：请用 Excel 或 WPS 打开这个文件、保存后再试",
                    col.field.zh()
                ),
            )),
            _ => None,
        })
        .collect();
    Error::from_list(unsaved)?;
    let text_of = |f: Field| -> Option<(String, CellRef)> {
        let col = columns.iter().find(|c| c.field == f)?;
        let t = value(col.col).display().trim().to_string();
        (!t.is_empty()).then(|| (t, at(col.col)))
    };
    let mut errors = Vec::new();
    let Some((raw_name, name_at)) = text_of(Field::Name) else {
        return Err(Error::cell(
            &at(name_col),
            format!(
                "这一行有数据，但学校名称为空（这一行：{}）",
                row_preview(grid, r)
            ),
        ));
    };
    let (name, part_from_name) = split_part_suffix(&raw_name);

    let from_section = ctx
        .section
        .filter(|_| ctx.layout.type_from_section)
        .map(|s| match s {
            Section::Primary => SchoolType::Primary,
            Section::Junior => SchoolType::Junior,
        });
    let school_type = match (from_section, text_of(Field::SchoolType)) {
        (Some(st), _) => st,
        (None, Some((t, cell))) => match parse_school_type(&t) {
            Some(st) => st,
            None => {
                errors.push(Error::cell(
                    &cell,
                    format!("无法识别的学校类型“{t}”（应为小学、初中、九年一贯制学校、十二年一贯制学校、完全中学、教学点、特殊教育学校等）"),
                ));
                SchoolType::Other(t)
            }
        },
        (None, None) => {
            errors.push(Error::cell(&name_at, "学校类型为空"));
            SchoolType::Other(String::new())
        }
    };

    let part = match text_of(Field::Section) {
        Some((t, cell)) => match parse_part(&t) {
            Some(p) => Some(p),
            None => {
                errors.push(Error::cell(
                    &cell,
                    format!("无法识别的学段“{t}”（应为小学、初中、高中或全校）"),
                ));
                None
            }
        },
        None => part_from_name,
    };
    // The sheet name or a heading row (小学部, 二、初中) tells the 学段 of a
    // 一贯制 school's row where no column does.
    let part = part
        .or_else(|| default_part(&school_type))
        .or(ctx.section.map(RowPart::Section));
    let part = match part {
        Some(p) => p,
        None => {
            if errors.is_empty() {
                errors.push(Error::cell(
                    &name_at,
                    format!(
                        "{}需按小学部、初中部分行填报，并填写“学段”列",
                        school_type.zh()
                    ),
                ));
            }
            RowPart::Section(Section::Primary)
        }
    };

    let ownership = match text_of(Field::Ownership) {
        Some((t, cell)) => match parse_ownership(&t) {
            Some(o) => o,
            None => {
                errors.push(Error::cell(
                    &cell,
                    format!("无法识别的办学性质“{t}”（应为公办或民办）"),
                ));
                Ownership::Public
            }
        },
        None => Ownership::Public,
    };
    let locality = match text_of(Field::Locality) {
        Some((t, cell)) => match parse_locality(&t) {
            Some(l) => Some(l),
            None => {
                errors.push(Error::cell(
                    &cell,
                    format!("无法识别的城乡类别“{t}”（应为城区、镇区或乡村）"),
                ));
                None
            }
        },
        None => None,
    };
    let township = text_of(Field::Township).map(|(t, _)| t);

    let mut figures = BTreeMap::new();
    let mut merged = BTreeMap::new();
    let mut blank = BTreeMap::new();
    for col in columns {
        let Field::Number(m) = col.field else {
            continue;
        };
        let cell_at = at(col.col);
        let merge = grid
            .merge_at(r, col.col)
            .filter(|mg| mg.last_row > mg.first_row);
        // Only the merge's first row carries the value; later rows share it.
        if let Some(mg) = merge
            && mg.first_row != r
        {
            continue;
        }
        let (v, factor) = match parse_number(value(col.col)) {
            Parsed::Missing => {
                blank.insert(m, cell_at);
                continue;
            }
            Parsed::Bad(why) => {
                errors.push(Error::cell(&cell_at, format!("{}{why}", m.zh())));
                continue;
            }
            Parsed::Value(v, f) => (v, f),
        };
        if v < 0.0 {
            errors.push(Error::cell(
                &cell_at,
                format!("“{}”不能为负数：{}", m.zh(), crate::profile::fmt_number(v)),
            ));
            continue;
        }
        let v = v * factor.or(col.unit.map(Unit::factor)).unwrap_or(1.0);
        if m.is_count() && (v - v.round()).abs() > 1e-9 {
            errors.push(Error::cell(
                &cell_at,
                format!("“{}”应为整数：{}", m.zh(), crate::profile::fmt_number(v)),
            ));
            continue;
        }
        let fig = Figure {
            value: v,
            at: cell_at.clone(),
        };
        match merge {
            Some(mg) if m.is_shared_resource() => {
                merged.insert(m, (fig, mg.first_row, mg.last_row));
            }
            Some(mg) => errors.push(Error::cell(
                &cell_at,
                format!(
                    "“{}”不能跨行合并单元格（第 {}–{} 行）：每个学段须分别填写",
                    m.zh(),
                    mg.first_row + 1,
                    mg.last_row + 1
                ),
            )),
            None => {
                figures.insert(m, fig);
            }
        }
    }
    Error::from_list(errors)?;
    Ok(RawRow {
        name,
        school_type,
        part,
        ownership,
        locality,
        township,
        figures,
        merged,
        blank,
        at: name_at,
    })
}

/// `某某学校（小学部）` → (`某某学校`, 小学部).
fn split_part_suffix(name: &str) -> (String, Option<RowPart>) {
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(stripped) = name.strip_suffix(close)
            && let Some(i) = stripped.rfind(open)
        {
            let inner = &stripped[i + open.len_utf8()..];
            if inner.ends_with('部')
                && let Some(p) = parse_part(inner)
            {
                return (stripped[..i].trim().to_string(), Some(p));
            }
        }
    }
    (name.to_string(), None)
}

pub fn parse_school_type(t: &str) -> Option<SchoolType> {
    let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    Some(if t.contains("十二年") {
        SchoolType::TwelveYear
    } else if t.contains("九年") {
        SchoolType::NineYear
    } else if t.contains("完全中学") || t == "完中" {
        SchoolType::Complete
    } else if t.contains("教学点") {
        SchoolType::TeachingPoint
    } else if t.contains("特殊") || t.contains("特教") || t.contains("培智") || t.contains("聋")
    {
        SchoolType::Special
    } else if t.contains("职业") || t.contains("职校") || t.contains("中职") || t.contains("技工")
    {
        SchoolType::Other(t)
    } else if t.contains("初中") || t.contains("初级中学") || t == "中学" {
        SchoolType::Junior
    } else if t.contains("小学") {
        SchoolType::Primary
    } else {
        return None;
    })
}

fn parse_part(t: &str) -> Option<RowPart> {
    let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_end_matches('部').trim_end_matches("阶段");
    Some(match t {
        "小学" | "小" => RowPart::Section(Section::Primary),
        "初中" | "初" | "初级中学" => RowPart::Section(Section::Junior),
        "高中" | "高" => RowPart::HighSchool,
        "全校" | "学校" | "整体" | "全校合计" => RowPart::WholeSchool,
        _ => return None,
    })
}

fn default_part(st: &SchoolType) -> Option<RowPart> {
    match st {
        SchoolType::Primary | SchoolType::TeachingPoint | SchoolType::Special => {
            Some(RowPart::Section(Section::Primary))
        }
        SchoolType::Junior | SchoolType::Complete => Some(RowPart::Section(Section::Junior)),
        SchoolType::Other(_) => Some(RowPart::Section(Section::Junior)),
        SchoolType::NineYear | SchoolType::TwelveYear => None,
    }
}

fn parse_ownership(t: &str) -> Option<Ownership> {
    if t.contains("民办") || t.contains("私立") {
        Some(Ownership::Private)
    } else if t.contains("公办")
        || t.contains("公立")
        || t.contains("教育部门")
        || t.contains("地方")
    {
        Some(Ownership::Public)
    } else {
        None
    }
}

/// 城区/镇区/乡村, or the statistics codes (111, 121, 210 …).
fn parse_locality(t: &str) -> Option<Locality> {
    let t = t.trim();
    if t.contains("城区") || t.contains("城关") || t == "城市" || t.starts_with("11") {
        Some(Locality::Urban)
    } else if t.contains("镇") || t.starts_with("12") {
        Some(Locality::Town)
    } else if t.contains("乡") || t.contains("村") || t.starts_with('2') {
        Some(Locality::Rural)
    } else {
        None
    }
}

/// Group rows into schools by name, checking each school-部 appears once.
pub fn group_schools(rows: Vec<RawRow>) -> Result<Vec<School>, Error> {
    let mut schools: Vec<School> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    // Merged value cells: remember which school each merge started in.
    let mut merge_owner: BTreeMap<(CellRef, u32), usize> = BTreeMap::new();
    for row in rows {
        let i = *index.entry(row.name.clone()).or_insert_with(|| {
            schools.push(School {
                name: row.name.clone(),
                school_type: row.school_type.clone(),
                ownership: row.ownership,
                locality: row.locality,
                township: row.township.clone(),
                rows: Vec::new(),
                whole: BTreeMap::new(),
            });
            schools.len() - 1
        });
        let school = &mut schools[i];
        if let Some(prev) = school.rows.iter().find(|r| r.part == row.part) {
            errors.push(Error::cell(
                &row.at,
                format!(
                    "学校“{}”的{}重复出现（另见 {}）",
                    row.name,
                    part_zh(row.part),
                    prev.at
                ),
            ));
            continue;
        }
        if school.school_type != row.school_type {
            errors.push(Error::cell(
                &row.at,
                format!(
                    "学校“{}”的学校类型前后不一致：{} 与 {}",
                    row.name,
                    school.school_type.zh(),
                    row.school_type.zh()
                ),
            ));
            continue;
        }
        for (m, (fig, _first, last)) in row.merged {
            merge_owner.insert((fig.at.clone(), last), i);
            school.whole.insert(m, fig);
        }
        if row.part == RowPart::WholeSchool {
            for (m, fig) in row.figures {
                if m.is_shared_resource() {
                    school.whole.insert(m, fig);
                }
            }
            school.rows.push(SchoolRow {
                part: row.part,
                figures: BTreeMap::new(),
                at: row.at,
                blank: row
                    .blank
                    .into_iter()
                    .filter(|(m, _)| m.is_shared_resource())
                    .collect(),
            });
        } else {
            school.rows.push(SchoolRow {
                part: row.part,
                figures: row.figures,
                at: row.at,
                blank: row.blank,
            });
        }
    }
    // A merged value cell must not span two schools. Rows are looked up by
    // place once, so this stays linear in rows and merges.
    let mut row_owner: HashMap<(&str, &str, u32), usize> = HashMap::new();
    for (j, s) in schools.iter().enumerate() {
        for r in &s.rows {
            row_owner.insert((&r.at.file, &r.at.sheet, r.at.row), j);
        }
    }
    for ((cell, last), owner) in &merge_owner {
        let mut seen = BTreeSet::new();
        for row in cell.row + 1..=*last {
            if let Some(&j) = row_owner.get(&(&*cell.file, &*cell.sheet, row))
                && j != *owner
                && seen.insert(j)
            {
                errors.push(Error::cell(
                    cell,
                    format!(
                        "合并单元格跨越了两所学校（“{}”与“{}”），无法判断归属",
                        schools[*owner].name, schools[j].name
                    ),
                ));
            }
        }
    }
    Error::from_list(errors)?;
    Ok(schools)
}

pub fn part_zh(p: RowPart) -> &'static str {
    match p {
        RowPart::Section(Section::Primary) => "小学部",
        RowPart::Section(Section::Junior) => "初中部",
        RowPart::HighSchool => "高中部",
        RowPart::WholeSchool => "全校行",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_suffix() {
        assert_eq!(
            split_part_suffix("大庄镇中心学校（初中部）"),
            (
                "大庄镇中心学校".into(),
                Some(RowPart::Section(Section::Junior))
            )
        );
        assert_eq!(split_part_suffix("泗县第一小学").1, None);
    }

    /// A grid as a reader gives it, from `a|b` lines; `=f` is a formula
    /// with no saved result, a plain number a number.
    fn grid(t: &str) -> Grid {
        let rows = t
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| {
                l.split('|')
                    .map(|c| match (c.strip_prefix('='), c.parse::<f64>()) {
                        _ if c.is_empty() => Cell::Empty,
                        (Some(f), _) => Cell::Formula(f.into()),
                        (None, Ok(n)) => Cell::Number(n),
                        (None, Err(_)) => Cell::Text(c.into()),
                    })
                    .collect()
            })
            .collect();
        Grid::new("学校.xlsx".into(), "Sheet1".into(), rows, Vec::new())
    }

    fn read(g: &Grid) -> Result<SheetRows, String> {
        let dict = Dictionary::new(&BTreeMap::new()).unwrap();
        let h = find_header(g, &dict).unwrap();
        read_sheet(g, &dict, h).map_err(|e| match e {
            SheetError::NotATable(e) | SheetError::Rows(e) => e.to_string(),
        })
    }

    #[test]
    fn unsaved_formulas_are_reported_in_any_recognised_column() {
        let g = grid(
            "学校名称|学校类型|学生数|班级数|备注
             第一小学|小学|1200|=C2/40|=1+1
             =A2|小学|=C2+1|10|",
        );
        let e = read(&g).unwrap_err();
        assert_eq!(
            e,
            [
                "学校.xlsx，工作表“Sheet1”，单元格 D2：“班级数”是公式（=C2/40），但文件里没有保存计算结果：请用 Excel 或 WPS 打开这个文件、保存后再试",
                "学校.xlsx，工作表“Sheet1”，单元格 A3：“学校名称”是公式（=A2），但文件里没有保存计算结果：请用 Excel 或 WPS 打开这个文件、保存后再试",
                "学校.xlsx，工作表“Sheet1”，单元格 C3：“学生数”是公式（=C2+1），但文件里没有保存计算结果：请用 Excel 或 WPS 打开这个文件、保存后再试",
            ]
            .join("\n")
        );
    }

    #[test]
    fn hidden_rows_are_read_and_noted_compactly() {
        let mut g = grid(
            "学校名称|学校类型|学生数
             一小|小学|100
             二小|小学|100
             三小|小学|100
             四小|小学|100
             五小|小学|100",
        );
        g.hidden_rows = vec![2, 3, 5];
        let s = read(&g).unwrap();
        assert_eq!(s.rows.len(), 5);
        let notes: Vec<&str> = s.notes.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(
            notes,
            [
                "学校.xlsx，工作表“Sheet1”：第 3–4、6 行是隐藏或被筛选掉的行，已照常读取；如这些行不应计入，请在表中删去"
            ]
        );
    }

    #[test]
    fn units_lines() {
        let u = units_line("填报单位：泗县教育局　　单位：人、平方米、万元").unwrap();
        assert_eq!(u.text, "单位：人、平方米、万元");
        assert_eq!(u.unit_for(Measure::EquipmentValue), Some(Unit::WanYuan));
        assert_eq!(u.unit_for(Measure::TeachingArea), Some(Unit::SquareMetre));
        let u = units_line("面积单位：平方米").unwrap();
        assert_eq!(u.unit_for(Measure::EquipmentValue), None);
        assert!(units_line("填报单位：泗县教育局").is_none());
        assert!(units_line("单位：人").is_none());
        assert_eq!(row_ranges(&[0, 1, 2, 5, 9, 10]), "1–3、6、10–11");
    }

    #[test]
    fn types_and_localities() {
        assert_eq!(
            parse_school_type("九年一贯制学校"),
            Some(SchoolType::NineYear)
        );
        assert_eq!(parse_school_type("初级中学"), Some(SchoolType::Junior));
        assert_eq!(parse_school_type("完全小学"), Some(SchoolType::Primary));
        assert_eq!(parse_school_type("幼儿园"), None);
        assert_eq!(parse_locality("121"), Some(Locality::Town));
        assert_eq!(parse_locality("乡村"), Some(Locality::Rural));
    }
}

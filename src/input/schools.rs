//! Turns workbook grids into school rows: finds the header wherever it is,
//! understands two-row headers and merged cells, skips 合计 rows and footers
//! (and says so), converts units, and groups the 部 rows of each school.

use super::columns::{Dictionary, Field, Unit, unit_in};
use super::grid::{Cell, Grid};
use super::number::{Parsed, parse_number};
use crate::error::Error;
use crate::model::{
    Locality, Measure, Ownership, RowPart, School, SchoolRow, SchoolType, Section, SkippedRow,
};
use crate::source::{CellRef, Figure};
use std::collections::BTreeMap;

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

pub fn read_sheet(grid: &Grid, dict: &Dictionary, header: u32) -> Result<SheetRows, Error> {
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
            let two_rows =
                name_below_blank && (0..grid.width()).any(|c| !grid.get(below, c).is_blank());
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
        let unit = unit_in(&child).or_else(|| unit_in(&parent));
        columns.push(Column {
            col: c,
            field,
            unit,
        });
    }
    for f in Field::all().into_iter().filter(|f| f.is_required()) {
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

    let mut out = SheetRows::default();
    let mut errors = Vec::new();
    for r in first_data..grid.rows.len() as u32 {
        let value = |c: u32| -> &Cell {
            match grid.merge_at(r, c) {
                Some(m) => grid.get(m.first_row, m.first_col),
                None => grid.get(r, c),
            }
        };
        if (0..grid.width()).all(|c| value(c).is_blank()) {
            continue;
        }
        // Spaces do not count: 总  计 is 总计.
        let lead_text: String = (0..=name_col)
            .map(|c| value(c).display())
            .collect::<String>()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if let Some(mark) = TOTAL_MARKS.iter().find(|m| lead_text.contains(**m)) {
            out.skipped.push(SkippedRow {
                at: at(r, name_col),
                reason: format!("“{mark}”行，不是学校"),
            });
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
            out.skipped.push(SkippedRow {
                at: at(r, 0),
                reason: "表尾说明（制表人、审核人等），不是学校".into(),
            });
            continue;
        }
        match read_row(grid, r, &columns, &value, name_col) {
            Ok(row) => out.rows.push(row),
            Err(e) => errors.push(e),
        }
    }
    Error::from_list(errors)?;
    Ok(out)
}

fn read_row<'g>(
    grid: &'g Grid,
    r: u32,
    columns: &[Column],
    value: &dyn Fn(u32) -> &'g Cell,
    name_col: u32,
) -> Result<RawRow, Error> {
    let at = |c: u32| CellRef::new(grid.file.clone(), grid.sheet.clone(), r, c);
    let text_of = |f: Field| -> Option<(String, CellRef)> {
        let col = columns.iter().find(|c| c.field == f)?;
        let t = value(col.col).display().trim().to_string();
        (!t.is_empty()).then(|| (t, at(col.col)))
    };
    let mut errors = Vec::new();
    let Some((raw_name, name_at)) = text_of(Field::Name) else {
        return Err(Error::cell(&at(name_col), "这一行有数据，但学校名称为空"));
    };
    let (name, part_from_name) = split_part_suffix(&raw_name);

    let school_type = match text_of(Field::SchoolType) {
        Some((t, cell)) => match parse_school_type(&t) {
            Some(st) => st,
            None => {
                errors.push(Error::cell(
                    &cell,
                    format!("无法识别的学校类型“{t}”（应为小学、初中、九年一贯制学校、十二年一贯制学校、完全中学、教学点、特殊教育学校等）"),
                ));
                SchoolType::Other(t)
            }
        },
        None => {
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
    let part = match part.or_else(|| default_part(&school_type)) {
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
            Parsed::Missing => continue,
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
            });
        } else {
            school.rows.push(SchoolRow {
                part: row.part,
                figures: row.figures,
                at: row.at,
            });
        }
    }
    // A merged value cell must not span two schools.
    for ((cell, last), owner) in &merge_owner {
        for (j, s) in schools.iter().enumerate() {
            if j == *owner {
                continue;
            }
            if s.rows.iter().any(|r| {
                r.at.file == cell.file
                    && r.at.sheet == cell.sheet
                    && r.at.row > cell.row
                    && r.at.row <= *last
            }) {
                errors.push(Error::cell(
                    cell,
                    format!(
                        "合并单元格跨越了两所学校（“{}”与“{}”），无法判断归属",
                        schools[*owner].name, s.name
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

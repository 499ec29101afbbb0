//! Reads any workbook format into plain grids of cells with their merged
//! regions. calamine handles xlsx/xls/xlsb/ods; csv (often GBK from Chinese
//! Excel) is decoded here. Nothing beyond this module knows file formats.

use crate::error::Error;
use calamine::{Data, Reader, Sheets, open_workbook_auto};
use std::io::{BufReader, Read, Seek};
use std::path::Path;
use std::sync::Arc;

/// A cell value, before any interpretation.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Number(f64),
    Text(String),
    Bool(bool),
    /// `#DIV/0!` and friends.
    Error(String),
    /// A date or time, as the spreadsheet shows it (`2024-01-01`). Never a
    /// number: read as its serial, a date becomes 45,292 students.
    Date(String),
    /// A formula whose result was never saved (a file written by a program
    /// that does not calculate): the formula text, without its `=`.
    Formula(String),
}

impl Cell {
    pub fn text(&self) -> Option<&str> {
        match self {
            Cell::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The cell as text a person would read in it.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Number(n) => crate::profile::fmt_number(*n),
            Cell::Text(s) | Cell::Date(s) => s.clone(),
            Cell::Bool(b) => if *b { "是" } else { "否" }.to_string(),
            Cell::Error(e) => e.clone(),
            Cell::Formula(f) => format!("={f}"),
        }
    }

    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// A merged region, zero-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

impl Merge {
    pub fn contains(&self, row: u32, col: u32) -> bool {
        (self.first_row..=self.last_row).contains(&row)
            && (self.first_col..=self.last_col).contains(&col)
    }
}

/// One sheet: cells at absolute positions (row 0 is the sheet's row 1).
///
/// Built with [`Grid::new`], which indexes the merges once and measures the
/// width once, so that looking a cell or its merge up is cheap and reading a
/// sheet stays linear in its cells.
#[derive(Debug, Clone)]
pub struct Grid {
    pub file: Arc<str>,
    pub sheet: Arc<str>,
    /// Rows of cells, trailing blank cells trimmed. Read-only after `new`.
    pub rows: Vec<Vec<Cell>>,
    /// Merged regions, as the file gave them. Read-only after `new`.
    pub merges: Vec<Merge>,
    /// The sheet is hidden (or very hidden) in the workbook.
    pub hidden: bool,
    /// Rows hidden or filtered out (zero-based, ascending).
    pub hidden_rows: Vec<u32>,
    width: u32,
    /// For each row, the merges that cover it: (first col, last col, index
    /// into `merges`), sorted by first column. Clamped to the cells present.
    merge_rows: Vec<Vec<(u32, u32, usize)>>,
}

impl Grid {
    /// A grid from its rows and merges; the sheet is visible with no hidden
    /// rows until the reader says otherwise.
    pub fn new(file: Arc<str>, sheet: Arc<str>, rows: Vec<Vec<Cell>>, merges: Vec<Merge>) -> Grid {
        let width = rows.iter().map(|r| r.len()).max().unwrap_or(0) as u32;
        let height = rows.len() as u32;
        let mut merge_rows: Vec<Vec<(u32, u32, usize)>> = vec![Vec::new(); rows.len()];
        for (i, m) in merges.iter().enumerate() {
            if m.first_row >= height || m.first_col >= width.max(1) {
                continue;
            }
            let last_row = m.last_row.min(height - 1);
            for r in m.first_row..=last_row {
                merge_rows[r as usize].push((m.first_col, m.last_col, i));
            }
        }
        for r in &mut merge_rows {
            r.sort_unstable();
        }
        Grid {
            file,
            sheet,
            rows,
            merges,
            hidden: false,
            hidden_rows: Vec::new(),
            width,
            merge_rows,
        }
    }

    pub fn get(&self, row: u32, col: u32) -> &Cell {
        static EMPTY: Cell = Cell::Empty;
        self.rows
            .get(row as usize)
            .and_then(|r| r.get(col as usize))
            .unwrap_or(&EMPTY)
    }

    /// Columns up to the last non-blank cell of the widest row.
    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn merge_at(&self, row: u32, col: u32) -> Option<&Merge> {
        let in_row = self.merge_rows.get(row as usize)?;
        in_row
            .iter()
            .find(|(first, last, _)| (*first..=*last).contains(&col))
            .map(|(_, _, i)| &self.merges[*i])
    }

    pub fn is_row_hidden(&self, row: u32) -> bool {
        self.hidden_rows.binary_search(&row).is_ok()
    }
}

/// Read every non-empty sheet of a workbook. `label` is how errors name the
/// file (the path as the user gave it).
pub fn read_workbook(path: &Path, label: &str) -> Result<Vec<Grid>, Error> {
    let file: Arc<str> = Arc::from(label);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !path.exists() {
        return Err(Error::File {
            file: label.to_string(),
            message: "找不到这个学校数据文件".into(),
        });
    }
    if ext == "csv" || ext == "txt" {
        return read_csv(path, file).map(|g| vec![g]);
    }
    let not_workbook = |detail: String| Error::File {
        file: label.to_string(),
        message: format!(
            "不是可读取的工作簿，文件可能已损坏或不是表格文件（支持 xlsx、xls、xlsb、ods、csv；技术信息：{detail}）"
        ),
    };
    let mut book = open_workbook_auto(path).map_err(|e| not_workbook(e.to_string()))?;
    let names = book.sheet_names();
    // Hidden and very hidden sheets, so the caller can leave them unread.
    let hidden: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible != calamine::SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    let mut ods_merges = match book {
        Sheets::Ods(_) => super::ods::merges(path),
        _ => Default::default(),
    };
    let mut grids = Vec::new();
    for name in names {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| not_workbook(format!("工作表“{name}”：{e}")))?;
        let merges = match ods_merges.remove(&name) {
            Some(m) => m,
            None => merges_of(&mut book, &name),
        };
        let mut grid = grid_from_range(file.clone(), Arc::from(name.as_str()), &range, merges);
        grid.hidden = hidden.contains(&name);
        grids.push(grid);
    }
    Ok(grids)
}

fn merges_of<RS: Read + Seek>(book: &mut Sheets<RS>, name: &str) -> Vec<Merge> {
    let dims = match book {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).ok(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).ok(),
        // XLSB: calamine reports no merges; ODS merges come from
        // `super::ods`.
        _ => None,
    };
    dims.unwrap_or_default()
        .into_iter()
        .map(|d| Merge {
            first_row: d.start.0,
            first_col: d.start.1,
            last_row: d.end.0,
            last_col: d.end.1,
        })
        .collect()
}

fn grid_from_range(
    file: Arc<str>,
    sheet: Arc<str>,
    range: &calamine::Range<Data>,
    merges: Vec<Merge>,
) -> Grid {
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); r0 as usize];
    for row in range.rows() {
        let mut cells = vec![Cell::Empty; c0 as usize];
        cells.extend(row.iter().map(convert));
        while matches!(cells.last(), Some(c) if c.is_blank()) {
            cells.pop();
        }
        rows.push(cells);
    }
    Grid::new(file, sheet, rows, merges)
}

fn convert(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) => Cell::Text(s.clone()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => Cell::Date(dt.to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Date(s.clone()),
        Data::Error(e) => Cell::Error(format!("{e}")),
    }
}

/// CSV from Excel in China is GBK more often than UTF-8; accept both.
fn read_csv(path: &Path, file: Arc<str>) -> Result<Grid, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if bytes.contains(&0) {
        return Err(Error::File {
            file: file.to_string(),
            message: "不是文本格式的 csv 文件（含有二进制内容）".into(),
        });
    }
    let text = match std::str::from_utf8(&bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_string(),
        Err(_) => encoding_rs::GB18030.decode(&bytes).0.into_owned(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::new(text.as_bytes()));
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| Error::File {
            file: file.to_string(),
            message: format!("第 {} 行无法解析：{e}", i + 1),
        })?;
        rows.push(
            rec.iter()
                .map(|s| {
                    if s.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(s.to_string())
                    }
                })
                .collect(),
        );
    }
    let sheet: Arc<str> = Arc::from(path.file_stem().and_then(|s| s.to_str()).unwrap_or("csv"));
    Ok(Grid::new(file, sheet, rows, Vec::new()))
}

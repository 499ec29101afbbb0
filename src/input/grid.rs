//! Reads any workbook into plain grids of cells with their merged regions,
//! hidden sheets and hidden rows. This module owns the grid and the way in:
//! which files are read at all, and which reader a file's content calls for
//! (see [`super::sniff`]); the readers live beside it, one per format, all
//! bounded by [`super::limits`]. Nothing beyond these modules knows file
//! formats.

use super::limits::{self, Budget};
use super::sniff::{self, Format};
use super::{csv, html, ods, spreadsheetml, xlsx};
use crate::error::Error;
use std::io::Read;
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

/// Read every sheet of a workbook. `label` is how errors name the file (the
/// path as the user gave it). Only a regular file within
/// [`limits::MAX_FILE_BYTES`] is read, once, and parsed from memory.
pub fn read_workbook(path: &Path, label: &str) -> Result<Vec<Grid>, Error> {
    let refuse = |message: String| Error::File {
        file: label.to_string(),
        message,
    };
    // Metadata first: opening a FIFO blocks until someone writes to it.
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(refuse("找不到这个学校数据文件".into()));
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    if let Some(what) = crate::access::not_regular(&meta) {
        return Err(refuse(format!("这是{what}，不是普通文件，拒绝读取")));
    }
    let too_big = || {
        refuse(format!(
            "文件超过 {} MB 的上限，不像是学校统计表；请删去多余的内容，或分成几个文件",
            limits::MAX_FILE_BYTES / 1024 / 1024
        ))
    };
    if meta.len() > limits::MAX_FILE_BYTES {
        return Err(too_big());
    }
    // Checked again on the open file: the path may have been swapped for a
    // FIFO or a device since its metadata was read.
    let file = crate::access::open_nonblocking(path).map_err(|e| Error::io(path, e))?;
    let opened = file.metadata().map_err(|e| Error::io(path, e))?;
    if let Some(what) = crate::access::not_regular(&opened) {
        return Err(refuse(format!("这是{what}，不是普通文件，拒绝读取")));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may have grown since its metadata was read.
    file.take(limits::MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limits::MAX_FILE_BYTES {
        return Err(too_big());
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or(label);
    read_workbook_bytes(&bytes, label, name)
}

/// Read every sheet of a workbook held in memory. The format comes from the
/// content (`file_name`'s extension only breaks ties); `label` names the
/// file in errors.
pub fn read_workbook_bytes(bytes: &[u8], label: &str, file_name: &str) -> Result<Vec<Grid>, Error> {
    // calamine 0.38 (the newest) still panics on some damaged xls files
    // (slices past the end of a truncated compound file or record; found
    // by fuzzing, kept in tests/fixtures/fuzz/xls/). A damaged file is the
    // user's problem to hear about, not a crash: contain any panic of the
    // parsers here and say the file is damaged.
    contain_panics(label, || read_bytes(bytes, label, file_name))
}

thread_local! {
    /// Set while a parser runs inside [`contain_panics`]: the panic hook
    /// then stays quiet, since the panic becomes an ordinary error.
    static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn contain_panics<T>(label: &str, f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CONTAINED.with(|c| c.get()) {
                previous(info);
            }
        }));
    });
    let was = CONTAINED.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CONTAINED.with(|c| c.set(was));
    match result {
        Ok(r) => r,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(Error::File {
                file: label.to_string(),
                message: format!(
                    "不是可读取的工作簿，文件已损坏（技术信息：{detail}）；请用 Excel 或 WPS 打开、另存后再试"
                ),
            })
        }
    }
}

fn read_bytes(bytes: &[u8], label: &str, file_name: &str) -> Result<Vec<Grid>, Error> {
    let file: Arc<str> = Arc::from(label);
    let format = sniff::sniff(bytes, file_name).map_err(|what| Error::File {
        file: label.to_string(),
        message: format!("无法作为学校数据读取：{what}"),
    })?;
    let budget = Budget::default();
    match format {
        Format::Xlsx => {
            limits::check_zip(bytes, label)?;
            xlsx::read_xlsx(bytes, file, &budget)
        }
        Format::Xlsb => {
            limits::check_zip(bytes, label)?;
            xlsx::read_xlsb(bytes, file, &budget)
        }
        Format::Ods => {
            limits::check_zip(bytes, label)?;
            ods::read(bytes, file, &budget)
        }
        Format::Xls => xlsx::read_xls(bytes, file, &budget),
        Format::Encrypted => Err(xlsx::encrypted(label)),
        Format::Html => html::read(bytes, file, &budget),
        Format::SpreadsheetMl => spreadsheetml::read(bytes, file, &budget),
        Format::Text => {
            let stem = Path::new(file_name)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("csv");
            csv::read(bytes, file, stem, &budget).map(|g| vec![g])
        }
    }
}

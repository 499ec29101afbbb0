//! How much a workbook may cost, whatever it claims: every reader stores its
//! cells through [`SheetBuilder`], which enforces the limits below while
//! reading, so a hostile or broken file is refused with a Chinese message
//! naming the limit instead of exhausting memory or time. The numbers are
//! far above any county's statistics (a few thousand schools) and far below
//! what would hurt the machine. The size caps of the other input files
//! (plan, profile, REVIEW.yaml, templates, JSON …) are here too, one per
//! kind of file; [`crate::access`] enforces them while reading.

use super::grid::{Cell, Grid, Merge};
use crate::error::Error;
use crate::source::CellRef;
use std::io::{self, Read};
use std::rc::Rc;
use std::sync::Arc;

/// Largest workbook file read at all (checked from its metadata, before
/// reading).
pub const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;
/// Largest plan file (plan.yaml): a county's texts, tasks and figures are
/// a few hundred KB at most.
pub const MAX_PLAN_BYTES: u64 = 8 * 1024 * 1024;
/// Largest profile (a province's standards YAML): the national one is 20 KB.
pub const MAX_PROFILE_BYTES: u64 = 4 * 1024 * 1024;
/// Largest REVIEW.yaml: a province's hundred-odd counties are a few KB.
pub const MAX_REVIEW_BYTES: u64 = 4 * 1024 * 1024;
/// Largest report template file: the built-in ones are under 30 KB.
pub const MAX_TEMPLATE_BYTES: u64 = 4 * 1024 * 1024;
/// Largest evaluation JSON (`dudao evaluate --format json`), as last year's
/// data or as a county's reported figures: about 7 KB per school-学段 row
/// (2,000 synthetic schools gave 17.6 MB), so 64 MB is some 9,000 rows,
/// several times the largest county. Parsing takes about six times the
/// file's size in memory (a 600 MB file peaked at 3.5 GB).
pub const MAX_EVALUATION_JSON_BYTES: u64 = 64 * 1024 * 1024;
/// Largest file a typst template loads from the project (an image, a logo).
pub const MAX_PROJECT_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Largest font file (a CJK font collection is 20–120 MB).
pub const MAX_FONT_BYTES: u64 = 256 * 1024 * 1024;
/// Largest list of the files an output folder holds (the tool's own
/// record, `.dudao-written`), one short line per file.
pub const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;
/// Largest part of a zip workbook (a sheet's XML, ODS content.xml, shared
/// strings) once decompressed. Measured while inflating, never taken from
/// the size the archive declares.
pub const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;
/// All parts of a zip workbook together, decompressed.
pub const MAX_UNZIPPED_BYTES: u64 = 512 * 1024 * 1024;
/// Largest HTML-table file: its whole document tree is built in memory,
/// several times the file's size.
pub const MAX_HTML_BYTES: u64 = 64 * 1024 * 1024;
/// Members of a zip workbook (a real xlsx has a few dozen).
pub const MAX_ZIP_MEMBERS: usize = 10_000;
/// Rows per sheet: the last row holding a value may be at most this.
pub const MAX_ROWS_PER_SHEET: u32 = 200_000;
/// Columns per sheet (Excel's own maximum, XFD).
pub const MAX_COLUMNS: u32 = 16_384;
/// Cells stored for a whole workbook, counting the blanks a row keeps to the
/// left of its values, and each row a merged region covers.
pub const MAX_CELLS_PER_WORKBOOK: usize = 5_000_000;

/// What is left of the workbook's cell allowance, shared by the builders of
/// all its sheets.
#[derive(Debug, Clone)]
pub struct Budget {
    cells: Rc<std::cell::Cell<usize>>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            cells: Rc::new(std::cell::Cell::new(MAX_CELLS_PER_WORKBOOK)),
        }
    }
}

impl Budget {
    fn left(&self) -> usize {
        self.cells.get()
    }

    fn spend(&self, n: usize) {
        self.cells.set(self.cells.get().saturating_sub(n));
    }
}

/// Collects one sheet's cells in reading order (any order works), checking
/// the limits as each cell arrives.
pub struct SheetBuilder {
    file: Arc<str>,
    sheet: Arc<str>,
    budget: Budget,
    rows: Vec<Vec<Cell>>,
    merges: Vec<Merge>,
    /// Hidden rows as (first row, count): a hidden run may reach far past the
    /// last value, so it is expanded only up to the rows actually kept.
    hidden: Vec<(u64, u64)>,
    pub sheet_hidden: bool,
}

impl SheetBuilder {
    pub fn new(file: Arc<str>, sheet: &str, budget: &Budget) -> Self {
        SheetBuilder {
            file,
            sheet: Arc::from(sheet),
            budget: budget.clone(),
            rows: Vec::new(),
            merges: Vec::new(),
            hidden: Vec::new(),
            sheet_hidden: false,
        }
    }

    pub fn sheet_name(&self) -> &str {
        &self.sheet
    }

    /// The place (file, sheet, cell) of a zero-based position, for messages.
    pub fn at(&self, row: u64, col: u64) -> CellRef {
        CellRef::new(
            self.file.clone(),
            self.sheet.clone(),
            row.min(u32::MAX as u64) as u32,
            col.min(u32::MAX as u64) as u32,
        )
    }

    /// Can `count` more non-blank cells at (row, col…) be stored? Lets a
    /// reader refuse an astronomically repeated cell before looping over it.
    pub fn check(&self, row: u64, col: u64, count: u64) -> Result<(), Error> {
        if row >= MAX_ROWS_PER_SHEET as u64 {
            return Err(Error::cell(
                &self.at(row, col),
                format!(
                    "第 {} 行有内容，超过了每张工作表最多 {MAX_ROWS_PER_SHEET} 行的上限；请删去多余的内容，或把数据分成几个文件",
                    row.saturating_add(1)
                ),
            ));
        }
        if col.saturating_add(count) > MAX_COLUMNS as u64 {
            return Err(Error::cell(
                &self.at(row, col),
                format!("超过了每张工作表最多 {MAX_COLUMNS} 列的上限"),
            ));
        }
        let have = self.rows.get(row as usize).map_or(0, Vec::len) as u64;
        self.check_cells(row, col, (col + count).saturating_sub(have))
    }

    /// Are `count` more stored cells within the workbook's allowance?
    pub fn check_cells(&self, row: u64, col: u64, count: u64) -> Result<(), Error> {
        if count > self.budget.left() as u64 {
            return Err(self.too_many_cells(row, col));
        }
        Ok(())
    }

    fn too_many_cells(&self, row: u64, col: u64) -> Error {
        Error::cell(
            &self.at(row, col),
            format!(
                "工作簿的单元格超过了最多 {MAX_CELLS_PER_WORKBOOK} 个的上限；请删去多余的内容，或把数据分成几个文件"
            ),
        )
    }

    /// Store a cell. Blank cells cost nothing and are not stored.
    pub fn set(&mut self, row: u64, col: u64, cell: Cell) -> Result<(), Error> {
        if cell.is_blank() {
            return Ok(());
        }
        self.check(row, col, 1)?;
        let (r, c) = (row as usize, col as usize);
        if self.rows.len() <= r {
            self.rows.resize_with(r + 1, Vec::new);
        }
        let cells = &mut self.rows[r];
        if cells.len() <= c {
            self.budget.spend(c + 1 - cells.len());
            cells.resize(c + 1, Cell::Empty);
        }
        cells[c] = cell;
        Ok(())
    }

    /// The stored cells of a row (for readers that repeat a row).
    pub fn row(&self, row: u64) -> &[Cell] {
        self.rows.get(row as usize).map_or(&[], Vec::as_slice)
    }

    /// A merged region, zero-based and inclusive. Regions starting beyond the
    /// sheet's limits are dropped: no value can sit there.
    pub fn merge(&mut self, first_row: u64, first_col: u64, last_row: u64, last_col: u64) {
        if first_row >= MAX_ROWS_PER_SHEET as u64 || first_col >= MAX_COLUMNS as u64 {
            return;
        }
        let clamp = |v: u64, max: u32| v.min(max as u64 - 1) as u32;
        self.merges.push(Merge {
            first_row: first_row as u32,
            first_col: first_col as u32,
            last_row: clamp(last_row.max(first_row), MAX_ROWS_PER_SHEET),
            last_col: clamp(last_col.max(first_col), MAX_COLUMNS),
        });
    }

    /// Rows `first..first+count` are hidden or filtered out.
    pub fn hide_rows(&mut self, first: u64, count: u64) {
        if count > 0 {
            self.hidden.push((first, count));
        }
    }

    /// The finished sheet. Merges count against the cell allowance by the
    /// rows they cover, since the grid indexes them per row.
    pub fn finish(mut self) -> Result<Grid, Error> {
        while matches!(self.rows.last(), Some(r) if r.is_empty()) {
            self.rows.pop();
        }
        let height = self.rows.len() as u64;
        for m in &self.merges {
            if (m.first_row as u64) < height {
                let covered = (m.last_row as u64).min(height - 1) - m.first_row as u64 + 1;
                self.check_cells(m.first_row as u64, m.first_col as u64, covered)?;
                self.budget.spend(covered as usize);
            }
        }
        let mut hidden_rows = Vec::new();
        for &(first, count) in &self.hidden {
            let end = first.saturating_add(count).min(height);
            hidden_rows.extend((first..end).map(|r| r as u32));
        }
        hidden_rows.sort_unstable();
        hidden_rows.dedup();
        let mut grid = Grid::new(self.file, self.sheet, self.rows, self.merges);
        grid.hidden = self.sheet_hidden;
        grid.hidden_rows = hidden_rows;
        Ok(grid)
    }
}

/// Inflate every member of a zip workbook into nothing, counting, before any
/// parser sees it: a small file that inflates to gigabytes is refused after
/// at most [`MAX_PART_BYTES`] of work, whatever sizes the archive declares.
pub fn check_zip(bytes: &[u8], file: &str) -> Result<(), Error> {
    let refuse = |message: String| Error::File {
        file: file.to_string(),
        message,
    };
    let mut zip = zip::ZipArchive::new(io::Cursor::new(bytes))
        .map_err(|e| refuse(format!("压缩结构已损坏，无法读取（技术信息：{e}）")))?;
    if zip.len() > MAX_ZIP_MEMBERS {
        return Err(refuse(format!(
            "压缩包内有 {} 个部件，超过了最多 {MAX_ZIP_MEMBERS} 个的上限，不像是正常的工作簿",
            zip.len()
        )));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut member = zip
            .by_index(i)
            .map_err(|e| refuse(format!("压缩结构已损坏，无法读取（技术信息：{e}）")))?;
        let name = member
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| format!("#{i}"));
        let size = io::copy(&mut (&mut member).take(MAX_PART_BYTES + 1), &mut io::sink()).map_err(
            |e| {
                refuse(format!(
                    "部件“{name}”无法解压，文件可能已损坏（技术信息：{e}）"
                ))
            },
        )?;
        if size > MAX_PART_BYTES {
            return Err(refuse(format!(
                "部件“{name}”解压后超过 {} MB 的上限，文件异常（可能是“压缩炸弹”），已拒绝读取",
                MAX_PART_BYTES / 1024 / 1024
            )));
        }
        total += size;
        if total > MAX_UNZIPPED_BYTES {
            return Err(refuse(format!(
                "解压后总大小超过 {} MB 的上限，文件异常，已拒绝读取",
                MAX_UNZIPPED_BYTES / 1024 / 1024
            )));
        }
    }
    Ok(())
}

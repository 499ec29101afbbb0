//! The previous 整改台账 read back, as staff left it (in Excel, WPS or
//! LibreOffice): through the run's [`Access`](crate::access::Access) and the
//! bounded workbook reader, columns found by their header (staff may insert
//! columns), every row by its key. A key that is empty, malformed or
//! repeated is refused at its cell: matching it to a problem by guesswork
//! could close the wrong item.

use super::xlsx::{self as w, HEADERS};
use crate::error::Error;
use crate::input::grid::{Cell, Grid};
use crate::source::CellRef;
use std::collections::BTreeMap;
use std::path::Path;

/// One row of the previous ledger, every cell as text.
#[derive(Debug, Clone)]
pub struct PrevRow {
    pub key: String,
    /// The key's cell, for messages.
    pub at: CellRef,
    /// Values by header.
    pub cells: BTreeMap<&'static str, String>,
}

impl PrevRow {
    pub fn get(&self, h: &str) -> &str {
        self.cells.get(h).map(String::as_str).unwrap_or("")
    }
}

/// The previous ledger.
#[derive(Debug, Clone)]
pub struct Previous {
    /// The file as the user named it.
    pub file: String,
    pub rows: Vec<PrevRow>,
    /// Keys the tool wrote last time (hidden sheet), with their row
    /// number then; none when the sheet is gone.
    pub written: Option<Vec<String>>,
}

/// Read the ledger at `path`, granted and recorded as an input of the run.
pub fn read(access: &crate::access::Access, path: &Path) -> Result<Previous, Error> {
    let label = path.display().to_string();
    let granted = access.check_read(path, crate::access::InputKind::ProjectFile)?;
    let grids = crate::input::grid::read_workbook(&granted, &label)?;
    parse(&grids, &label)
}

fn text(c: &Cell) -> String {
    c.display().trim().to_string()
}

pub fn parse(grids: &[Grid], label: &str) -> Result<Previous, Error> {
    let refuse = |message: String| Error::File {
        file: label.to_string(),
        message,
    };
    let sheet = grids
        .iter()
        .find(|g| &*g.sheet == w::SHEET)
        .ok_or_else(|| {
            refuse(format!(
                "没有名为“{}”的工作表，不像是 dudao ledger 写出的整改台账",
                w::SHEET
            ))
        })?;
    // The header row: the one naming the key column.
    let header_row = (0..sheet.rows.len().min(50) as u32)
        .find(|&r| (0..sheet.width()).any(|c| text(sheet.get(r, c)) == w::H_KEY))
        .ok_or_else(|| {
            refuse(format!(
                "工作表“{}”中找不到“{}”一栏（表头行被改动或删除），无法与本次结果对应",
                w::SHEET,
                w::H_KEY
            ))
        })?;
    let mut cols: BTreeMap<&'static str, u32> = BTreeMap::new();
    for c in 0..sheet.width() {
        let h = text(sheet.get(header_row, c));
        if let Some(name) = HEADERS.iter().find(|x| **x == h) {
            cols.entry(name).or_insert(c);
        }
    }
    let key_col = cols[w::H_KEY];
    let mut rows: Vec<PrevRow> = Vec::new();
    let mut errors = Vec::new();
    for r in header_row + 1..sheet.rows.len() as u32 {
        let at = CellRef::new(sheet.file.clone(), sheet.sheet.clone(), r, key_col);
        let cells: BTreeMap<&'static str, String> = cols
            .iter()
            .map(|(h, c)| (*h, text(sheet.get(r, *c))))
            .collect();
        let key = cells[w::H_KEY].clone();
        let filled = cells.iter().any(|(h, v)| *h != w::H_NO && !v.is_empty());
        if !filled {
            continue;
        }
        if !well_formed(&key) {
            errors.push(Error::cell(
                &at,
                if key.is_empty() {
                    format!(
                        "“{}”栏为空：这一行无法与本次结果对应。本栏由工具写入，请从上次生成的台账中恢复原值；新增的问题由工具列出，不必手工加行",
                        w::H_KEY
                    )
                } else {
                    format!(
                        "“{}”栏的“{key}”不是工具写入的标识（被改动过），无法与本次结果对应；请从上次生成的台账中恢复原值",
                        w::H_KEY
                    )
                },
            ));
            continue;
        }
        if let Some(first) = rows.iter().find(|x| x.key == key) {
            errors.push(Error::cell(
                &at,
                format!(
                    "标识“{key}”与 {} 重复（行被复制过）；请删去重复的一行",
                    first.at.cell
                ),
            ));
            continue;
        }
        rows.push(PrevRow { key, at, cells });
    }
    Error::from_list(errors)?;
    let written = grids.iter().find(|g| &*g.sheet == w::KEYS_SHEET).map(|g| {
        (1..g.rows.len() as u32)
            .map(|r| text(g.get(r, 0)))
            .filter(|k| !k.is_empty())
            .collect()
    });
    Ok(Previous {
        file: label.to_string(),
        rows,
        written,
    })
}

/// `学校|学段|指标`, each part present, the last one a form the tool writes.
pub fn well_formed(key: &str) -> bool {
    let parts: Vec<&str> = key.split(super::KEY_SEP).collect();
    let [scope, section, what] = parts.as_slice() else {
        return false;
    };
    let known_section = matches!(*section, "小学" | "初中" | "全校" | "全县");
    let known_what = {
        let id_like = |s: &str| {
            let mut ch = s.chars();
            matches!(ch.next(), Some('L' | 'G' | 'Q' | 'S'))
                && !ch.as_str().is_empty()
                && ch.as_str().chars().all(|c| c.is_ascii_digit())
        };
        id_like(what) || what.strip_prefix("CV-").is_some_and(id_like) || what.starts_with("目标")
    };
    !scope.trim().is_empty() && known_section && known_what
}

//! The previous 整改台账 read back, as staff left it (in Excel, WPS or
//! LibreOffice): through the run's [`Access`](crate::access::Access) and the
//! bounded workbook reader, columns found by their header (staff may insert
//! columns), every row by its key. A key that is empty, malformed or
//! repeated is refused at its cell: matching it to a problem by guesswork
//! could close the wrong item.

use super::xlsx::{self as w, HEADERS};
use crate::error::Error;
use crate::input::grid::{Cell, Grid};
use crate::output::excel::{self, Origin};
use crate::source::CellRef;
use std::collections::{BTreeMap, HashMap};
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
    /// Whose ledger it is, by its title, and where that was read.
    pub county: Option<Owner>,
}

/// The county a ledger names in its title.
#[derive(Debug, Clone)]
pub struct Owner {
    pub county: String,
    /// The whole title, as read.
    pub title: String,
    /// “工作表“整改台账”，单元格 A1” or “文档属性中的标题”.
    pub from: String,
}

impl Previous {
    /// Refuse another county's ledger: merged, its problems would all be
    /// closed as 已整改 and this county's listed as new. `any` is the user
    /// saying it is meant (`--ledger-any-county`).
    pub fn check_county(&self, county: &str, any: bool) -> Result<(), Error> {
        if any {
            return Ok(());
        }
        let refuse = |message: String| Error::File {
            file: self.file.clone(),
            message,
        };
        match &self.county {
            Some(o) if o.county == county.trim() => Ok(()),
            Some(o) => Err(refuse(format!(
                "这是“{}”的整改台账（{}为“{}”），不是计划文件中的“{county}”的；合并进来，它的问题都会被当作已整改。请确认选对了文件；确要沿用，请加 --ledger-any-county",
                o.county, o.from, o.title
            ))),
            None => Err(refuse(format!(
                "看不出这份整改台账是哪个县的（工作表“{}”的标题和文档属性中的标题都不是“某县{}”），无法确认它是“{county}”的；请使用 dudao ledger 写出的台账；确要沿用，请加 --ledger-any-county",
                w::SHEET,
                w::TITLE_SUFFIX
            ))),
        }
    }
}

/// Read the ledger at `path`, granted and recorded as an input of the run.
pub fn read(access: &crate::access::Access, path: &Path) -> Result<Previous, Error> {
    let label = path.display().to_string();
    let granted = access.check_read(path, crate::access::InputKind::ProjectFile)?;
    let grids = crate::input::grid::read_workbook(&granted, &label)?;
    let mut prev = parse(&grids, &label)?;
    if prev.county.is_none() {
        // Read as a workbook above: a regular file within the size limit.
        prev.county = access
            .read_bytes(&granted, crate::access::InputKind::Workbook, None)
            .ok()
            .and_then(properties_title)
            .and_then(|t| owner(&t, "文档属性中的标题".into()));
    }
    Ok(prev)
}

/// The county of a title `某县义务教育优质均衡发展整改台账`, whatever
/// follows it (`（示例数据）`, `（2024年5月）`).
fn owner(title: &str, from: String) -> Option<Owner> {
    let title = title.trim();
    let county = title[..title.find(w::TITLE_SUFFIX)?].trim();
    (!county.is_empty()).then(|| Owner {
        county: county.to_string(),
        title: title.to_string(),
        from,
    })
}

/// The title in the document properties (`docProps/core.xml` of an xlsx,
/// `meta.xml` of an ods), which Excel, WPS and LibreOffice keep when they
/// save.
fn properties_title(bytes: Vec<u8>) -> Option<String> {
    use quick_xml::events::Event;
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut xml = String::new();
    let part = ["docProps/core.xml", "meta.xml"]
        .into_iter()
        .find(|p| zip.index_for_name(p).is_some())?;
    // A title is a line; a few kilobytes of properties are plenty.
    zip.by_name(part)
        .ok()?
        .take(64 * 1024)
        .read_to_string(&mut xml)
        .ok()?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut in_title = false;
    let mut title = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => in_title = e.local_name().as_ref() == "title",
            Event::Text(t) if in_title => title.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_title => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    title.push(c);
                } else if let Some(s) =
                    quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                {
                    title.push_str(s);
                }
            }
            Event::End(_) if in_title => return Some(title),
            Event::Eof => return None,
            _ => {}
        }
    }
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
    // Whose ledger: the title the tool writes above the header.
    let county = (0..header_row).find_map(|r| {
        (0..sheet.width()).find_map(|c| {
            let at = crate::source::a1(r, c);
            owner(
                &text(sheet.get(r, c)),
                format!("工作表“{}”，单元格 {at} 的标题", w::SHEET),
            )
        })
    });
    let mut cols: BTreeMap<&'static str, u32> = BTreeMap::new();
    for c in 0..sheet.width() {
        let h = text(sheet.get(header_row, c));
        if let Some(name) = HEADERS.iter().find(|x| **x == h) {
            cols.entry(name).or_insert(c);
        }
    }
    let key_col = cols[w::H_KEY];
    let mut rows: Vec<PrevRow> = Vec::new();
    // Each key's first row, so that a repeat is found in one look-up.
    let mut first_at: HashMap<String, usize> = HashMap::new();
    let mut errors = Vec::new();
    for r in header_row + 1..sheet.rows.len() as u32 {
        let at = CellRef::new(sheet.file.clone(), sheet.sheet.clone(), r, key_col);
        let cells: BTreeMap<&'static str, String> = cols
            .iter()
            .map(|(h, c)| (*h, text(sheet.get(r, *c))))
            .collect();
        // What staff typed goes back into a cell of the next ledger: a text
        // Excel cannot hold is refused here, where it can be shortened.
        for (h, v) in &cells {
            let place = || {
                Origin::Cell(CellRef::new(
                    sheet.file.clone(),
                    sheet.sheet.clone(),
                    r,
                    cols[h],
                ))
            };
            if let Err(e) = excel::check_cell(v, place) {
                errors.push(e);
            }
        }
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
        if let Some(&first) = first_at.get(&key) {
            errors.push(Error::cell(
                &at,
                format!(
                    "标识“{key}”与 {} 重复（行被复制过）；请删去重复的一行",
                    rows[first].at.cell
                ),
            ));
            continue;
        }
        first_at.insert(key.clone(), rows.len());
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
        county,
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

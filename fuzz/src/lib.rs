//! The input path the fuzz targets drive, kept apart from the targets so
//! that `tests/fuzz_regressions.rs` runs every saved crash input through
//! exactly the same code on the stable toolchain (it includes this file
//! with `#[path]`).
//!
//! Each function returns the loader's own result: an `Err` is a correct
//! answer to bad input; only a panic, an abort or a hang is a finding.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use dudao::access::Access;
use dudao::error::Error;
use dudao::input::columns::Dictionary;
use dudao::input::{grid, plan::Plan, schools, yaml};

/// One scratch folder per process, reused by every run: a fresh temporary
/// directory per input would cost more than the parsing being fuzzed.
fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("scratch folder"))
        .path()
}

/// The workbook reader on `bytes`, as the file `file_name` (the content
/// picks the reader; the name only breaks ties).
fn read_workbook(bytes: &[u8], file_name: &str) -> Result<Vec<grid::Grid>, Error> {
    grid::read_workbook_bytes(bytes, file_name, file_name)
}

/// The whole school-data path on one workbook, as `input::load` runs it:
/// every sheet's header found and read, then the rows grouped into schools.
/// Returns the number of schools.
pub fn workbook(bytes: &[u8], file_name: &str) -> Result<usize, Error> {
    let dict = Dictionary::new(&BTreeMap::new()).expect("built-in column names");
    let grids = read_workbook(bytes, file_name)?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut not_tables = Vec::new();
    for g in &grids {
        if let Some(h) = schools::find_header(g, &dict) {
            match schools::read_sheet(g, &dict, h) {
                Ok(s) => rows.extend(s.rows),
                // A helper sheet without the required columns: skipped
                // when another sheet has schools, as `input::load` does.
                Err(schools::SheetError::NotATable(e)) => not_tables.push(e),
                Err(schools::SheetError::Rows(e)) => errors.push(e),
            }
        }
    }
    if rows.is_empty() {
        errors.extend(not_tables);
    }
    Error::from_list(errors)?;
    Ok(schools::group_schools(rows)?.len())
}

/// The plan checks `input::load` runs before it opens any workbook:
/// parse, the profile with `standards.set` applied, then the plan's own
/// cross-checks. The project folder is an empty scratch folder.
pub fn plan(bytes: &[u8]) -> Result<(), Error> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(()); // `input::load` reads the plan as UTF-8 text first.
    };
    let label = "plan.yaml";
    let plan: Plan = yaml::from_str(text, label)?;
    let project = scratch().join("project");
    let access = Access::new(&project.join(label));
    let profile = yaml::build_profile(&plan, &project, label, &access)?;
    yaml::check_plan(&plan, &profile, label)
}

/// A county's reported figures (`dudao review`'s `reported:` files): the
/// JSON of `dudao evaluate` when the bytes are text opening with `{`, else
/// a workbook in the published layout. Returns the figures read.
pub fn reported(bytes: &[u8]) -> Result<usize, Error> {
    use dudao::review::reported;
    let r = match std::str::from_utf8(bytes) {
        Ok(text) if text.trim_start().starts_with('{') => reported::parse_json(text, "上报.json")?,
        _ => {
            let label = "上报.xlsx";
            reported::read_published(&read_workbook(bytes, label)?, label)?
        }
    };
    Ok(r.cv.len() + r.schools.map_or(0, |s| s.len()))
}

/// The previous 整改台账 as staff left it, read back. Returns its rows.
pub fn ledger(bytes: &[u8]) -> Result<usize, Error> {
    let label = "整改台账.xlsx";
    let grids = read_workbook(bytes, label)?;
    Ok(dudao::ledger::read::parse(&grids, label)?.rows.len())
}

/// Last year's evaluation JSON (`data.previous.evaluation`). Returns its
/// school rows.
pub fn previous(bytes: &[u8]) -> Result<usize, Error> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(0); // read as UTF-8 text before it is parsed
    };
    let past = dudao::evaluate::previous::parse_evaluation(text, "上年.json")?;
    Ok(past.schools.len())
}

/// The fuzz targets, each by the name of its folder under `corpus/` and
/// `tests/fixtures/fuzz/`, with the file name its input is read as.
pub const TARGETS: [(&str, Option<&str>); 10] = [
    ("xlsx", Some("学校.xlsx")),
    ("xls", Some("学校.xls")),
    ("ods", Some("学校.ods")),
    ("csv", Some("学校.csv")),
    // Web systems' “.xls” that is really an HTML table.
    ("html", Some("学校.xls")),
    // Excel 2003 XML, saved as “.xml” (or “.xls”).
    ("spreadsheetml", Some("学校.xml")),
    ("plan", None),
    // A county's reported figures, read by `dudao review`.
    ("reported", Some("上报.xlsx")),
    // The previous 整改台账 read back by `dudao ledger --previous`.
    ("ledger", Some("整改台账.xlsx")),
    // Last year's evaluation JSON.
    ("previous", Some("上年.json")),
];

/// The file name target `name` reads its input as; None for the plan.
pub fn file_name(target: &str) -> Option<&'static str> {
    TARGETS
        .iter()
        .find(|(t, _)| *t == target)
        .unwrap_or_else(|| panic!("no fuzz target {target}"))
        .1
}

/// Runs target `name` on `bytes`: what the fuzzer and the regression test
/// both call. Ok carries the school count (0 for the plan).
pub fn run(target: &str, bytes: &[u8]) -> Result<usize, Error> {
    match (target, file_name(target)) {
        ("reported", _) => reported(bytes),
        ("ledger", _) => ledger(bytes),
        ("previous", _) => previous(bytes),
        (_, Some(f)) => workbook(bytes, f),
        (_, None) => plan(bytes).map(|()| 0),
    }
}

/// Every error must still say something: a message is what the user gets.
pub fn checked<T>(result: Result<T, Error>) -> Result<T, Error> {
    if let Err(e) = &result {
        assert!(!e.to_string().trim().is_empty(), "empty error message");
    }
    result
}

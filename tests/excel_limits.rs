//! Excel's limits (32,767 characters a cell, 31 a sheet name, 1,048,576
//! rows) met by every workbook the tool writes: refused in Chinese, naming
//! where the value came from or the cell it was to fill, and what to
//! shorten — never rust_xlsxwriter's English, never a half-written file.
//! The ledger's own cases (a staff cell, the plan's units) are in
//! tests/ledger.rs.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_dudao");

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/sixian")
        .join(name)
}

/// The example county with its first school renamed to `name`.
fn county_with_school_named(name: &str) -> dudao::model::County {
    let mut county = dudao::input::load(&example("plan.yaml"), &[]).unwrap();
    county.schools[0].name = name.to_string();
    county
}

fn long() -> String {
    "很长的学校名称".repeat(6_000)
}

fn assert_refused_in_chinese(e: &str, book: &str) {
    assert!(e.starts_with(&format!("{book}：工作表“")), "{e}");
    assert!(
        e.contains("：这段文字（“很长的学校名称很长的学校名称"),
        "{e}"
    );
    assert!(
        e.contains("有 42000 个字符，超过了 Excel 每个单元格最多 32767 个字符的上限，写不进工作簿；请把它缩短到 32767 个字符以内"),
        "{e}"
    );
    assert!(!e.contains("String exceeds"), "{e}");
}

#[test]
fn the_county_workbook_refuses_a_too_long_school_name_at_the_cell() {
    let county = county_with_school_named(&long());
    let e = dudao::evaluate::evaluate(&county);
    let err = dudao::output::xlsx::workbook(&e).unwrap_err().to_string();
    assert_refused_in_chinese(&err, "复核计算表");
    assert!(err.contains("，单元格 "), "{err}");
}

#[test]
fn the_published_table_writer_refuses_it_naming_its_file_sheet_and_cell() {
    let county = county_with_school_named(&long());
    let e = dudao::evaluate::evaluate(&county);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("上报表.xlsx");
    let err = dudao::review::reported::write_published_xlsx(&out, &e, None)
        .unwrap_err()
        .to_string();
    assert_refused_in_chinese(&err, &out.display().to_string());
    assert!(err.contains("工作表“学校达标情况表”，单元格 A"), "{err}");
    assert!(!out.exists());
}

#[test]
fn the_units_workbook_refuses_a_too_long_unit_name_and_writes_nothing() {
    // A task's lead unit of 42,000 characters: it heads its own sheet.
    let plan = std::fs::read_to_string(example("plan.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for f in [
        "泗县学校统计表（示例数据）.xlsx",
        "泗县上年学校统计表（示例数据）.xlsx",
    ] {
        std::fs::copy(example(f), dir.path().join(f)).unwrap();
    }
    let edited = plan.replacen("lead: [县教体局]", &format!("lead: [{}]", long()), 1);
    assert_ne!(edited, plan);
    std::fs::write(dir.path().join("plan.yaml"), edited).unwrap();
    let out = dir.path().join("责任清单.xlsx");
    let o = Command::new(BIN)
        .arg("units")
        .arg(dir.path().join("plan.yaml"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("责任清单工作簿：工作表“"), "{err}");
    assert!(
        err.contains("超过了 Excel 每个单元格最多 32767 个字符的上限"),
        "{err}"
    );
    assert!(!err.contains("String exceeds"), "{err}");
    assert!(!out.exists());
}

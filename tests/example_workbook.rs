//! The example workbook `examples/sixian/泗县学校统计表（示例数据）.xlsx` is
//! generated, not hand-made: `dudao::synth::county(150)` written in the messy
//! statistics-office layout by `dudao::synth::write_export_xlsx`. The test
//! below fails when the committed file differs from what the generator
//! makes now. After changing the generator, regenerate it with
//!
//!     cargo test --test example_workbook -- --ignored regenerate_example_workbook
//!
//! and commit the new workbook.

use std::path::{Path, PathBuf};

const TITLE: &str = "泗县2023—2024学年义务教育学校基本情况统计表（示例数据）";
const ROWS: usize = 150;

fn committed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sixian/泗县学校统计表（示例数据）.xlsx")
}

fn generate(to: &Path) {
    dudao::synth::write_export_xlsx(to, TITLE, &dudao::synth::county(ROWS))
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
#[ignore = "writes examples/sixian/泗县学校统计表（示例数据）.xlsx; run after changing dudao::synth"]
fn regenerate_example_workbook() {
    generate(&committed());
}

#[test]
fn example_workbook_is_up_to_date() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.xlsx");
    generate(&fresh);
    let want = std::fs::read(&fresh).unwrap();
    let have = std::fs::read(committed()).unwrap_or_default();
    assert!(
        have == want,
        "{} differs from what dudao::synth generates now; regenerate it with\n  \
         cargo test --test example_workbook -- --ignored regenerate_example_workbook",
        committed().display()
    );
}

#[test]
fn example_workbook_reads_as_generated() {
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sixian/plan.yaml");
    let county = dudao::input::load(&plan, &[]).unwrap_or_else(|e| panic!("{e}"));
    let schools = dudao::synth::county(ROWS);
    let diff = dudao::synth::differences(&county, &schools);
    assert!(diff.is_empty(), "{}", diff.join("\n"));
    // 小计 per township, one 合计, two footer lines.
    let towns: std::collections::BTreeSet<_> = schools.iter().map(|s| &s.township).collect();
    assert_eq!(county.skipped.len(), towns.len() + 1 + 2);
}

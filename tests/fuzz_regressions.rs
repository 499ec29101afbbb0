//! Every input a fuzz target (fuzz/, `cargo +nightly fuzz run NAME`) has
//! crashed on, kept under tests/fixtures/fuzz/<target>/, and the seed
//! corpus under fuzz/corpus/<target>/, run on the stable toolchain through
//! the very harness the fuzzer drives (included below) and through
//! `dudao check`. A panic, an abort or an empty message is a failure; an
//! error is a correct answer when it is Chinese and names the file.

#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The files of `dir`, sorted so failures read the same every run.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut list: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => return Vec::new(),
    };
    list.retain(|p| p.is_file() && !p.file_name().unwrap().to_string_lossy().starts_with('.'));
    list.sort();
    list
}

/// What one input gave: the harness's result, as text, or the panic.
fn outcome(target: &str, path: &Path) -> Result<usize, String> {
    let bytes = std::fs::read(path).unwrap();
    match std::panic::catch_unwind(|| harness::checked(harness::run(target, &bytes))) {
        Ok(Ok(n)) => Ok(n),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => panic!("{target}：{} 使程序崩溃（panic）", path.display()),
    }
}

const PLAN: &str = "\
county: 测试县
report:
  title: 测试县县域义务教育优质均衡发展自评报告
  issuer: 测试县人民政府教育督导委员会
  date: 2024-05-20
plan:
  title: 测试县推进义务教育优质均衡发展工作实施方案
  issuer: 测试县人民政府教育督导委员会
  date: 2023-07-14
";

/// `dudao check` on a project holding `input` as `file_name` (a workbook
/// target) or as plan.yaml (the plan target): (exit code, stderr).
fn dudao_check(input: &Path, file_name: Option<&str>) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.yaml");
    match file_name {
        Some(f) => {
            std::fs::copy(input, dir.path().join(f)).unwrap();
            std::fs::write(&plan, format!("{PLAN}data:\n  schools: [{f}]\n")).unwrap();
        }
        None => {
            std::fs::copy(input, &plan).unwrap();
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_dudao"))
        .arg("check")
        .arg(&plan)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{}：dudao check 崩溃：\n{stderr}",
        input.display()
    );
    (out.status.code().expect("exited, not killed"), stderr)
}

/// Runs every file under `base/<target>/` both ways. An error must be the
/// tool's own (starts with 错误：, is Chinese, names the input) and the
/// binary must agree with the harness about failing.
fn run_all(base: &Path) -> Vec<(String, Result<usize, String>)> {
    let mut seen = Vec::new();
    for (target, file_name) in harness::TARGETS {
        for input in files(&base.join(target)) {
            let inner = outcome(target, &input);
            let name = input.file_name().unwrap().to_string_lossy();
            seen.push((format!("{target}/{name}"), inner.clone()));
            let shown = input.display();
            if let Err(message) = &inner {
                assert!(
                    message
                        .chars()
                        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{shown}：错误信息不是中文：{message}"
                );
            }
            // The reported table, the ledger and last year's JSON reach the
            // binary only inside a whole county project or review; the
            // harness calls the very parser those commands call on the
            // file's bytes, so the binary adds nothing here.
            if matches!(target, "reported" | "ledger" | "previous") {
                // Its error still names the file (上报.xlsx or 上报.json …).
                let stem = file_name.and_then(|f| f.split('.').next()).unwrap_or("");
                if let Err(message) = &inner {
                    assert!(
                        message.contains(stem),
                        "{shown}：错误没有指出文件：{message}"
                    );
                }
                continue;
            }
            let (code, stderr) = dudao_check(&input, file_name);
            if inner.is_err() {
                assert_eq!(
                    code, 1,
                    "{shown}：载入失败，check 却退出 {code}：\n{stderr}"
                );
            }
            if code != 0 {
                assert_eq!(code, 1, "{shown}：\n{stderr}");
                assert!(stderr.starts_with("错误："), "{shown}：\n{stderr}");
            }
            // A plan that passed its own checks may still fail for the
            // workbook it names, which the project does not hold.
            let named = match (file_name, &inner) {
                (Some(f), _) if code != 0 => Some(f),
                (None, Err(_)) => Some("plan.yaml"),
                _ => None,
            };
            if let Some(named) = named {
                assert!(
                    stderr.contains(named),
                    "{shown}：错误没有指出文件 {named}：\n{stderr}"
                );
            }
        }
    }
    seen
}

/// What each kept crash input must give now: the school count, or words
/// of the located error. Every file under tests/fixtures/fuzz/<target>/
/// has a line.
const CRASHES: &[(&str, Result<usize, &str>)] = &[
    // calamine 0.38 panics on these; grid::read_workbook_bytes contains the
    // panic and says the file is damaged (the first is now refused earlier,
    // by the format sniffer). cfb.rs:320 slices `data[start..len]`
    // with start > len when a FAT chain names a sector past the end of a
    // truncated file; utils.rs:29 asserts a sector table's length is a
    // multiple of 4; xls.rs:1531 slices a formula past the end of its record.
    (
        "xls/cfb-fat-not-multiple-of-4.xls",
        Err("学校.xls：无法作为学校数据读取：这是 Office 复合文档，但里面没有工作簿"),
    ),
    // A repeated header whose table starts a row above it handed back its
    // own row as the first data row: read again for ever. Now always past it.
    (
        "csv/repeated-header-read-for-ever.csv",
        Err("学校.csv，工作表“学校”，单元格 A5：这一行有数据，但学校名称为空"),
    ),
    // The same loop, found by the html fuzzer in a web system's table.
    ("html/repeated-header-read-for-ever.xls", Ok(0)),
    // Not a panic but 2.5 GB for a 20 KB file: calamine builds each sheet
    // densely between cells far apart. Measured and refused before calamine.
    (
        "xls/dense-range-of-gigabytes.xls",
        Err(
            "学校.xls：工作簿记录的单元格范围有 40062225 个单元格，超过了最多 5000000 个单元格的上限",
        ),
    ),
    // Refused before calamine now: the cfb crate finds its FAT malformed.
    (
        "xls/cfb-sector-past-eof.xls",
        Err("学校.xls：工作簿无法读取，文件可能已损坏（技术信息：复合文档结构无效"),
    ),
    // calamine's own compound-file reader followed a directory chain with
    // no end until it asked for 2 GB; the cfb crate refuses the container.
    (
        "xls/directory-chain-without-end.xls",
        Err("学校.xls：工作簿无法读取，文件可能已损坏（技术信息：复合文档结构无效"),
    ),
    (
        "xls/formula-length-past-record.xls",
        Err("学校.xls：不是可读取的工作簿，文件已损坏"),
    ),
];

/// Crash inputs whose fix is not in yet, under tests/fixtures/fuzz/open/,
/// with the outcome they must give once it is. Moved to CRASHES (and the
/// file up a folder) when fixed.
const OPEN: &[(&str, Result<usize, &str>)] = &[];

fn check_against(base: &Path, table: &[(&str, Result<usize, &str>)]) {
    let seen = run_all(base);
    for (input, got) in &seen {
        let Some((_, want)) = table.iter().find(|(name, _)| name == input) else {
            panic!("{input}：没有写明它应得的结果：{got:?}");
        };
        match (want, got) {
            (Ok(n), Ok(m)) => assert_eq!(n, m, "{input}"),
            (Err(words), Err(message)) => {
                assert!(message.contains(words), "{input}：应含“{words}”：{message}")
            }
            _ => panic!("{input}：应得 {want:?}，实得 {got:?}"),
        }
    }
    assert_eq!(seen.len(), table.len(), "表里有已不存在的文件");
}

#[test]
fn crash_inputs_give_a_located_error_or_a_clean_result() {
    check_against(&root().join("tests/fixtures/fuzz"), CRASHES);
}

#[test]
fn open_crash_inputs_give_a_located_error() {
    check_against(&root().join("tests/fixtures/fuzz/open"), OPEN);
}

/// The seeds are real exports; their outcome moves with the readers, so
/// only the rules of `run_all` apply, and the real workbooks must load.
#[test]
fn seed_corpus_reads_without_a_panic() {
    let seen = run_all(&root().join("fuzz/corpus"));
    assert!(
        seen.len() >= 7,
        "fuzz/corpus 只有 {} 个种子文件",
        seen.len()
    );
    for (target, _) in harness::TARGETS {
        assert!(
            seen.iter()
                .any(|(name, _)| name.starts_with(&format!("{target}/"))),
            "fuzz/corpus/{target} 没有种子文件"
        );
    }
    for real in [
        "xlsx/sixian.xlsx",
        "xls/export.xls",
        "ods/export.ods",
        "reported/published-dudao.xlsx",
        "reported/published-openpyxl.xlsx",
        "reported/evaluation.json",
        "ledger/sixian-previous-ledger.xlsx",
        "previous/evaluation.json",
        "previous/with-previous.json",
    ] {
        let got = seen.iter().find(|(name, _)| name == real);
        assert!(
            matches!(got, Some((_, Ok(n))) if *n > 0),
            "{real}：应读出学校（或台账行、上报的数），实得 {got:?}"
        );
    }
}

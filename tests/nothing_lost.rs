//! Nothing a user has is lost, whoever wrote the input: the real binary on
//! copies of examples/sixian and on small cities made by `dudao init
//! --sample-counties`. An output never replaces an input (a county's
//! workbook named from outside its folder, a link to an input), a folder
//! is replaced only when it holds nothing but what the tool wrote, every
//! read is of a regular file within its size cap, and a multi-file output
//! is written whole or not at all. Every refusal: exit 1, a Chinese
//! message, no output, every input byte-identical. Each run has a time
//! limit, so that a read that blocks fails the test instead of hanging it.

#[path = "common/child.rs"]
mod child;

use child::snapshot;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const WORKBOOK: &str = "泗县学校统计表（示例数据）.xlsx";
const LAST_YEAR: &str = "泗县上年学校统计表（示例数据）.xlsx";

/// What a run of the binary left: exit code and stderr.
struct Run {
    code: Option<i32>,
    stderr: String,
}

/// The binary in `cwd`, killed and failed after `limit`.
fn dudao_within(cwd: &Path, args: &[&str], limit: Duration) -> Run {
    let (out, _) = child::dudao_within(cwd, args, limit);
    Run {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn dudao(cwd: &Path, args: &[&str]) -> Run {
    dudao_within(cwd, args, Duration::from_secs(300))
}

fn ok(r: &Run) {
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

/// The run failed with exit 1, said `message`, and nothing below `root`
/// changed: no output, no temporary file, every input as it was.
fn assert_refused(root: &Path, before: &BTreeMap<PathBuf, Vec<u8>>, r: &Run, message: &str) {
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains(message),
        "expected “{message}” in:\n{}",
        r.stderr
    );
    let after = snapshot(root);
    let changed: Vec<_> = after
        .keys()
        .chain(before.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(changed.is_empty(), "the folder changed: {changed:?}");
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A copy of examples/sixian: `<tmp>/p/plan.yaml`.
fn sixian() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("p");
    std::fs::create_dir(&p).unwrap();
    for name in ["plan.yaml", WORKBOOK, LAST_YEAR] {
        std::fs::copy(Path::new("examples/sixian").join(name), p.join(name)).unwrap();
    }
    (tmp, p)
}

/// `dudao init 市 --sample-counties n` in a new temporary folder.
fn city(n: usize) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    ok(&dudao(
        tmp.path(),
        &["init", "市", "--sample-counties", &n.to_string()],
    ));
    tmp
}

/// The first county of the city and its plan.
fn first_county(tmp: &Path) -> (PathBuf, PathBuf) {
    let dir = tmp.join("市").join(dudao::review::synth::county_name(0));
    let plan = dir.join("plan.yaml");
    assert!(plan.exists());
    (dir, plan)
}

/// Move the first county's workbook to `folder` (below the temporary
/// folder, outside the county's) and name it there in its plan.
fn workbook_outside(tmp: &Path, folder: &str) -> PathBuf {
    let (dir, plan) = first_county(tmp);
    let outside = tmp.join(folder);
    std::fs::create_dir_all(&outside).unwrap();
    let moved = outside.join("学校统计表.xlsx");
    std::fs::rename(dir.join("学校统计表.xlsx"), &moved).unwrap();
    let text = std::fs::read_to_string(&plan).unwrap();
    let named = format!("../../{folder}/学校统计表.xlsx");
    let text = text.replacen("- 学校统计表.xlsx", &format!("- {named}"), 1);
    assert!(text.contains(&named));
    std::fs::write(&plan, text).unwrap();
    moved
}

#[test]
fn review_never_replaces_a_folder_of_what_a_county_names() {
    let tmp = city(2);
    let root = tmp.path();
    // A folder made by hand that holds only the county's workbook.
    workbook_outside(root, "数据");
    ok(&dudao(
        root,
        &["review", "市/review.yaml", "--format", "json"],
    ));
    let before = snapshot(root);
    let r = dudao(root, &["review", "市/review.yaml", "-o", "数据"]);
    assert_refused(root, &before, &r, "不是本工具写出的文件（学校统计表.xlsx）");

    // The same file in a folder the tool wrote itself (`dudao init`, the
    // other files removed): the folder's list allows replacing it, the
    // county reading it does not.
    let made = root.join("新项目");
    ok(&dudao(root, &["init", "新项目", "--sample-schools", "30"]));
    std::fs::remove_file(made.join("plan.yaml")).unwrap();
    std::fs::remove_file(made.join("说明.txt")).unwrap();
    let (_, plan) = first_county(root);
    let text = std::fs::read_to_string(&plan).unwrap();
    std::fs::write(&plan, text.replace("../../数据/", "../../新项目/")).unwrap();
    let before = snapshot(root);
    let r = dudao(root, &["review", "市/review.yaml", "-o", "新项目"]);
    assert_refused(
        root,
        &before,
        &r,
        "输出文件夹 新项目 中有本次读取的输入文件（学校统计表）",
    );
    // Also when that county fails and the others are reviewed without
    // it: a second workbook missing, or a plan that does not even load.
    let named = text.replace("../../数据/", "../../新项目/");
    let missing = named.replace(
        "- ../../新项目/学校统计表.xlsx",
        "- ../../新项目/学校统计表.xlsx\n    - 不存在.xlsx",
    );
    assert!(missing.contains("不存在.xlsx"));
    for broken in [missing, format!("{named}\n未知的键: 1\n")] {
        std::fs::write(&plan, &broken).unwrap();
        let before = snapshot(root);
        let r = dudao(
            root,
            &["review", "市/review.yaml", "-o", "新项目", "--keep-going"],
        );
        assert_refused(
            root,
            &before,
            &r,
            "输出文件夹 新项目 中有本次读取的输入文件（学校统计表）",
        );
    }
}

#[test]
fn review_never_replaces_last_years_data_or_a_plan_folder() {
    let tmp = city(2);
    let root = tmp.path();
    let (dir, plan) = first_county(root);
    // Last year's evaluation JSON, named from outside the county's folder,
    // in a folder the tool wrote whole and nobody changed since (another
    // sample city, whose counties carry `dudao evaluate`'s JSON).
    ok(&dudao(root, &["init", "乙市", "--sample-counties", "2"]));
    let json = snapshot(&root.join("乙市"))
        .into_keys()
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a sample county's reported JSON");
    let named = json.strip_prefix(root).unwrap();
    let text = std::fs::read_to_string(&plan).unwrap();
    let text = text.replacen(
        "data:\n",
        &format!("data:\n  previous:\n    evaluation: ../../{}\n", s(named)),
        1,
    );
    std::fs::write(&plan, text).unwrap();
    let before = snapshot(root);
    let r = dudao(root, &["review", "市/review.yaml", "-o", "乙市"]);
    assert_refused(
        root,
        &before,
        &r,
        "输出文件夹 乙市 中有本次读取的输入文件（上年评估结果 JSON）",
    );

    // A county's folder, directly or through a link, is never the packet;
    // nor is REVIEW.yaml's.
    let link = root.join("链接");
    std::os::unix::fs::symlink(&dir, &link).unwrap();
    let before = snapshot(root);
    for out in [s(&dir).to_string(), "链接".into(), "市".into()] {
        let r = dudao(root, &["review", "市/review.yaml", "-o", &out]);
        assert_refused(root, &before, &r, "拒绝写入");
    }
}

#[test]
fn links_to_inputs_are_never_outputs() {
    let (tmp, p) = sixian();
    let root = tmp.path();
    let plan = p.join("plan.yaml");
    let hard = p.join("清单.xlsx");
    std::fs::hard_link(p.join(WORKBOOK), &hard).unwrap();
    let soft = root.join("台账.xlsx");
    std::os::unix::fs::symlink(p.join(LAST_YEAR), &soft).unwrap();
    let before = snapshot(root);
    let r = dudao(root, &["units", s(&plan), "-o", s(&hard)]);
    assert_refused(root, &before, &r, "就是本次读取的输入文件（学校统计表");
    let r = dudao(root, &["ledger", s(&plan), "-o", s(&soft)]);
    assert_refused(root, &before, &r, "就是本次读取的输入文件（学校统计表");
    // A folder holding a hard link to an input is not replaced either.
    let pages = p.join("报告-一校一表");
    std::fs::create_dir(&pages).unwrap();
    std::fs::hard_link(p.join(WORKBOOK), pages.join("甲.pdf")).unwrap();
    let before = snapshot(root);
    let r = dudao(
        root,
        &[
            "render",
            s(&plan),
            "--school-pages",
            "separate",
            "-o",
            s(&p.join("报告.pdf")),
        ],
    );
    assert_refused(root, &before, &r, "拒绝");
}

#[test]
fn a_special_file_as_review_profile_ends_at_its_line() {
    let tmp = city(1);
    let root = tmp.path();
    let fifo = root.join("市/管道.yaml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink("/dev/zero", root.join("市/零.yaml")).unwrap();
    let review = root.join("市/review.yaml");
    let text = std::fs::read_to_string(&review).unwrap();
    for (name, what) in [
        ("管道.yaml", "这是一个管道（FIFO），不是普通文件"),
        ("零.yaml", "这是一个设备文件，不是普通文件"),
    ] {
        let with = text.replacen("sample:", &format!("profile: {name}\nsample:"), 1);
        assert!(with.contains("profile:"));
        std::fs::write(&review, &with).unwrap();
        let line = with
            .lines()
            .position(|l| l.starts_with("profile:"))
            .unwrap()
            + 1;
        let before = snapshot(root);
        let r = dudao_within(
            root,
            &["review", "市/review.yaml", "-o", "复核"],
            Duration::from_secs(60),
        );
        assert_refused(root, &before, &r, &format!("市/review.yaml:{line}:10"));
        assert!(r.stderr.contains(what), "{}", r.stderr);
    }
}

/// The county's own `standards.profile` is refused at its line too.
#[test]
fn a_special_file_as_a_plans_profile_ends_at_its_line() {
    let (tmp, dir) = sixian();
    let root = tmp.path();
    let plan = dir.join("plan.yaml");
    std::os::unix::fs::symlink("/dev/zero", dir.join("零.yaml")).unwrap();
    let text = std::fs::read_to_string(&plan).unwrap();
    let with = text.replacen("\nstandards:\n", "\nstandards:\n  profile: 零.yaml\n", 1);
    assert!(with.contains("  profile: 零.yaml"));
    std::fs::write(&plan, &with).unwrap();
    let line = with
        .lines()
        .position(|l| l == "  profile: 零.yaml")
        .unwrap()
        + 1;
    let before = snapshot(root);
    let r = dudao_within(
        root,
        &["render", s(&plan), "-o", s(&dir.join("报告.pdf"))],
        Duration::from_secs(60),
    );
    assert_refused(root, &before, &r, &format!("plan.yaml:{line}:12"));
    assert!(
        r.stderr.contains("这是一个设备文件，不是普通文件"),
        "{}",
        r.stderr
    );
}

#[test]
fn oversize_files_are_refused_naming_the_cap() {
    let (tmp, p) = sixian();
    let root = tmp.path();
    let plan = p.join("plan.yaml");
    // Last year's evaluation JSON one byte over its cap, sparse.
    let json = p.join("上年.json");
    let f = std::fs::File::create(&json).unwrap();
    f.set_len(dudao::input::limits::MAX_EVALUATION_JSON_BYTES + 1)
        .unwrap();
    let text = std::fs::read_to_string(&plan).unwrap();
    let text = text.replacen(
        &format!("    schools:\n      - {LAST_YEAR}\n"),
        "    evaluation: 上年.json\n",
        1,
    );
    assert!(text.contains("evaluation: 上年.json"));
    std::fs::write(&plan, &text).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("evaluation: 上年.json"))
        .unwrap()
        + 1;
    let before = snapshot(root);
    let r = dudao_within(root, &["check", s(&plan)], Duration::from_secs(60));
    assert_refused(
        root,
        &before,
        &r,
        "文件大小超过上限 64 MB（上年评估结果 JSON）",
    );
    assert!(
        r.stderr.contains(&format!("plan.yaml:{line}:")),
        "{}",
        r.stderr
    );

    // /dev/zero through a link never ends: the cap ends the read.
    std::fs::remove_file(&json).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &json).unwrap();
    let before = snapshot(root);
    let r = dudao_within(root, &["check", s(&plan)], Duration::from_secs(60));
    assert_refused(root, &before, &r, "这是一个设备文件，不是普通文件");

    // A plan far past any real one.
    std::fs::remove_file(&json).unwrap();
    let big = p.join("大.yaml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(dudao::input::limits::MAX_PLAN_BYTES + 1)
        .unwrap();
    let before = snapshot(root);
    let r = dudao_within(root, &["check", s(&big)], Duration::from_secs(60));
    assert_refused(root, &before, &r, "文件大小超过上限 8 MB（计划文件）");
}

#[test]
fn units_failing_on_the_pdf_leaves_nothing() {
    let (tmp, p) = sixian();
    let root = tmp.path();
    let plan = p.join("plan.yaml");
    // The PDF cannot be moved into place: a folder of the user's stands
    // where it goes. The workbook written before it is taken back.
    let out = root.join("清单");
    std::fs::create_dir_all(out.join("责任清单.pdf")).unwrap();
    std::fs::write(out.join("责任清单.pdf/笔记.txt"), "我的").unwrap();
    let before = snapshot(root);
    let r = dudao(root, &["units", s(&plan), "-o", s(&out)]);
    assert_refused(root, &before, &r, "责任清单.pdf");
    // An earlier workbook stays as it was.
    std::fs::write(out.join("责任清单.xlsx"), "上次的").unwrap();
    let before = snapshot(root);
    let r = dudao(root, &["units", s(&plan), "-o", s(&out)]);
    assert_refused(root, &before, &r, "责任清单.pdf");
    // A template that fails: the folder asked for is not even made.
    let tpl = p.join("tpl");
    ok(&dudao(root, &["init", "--templates", s(&tpl)]));
    std::fs::write(tpl.join("units.typ.j2"), "{{ 未闭合").unwrap();
    let text = std::fs::read_to_string(&plan).unwrap();
    let text = text.replacen("  # templates: 模板 ", "  templates: tpl ", 1);
    assert!(text.contains("  templates: tpl "));
    std::fs::write(&plan, text).unwrap();
    let before = snapshot(root);
    let r = dudao(root, &["units", s(&plan), "-o", s(&root.join("新"))]);
    assert_refused(root, &before, &r, "units.typ.j2");
}

#[test]
fn a_folder_with_a_users_file_is_never_replaced() {
    let (tmp, p) = sixian();
    let root = tmp.path();
    let plan = p.join("plan.yaml");
    let pdf = p.join("报告.pdf");
    let args = [
        "render",
        s(&plan),
        "--school-pages",
        "separate",
        "--no-system-fonts",
        "-o",
        s(&pdf),
    ];
    ok(&dudao(root, &args));
    let pages = p.join("报告-一校一表");
    let first = std::fs::read_dir(&pages).unwrap().count();
    assert!(first > 2);
    // Written again: the tool's own folder is replaced.
    ok(&dudao(root, &args));
    // A file of the user's, of the very kind the tool writes, stops it.
    std::fs::write(pages.join("我的说明.pdf"), "%PDF 我的").unwrap();
    let before = snapshot(root);
    assert_refused(root, &before, &dudao(root, &args), "我的说明.pdf");
    std::fs::remove_file(pages.join("我的说明.pdf")).unwrap();
    // So does a school page edited since.
    let edited = std::fs::read_dir(&pages)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .unwrap();
    std::fs::write(&edited, "%PDF 改过").unwrap();
    let before = snapshot(root);
    assert_refused(root, &before, &dudao(root, &args), "被改动过");

    // The review packet and --emit-typ alike.
    let typ = root.join("typ");
    std::fs::create_dir(&typ).unwrap();
    std::fs::write(typ.join("main.typ"), "我的排版").unwrap();
    let before = snapshot(root);
    let r = dudao(
        root,
        &[
            "render",
            s(&plan),
            "--school-pages",
            "none",
            "--emit-typ",
            s(&typ),
            "-o",
            s(&root.join("x.pdf")),
        ],
    );
    assert_refused(root, &before, &r, "不是本工具写出的文件（main.typ）");
}

/// The places that may open a file, each with its reason. Everything
/// else reads through `src/access.rs`, which checks the file's kind and
/// caps its size.
const ALLOWED_READS: &[(&str, &str, &str)] = &[(
    "src/output/mod.rs",
    "fs::copy(",
    "keeps the tool's own earlier output aside while a multi-file output is moved in, to restore it on failure",
)];

const READS: &[&str] = &[
    "fs::read_to_string(",
    "fs::read(",
    "File::open(",
    "OpenOptions::new(",
    "fs::copy(",
    // csv and other readers that open a path themselves.
    "from_path(",
    "calamine::open_workbook(",
];

/// Whether `line` calls `read` itself (`File::open(`, not
/// `CompoundFile::open(` on bytes in memory).
fn calls(line: &str, read: &str) -> bool {
    line.match_indices(read).any(|(i, _)| {
        !line[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

#[test]
fn every_read_goes_through_the_access_module() {
    let mut found = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    let mut todo = vec![PathBuf::from("src")];
    while let Some(dir) = todo.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                todo.push(path);
                continue;
            }
            if path.extension().is_none_or(|x| x != "rs") || path == Path::new("src/access.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Unit tests (at the end of each file) read their own files.
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for (n, line) in code.lines().enumerate() {
                for read in READS {
                    let allowed = ALLOWED_READS
                        .iter()
                        .any(|(f, r, _)| Path::new(f) == path && r == read);
                    if !calls(line, read) {
                        continue;
                    }
                    if allowed {
                        used.insert((path.clone(), *read));
                    } else {
                        found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "read through crate::access (Access::read_text / read_bytes, access::read_file) instead:\n{}",
        found.join("\n")
    );
    // An exception nothing needs any more is taken off the list.
    for (file, read, _) in ALLOWED_READS {
        assert!(
            used.contains(&(PathBuf::from(file), *read)),
            "{file} no longer calls {read}: remove it from ALLOWED_READS"
        );
    }
}

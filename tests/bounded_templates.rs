//! A runaway report template ends in a located Chinese error, never a hang
//! or an abort: minijinja's loops run out of fuel, typst's compile is
//! stopped after `--template-timeout`, memory past `--memory-limit` is an
//! ordinary error, and a reviewing body does not run a county's templates
//! unless REVIEW.yaml says so. The real binary on copies of examples/sixian;
//! every child is killed after a hard deadline, so that a regression fails
//! instead of hanging the suite.

#[path = "common/child.rs"]
mod child;
#[path = "common/templates.rs"]
mod templates;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

const WORKBOOKS: [&str; 2] = [
    "泗县学校统计表（示例数据）.xlsx",
    "泗县上年学校统计表（示例数据）.xlsx",
];

/// The line of body.typ.j2 a loop is put after: markup mode, early on.
const AFTER: &str = "= 一、基本情况";

/// Runs the binary in `cwd`, killing it after `limit`.
fn dudao(cwd: &Path, args: &[&str], limit: Duration) -> (Output, Duration) {
    child::dudao_within(cwd, args, limit)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Ended with the ordinary error code, not killed by a signal (SIGABRT).
fn assert_failed_cleanly(out: &Output) {
    let err = stderr(out);
    assert_eq!(out.status.signal(), None, "killed by a signal: {err}");
    assert_eq!(out.status.code(), Some(1), "{err}");
}

/// A copy of examples/sixian with its templates copied out to `tpl/` and
/// named by the plan: `<tmp>/p/plan.yaml`.
struct Project {
    tmp: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("p");
        std::fs::create_dir(&p).unwrap();
        for name in WORKBOOKS.iter().chain(&["plan.yaml"]) {
            std::fs::copy(Path::new("examples/sixian").join(name), p.join(name)).unwrap();
        }
        let (out, _) = dudao(&p, &["init", "tpl", "--templates"], Duration::from_secs(60));
        assert!(out.status.success(), "{}", stderr(&out));
        let plan = std::fs::read_to_string(p.join("plan.yaml")).unwrap();
        let plan = plan.replacen("  # templates: 模板 ", "  templates: tpl ", 1);
        assert!(plan.contains("  templates: tpl "));
        std::fs::write(p.join("plan.yaml"), plan).unwrap();
        Project { tmp }
    }

    fn dir(&self) -> PathBuf {
        self.tmp.path().join("p")
    }

    /// Puts `line` into the county's body.typ.j2; its line number.
    fn edit_body(&self, line: &str) -> usize {
        templates::insert_after(&self.dir().join("tpl/body.typ.j2"), AFTER, line)
    }

    /// An empty output folder inside the project.
    fn out_dir(&self) -> PathBuf {
        let out = self.dir().join("out");
        std::fs::create_dir(&out).unwrap();
        out
    }
}

/// Nothing at all in `dir`: no report, no temporary file, no staged folder.
fn assert_empty(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "left in {}: {left:?}", dir.display());
}

#[test]
fn a_minijinja_loop_of_ten_billion_steps_runs_out_of_fuel_at_its_line() {
    let p = Project::new();
    let line = p.edit_body(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    );
    let out_dir = p.out_dir();
    let (out, took) = dudao(
        &p.dir(),
        &["render", "plan.yaml", "-o", "out/报告.pdf"],
        Duration::from_secs(240),
    );
    let err = stderr(&out);
    assert_failed_cleanly(&out);
    assert!(err.contains(&format!("body.typ.j2:{line}")), "{err}");
    assert!(
        err.contains("模板运行超过") && err.contains("步，已停止"),
        "{err}"
    );
    assert_empty(&out_dir);
    eprintln!("out of fuel after {took:?}");
}

#[test]
fn a_typst_loop_of_ten_billion_steps_stops_after_the_timeout() {
    let p = Project::new();
    p.edit_body("#for i in range(100000) { for j in range(100000) { } }");
    let out_dir = p.out_dir();
    // The PDF, and the Word document's compile for typst's HTML target.
    for out_file in ["out/报告.pdf", "out/报告.docx"] {
        let args = [
            "render",
            "plan.yaml",
            "-o",
            out_file,
            "--template-timeout",
            "5",
        ];
        let (out, took) = dudao(&p.dir(), &args, Duration::from_secs(180));
        let err = stderr(&out);
        assert_failed_cleanly(&out);
        assert!(err.contains("模板运行超过 5 秒"), "{err}");
        // The one template the county changed is named.
        assert!(err.contains("tpl/body.typ.j2"), "{err}");
        assert_empty(&out_dir);
        // Loading the data and rendering the other templates come on top.
        assert!(took < Duration::from_secs(120), "took {took:?}");
    }
}

/// The 责任清单 runs the county's units template too: a runaway loop there
/// stops as in the report, and names the units template.
#[test]
fn a_units_template_that_runs_away_is_named() {
    let p = Project::new();
    templates::insert_after(
        &p.dir().join("tpl/units-body.typ.j2"),
        "{% for unit in unit_list.units %}",
        "#for i in range(100000) { for j in range(100000) { } }",
    );
    let out_dir = p.out_dir();
    let args = ["units", "plan.yaml", "-o", "out", "--template-timeout", "5"];
    let (out, _) = dudao(&p.dir(), &args, Duration::from_secs(180));
    let err = stderr(&out);
    assert_failed_cleanly(&out);
    assert!(err.contains("模板运行超过 5 秒"), "{err}");
    assert!(err.contains("tpl/units-body.typ.j2"), "{err}");
    assert_empty(&out_dir);
}

/// Far above what 泗县's report needs, far below what the template asks.
const MEMORY_LIMIT: &str = "2000";

#[test]
fn a_typst_array_of_two_billion_is_a_memory_error_not_an_abort() {
    let p = Project::new();
    p.edit_body("#let big = range(2000000000)");
    let out_dir = p.out_dir();
    let (out, _) = dudao(
        &p.dir(),
        &[
            "render",
            "plan.yaml",
            "-o",
            "out/报告.pdf",
            "--memory-limit",
            MEMORY_LIMIT,
        ],
        Duration::from_secs(180),
    );
    let err = stderr(&out);
    assert_failed_cleanly(&out);
    assert!(
        err.contains(&format!("内存超过上限 {MEMORY_LIMIT} MB")),
        "{err}"
    );
    assert!(err.contains("tpl/body.typ.j2"), "{err}");
    assert_empty(&out_dir);
}

#[test]
fn a_minijinja_string_of_gigabytes_is_a_memory_error_not_an_abort() {
    let p = Project::new();
    // minijinja itself refuses one repetition this long, at its line.
    let line = p.edit_body("{% set big = \"x\" * 3000000000 %}{{ big|length }}");
    let out_dir = p.out_dir();
    let args = [
        "render",
        "plan.yaml",
        "-o",
        "out/报告.pdf",
        "--memory-limit",
        "1000",
    ];
    let (out, _) = dudao(&p.dir(), &args, Duration::from_secs(180));
    let err = stderr(&out);
    assert_failed_cleanly(&out);
    assert!(
        err.contains(&format!("body.typ.j2:{line}：重复生成的文字过长")),
        "{err}"
    );
    assert_empty(&out_dir);

    // Doubled up to 1.6 GB within the fuel, it meets the memory cap.
    let p = Project::new();
    p.edit_body(
        "{% set s = \"x\" * 100000000 %}{% set s = s ~ s %}{% set s = s ~ s %}{% set s = s ~ s %}{% set s = s ~ s %}{{ s|length }}",
    );
    let out_dir = p.out_dir();
    let (out, _) = dudao(&p.dir(), &args, Duration::from_secs(180));
    let err = stderr(&out);
    assert_failed_cleanly(&out);
    assert!(err.contains("内存超过上限 1000 MB"), "{err}");
    assert!(err.contains("main.typ.j2"), "{err}");
    assert_empty(&out_dir);
}

#[test]
fn limits_must_be_positive_numbers() {
    let p = Project::new();
    for flag in ["--template-timeout", "--memory-limit"] {
        let (out, _) = dudao(
            &p.dir(),
            &["render", "plan.yaml", flag, "0"],
            Duration::from_secs(60),
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("参数取值无效"), "{}", stderr(&out));
    }
}

/// `dudao init 市 --sample-counties 2` whose first county's plan names a
/// templates folder with a loop that never ends.
fn review_with_runaway_county() -> (tempfile::TempDir, PathBuf, String) {
    let tmp = tempfile::tempdir().unwrap();
    let (out, _) = dudao(
        tmp.path(),
        &["init", "市", "--sample-counties", "2"],
        Duration::from_secs(120),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let city = tmp.path().join("市");
    let yaml = std::fs::read_to_string(city.join("review.yaml")).unwrap();
    let first = yaml
        .lines()
        .find_map(|l| l.trim().strip_prefix("- plan: "))
        .unwrap()
        .to_string();
    let county_dir = city.join(Path::new(&first).parent().unwrap());
    let (out, _) = dudao(
        &county_dir,
        &["init", "tpl", "--templates"],
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    templates::insert_after(
        &county_dir.join("tpl/body.typ.j2"),
        AFTER,
        "#for i in range(100000) { for j in range(100000) { } }",
    );
    let plan_path = city.join(&first);
    let plan = std::fs::read_to_string(&plan_path).unwrap();
    let plan = plan.replacen("report:\n", "report:\n  templates: tpl\n", 1);
    assert!(plan.contains("  templates: tpl\n"), "{plan}");
    std::fs::write(&plan_path, plan).unwrap();
    (tmp, city, first)
}

#[test]
fn a_reviewing_body_does_not_run_a_countys_templates_unless_told() {
    let (tmp, city, first) = review_with_runaway_county();
    // The sample's county folders are named after their counties.
    let county = Path::new(&first)
        .parent()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let (out, _) = dudao(
        tmp.path(),
        &[
            "review",
            "市/review.yaml",
            "-o",
            "复核",
            "--with-reports",
            "--template-timeout",
            "60",
        ],
        Duration::from_secs(400),
    );
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("各县自评报告使用内置模板"), "{err}");
    assert!(err.contains("计划文件指定的模板（tpl）未使用"), "{err}");
    let pdfs = std::fs::read_dir(tmp.path().join("复核"))
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().ends_with("自评报告.pdf")
        })
        .count();
    assert_eq!(pdfs, 2, "{err}");

    // Told to, it runs them, and the runaway county's report is stopped.
    let yaml = std::fs::read_to_string(city.join("review.yaml")).unwrap();
    let yaml = yaml.replacen("report_templates: builtin", "report_templates: county", 1);
    std::fs::write(city.join("review.yaml"), yaml).unwrap();
    let (out, _) = dudao(
        tmp.path(),
        &[
            "review",
            "市/review.yaml",
            "-o",
            "复核2",
            "--with-reports",
            "--template-timeout",
            "5",
        ],
        Duration::from_secs(400),
    );
    let err = stderr(&out);
    assert_failed_cleanly(&out);
    let failed = err
        .lines()
        .find(|l| l.contains(&format!("【{county}】自评报告生成失败")))
        .unwrap_or_else(|| panic!("{err}"));
    // (The other county may time out too beside the runaway on a busy
    // machine; only the runaway one is certain.)
    assert!(failed.contains("模板运行超过 5 秒"), "{err}");
    assert!(failed.contains("tpl/body.typ.j2"), "{err}");
    assert!(!tmp.path().join("复核2").exists(), "{err}");
    let staged: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".dudao"))
        .collect();
    assert!(staged.is_empty(), "{staged:?}");
}

#[test]
fn a_memory_cap_met_outside_a_template_worker_leaves_no_staged_packet() {
    // The packet folder is staged before the county reports are laid out;
    // the cap is met on typst's or the report workers' threads, which
    // nobody may park: the process exits from the allocator itself.
    let tmp = tempfile::tempdir().unwrap();
    let (out, _) = dudao(
        tmp.path(),
        &["init", "市", "--sample-counties", "2"],
        Duration::from_secs(120),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let (out, _) = dudao(
        tmp.path(),
        &[
            "review",
            "市/review.yaml",
            "-o",
            "复核",
            "--with-reports",
            "--memory-limit",
            "300",
        ],
        Duration::from_secs(300),
    );
    let err = stderr(&out);
    assert_failed_cleanly(&out);
    assert!(err.contains("内存超过上限 300 MB"), "{err}");
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "市")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn watch_stops_when_a_template_runs_away() {
    let p = Project::new();
    p.edit_body("#for i in range(100000) { for j in range(100000) { } }");
    let out_dir = p.out_dir();
    // It ends by itself: a watch cannot stop the runaway compile.
    let (out, _) = dudao(
        &p.dir(),
        &[
            "watch",
            "plan.yaml",
            "-o",
            "out/报告.pdf",
            "--template-timeout",
            "5",
        ],
        Duration::from_secs(180),
    );
    let err = stderr(&out);
    assert_failed_cleanly(&out);
    assert!(err.contains("模板运行超过 5 秒"), "{err}");
    assert!(err.contains("监视已停止"), "{err}");
    assert_empty(&out_dir);
}

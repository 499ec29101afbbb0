//! Outputs never destroy inputs, and a run reads only what it may: the real
//! binary on a copy of the example project, every refusal checked for its
//! exit code, its Chinese message, and a project folder left exactly as it
//! was (no output appeared, every input unchanged byte for byte).

#[path = "common/child.rs"]
mod child;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const WORKBOOK: &str = "泗县学校统计表（示例数据）.xlsx";

/// A copy of examples/sixian in a fresh folder: `<tmp>/p/plan.yaml`.
struct Project {
    tmp: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("p");
        std::fs::create_dir(&p).unwrap();
        // The example also compares with last year's workbook.
        for name in ["plan.yaml", WORKBOOK, "泗县上年学校统计表（示例数据）.xlsx"] {
            std::fs::copy(Path::new("examples/sixian").join(name), p.join(name)).unwrap();
        }
        Project { tmp }
    }

    fn root(&self) -> &Path {
        self.tmp.path()
    }

    fn dir(&self) -> PathBuf {
        self.tmp.path().join("p")
    }

    fn plan(&self) -> PathBuf {
        self.dir().join("plan.yaml")
    }

    /// Use a templates folder `tpl` made by `dudao init --templates`.
    fn with_templates(&self) -> PathBuf {
        let tpl = self.dir().join("tpl");
        let out = dudao(&["init", "--templates"], &[&tpl]);
        assert!(out.status.success(), "{}", stderr(&out));
        let plan = std::fs::read_to_string(self.plan()).unwrap();
        let plan = plan.replacen("  # templates: 模板 ", "  templates: tpl ", 1);
        assert!(plan.contains("  templates: tpl "));
        std::fs::write(self.plan(), plan).unwrap();
        tpl
    }

    /// Every file below the temporary folder, with its bytes (FIFOs and
    /// links by kind only: reading a FIFO blocks).
    fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        child::snapshot(self.root())
    }
}

fn dudao(args: &[&str], paths: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dudao"))
        .args(args)
        .args(paths)
        .output()
        .unwrap()
}

fn run(args: &[&str]) -> Output {
    dudao(args, &[])
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The run failed with exit 1, said `message`, and changed nothing.
fn assert_refused(p: &Project, before: &BTreeMap<PathBuf, Vec<u8>>, out: &Output, message: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(message), "expected “{message}” in:\n{err}");
    let after = p.snapshot();
    assert!(
        before == &after,
        "the folder changed: {:?}",
        after
            .keys()
            .filter(|k| before.get(*k) != after.get(*k))
            .collect::<Vec<_>>()
    );
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn outputs_onto_inputs_are_refused() {
    let p = Project::new();
    let plan = p.plan();
    let workbook = p.dir().join(WORKBOOK);
    let before = p.snapshot();

    let out = run(&["evaluate", s(&plan), "--format", "json", "-o", s(&plan)]);
    assert_refused(
        &p,
        &before,
        &out,
        &format!(
            "输出文件 {} 就是本次读取的输入文件（计划文件），拒绝覆盖；请换一个输出文件名",
            plan.display()
        ),
    );
    let out = run(&["evaluate", s(&plan), "--format", "xlsx", "-o", s(&workbook)]);
    assert_refused(
        &p,
        &before,
        &out,
        "就是本次读取的输入文件（学校统计表），拒绝覆盖",
    );
    // Through a relative path with `..` and a symlink to the folder.
    let link = p.root().join("link");
    std::os::unix::fs::symlink(p.dir(), &link).unwrap();
    let before = p.snapshot();
    let sideways = link.join("..").join("p").join(WORKBOOK);
    let out = run(&["evaluate", s(&plan), "--format", "xlsx", "-o", s(&sideways)]);
    assert_refused(&p, &before, &out, "（学校统计表），拒绝覆盖");
    // A hard link is the same file under another name.
    let hard = p.dir().join("副本.xlsx");
    std::fs::hard_link(&workbook, &hard).unwrap();
    let before = p.snapshot();
    let out = run(&["evaluate", s(&plan), "--format", "xlsx", "-o", s(&hard)]);
    assert_refused(&p, &before, &out, "（学校统计表），拒绝覆盖");
    // A workbook named with --schools, refused before any render.
    let out = run(&[
        "render",
        s(&plan),
        "--schools",
        s(&hard),
        "-o",
        s(&workbook),
    ]);
    assert_refused(&p, &before, &out, "（学校统计表），拒绝覆盖");
    let out = run(&["render", s(&plan), "-o", s(&plan)]);
    assert_refused(&p, &before, &out, "（计划文件），拒绝覆盖");
    // --emit-typ into the project folder would replace it.
    let out = run(&["render", s(&plan), "--emit-typ", s(&p.dir())]);
    assert_refused(&p, &before, &out, "中有本次读取的输入文件（计划文件");
}

#[test]
fn outputs_onto_templates_and_fonts_are_refused() {
    let p = Project::new();
    let tpl = p.with_templates();
    let fonts = p.dir().join("字体");
    std::fs::create_dir(&fonts).unwrap();
    let font = fonts.join("FandolFang-Regular.otf");
    std::fs::copy("fonts/FandolFang-Regular.otf", &font).unwrap();
    let before = p.snapshot();
    let plan = p.plan();

    let body = tpl.join("body.typ.j2");
    let out = run(&["render", s(&plan), "--school-pages", "none", "-o", s(&body)]);
    assert_refused(
        &p,
        &before,
        &out,
        "就是本次读取的输入文件（报告模板），拒绝覆盖",
    );
    let out = run(&[
        "render",
        s(&plan),
        "--school-pages",
        "none",
        "--no-system-fonts",
        "--font-path",
        s(&fonts),
        "-o",
        s(&font),
    ]);
    assert_refused(
        &p,
        &before,
        &out,
        "就是本次读取的输入文件（字体文件），拒绝覆盖",
    );
}

#[test]
fn special_files_are_refused_before_opening() {
    let p = Project::new();
    let plan = p.plan();
    let fifo = p.dir().join("管道.xlsx");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let before = p.snapshot();

    let out = run(&["check", s(&plan), "--schools", s(&fifo)]);
    assert_refused(
        &p,
        &before,
        &out,
        &format!(
            "{}：这是一个管道（FIFO），不是普通文件，拒绝读取",
            fifo.display()
        ),
    );
    let out = run(&["check", s(&plan), "--schools", "/dev/zero"]);
    assert_refused(
        &p,
        &before,
        &out,
        "/dev/zero：这是一个设备文件，不是普通文件，拒绝读取",
    );
    let out = run(&["check", s(&plan), "--schools", s(p.root())]);
    assert_refused(
        &p,
        &before,
        &out,
        "：这是一个文件夹，不是普通文件，拒绝读取",
    );

    // The same in the plan's own list.
    let text = std::fs::read_to_string(&plan).unwrap();
    std::fs::write(&plan, text.replace(WORKBOOK, "管道.xlsx")).unwrap();
    let before = p.snapshot();
    let out = run(&["check", s(&plan)]);
    assert_refused(
        &p,
        &before,
        &out,
        "管道.xlsx：这是一个管道（FIFO），不是普通文件",
    );
}

#[test]
fn template_includes_stay_in_the_templates_folder() {
    let p = Project::new();
    let tpl = p.with_templates();
    std::fs::write(p.root().join("secret.txt"), "机密").unwrap();
    std::os::unix::fs::symlink("../../secret.txt", tpl.join("link.j2")).unwrap();
    let body = std::fs::read_to_string(tpl.join("body.typ.j2")).unwrap();
    let plan = p.plan();
    for name in ["/etc/passwd", "../secret.txt", "link.j2"] {
        let mut lines: Vec<&str> = body.lines().collect();
        let include = format!("{{% include \"{name}\" %}}");
        lines.insert(2, &include);
        std::fs::write(tpl.join("body.typ.j2"), lines.join("\n")).unwrap();
        let before = p.snapshot();
        let out = run(&["render", s(&plan), "--school-pages", "none"]);
        assert_refused(
            &p,
            &before,
            &out,
            &format!(
                "report_templates/body.typ.j2:3：模板只能引用模板文件夹中的文件，拒绝读取“{name}”"
            ),
        );
    }
}

#[test]
fn typst_reads_stay_in_the_project() {
    let p = Project::new();
    let tpl = p.with_templates();
    let style = std::fs::read_to_string(tpl.join("style.typ")).unwrap();
    std::fs::write(p.root().join("x.png"), "not an image").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", p.dir().join("pw.txt")).unwrap();
    let fifo = p.dir().join("管道");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let plan = p.plan();
    for (code, message) in [
        (
            "#read(\"/pw.txt\")",
            "（指向 /etc/passwd）在项目目录之外".to_string(),
        ),
        (
            "#image(\"../x.png\")",
            "would escape the project root".into(),
        ),
        (
            "#read(\"/管道\")",
            "这是一个管道（FIFO），不是普通文件，拒绝读取".into(),
        ),
    ] {
        std::fs::write(tpl.join("style.typ"), format!("{style}\n{code}\n")).unwrap();
        let before = p.snapshot();
        let out = run(&["render", s(&plan), "--school-pages", "none"]);
        assert_refused(&p, &before, &out, &message);
    }
}

#[test]
fn a_default_output_name_stays_in_the_project() {
    let p = Project::new();
    let plan = p.plan();
    let text = std::fs::read_to_string(&plan).unwrap();
    let text = text.replacen(
        "  title: 泗县县域义务教育优质均衡发展自评报告",
        "  title: ../../逃出/报告",
        1,
    );
    std::fs::write(&plan, text).unwrap();
    let out = run(&["render", s(&plan), "--school-pages", "none"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let expected = p.dir().join("_.._逃出_报告.pdf");
    assert!(std::fs::read(&expected).unwrap().starts_with(b"%PDF"));
    let mut top: Vec<_> = std::fs::read_dir(p.root())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    top.sort();
    assert_eq!(top, ["p"], "nothing written outside the project folder");
}

/// Five schools, two of which become the same file name once sanitised.
fn five_schools(p: &Project) -> PathBuf {
    let mut schools: Vec<_> = dudao::synth::county(40)
        .into_iter()
        .filter(|s| s.school_type == dudao::model::SchoolType::Primary && s.whole.is_empty())
        .take(5)
        .collect();
    assert_eq!(schools.len(), 5);
    schools[0].name = "城关/第一小学".into();
    schools[1].name = "城关:第一小学".into();
    schools[2].name = "..隐藏小学".into();
    let path = p.dir().join("五校.xlsx");
    dudao::synth::write_clean_xlsx(&path, &schools).unwrap();
    // And the first four alone, as a later year's statistics.
    dudao::synth::write_clean_xlsx(&p.dir().join("四校.xlsx"), &schools[..4]).unwrap();
    path
}

#[test]
fn separate_school_files_never_collide() {
    let p = Project::new();
    let schools = five_schools(&p);
    let pdf = p.dir().join("报告.pdf");
    let out = run(&[
        "render",
        s(&p.plan()),
        "--schools",
        s(&schools),
        "--school-pages",
        "separate",
        "--no-system-fonts",
        "-o",
        s(&pdf),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let folder = p.dir().join("报告-一校一表");
    // The folder's list of what the tool wrote (.dudao-written) aside.
    let listed = |folder: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| !n.starts_with('.'))
            .collect();
        v.sort();
        v
    };
    let names = listed(&folder);
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(
        names.contains(&"城关_第一小学-小学.pdf".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"城关_第一小学-小学-2.pdf".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"隐藏小学-小学.pdf".to_string()),
        "{names:?}"
    );
    for n in &names {
        assert!(std::fs::read(folder.join(n)).unwrap().starts_with(b"%PDF"));
    }
    // A second run replaces the earlier folder whole: a school gone from
    // the statistics leaves no page behind.
    let again = run(&[
        "render",
        s(&p.plan()),
        "--schools",
        s(&p.dir().join("四校.xlsx")),
        "--school-pages",
        "separate",
        "--no-system-fonts",
        "-o",
        s(&pdf),
    ]);
    assert!(again.status.success(), "{}", stderr(&again));
    let now = listed(&folder);
    assert_eq!(now.len(), 4, "{now:?}");
    assert!(now.iter().all(|n| names.contains(n)), "{now:?}");
    let leftovers: Vec<_> = std::fs::read_dir(p.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".dudao"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn separate_school_files_are_all_or_nothing() {
    let p = Project::new();
    let schools = five_schools(&p);
    // The report's name fits; its school folder's (+“-一校一表”) does not.
    let pdf = p.dir().join(format!("{}.pdf", "长".repeat(81)));
    let before = p.snapshot();
    let out = run(&[
        "render",
        s(&p.plan()),
        "--schools",
        s(&schools),
        "--school-pages",
        "separate",
        "--no-system-fonts",
        "-o",
        s(&pdf),
    ]);
    assert_refused(&p, &before, &out, "-一校一表：无法写入文件：文件名过长");
}

#[test]
fn emitted_sources_are_all_or_nothing() {
    let p = Project::new();
    let blocker = p.dir().join("占位");
    std::fs::write(&blocker, "一个文件").unwrap();
    let before = p.snapshot();
    let typ = blocker.join("typ");
    let out = run(&["render", s(&p.plan()), "--emit-typ", s(&typ)]);
    assert_refused(&p, &before, &out, "：无法写入文件：路径中有一段不是文件夹");

    // A folder holding the user's other files is not replaced.
    let mine = p.dir().join("我的");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("笔记.docx"), "笔记").unwrap();
    let before = p.snapshot();
    let out = run(&["render", s(&p.plan()), "--emit-typ", s(&mine)]);
    assert_refused(
        &p,
        &before,
        &out,
        "中有不是本工具写出的文件（笔记.docx），为免误删，拒绝替换",
    );
}

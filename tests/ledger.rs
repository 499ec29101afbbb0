//! `dudao ledger` and `dudao units` on real files: the 整改台账 written,
//! read back as staff left it (a copy edited and re-saved by LibreOffice,
//! committed as the example's previous ledger), carried over by key, and
//! the 责任清单 by unit.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_dudao");

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/sixian")
        .join(name)
}

/// The previous ledger of the example, as staff edited it.
const PREVIOUS: &str = "整改台账-上次（示例数据）.xlsx";

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(BIN).args(args).output().expect("dudao runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The example project copied to a temporary folder, the plan changed by
/// `edit`, with the previous ledger beside it.
fn project(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in [
        "泗县学校统计表（示例数据）.xlsx",
        "泗县上年学校统计表（示例数据）.xlsx",
        PREVIOUS,
    ] {
        std::fs::copy(example(f), dir.path().join(f)).unwrap();
    }
    let plan = std::fs::read_to_string(example("plan.yaml")).unwrap();
    std::fs::write(dir.path().join("plan.yaml"), edit(plan)).unwrap();
    dir
}

/// The ledger sheet as rows of text, keyed by the key column.
fn rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let grids = dudao::input::grid::read_workbook(path, "台账").unwrap();
    let g = grids.iter().find(|g| &*g.sheet == "整改台账").unwrap();
    let header = 2;
    let names: Vec<String> = (0..g.width()).map(|c| g.get(header, c).display()).collect();
    (header + 1..g.rows.len() as u32)
        .map(|r| {
            names
                .iter()
                .enumerate()
                .map(|(c, n)| (n.clone(), g.get(r, c as u32).display()))
                .collect()
        })
        .collect()
}

fn row<'a>(
    rows: &'a [std::collections::BTreeMap<String, String>],
    key: &str,
) -> &'a std::collections::BTreeMap<String, String> {
    rows.iter()
        .find(|r| r["标识（请勿修改）"] == key)
        .unwrap_or_else(|| panic!("no row {key}"))
}

#[test]
fn ledger_lists_every_problem_with_units_deadline_and_cost_and_is_reproducible() {
    let dir = project(|p| p);
    let plan = dir.path().join("plan.yaml");
    let before = std::fs::read(&plan).unwrap();
    let (a, b) = (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"));
    for out in [&a, &b] {
        let o = run(&[
            "ledger".as_ref(),
            plan.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("12项：待整改12、整改中0、逾期0、已整改0"),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_eq!(std::fs::read(&plan).unwrap(), before);
    let r = rows(&a);
    assert_eq!(r.len(), 12);
    let x = row(&r, "泗县第十小学|小学|L5");
    assert_eq!(
        x["问题"],
        "生均体育运动场馆面积为7.17平方米，标准为不低于7.5平方米；达到标准需补充473平方米体育运动场馆。"
    );
    // 473 m² at the profile's 600 元/m².
    assert_eq!(x["估算投入（万元）"], "28.38");
    // The task's 2023 deadline has passed: the next milestone.
    assert_eq!(x["完成时限"], "2024年6月底");
    assert!(x["责任单位"].starts_with("牵头：县教体局；配合：县发改委、县财政局"));
    assert_eq!(x["状态"], "待整改");
    let g11 = row(&r, "全县|全县|G11");
    assert_eq!(
        g11["问题"],
        "骨干教师占交流轮岗教师比例为18.1%，标准为不低于20%。"
    );
    assert_eq!(g11["估算投入（万元）"], "");
}

#[test]
fn carried_over_keeps_staff_text_closes_what_new_data_closes_and_reports_deleted_rows() {
    let dir = project(|p| p);
    let plan = dir.path().join("plan.yaml");
    let prev = dir.path().join(PREVIOUS);
    let before = std::fs::read(&prev).unwrap();
    let out = dir.path().join("新台账.xlsx");
    let o = run(&[
        "ledger".as_ref(),
        plan.as_os_str(),
        "--ledger".as_ref(),
        prev.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("13项：待整改11、整改中1、逾期0、已整改1"),
        "{err}"
    );
    assert!(
        err.contains("上次台账中标识为“丁湖镇谢店小学|小学|L5”的一行已被删除，但新数据中该问题仍存在，已重新列入"),
        "{err}"
    );
    assert_eq!(std::fs::read(&prev).unwrap(), before, "input unchanged");
    let r = rows(&out);
    // Staff's rows first, in their order; the deleted one comes back last.
    let keys: Vec<&str> = r.iter().map(|x| x["标识（请勿修改）"].as_str()).collect();
    assert_eq!(keys[0], "泗县第十小学|小学|L5");
    assert_eq!(*keys.last().unwrap(), "丁湖镇谢店小学|小学|L5");
    let typed = row(&r, "泗县第十小学|小学|L5");
    assert_eq!(
        typed["整改措施"],
        "2024年暑期实施学校东侧运动场扩建，新增塑胶跑道和篮球场约500平方米。"
    );
    assert_eq!(typed["责任人"], "张明（县教体局基建股）");
    assert_eq!(typed["状态"], "待整改");
    let working = row(&r, "大路口镇大路口初级中学|初中|L6");
    assert_eq!(working["状态"], "整改中");
    assert_eq!(
        working["进展"],
        "已列入2024年教学仪器设备采购计划，6月完成招标。"
    );
    let closed = row(&r, "泗县第三小学|小学|L7");
    assert_eq!(closed["状态"], "已整改");
    assert_eq!(closed["销号情况"], "依据2023年9月30日统计数据已达到标准");
    assert_eq!(
        closed["进展"],
        "2023年秋季学期新建网络多媒体教室3间，已投入使用。"
    );
    let back = row(&r, "丁湖镇谢店小学|小学|L5");
    assert_eq!(
        back["销号情况"],
        "上次台账中此行被删除，新数据中问题仍存在，重新列入"
    );
    // The findings are on their own sheet too.
    let grids = dudao::input::grid::read_workbook(&out, "台账").unwrap();
    let f = grids.iter().find(|g| &*g.sheet == "核对情况").unwrap();
    assert!(f.get(1, 0).display().contains("丁湖镇谢店小学|小学|L5"));
}

#[test]
fn still_failing_after_the_deadline_is_overdue() {
    // A later run: same data, the report dated after the 2024年6月底 deadline.
    let dir = project(|p| p.replace("  date: 2024-05-20 ", "  date: 2024-08-01 "));
    let plan = dir.path().join("plan.yaml");
    let prev = dir.path().join(PREVIOUS);
    let out = dir.path().join("新台账.xlsx");
    let o = run(&[
        "ledger".as_ref(),
        plan.as_os_str(),
        "--ledger".as_ref(),
        prev.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = rows(&out);
    // Staff's own 整改中 does not hide a passed deadline.
    assert_eq!(row(&r, "大路口镇大路口初级中学|初中|L6")["状态"], "逾期");
    assert_eq!(row(&r, "泗县第十小学|小学|L5")["状态"], "逾期");
    // Re-added after deletion: its deadline is new, after this report.
    assert_eq!(row(&r, "丁湖镇谢店小学|小学|L5")["状态"], "待整改");
    assert_eq!(row(&r, "泗县第三小学|小学|L7")["状态"], "已整改");
}

/// Replace a string in the shared strings of an xlsx written by the tool.
fn edit_shared_string(path: &Path, from: &str, to: &str) {
    use std::io::{Read, Write};
    let bytes = std::fs::read(path).unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut hit = false;
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == "xl/sharedStrings.xml" {
            let s = String::from_utf8(data).unwrap();
            hit = s.contains(from);
            data = s.replacen(from, to, 1).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    assert!(hit, "{from} not in sharedStrings");
    std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}

#[test]
fn a_damaged_key_is_refused_at_its_cell_and_nothing_is_written() {
    let dir = project(|p| p);
    let plan = dir.path().join("plan.yaml");
    let prev = dir.path().join("台账.xlsx");
    let o = run(&[
        "ledger".as_ref(),
        plan.as_os_str(),
        "-o".as_ref(),
        prev.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Staff typed over the key of the first row.
    edit_shared_string(&prev, "泗县第十小学|小学|L5", "泗县第十小学");
    let before = std::fs::read(&prev).unwrap();
    let out = dir.path().join("新台账.xlsx");
    let o = run(&[
        "ledger".as_ref(),
        plan.as_os_str(),
        "--ledger".as_ref(),
        prev.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("工作表“整改台账”，单元格 O4：“标识（请勿修改）”栏的“泗县第十小学”不是工具写入的标识（被改动过）"),
        "{err}"
    );
    assert!(!out.exists());
    assert_eq!(std::fs::read(&prev).unwrap(), before);
}

#[test]
fn the_previous_ledger_is_never_overwritten() {
    let dir = project(|p| p);
    let plan = dir.path().join("plan.yaml");
    let prev = dir.path().join(PREVIOUS);
    let before = std::fs::read(&prev).unwrap();
    let o = run(&[
        "ledger".as_ref(),
        plan.as_os_str(),
        "--ledger".as_ref(),
        prev.as_os_str(),
        "-o".as_ref(),
        prev.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("就是本次读取的输入文件（项目文件），拒绝覆盖"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&prev).unwrap(), before);
}

#[test]
fn units_are_normalised_and_each_has_its_section() {
    // The plan writes 县财政局 one way in a task and another in a safeguard.
    let dir = project(|p| p.replacen("[县发改委, 县财政局,", "[县发改委, 泗县财政局,", 1));
    let plan = dir.path().join("plan.yaml");
    let out = dir.path().join("清单");
    let o = run(&[
        "units".as_ref(),
        plan.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("单位名称归并：“县财政局”按“泗县财政局”计"),
        "{err}"
    );
    let grids = dudao::input::grid::read_workbook(&out.join("责任清单.xlsx"), "清单").unwrap();
    let sheets: Vec<&str> = grids.iter().map(|g| &*g.sheet).collect();
    assert!(sheets.contains(&"县教体局") && sheets.contains(&"泗县财政局"));
    assert!(!sheets.contains(&"县财政局"));
    assert_eq!(*sheets.last().unwrap(), "单位名称对照");
    let names: Vec<String> = sheets[..sheets.len() - 1]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let pdf = out.join("责任清单.pdf");
    assert!(pdf.is_file());
    match Command::new("pdftotext").arg(&pdf).arg("-").output() {
        Ok(t) if t.status.success() => {
            let text: String = String::from_utf8_lossy(&t.stdout)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            for (i, n) in names.iter().enumerate() {
                let heading = format!("{}、{n}", dudao::report::templates::cjk_number(i + 1));
                assert!(text.contains(&heading), "PDF lacks {heading}");
            }
        }
        _ => eprintln!("pdftotext 不可用，跳过 PDF 文本比对"),
    }
}

/// Remakes the example's previous ledger: the tool's ledger of the example
/// data, converted by LibreOffice to flat ODS, edited as staff would (a
/// 措施 and a 责任人 typed in, a row marked 整改中 with a 进展 note, a row
/// deleted, and a row of last year's problem that the new data no longer
/// has), and saved back to xlsx by LibreOffice:
/// `cargo test --test ledger -- --ignored regenerate_fixtures`.
#[test]
#[ignore]
fn regenerate_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("台账.xlsx");
    let o = run(&[
        "ledger".as_ref(),
        example("plan.yaml").as_os_str(),
        "-o".as_ref(),
        first.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let soffice = |to: &str, file: &Path| {
        let ok = Command::new("soffice")
            .args(["--headless", "--convert-to", to, "--outdir"])
            .arg(dir.path())
            .arg(file)
            .status()
            .expect("soffice")
            .success();
        assert!(ok);
    };
    soffice("fods", &first);
    let fods = dir.path().join("台账.fods");
    let s = std::fs::read_to_string(&fods).unwrap();
    let s = edit_fods(&s);
    let edited = dir.path().join("edited.fods");
    std::fs::write(&edited, s).unwrap();
    soffice("xlsx", &edited);
    std::fs::copy(dir.path().join("edited.xlsx"), example(PREVIOUS)).unwrap();
}

/// A table row of the flat ODS holding `key`, as (start, end) offsets.
fn fods_row(s: &str, key: &str) -> (usize, usize) {
    let at = s.find(&format!("<text:p>{key}</text:p>")).unwrap();
    let start = s[..at].rfind("<table:table-row").unwrap();
    let end = at + s[at..].find("</table:table-row>").unwrap() + "</table:table-row>".len();
    (start, end)
}

/// Set cell `col` (0-based) of a row to a text.
fn fods_set(row: &str, col: usize, text: &str) -> String {
    let parts: Vec<&str> = row.split("<table:table-cell").collect();
    let cell = parts[col + 1];
    let style = cell
        .split("table:style-name=\"")
        .nth(1)
        .and_then(|x| x.split('"').next())
        .unwrap();
    let open_end = cell.find('>').unwrap();
    let tail = if cell[..open_end].ends_with('/') {
        &cell[open_end + 1..]
    } else {
        cell.split_once("</table:table-cell>").map(|x| x.1).unwrap()
    };
    let new = format!(
        " table:style-name=\"{style}\" office:value-type=\"string\" calcext:value-type=\"string\"><text:p>{text}</text:p></table:table-cell>{tail}"
    );
    let mut out = parts[..col + 1].join("<table:table-cell");
    out.push_str("<table:table-cell");
    out.push_str(&new);
    for p in &parts[col + 2..] {
        out.push_str("<table:table-cell");
        out.push_str(p);
    }
    out
}

fn edit_fods(s: &str) -> String {
    let mut s = s.replace(
        "<text:p>泗县义务教育优质均衡发展整改台账</text:p>",
        "<text:p>泗县义务教育优质均衡发展整改台账（示例数据）</text:p>",
    );
    let (a, b) = fods_row(&s, "泗县第十小学|小学|L5");
    let mut r = s[a..b].to_string();
    r = fods_set(
        &r,
        6,
        "2024年暑期实施学校东侧运动场扩建，新增塑胶跑道和篮球场约500平方米。",
    );
    r = fods_set(&r, 8, "张明（县教体局基建股）");
    s.replace_range(a..b, &r);
    let (a, b) = fods_row(&s, "大路口镇大路口初级中学|初中|L6");
    let mut r = s[a..b].to_string();
    r = fods_set(&r, 11, "整改中");
    r = fods_set(&r, 12, "已列入2024年教学仪器设备采购计划，6月完成招标。");
    s.replace_range(a..b, &r);
    // Last year's problem at 泗县第三小学, closed by the new data.
    let (a, b) = fods_row(&s, "草庙镇叶湖小学|小学|L5");
    let mut r = s[a..b].to_string();
    for (col, text) in [
        (2, "泗县第三小学"),
        (4, "每百名学生拥有网络多媒体教室数"),
        (
            5,
            "每百名学生拥有网络多媒体教室数为2.12间，标准为不低于2.3间；达到标准需补充4间网络多媒体教室。",
        ),
        (6, "新建或改造网络多媒体教室。"),
        (8, "李红（县教体局电教馆）"),
        (12, "2023年秋季学期新建网络多媒体教室3间，已投入使用。"),
        (14, "泗县第三小学|小学|L7"),
    ] {
        r = fods_set(&r, col, text);
    }
    let (_, end) = fods_row(&s, "瓦坊镇瓦坊初级中学|初中|L6");
    s.insert_str(end, &r);
    // The deleted row: gone from the ledger, still in the hidden key list.
    let (a, b) = fods_row(&s, "丁湖镇谢店小学|小学|L5");
    s.replace_range(a..b, "");
    // The closed row's key was written last time too.
    let keys = s.find("table:name=\"台账标识\"").unwrap();
    let (ka, kb) = {
        let at = keys
            + s[keys..]
                .find("<text:p>草庙镇叶湖小学|小学|L5</text:p>")
                .unwrap();
        let start = s[..at].rfind("<table:table-row").unwrap();
        let end = at + s[at..].find("</table:table-row>").unwrap() + "</table:table-row>".len();
        (start, end)
    };
    let key_row = s[ka..kb].replace("草庙镇叶湖小学|小学|L5", "泗县第三小学|小学|L7");
    s.insert_str(kb, &key_row);
    s
}

/// `dudao ledger` on the edited example: its output and the ledger path.
fn ledger_of(dir: &tempfile::TempDir) -> (Output, PathBuf) {
    let plan = dir.path().join("plan.yaml");
    let out = dir.path().join("台账.xlsx");
    let o = run(&[
        "ledger".as_ref(),
        plan.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    (o, out)
}

/// The 1-based line of the plan holding `needle`.
fn line_of(plan: &str, needle: &str) -> usize {
    plan.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn the_problem_wording_is_the_profiles_and_a_county_rewrites_one_clause() {
    let dir = project(|p| {
        p.replace(
            "    G14.share: 80\n",
            "    G14.share: 80\n    ledger.problems.resource: \"{指标}仅{数值}{单位}（标准{标准}{单位}）\"\n",
        )
    });
    let (o, out) = ledger_of(&dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = rows(&out);
    // The rewritten clause; the national wording for the clause after it.
    assert_eq!(
        row(&r, "泗县第十小学|小学|L5")["问题"],
        "生均体育运动场馆面积仅7.17平方米（标准7.5平方米）；达到标准需补充473平方米体育运动场馆。"
    );
    assert_eq!(
        row(&r, "全县|全县|G11")["问题"],
        "骨干教师占交流轮岗教师比例为18.1%，标准为不低于20%。"
    );
}

#[test]
fn a_wording_naming_a_field_its_clause_lacks_is_refused_at_its_line() {
    let dir = project(|p| {
        p.replace(
            "    G14.share: 80\n",
            "    G14.share: 80\n    ledger.problems.cv: \"{学校}差异系数为{差异系数}\"\n",
        )
    });
    let plan = std::fs::read_to_string(dir.path().join("plan.yaml")).unwrap();
    let line = line_of(&plan, "ledger.problems.cv");
    let (o, out) = ledger_of(&dir);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("plan.yaml:{line}:"))
            && err.contains("“{学校}”不是这一项可用的数值，可用的有：{学段}、{差异系数}、{限值}"),
        "{err}"
    );
    assert!(!out.exists());
    let after = std::fs::read_to_string(dir.path().join("plan.yaml")).unwrap();
    assert_eq!(after, plan, "the plan is not touched");
}

#[test]
fn an_indicator_given_units_in_the_plan_gets_them_in_the_ledger() {
    let dir = project(|p| {
        format!(
            "{p}\nledger:\n  responsible:\n    L5: {{ lead: [县体育中心], responsible: [县财政局, 县住建局] }}\n"
        )
    });
    let (o, out) = ledger_of(&dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = rows(&out);
    let l5: Vec<_> = r
        .iter()
        .filter(|x| x["标识（请勿修改）"].ends_with("|L5"))
        .collect();
    assert!(!l5.is_empty());
    for x in l5 {
        assert_eq!(
            x["责任单位"], "牵头：县体育中心；配合：县财政局、县住建局",
            "{x:?}"
        );
    }
    // Other indicators keep their task's units.
    assert!(row(&r, "全县|全县|G11")["责任单位"].starts_with("牵头：县教体局"));
}

#[test]
fn an_unknown_indicator_in_the_plans_ledger_units_is_refused_at_its_line() {
    let dir =
        project(|p| format!("{p}\nledger:\n  responsible:\n    L9: {{ lead: [县财政局] }}\n"));
    let plan = std::fs::read_to_string(dir.path().join("plan.yaml")).unwrap();
    let line = line_of(&plan, "L9: {");
    let (o, out) = ledger_of(&dir);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("plan.yaml:{line}:9："))
            && err.contains("ledger.responsible 中的“L9”不是已知的指标编号"),
        "{err}"
    );
    assert!(!out.exists());
    let after = std::fs::read_to_string(dir.path().join("plan.yaml")).unwrap();
    assert_eq!(after, plan, "the plan is not touched");
}

// ---------------------------------------------------------------------
// Whose ledger, how large, how long a cell (issue 17)
// ---------------------------------------------------------------------

/// `dudao ledger` with `--ledger prev` and more arguments; the output path.
fn carry_over(dir: &Path, prev: &Path, more: &[&str]) -> (Output, PathBuf) {
    let plan = dir.join("plan.yaml");
    let out = dir.join("新台账.xlsx");
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "ledger".as_ref(),
        plan.as_os_str(),
        "--ledger".as_ref(),
        prev.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ];
    args.extend(more.iter().map(|a| std::ffi::OsStr::new(*a)));
    (run(&args), out)
}

#[test]
fn another_countys_ledger_is_refused_and_taken_only_when_the_user_says_so() {
    // The same example data, planned as another county: 泗县's ledger is
    // not this county's.
    let dir = project(|p| p.replacen("county: 泗县", "county: 灵璧县", 1));
    let prev = dir.path().join(PREVIOUS);
    let before = std::fs::read(&prev).unwrap();
    let (o, out) = carry_over(dir.path(), &prev, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "{}：这是“泗县”的整改台账（工作表“整改台账”，单元格 A1 的标题为“泗县义务教育优质均衡发展整改台账（示例数据）”），不是计划文件中的“灵璧县”的",
            prev.display()
        )) && err.contains("--ledger-any-county"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
    // `units` reads the ledger too, and refuses it the same way.
    let plan = dir.path().join("plan.yaml");
    let list = dir.path().join("清单.xlsx");
    let u = run(&[
        "units".as_ref(),
        plan.as_os_str(),
        "--ledger".as_ref(),
        prev.as_os_str(),
        "-o".as_ref(),
        list.as_os_str(),
    ]);
    assert_eq!(u.status.code(), Some(1), "{}", stderr(&u));
    assert!(stderr(&u).contains("不是计划文件中的“灵璧县”的"));
    assert!(!list.exists());
    // Said on purpose: merged as any ledger is.
    let (o, out) = carry_over(dir.path(), &prev, &["--ledger-any-county"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("已整改1"), "{}", stderr(&o));
    assert!(row(&rows(&out), "泗县第三小学|小学|L7")["状态"] == "已整改");
    let u = run(&[
        "units".as_ref(),
        plan.as_os_str(),
        "--ledger".as_ref(),
        prev.as_os_str(),
        "--ledger-any-county".as_ref(),
        "-o".as_ref(),
        list.as_os_str(),
    ]);
    assert!(u.status.success(), "{}", stderr(&u));
    assert_eq!(std::fs::read(&prev).unwrap(), before, "input unchanged");
}

/// Whether python3 has openpyxl (CI installs it); a message when not.
fn has_openpyxl() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import openpyxl"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("跳过：未安装 openpyxl（python3 -m pip install openpyxl；CI 会安装）");
    }
    ok
}

/// A ledger as openpyxl writes it: `rows` rows of schools that no longer
/// fail (so all close), with staff's text; `title` in A1 and `property`
/// as the document's title, each when given.
fn openpyxl_ledger(path: &Path, rows: usize, title: Option<&str>, property: Option<&str>) {
    let script = r#"
import sys, openpyxl
path, n, title, prop = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
H = ["序号", "问题类别", "学校（范围）", "学段", "指标", "问题", "整改措施", "责任单位",
     "责任人", "完成时限", "估算投入（万元）", "状态", "进展", "销号情况", "标识（请勿修改）"]
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "整改台账"
if title:
    ws.cell(1, 1, title)
ws.cell(2, 1, "说明")
for c, h in enumerate(H, 1):
    ws.cell(3, c, h)
keys = wb.create_sheet("台账标识")
keys.sheet_state = "hidden"
keys.cell(1, 1, "本表记录上次写出的台账标识")
for i in range(n):
    school = f"第{i + 1}号已撤并小学"
    key = f"{school}|小学|L5"
    ws.append([i + 1, "资源配置", school, "小学", "生均体育运动场馆面积", "低于标准。",
               f"措施{i + 1}", "牵头：县教体局", f"责任人{i + 1}", "2024年底", None,
               "整改中" if i % 3 == 0 else "待整改", f"进展{i + 1}", None, key])
    keys.cell(i + 2, 1, key)
wb.properties.title = prop or None
wb.save(path)
"#;
    let o = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .arg(rows.to_string())
        .arg(title.unwrap_or(""))
        .arg(property.unwrap_or(""))
        .output()
        .expect("python3");
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Rows of a ledger written by another program read back in full, and
/// fast: read-back is linear in its rows (it was quadratic: 40,000 rows took
/// 13 s). The 100,000-row figure in the release build is in BENCHMARKS.md
/// (scripts/bench-ledger.sh).
#[test]
fn a_large_ledger_written_by_openpyxl_reads_back_whole_and_in_order() {
    if !has_openpyxl() {
        return;
    }
    const N: usize = 5_000;
    let dir = project(|p| p);
    let prev = dir.path().join("openpyxl台账.xlsx");
    openpyxl_ledger(&prev, N, Some("泗县义务教育优质均衡发展整改台账"), None);
    let started = std::time::Instant::now();
    let (o, out) = carry_over(dir.path(), &prev, &[]);
    let took = started.elapsed();
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    // The example's own problems are new; every row read is closed.
    assert!(err.contains(&format!("已整改{N}")), "{err}");
    let r = rows(&out);
    for i in [0, 1, N / 2, N - 1] {
        let x = &r[i];
        let school = format!("第{}号已撤并小学", i + 1);
        assert_eq!(x["标识（请勿修改）"], format!("{school}|小学|L5"));
        assert_eq!(x["状态"], "已整改");
        assert_eq!(x["整改措施"], format!("措施{}", i + 1));
        assert_eq!(x["责任人"], format!("责任人{}", i + 1));
        assert_eq!(x["进展"], format!("进展{}", i + 1));
        assert_eq!(x["销号情况"], "依据2023年9月30日统计数据已达到标准");
    }
    // Then this year's problems, new.
    assert!(r.len() > N);
    assert!(r[N..].iter().all(|x| x["状态"] == "待整改"), "{:?}", r[N]);
    // Generous for a loaded machine and the debug build.
    assert!(took.as_secs() < 60, "{took:?}");
    eprintln!("{N} 行台账读回、合并、写出：{took:?}");
}

#[test]
fn a_ledger_without_its_title_row_is_known_by_its_document_title() {
    if !has_openpyxl() {
        return;
    }
    let dir = project(|p| p);
    let prev = dir.path().join("无标题.xlsx");
    openpyxl_ledger(&prev, 3, None, Some("灵璧县义务教育优质均衡发展整改台账"));
    let (o, out) = carry_over(dir.path(), &prev, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("这是“灵璧县”的整改台账（文档属性中的标题为“灵璧县义务教育优质均衡发展整改台账”），不是计划文件中的“泗县”的"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    // Neither a title row nor a title: whose it is cannot be told.
    openpyxl_ledger(&prev, 3, None, None);
    let (o, out) = carry_over(dir.path(), &prev, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("看不出这份整改台账是哪个县的"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    let (o, _) = carry_over(dir.path(), &prev, &["--ledger-any-county"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // This county's, by its title only.
    openpyxl_ledger(&prev, 3, None, Some("泗县义务教育优质均衡发展整改台账"));
    let (o, _) = carry_over(dir.path(), &prev, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_staff_cell_too_long_for_excel_is_refused_at_its_cell_and_nothing_is_written() {
    let dir = project(|p| p);
    let prev = dir.path().join(PREVIOUS);
    // Staff pasted a 40,000-character text into 责任人 (LibreOffice keeps
    // it; Excel could not write the ledger back).
    let long = "进展".repeat(20_000);
    edit_shared_string(&prev, "张明（县教体局基建股）", &long);
    let before = std::fs::read(&prev).unwrap();
    let (o, out) = carry_over(dir.path(), &prev, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    let cell = {
        let grids = dudao::input::grid::read_workbook(&prev, "台账").unwrap();
        let g = grids.iter().find(|g| &*g.sheet == "整改台账").unwrap();
        let r = (0..g.rows.len() as u32)
            .find(|&r| (0..g.width()).any(|c| g.get(r, c).display() == long))
            .unwrap();
        let c = (0..g.width())
            .find(|&c| g.get(r, c).display() == long)
            .unwrap();
        dudao::source::a1(r, c)
    };
    assert!(
        err.contains(&format!(
            "{}，工作表“整改台账”，单元格 {cell}：这段文字（“进展进展",
            prev.display()
        )) && err.contains(
            "有 40000 个字符，超过了 Excel 每个单元格最多 32767 个字符的上限，写不进工作簿；请把它缩短到 32767 个字符以内"
        ),
        "{err}"
    );
    assert!(!err.contains("String exceeds"), "{err}");
    assert!(!out.exists(), "nothing written");
    assert_eq!(std::fs::read(&prev).unwrap(), before, "input unchanged");
}

#[test]
fn units_in_the_plan_too_long_for_a_cell_are_refused_at_their_line() {
    let long = "县".repeat(33_000);
    let dir = project(|p| format!("{p}\nledger:\n  responsible:\n    L5: {{ lead: [{long}] }}\n"));
    let plan = std::fs::read_to_string(dir.path().join("plan.yaml")).unwrap();
    let line = line_of(&plan, "L5: {");
    let (o, out) = ledger_of(&dir);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("plan.yaml:{line}:9：这段文字（“牵头：县县"))
            && err.contains("有 33003 个字符，超过了 Excel 每个单元格最多 32767 个字符的上限"),
        "{err}"
    );
    assert!(!out.exists());
}

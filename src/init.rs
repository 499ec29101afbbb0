//! `dudao init`: a new project folder a county can start from: a plan file
//! taken from the 泗县 example with a generic county name, a school workbook
//! with the data dictionary's headers, and a note on what to edit. With
//! `--templates`, only the built-in report templates, for changing them.

use crate::error::Error;
use crate::synth;
use std::path::Path;

/// The example plan, the starting point of every new plan.
const EXAMPLE_PLAN: &str = include_str!("../examples/sixian/plan.yaml");
/// The example's workbook name, as `data.schools` lists it.
const EXAMPLE_WORKBOOK: &str = "泗县学校统计表（示例数据）.xlsx";

pub const PLAN_FILE: &str = "plan.yaml";
pub const WORKBOOK_FILE: &str = "学校统计表.xlsx";
pub const NOTE_FILE: &str = "说明.txt";
/// The generic county name the new plan uses.
pub const COUNTY: &str = "示例县";

/// Rows of the sample workbook when no `--sample-schools` is given: a few
/// schools that show each kind of row (a 九年一贯制学校 with its 全校 row).
const SAMPLE_ROWS: usize = 5;

pub fn run(
    dir: &Path,
    sample_schools: Option<usize>,
    sample_counties: Option<usize>,
    templates: bool,
) -> Result<(), Error> {
    if let Some(n) = sample_counties {
        if sample_schools.is_some() || templates {
            return Err(Error::Other(
                "--sample-counties 生成示例复核项目，不能与 --sample-schools 或 --templates 同时使用"
                    .into(),
            ));
        }
        return crate::review::synth::run(dir, n);
    }
    if templates {
        if sample_schools.is_some() {
            return Err(Error::Other(
                "--templates 只复制报告模板，不能与 --sample-schools 同时使用".into(),
            ));
        }
        prepare_dir(dir)?;
        crate::report::copy_templates(dir)?;
        println!("已把内置报告模板复制到文件夹：{}", dir.display());
        println!(
            "修改模板后，在计划文件的 report 一节写上 templates: {}（相对于计划文件所在文件夹的路径），报告即按修改后的模板生成。",
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        return Ok(());
    }
    if sample_schools == Some(0) {
        return Err(Error::Other("--sample-schools 应为正整数".into()));
    }
    prepare_dir(dir)?;

    // The whole folder or nothing: a failed workbook leaves no plan behind.
    let synthetic = sample_schools.is_some();
    let files = [
        (PLAN_FILE.to_string(), plan_text().into_bytes()),
        (NOTE_FILE.to_string(), note_text(synthetic).into_bytes()),
    ];
    let staged = crate::output::stage_folder(dir, &files)?;
    let schools = sample_workbook_schools(sample_schools);
    synth::write_clean_xlsx(&staged.path().join(WORKBOOK_FILE), &schools)?;
    staged.commit()?.finish();

    let rows = synth::section_rows(&schools);
    println!("已新建项目文件夹：{}", dir.display());
    println!(
        "  {PLAN_FILE}        计划文件：县名、实施方案、任务、县级佐证数据（取自泗县示例，请逐项改为本县内容）"
    );
    if synthetic {
        println!(
            "  {WORKBOOK_FILE}  学校统计表：{} 所合成的示例学校，{rows} 个学校-学段行（确定性生成，仅供试用）",
            schools.len()
        );
    } else {
        println!(
            "  {WORKBOOK_FILE}  学校统计表：标准表头和 {} 所示例学校（{rows} 个学校-学段行），请换成本县学校",
            schools.len()
        );
    }
    println!("  {NOTE_FILE}         填写说明");
    println!(
        "下一步：编辑以上文件后运行  dudao check {}",
        dir.join(PLAN_FILE).display()
    );
    Ok(())
}

/// The example plan with the county made generic and the workbook renamed.
pub fn plan_text() -> String {
    let body = EXAMPLE_PLAN
        .replace(EXAMPLE_WORKBOOK, WORKBOOK_FILE)
        .replace("泗县", COUNTY)
        .replace("泗教督字", "示教督字");
    // A new project has no last year's data: its `data.previous` block
    // stays in the plan as a commented example.
    let mut in_previous = false;
    let body: String = body
        .lines()
        .map(|l| {
            in_previous = l == "  previous:" || (in_previous && l.starts_with("    "));
            if in_previous && !l.trim_start().starts_with('#') {
                format!("  # {}\n", &l[2..])
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    format!(
        "# 本文件由 dudao init 生成：内容取自泗县的示例计划，县名已换成“{COUNTY}”。\n\
         # 请把县名、省市、方案、任务、进展、佐证数据和调查结果逐项改为本县的实际情况；\n\
         # 改完后运行 dudao check plan.yaml 检查。\n\
         #\n{body}"
    )
}

/// The schools of the new workbook: `n` synthetic rows, or a few samples;
/// names carry the generic county name and say they are samples.
pub fn sample_workbook_schools(n: Option<usize>) -> Vec<synth::SynthSchool> {
    let mut schools = synth::county(n.unwrap_or(SAMPLE_ROWS));
    for s in &mut schools {
        s.name = s.name.replace("泗县", COUNTY);
        s.township = s.township.replace("泗县", COUNTY);
        if n.is_none() && !s.name.starts_with(COUNTY) {
            s.name = format!("{COUNTY}{}", s.name);
        }
    }
    schools
}

fn note_text(synthetic: bool) -> String {
    let data = if synthetic {
        "学校统计表.xlsx 中是 dudao 合成的示例学校（确定性生成，用于试用和性能测试），不是真实数据。"
    } else {
        "学校统计表.xlsx 中的几所学校是示例（学校名称以“示例县”开头），请删去后填入本县学校。"
    };
    format!(
        "dudao 项目文件夹说明
====================

本文件夹由 dudao init 生成，包含：

1. plan.yaml：计划文件。内容取自泗县的示例，县名已换成“{COUNTY}”。请逐项改为本县内容：
   县名和省市（county、province、city）、报告标题和落款（report）、实施方案（plan）、
   工作目标、任务分解和进展（tasks）、县级佐证数据（figures）、社会认可度调查（survey）、
   一票否决事项（vetoes）。文件中的注释说明了每一项怎么写。
   学校的各项数据不在这里填写，由工具从学校统计表计算。

2. 学校统计表.xlsx：学校统计表，一所学校的每个学段占一行。
   {data}
   · 表头用标准名称（学校名称、学校类型、学段、学生数……），也可以直接使用统计部门导出的表，
     工具能识别常见的表头写法、两行表头、合并单元格、合计行和表尾；
     表头名称不同时，可在 plan.yaml 的 data.aliases 中对应。
   · 九年一贯制学校分“小学”“初中”两行填写；校舍面积、仪器设备、专用教室等共用资源
     只有全校数的，另加一行“学段”填“全校”，工具按加权学生数分摊。
   · 教学仪器设备值的单位是元（表头写“（万元）”时按万元换算）；面积单位是平方米。
   · 没有的数据留空，或填“—”“无”，不要填 0。

3. 检查和生成：
   dudao check plan.yaml        检查计划文件和学校统计表，指出错在哪个单元格、哪一行
   dudao evaluate plan.yaml     逐项计算指标
   dudao render plan.yaml       生成自评报告 PDF
"
    )
}

/// Refuse a `dir` that already holds files; make its parent folders.
pub(crate) fn prepare_dir(dir: &Path) -> Result<(), Error> {
    if dir.exists() {
        if !dir.is_dir() {
            return Err(Error::Other(format!(
                "“{}”已存在，且不是文件夹：请换一个新的文件夹名",
                dir.display()
            )));
        }
        let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        if entries.next().is_some() {
            return Err(Error::Other(format!(
                "文件夹“{}”已存在且不是空的：为免覆盖已有文件，请换一个新的文件夹名",
                dir.display()
            )));
        }
    }
    match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => {
            std::fs::create_dir_all(p).map_err(|e| Error::write(p, e))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_is_generic() {
        let p = plan_text();
        // Only the note at the top says where the plan comes from.
        let body: Vec<&str> = p.lines().skip(4).collect();
        assert!(
            body.iter().all(|l| !l.contains("泗县")),
            "the new plan still names 泗县"
        );
        assert!(p.contains("county: 示例县"));
        assert!(p.contains(&format!("- {WORKBOOK_FILE}")));
    }

    #[test]
    fn refuses_a_folder_with_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.txt"), "x").unwrap();
        let e = run(dir.path(), None, None, false).unwrap_err().to_string();
        assert!(e.contains("不是空的"), "{e}");
        assert!(dir.path().join("x.txt").exists());
        assert!(!dir.path().join(PLAN_FILE).exists());
    }

    #[test]
    fn new_project_passes_check() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("新项目");
        run(&p, None, None, false).unwrap();
        let county = crate::input::load(&p.join(PLAN_FILE), &[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(county.plan.county, COUNTY);
        assert!(county.schools.iter().all(|s| s.name.starts_with(COUNTY)));
        assert!(
            county
                .schools
                .iter()
                .any(|s| s.school_type == crate::model::SchoolType::NineYear)
        );

        let q = dir.path().join("试用");
        run(&q, Some(40), None, false).unwrap();
        let county = crate::input::load(&q.join(PLAN_FILE), &[]).unwrap_or_else(|e| panic!("{e}"));
        let diff = synth::differences(&county, &sample_workbook_schools(Some(40)));
        assert!(diff.is_empty(), "{}", diff.join("\n"));
        // An empty folder is fine too.
        let r = dir.path().join("空");
        std::fs::create_dir(&r).unwrap();
        run(&r, Some(3), None, false).unwrap();
    }
}

//! `dudao init DIR --sample-counties N`: a deterministic synthetic city of N
//! counties for trying `dudao review` and for its benchmark. Counties vary
//! in size (50–400 school-学段 rows) and in how they fare: one passes, one
//! has schools failing the per-school rule, one a 小学 CV over its limit,
//! one a 政府保障程度 item not met, one a low 社会认可度; the pattern
//! repeats. Some carry the figures they reported (the JSON of `dudao
//! evaluate`, the published-layout 差异系数表), and in one the 差异系数表 was
//! altered in a single cell, as the 数据核查差异表 should catch.
//!
//! Each county is [`crate::synth`]'s county with a [`Shape`] and the
//! example plan renamed: nothing here invents school figures.

use super::reported::{self, Figure};
use crate::error::Error;
use crate::model::Section;
use crate::profile::ResourceIndicator;
use crate::synth::{self, Shape};
use std::path::Path;

pub const REVIEW_FILE: &str = "review.yaml";
pub const CITY: &str = "示例市";
const BODY: &str = "示例市人民政府教育督导委员会";
const JSON_REPORTED: &str = "上报/自评结果.json";
const XLSX_REPORTED: &str = "上报/差异系数表.xlsx";

/// Fictional county names; past the list, numbered ones.
const NAMES: &[&str] = &[
    "东湖县",
    "青山县",
    "白水县",
    "云溪县",
    "石门县",
    "长丰县",
    "安平县",
    "永宁县",
    "清河县",
    "平川县",
    "丰乐县",
    "桃源县",
    "新安县",
    "南溪县",
    "北岭县",
    "定远县",
    "枫林县",
    "柳塘县",
    "梅川县",
    "松阳县",
];

/// How a synthetic county fares, in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Passes,
    FailingSchools,
    CvOverLimit,
    GuaranteeUnmet,
    LowRecognition,
}

/// One county of the city.
#[derive(Debug, Clone)]
pub struct SynthCounty {
    pub name: String,
    pub rows: usize,
    pub fate: Fate,
    pub shape: Shape,
    pub reported_json: bool,
    pub reported_xlsx: bool,
    /// The 差异系数表 cell changed: (学段, indicator, figure, amount added).
    pub altered: Option<(Section, ResourceIndicator, Figure, f64)>,
}

pub fn county_name(i: usize) -> String {
    NAMES
        .get(i)
        .map(|s| s.to_string())
        .unwrap_or_else(|| format!("示例{}县", i + 1))
}

/// The N counties, deterministically.
pub fn counties(n: usize) -> Vec<SynthCounty> {
    let mut first_xlsx = true;
    (0..n)
        .map(|i| {
            let fate = [
                Fate::Passes,
                Fate::FailingSchools,
                Fate::CvOverLimit,
                Fate::GuaranteeUnmet,
                Fate::LowRecognition,
            ][i % 5];
            let shape = Shape {
                seed: i as u64 + 1,
                failing_schools: matches!(fate, Fate::FailingSchools | Fate::LowRecognition),
                rich_urban: fate == Fate::CvOverLimit,
                item_faults: fate == Fate::FailingSchools,
            };
            let reported_xlsx = i % 3 == 1;
            let altered = (reported_xlsx && first_xlsx).then_some((
                Section::Primary,
                ResourceIndicator::L4,
                Figure::Sd,
                0.05,
            ));
            if reported_xlsx {
                first_xlsx = false;
            }
            SynthCounty {
                name: county_name(i),
                rows: 50 + (i * 173 + 61) % 351,
                fate,
                shape,
                reported_json: i % 2 == 0,
                reported_xlsx,
                altered,
            }
        })
        .collect()
}

/// The county's plan: the example plan renamed, with the plan-side fault.
pub fn plan_text(c: &SynthCounty) -> String {
    let mut p = crate::init::plan_text()
        .replace(crate::init::COUNTY, &c.name)
        .replace("宿州市", CITY)
        // The example's 骨干教师 share of the exchanged teachers is under the
        // national 20%; a synthetic county meets it unless its fate says not.
        .replace("backbone_share: \"18.1%\"", "backbone_share: \"21.5%\"");
    match c.fate {
        Fate::GuaranteeUnmet => p = p.replace("ratio: 1.02", "ratio: 0.97"),
        Fate::LowRecognition => {
            p = p
                .replace(
                    "sample: 1200, satisfied: 1128",
                    "sample: 1200, satisfied: 852",
                )
                .replace(
                    "sample: 1500, satisfied: 1389",
                    "sample: 1500, satisfied: 1110",
                )
        }
        _ => {}
    }
    p
}

pub fn schools(c: &SynthCounty) -> Vec<synth::SynthSchool> {
    let mut schools = synth::county_shaped(c.rows, &c.shape);
    for s in &mut schools {
        s.name = s.name.replace("泗县", &c.name);
        s.township = s.township.replace("泗县", &c.name);
    }
    schools
}

fn review_text(cs: &[SynthCounty]) -> String {
    let mut s = format!(
        "# 由 dudao init --sample-counties 生成的示例复核项目：{n}个县均为合成数据，不是真实数据。\n\
         # 路径相对于本文件所在的文件夹。运行：dudao review {REVIEW_FILE} -o 复核材料\n\
         body: {BODY}\n\
         level: 市级复核\n\
         date: 2024-06-20\n\
         sample: {{ per_county: 10, seed: 20240620 }}\n\
         # --with-reports 生成各县自评报告所用的模板：builtin 内置模板（默认）；review 复核单位的模板\n\
         # （templates: 所指文件夹）；county 各县计划文件所指的模板（由被复核的县编写，须明确写出才使用）。\n\
         report_templates: builtin\n\
         counties:\n",
        n = cs.len()
    );
    for c in cs {
        s.push_str(&format!(
            "  - plan: {}/plan.yaml\n    city: {CITY}\n",
            c.name
        ));
        let mut rep = Vec::new();
        if c.reported_json {
            rep.push(format!("{}/{JSON_REPORTED}", c.name));
        }
        if c.reported_xlsx {
            rep.push(format!("{}/{XLSX_REPORTED}", c.name));
        }
        match rep.len() {
            0 => {}
            1 => s.push_str(&format!("    reported: {}\n", rep[0])),
            _ => s.push_str(&format!("    reported: [{}]\n", rep.join(", "))),
        }
        if let Some((sec, i, f, d)) = c.altered {
            s.push_str(&format!(
                "    # 示例：上报的差异系数表中{}“{}”的{}被改动了{}，复核时应在数据核查差异表中查出\n",
                sec.zh(),
                crate::profile::Profile::national().resource_spec(i).name,
                match f {
                    Figure::Mean => "全县平均值",
                    Figure::Sd => "标准差",
                    Figure::Cv => "差异系数",
                },
                crate::profile::fmt_number(d)
            ));
        }
    }
    s
}

/// Write the city into the new folder `dir`, all or nothing.
pub fn run(dir: &Path, n: usize) -> Result<(), Error> {
    if n == 0 {
        return Err(Error::Other("--sample-counties 应为正整数".into()));
    }
    crate::init::prepare_dir(dir)?;
    let cs = counties(n);
    let mut files = vec![(REVIEW_FILE.to_string(), review_text(&cs).into_bytes())];
    for c in &cs {
        files.push((
            format!("{}/{}", c.name, crate::init::PLAN_FILE),
            plan_text(c).into_bytes(),
        ));
    }
    let staged = crate::output::stage_folder(dir, &files)?;
    let root = staged.path().to_path_buf();
    // On an error, dropping the staged folder removes it.
    cs.iter().try_for_each(|c| write_county(&root, dir, c))?;
    staged.commit()?.finish();
    println!(
        "已新建示例复核项目：{}（{n}个合成的县，均非真实数据）",
        dir.display()
    );
    for c in &cs {
        let what = match c.fate {
            Fate::Passes => "各项达标",
            Fate::FailingSchools => "有学校未达到校际均衡要求",
            Fate::CvOverLimit => "小学差异系数超限",
            Fate::GuaranteeUnmet => "政府保障程度有一项未达标",
            Fate::LowRecognition => "社会认可度偏低，有学校未达标",
        };
        println!(
            "  {}：{} 个学校-学段行，{what}",
            c.name,
            synth::section_rows(&schools(c))
        );
    }
    println!(
        "下一步：dudao review {} -o 复核材料",
        dir.join(REVIEW_FILE).display()
    );
    Ok(())
}

fn write_county(root: &Path, shown_root: &Path, c: &SynthCounty) -> Result<(), Error> {
    let cdir = root.join(&c.name);
    synth::write_clean_xlsx(&cdir.join(crate::init::WORKBOOK_FILE), &schools(c))?;
    if !(c.reported_json || c.reported_xlsx) {
        return Ok(());
    }
    std::fs::create_dir_all(cdir.join("上报")).map_err(|e| Error::write(cdir.join("上报"), e))?;
    // What the county itself computed: its own plan, its own standards.
    let county = crate::input::load(&cdir.join(crate::init::PLAN_FILE), &[])?;
    let eval = crate::evaluate::evaluate(&county);
    if c.reported_json {
        let text = String::from_utf8(super::json_of(&eval)?).unwrap_or_default();
        // Cells named as `dudao evaluate` run on the final folder names them.
        let text = text.replace(
            &root.display().to_string(),
            &shown_root.display().to_string(),
        );
        crate::output::write_file(&cdir.join(JSON_REPORTED), text.as_bytes())?;
    }
    if c.reported_xlsx {
        reported::write_published_xlsx(&cdir.join(XLSX_REPORTED), &eval, c.altered)?;
    }
    Ok(())
}

//! Input stage: reads the plan YAML and the school workbooks into one
//! checked [`County`]. Everything after this stage trusts the model.

pub mod columns;
mod csv;
pub mod grid;
mod html;
pub mod limits;
pub mod number;
pub mod ods;
pub mod plan;
pub mod schools;
mod sniff;
mod spreadsheetml;
mod xlsx;
pub mod yaml;

use crate::error::Error;
use crate::model::{County, Measure, RowPart, Section, SourceFile, Warning};
use std::path::{Path, PathBuf};

/// Load a county: the plan at `plan_path`, and the school files it names
/// unless `schools_override` gives others (`--schools`).
pub fn load(plan_path: &Path, schools_override: &[PathBuf]) -> Result<County, Error> {
    let text = std::fs::read_to_string(plan_path).map_err(|e| Error::io(plan_path, e))?;
    let label = plan_path.display().to_string();
    let plan: plan::Plan = yaml::from_str(&text, &label)?;
    let project_dir = plan_path
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    let profile = yaml::build_profile(&plan, &project_dir, &label)?;
    yaml::check_plan(&plan, &profile, &label)?;

    let files: Vec<(PathBuf, String)> = if schools_override.is_empty() {
        plan.data
            .schools
            .iter()
            .map(|f| (project_dir.join(f), f.clone()))
            .collect()
    } else {
        schools_override
            .iter()
            .map(|p| (p.clone(), p.display().to_string()))
            .collect()
    };
    if files.is_empty() {
        return Err(Error::Other(format!(
            "{label}：data.schools 没有列出任何学校数据文件"
        )));
    }
    let dict = columns::Dictionary::new(&plan.data.aliases)
        .map_err(|m| Error::Other(format!("{label}：data.aliases：{m}")))?;

    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let mut warnings = Vec::new();
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for (path, shown) in &files {
        let errors_before = errors.len();
        let grids = match grid::read_workbook(path, shown) {
            Ok(g) => g,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let mut used = Vec::new();
        let mut unreadable = Vec::new();
        for g in &grids {
            if g.rows.iter().all(|r| r.iter().all(|c| c.is_blank())) {
                unreadable.push((g.sheet.to_string(), "工作表为空"));
                continue;
            }
            match schools::find_header(g, &dict) {
                None => unreadable.push((g.sheet.to_string(), "没有找到含“学校名称”的表头")),
                Some(h) => match schools::read_sheet(g, &dict, h) {
                    Ok(s) => {
                        if s.rows.is_empty() {
                            warnings.push(Warning {
                                at: None,
                                message: format!(
                                    "{shown}，工作表“{}”：表头下没有学校数据",
                                    g.sheet
                                ),
                            });
                        }
                        rows.extend(s.rows);
                        skipped.extend(s.skipped);
                        used.push(g.sheet.to_string());
                    }
                    Err(e) => errors.push(e),
                },
            }
        }
        // A file whose sheets all failed has said why already.
        if used.is_empty() && errors.len() == errors_before {
            let detail = unreadable
                .iter()
                .map(|(s, why)| format!("工作表“{s}”{why}"))
                .collect::<Vec<_>>()
                .join("；");
            errors.push(Error::File {
                file: shown.clone(),
                message: format!("没有可读取的学校数据（{detail}）"),
            });
        } else {
            for (s, why) in unreadable {
                warnings.push(Warning {
                    at: None,
                    message: format!("{shown}，工作表“{s}”{why}，已跳过"),
                });
            }
        }
        sources.push(SourceFile {
            path: path.clone(),
            sheets: used,
        });
    }
    Error::from_list(errors)?;
    let schools = schools::group_schools(rows)?;
    check_students(&schools)?;
    let mut county = County {
        plan,
        profile,
        schools,
        skipped,
        warnings,
        files: sources,
        project_dir,
    };
    county.warnings.extend(plausibility(&county));
    Ok(county)
}

/// Every 部 row needs a positive student count: indicators divide by it.
fn check_students(schools: &[crate::model::School]) -> Result<(), Error> {
    let mut errors = Vec::new();
    for s in schools {
        for r in &s.rows {
            if !matches!(r.part, RowPart::Section(_)) {
                continue;
            }
            match r.get(Measure::Students) {
                None => errors.push(Error::cell(
                    &r.at,
                    format!("学校“{}”没有填写学生数", s.name),
                )),
                Some(f) if f.value <= 0.0 => errors.push(Error::cell(
                    &f.at,
                    format!(
                        "学校“{}”的学生数为 0：无法计算生均指标，请核对或删去这一行",
                        s.name
                    ),
                )),
                _ => {}
            }
        }
    }
    Error::from_list(errors)
}

/// Values that are possible but usually a typing mistake.
fn plausibility(county: &County) -> Vec<Warning> {
    let mut out = Vec::new();
    for s in &county.schools {
        for (section, r) in s.section_rows() {
            let Some(students) = r.get(Measure::Students) else {
                continue;
            };
            let p = students.value;
            let mut warn = |at: &crate::source::CellRef, message: String| {
                out.push(Warning {
                    at: Some(at.clone()),
                    message: format!("学校“{}”{}：{message}", s.name, section.zh()),
                })
            };
            if section == Section::Primary && p > 3000.0 {
                warn(
                    &students.at,
                    format!("小学学生数 {p} 人，超过 3000，请核对"),
                );
            }
            if let Some(c) = r.get(Measure::Classes)
                && c.value > 0.0
                && p / c.value > 70.0
            {
                warn(
                    &c.at,
                    format!("平均班额 {:.1} 人，超过 70，请核对", p / c.value),
                );
            }
            if let Some(t) = r.get(Measure::FullTimeTeachers)
                && t.value > p
            {
                warn(
                    &t.at,
                    format!("专任教师 {} 人多于学生 {p} 人，请核对", t.value),
                );
            }
            for m in [Measure::TeachingArea, Measure::SportsArea] {
                if let Some(a) = r.get(m)
                    && a.value / p > 100.0
                {
                    warn(
                        &a.at,
                        format!(
                            "{}生均 {:.1} 平方米，超过 100，请核对单位",
                            m.zh(),
                            a.value / p
                        ),
                    );
                }
            }
        }
    }
    out
}

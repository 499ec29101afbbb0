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
mod xls_rows;
mod xlsx;
pub mod yaml;

use crate::access::{Access, InputKind};
use crate::error::Error;
use crate::model::{County, Measure, RowPart, Section, SourceFile, Warning};
use crate::source::Figure;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Load a county: the plan at `plan_path`, and the school files it names
/// unless `schools_override` gives others (`--schools`).
pub fn load(plan_path: &Path, schools_override: &[PathBuf]) -> Result<County, Error> {
    load_in(
        Arc::new(Access::new(plan_path)),
        plan_path,
        schools_override,
    )
}

/// [`load`], reading through `access`, which keeps the record of every
/// file read or named even when loading fails: a review checks its
/// output against the files of a county it could not load, too.
pub fn load_in(
    access: Arc<Access>,
    plan_path: &Path,
    schools_override: &[PathBuf],
) -> Result<County, Error> {
    load_year(access, plan_path, schools_override, true)
}

/// `with_previous`: also read last year's data the plan names; off when
/// reading last year's workbooks themselves.
fn load_year(
    access: Arc<Access>,
    plan_path: &Path,
    schools_override: &[PathBuf],
    with_previous: bool,
) -> Result<County, Error> {
    let text = access.read_text(plan_path, InputKind::Plan, None)?;
    let label = plan_path.display().to_string();
    let plan: plan::Plan = yaml::from_str(&text, &label).inspect_err(|_| {
        declare_named(&access, plan_path, &text);
    })?;
    let project_dir = plan_path
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));

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
    // What the plan and the command line name may be read even outside
    // the plan's folder; nothing else may. Named, they are inputs of the
    // run from now on, before they are read.
    for (path, _) in &files {
        access.declare(path, InputKind::Workbook);
    }
    if let Some(p) = &plan.standards.profile {
        access.declare(&project_dir.join(&p.value), InputKind::Profile);
    }
    if let Some(d) = &plan.report.templates {
        access.allow(&project_dir.join(d));
    }
    let previous_files = match (&plan.data.previous, with_previous) {
        (Some(p), true) => crate::evaluate::previous::files(p, &label)?,
        _ => Vec::new(),
    };
    let previous_kind = match &plan.data.previous {
        Some(p) if p.value.evaluation.is_some() => InputKind::PreviousEvaluation,
        _ => InputKind::Workbook,
    };
    for f in &previous_files {
        access.declare(&project_dir.join(f), previous_kind);
    }

    let profile = yaml::build_profile(&plan, &project_dir, &label, &access)?;
    yaml::check_plan(&plan, &profile, &label)?;
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
    let mut empty_sheets = Vec::new();
    for (path, shown) in &files {
        let errors_before = errors.len();
        let grids = match open_workbook(&access, path, shown) {
            Ok(g) => g,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let mut used = Vec::new();
        let mut unreadable = Vec::new();
        // Sheets with a header but not the required columns: their errors,
        // raised only when no sheet of the file gives schools.
        let mut not_tables = Vec::new();
        let mut hidden_notes = Vec::new();
        for g in &grids {
            if g.hidden && !plan.data.read_hidden_sheets {
                let note = format!(
                    "工作表“{}”是隐藏的，未读取；如需读取请在计划文件 data 中写 read_hidden_sheets: true",
                    g.sheet
                );
                warnings.push(Warning {
                    at: None,
                    message: format!("{shown}，{note}"),
                });
                hidden_notes.push(note);
                continue;
            }
            if g.rows.iter().all(|r| r.iter().all(|c| c.is_blank())) {
                unreadable.push((g.sheet.to_string(), "工作表为空".to_string()));
                continue;
            }
            match schools::find_header(g, &dict) {
                None => unreadable.push((
                    g.sheet.to_string(),
                    "没有找到含“学校名称”的表头".to_string(),
                )),
                Some(h) => match schools::read_sheet(g, &dict, h) {
                    Ok(s) => {
                        if s.rows.is_empty() {
                            empty_sheets.push(format!("{shown}，工作表“{}”", g.sheet));
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
                        warnings.extend(s.notes);
                        used.push(g.sheet.to_string());
                    }
                    Err(schools::SheetError::Rows(e)) => errors.push(e),
                    Err(schools::SheetError::NotATable(e)) => {
                        unreadable.push((
                            g.sheet.to_string(),
                            "不是学校数据表（缺少必需的列）".to_string(),
                        ));
                        not_tables.push(e);
                    }
                },
            }
        }
        // A file whose sheets all failed has said why already.
        if used.is_empty() && errors.len() == errors_before {
            if !not_tables.is_empty() {
                errors.extend(not_tables);
            } else {
                let detail = unreadable
                    .iter()
                    .map(|(s, why)| format!("工作表“{s}”{why}"))
                    .chain(hidden_notes)
                    .collect::<Vec<_>>()
                    .join("；");
                errors.push(Error::File {
                    file: shown.clone(),
                    message: format!("没有可读取的学校数据（{detail}）"),
                });
            }
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
    // A header with nothing under it must not become a 0-school report.
    if rows.is_empty() {
        return Err(Error::Other(format!(
            "学校数据文件中没有读到任何学校数据行（{}：表头下没有学校）；请检查是否选错了文件或工作表",
            empty_sheets.join("；")
        )));
    }
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
        access,
        previous: None,
    };
    county.warnings.extend(plausibility(&county));
    if let (Some(p), true) = (&county.plan.data.previous, with_previous) {
        let prev = previous(plan_path, &county, &p.value, &previous_files)?;
        let notes = crate::evaluate::previous::check(&prev, &p.value, &county.schools, &label)?;
        county.warnings.extend(notes);
        county.previous = Some(prev);
    }
    Ok(county)
}

/// A plan that does not load still names its files: read loosely, they
/// count as inputs, so that a review going on without this county
/// (`--keep-going`) never replaces a folder holding them.
fn declare_named(access: &Access, plan_path: &Path, text: &str) {
    use serde_json::Value;
    let Ok(v) = serde_saphyr::from_str::<Value>(text) else {
        return;
    };
    let dir = plan_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let names = |at: &str| -> Vec<String> {
        match v.pointer(at) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    for (at, kind) in [
        ("/data/schools", InputKind::Workbook),
        ("/data/previous/schools", InputKind::Workbook),
        ("/data/previous/evaluation", InputKind::PreviousEvaluation),
        ("/standards/profile", InputKind::Profile),
    ] {
        for name in names(at) {
            access.declare(&dir.join(name), kind);
        }
    }
    for name in names("/report/templates") {
        access.allow(&dir.join(name));
    }
}

/// Last year's data the plan names: its workbooks read by this same
/// loader (same plan, aliases and profile), or last year's evaluation JSON.
fn previous(
    plan_path: &Path,
    county: &County,
    p: &plan::PreviousData,
    files: &[String],
) -> Result<crate::evaluate::previous::PreviousInput, Error> {
    use crate::evaluate::previous::{PreviousData, PreviousInput, parse_evaluation};
    let paths: Vec<PathBuf> = files.iter().map(|f| county.project_dir.join(f)).collect();
    let data = if let Some(e) = &p.evaluation {
        let named_at = yaml::yaml_ref(&plan_path.display().to_string(), e.referenced);
        let text =
            county
                .access
                .read_text(&paths[0], InputKind::PreviousEvaluation, Some(&named_at))?;
        PreviousData::Evaluation(Box::new(parse_evaluation(&text, &e.value)?))
    } else {
        let last =
            load_year(Arc::new(Access::new(plan_path)), plan_path, &paths, false).map_err(|e| {
                Error::Other(format!(
                    "读取上年数据（计划文件 data.previous.schools）时出错：\n{e}"
                ))
            })?;
        // Last year's workbooks are inputs of this run too: never overwritten.
        county.access.absorb(&last.access);
        PreviousData::Workbooks(Box::new(last))
    };
    Ok(PreviousInput {
        files: files.to_vec(),
        renames: p
            .renames
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect(),
        data,
    })
}

/// A workbook the access module granted; a missing one is the reader's
/// to report (“找不到这个学校数据文件”). The path is read as given, so its
/// extension still tells the format.
fn open_workbook(access: &Access, path: &Path, shown: &str) -> Result<Vec<grid::Grid>, Error> {
    if std::fs::symlink_metadata(path).is_ok() {
        access.check_read(path, InputKind::Workbook)?;
    }
    grid::read_workbook(path, shown)
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

/// Figures that are possible but usually a typing or unit slip, against the
/// ranges of the profile (`plausibility` in the profile YAML). Each warning
/// names the cell of the figure, its value and the usual range.
fn plausibility(county: &County) -> Vec<Warning> {
    let mut out = Vec::new();
    let checks: Vec<(&crate::profile::PlausibleRange, Measure, Option<Measure>)> = county
        .profile
        .plausibility
        .values()
        .filter_map(|r| {
            let per = match &r.per {
                Some(p) => Some(Measure::from_zh(p)?),
                None => None,
            };
            Some((r, Measure::from_zh(&r.figure)?, per))
        })
        .collect();
    for s in &county.schools {
        // Each 部 row on its own, then the whole-school figures against the
        // whole school's students (高中部 included: they share the rooms).
        let mut scopes: Vec<(String, &BTreeMap<Measure, Figure>, Option<Section>)> = s
            .section_rows()
            .map(|(section, r)| (section.zh().to_string(), &r.figures, Some(section)))
            .collect();
        let mut whole_with_students;
        if !s.whole.is_empty() {
            whole_with_students = s.whole.clone();
            let total: f64 = s
                .rows
                .iter()
                .filter_map(|r| r.get(Measure::Students))
                .map(|f| f.value)
                .sum();
            if let Some(first) = s.rows.iter().find_map(|r| r.get(Measure::Students)) {
                whole_with_students.insert(
                    Measure::Students,
                    Figure {
                        value: total,
                        at: first.at.clone(),
                    },
                );
            }
            scopes.push(("全校".to_string(), &whole_with_students, None));
        }
        for (scope, figures, section) in &scopes {
            for (range, m, per) in &checks {
                if range.section.is_some() && range.section != *section {
                    continue;
                }
                // Whole-school figures are only the shared resources.
                if section.is_none() && !m.is_shared_resource() {
                    continue;
                }
                let Some(fig) = figures.get(m) else { continue };
                let (value, what) = match per {
                    None => (
                        fig.value,
                        format!("{} {}", crate::profile::fmt_number(fig.value), range.unit),
                    ),
                    Some(p) => {
                        let Some(d) = figures.get(p).filter(|d| d.value > 0.0) else {
                            continue;
                        };
                        let v = fig.value / d.value * range.scale;
                        (
                            v,
                            format!(
                                "{} {}（{} {} ÷ {} {}{}）",
                                round2(v),
                                range.unit,
                                m.zh(),
                                crate::profile::fmt_number(fig.value),
                                p.zh(),
                                crate::profile::fmt_number(d.value),
                                if range.scale != 1.0 {
                                    format!(" × {}", crate::profile::fmt_number(range.scale))
                                } else {
                                    String::new()
                                }
                            ),
                        )
                    }
                };
                let low = range.min.is_some_and(|a| value < a);
                let high = range.max.is_some_and(|b| value > b);
                if !(low || high) {
                    continue;
                }
                out.push(Warning {
                    at: Some(fig.at.clone()),
                    message: format!(
                        "学校“{}”{scope}：{}为 {what}，{}通常范围 {}，请核对{}",
                        s.name,
                        range.label,
                        if low { "低于" } else { "超过" },
                        range.range_text(),
                        if m.unit() == "元" || m.unit() == "平方米" {
                            "数值和单位（万元/元、平方米）"
                        } else {
                            ""
                        }
                    ),
                });
            }
        }
    }
    out
}

fn round2(v: f64) -> String {
    crate::profile::fmt_number((v * 100.0).round() / 100.0)
}

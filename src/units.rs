//! 责任清单 by unit: for every 牵头单位 and 责任单位 the plan names, its
//! tasks (牵头 or 配合) with their targets, deadlines and status as the
//! evaluation judged them, and the 整改台账 items assigned to it. A plan
//! writes the same department several ways (县财政局, 财政局, 泗县财政局):
//! names are normalised to one unit, and the mapping is reported.

use crate::evaluate::Evaluation;
use crate::input::plan::Plan;
use crate::ledger::Ledger;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Units {
    pub county: String,
    pub units: Vec<Unit>,
    /// 整改台账 items no unit answers for (the plan names none for their
    /// indicator): listed apart, never dropped.
    pub unassigned: Vec<UnitItem>,
    /// Every spelling found and the unit it was read as, where they differ.
    pub mapping: Vec<Spelling>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Spelling {
    pub written: String,
    pub unit: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    /// The name as the plan first writes it.
    pub name: String,
    pub tasks: Vec<UnitTask>,
    pub items: Vec<UnitItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitTask {
    /// `一.4`, or `保障措施（一）`.
    pub task: String,
    pub title: String,
    /// 牵头 or 配合
    pub role: String,
    /// The task's targets; empty when it has none to measure.
    pub targets: Vec<UnitTarget>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitTarget {
    pub target: String,
    pub deadline: String,
    pub actual: String,
    /// 已达成 / 未达成 / 无数据
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitItem {
    pub scope: String,
    pub section: String,
    pub indicator: String,
    pub problem: String,
    pub deadline: String,
    pub status: String,
    pub role: String,
}

/// The unit a name stands for: without the county's name, a leading 县/市/区
/// and a trailing 人民政府 → 政府, so 县财政局, 财政局 and 泗县财政局 agree.
pub fn normalise(county: &str, name: &str) -> String {
    let mut s: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    s = s.replace("人民政府", "政府");
    if !county.is_empty()
        && let Some(rest) = s.strip_prefix(county)
        && !rest.is_empty()
    {
        s = rest.to_string();
    }
    if let Some(rest) = s.strip_prefix(['县', '市', '区'])
        && !rest.is_empty()
    {
        s = rest.to_string();
    }
    s
}

struct Registry<'a> {
    county: &'a str,
    units: Vec<(String, Unit)>,
    mapping: Vec<Spelling>,
}

impl Registry<'_> {
    fn unit(&mut self, written: &str) -> &mut Unit {
        let k = normalise(self.county, written);
        let i = match self.units.iter().position(|(key, _)| *key == k) {
            Some(i) => i,
            None => {
                self.units.push((
                    k.clone(),
                    Unit {
                        name: written.trim().to_string(),
                        tasks: Vec::new(),
                        items: Vec::new(),
                    },
                ));
                self.units.len() - 1
            }
        };
        let unit_name = self.units[i].1.name.clone();
        if !self.mapping.iter().any(|m| m.written == written.trim()) {
            self.mapping.push(Spelling {
                written: written.trim().to_string(),
                unit: unit_name,
            });
        }
        &mut self.units[i].1
    }
}

pub fn build(plan: &Plan, e: &Evaluation, ledger: &Ledger) -> Units {
    let mut reg = Registry {
        county: &plan.county,
        units: Vec::new(),
        mapping: Vec::new(),
    };
    for g in &plan.tasks {
        for t in &g.items {
            let number = format!("{}.{}", g.number, t.number);
            let targets: Vec<UnitTarget> = e
                .targets
                .iter()
                .filter(|x| x.task == number)
                .map(|x| UnitTarget {
                    target: x.target_words.clone(),
                    deadline: crate::input::plan::parse_deadline(&x.deadline)
                        .map(|d| crate::ledger::deadline_zh(&d))
                        .unwrap_or_else(|| x.deadline.clone()),
                    actual: x.actual.clone(),
                    status: x.status.clone(),
                })
                .collect();
            for (names, role) in [(&g.lead, "牵头"), (&g.responsible, "配合")] {
                for n in names {
                    let u = reg.unit(n);
                    if !u.tasks.iter().any(|x| x.task == number) {
                        u.tasks.push(UnitTask {
                            task: number.clone(),
                            title: t.title.clone(),
                            role: role.into(),
                            targets: targets.clone(),
                        });
                    }
                }
            }
        }
    }
    for s in &plan.safeguards {
        let number = format!("保障措施（{}）", s.number);
        for (names, role) in [(&s.lead, "牵头"), (&s.responsible, "配合")] {
            for n in names {
                let u = reg.unit(n);
                if !u.tasks.iter().any(|x| x.task == number) {
                    u.tasks.push(UnitTask {
                        task: number.clone(),
                        title: s.title.clone(),
                        role: role.into(),
                        targets: Vec::new(),
                    });
                }
            }
        }
    }
    let item = |it: &crate::ledger::Item, role: &str| UnitItem {
        scope: it.scope.clone(),
        section: it.section.clone(),
        indicator: it.indicator.clone(),
        problem: it.problem.clone(),
        deadline: it.deadline.clone(),
        status: it.status.clone(),
        role: role.into(),
    };
    let mut unassigned = Vec::new();
    for it in &ledger.items {
        if it.lead.is_empty() && it.responsible.is_empty() {
            unassigned.push(item(it, ""));
        }
        for (names, role) in [(&it.lead, "牵头"), (&it.responsible, "配合")] {
            for n in names {
                let u = reg.unit(n);
                if !u
                    .items
                    .iter()
                    .any(|x| x.problem == it.problem && x.scope == it.scope)
                {
                    u.items.push(item(it, role));
                }
            }
        }
    }
    let mapping = reg
        .mapping
        .into_iter()
        .filter(|m| m.written != m.unit)
        .collect();
    Units {
        county: plan.county.clone(),
        units: reg.units.into_iter().map(|(_, u)| u).collect(),
        unassigned,
        mapping,
    }
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`,
/// distinct from the names already used.
fn sheet_name(name: &str, used: &[String]) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(28)
        .collect();
    let mut s = clean.clone();
    let mut n = 2;
    while used.iter().any(|u| u == &s) {
        s = format!("{clean}{n}");
        n += 1;
    }
    s
}

/// The workbook: one sheet per unit, then the name mapping.
pub fn workbook(u: &Units, day: chrono::NaiveDate) -> Result<Vec<u8>, crate::error::Error> {
    use crate::output::excel;
    use chrono::Datelike;
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatBorder, Workbook};
    let run = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut wb = Workbook::new();
        let created =
            ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)?;
        wb.set_properties(
            &DocProperties::new()
                .set_title(format!("{}义务教育优质均衡发展责任清单", u.county))
                .set_author("dudao")
                .set_creation_datetime(&created),
        );
        let f = Format::new()
            .set_font_name("宋体")
            .set_font_size(10.5)
            .set_text_wrap()
            .set_border(FormatBorder::Thin);
        let h = f.clone().set_bold();
        let mut used = Vec::new();
        for unit in &u.units {
            let name = sheet_name(&unit.name, &used);
            used.push(name.clone());
            let ws = wb.add_worksheet();
            ws.set_name(&name)?;
            for (c, w) in [10.0, 26.0, 8.0, 36.0, 14.0, 24.0, 10.0].iter().enumerate() {
                ws.set_column_width(c as u16, *w)?;
            }
            excel::write_text(ws, 0, 0, &format!("{}责任清单", unit.name), &h)?;
            let mut r = 2;
            ws.write_string_with_format(1, 0, "一、承担的任务", &h)?;
            for (c, t) in ["任务", "内容", "角色", "目标", "时限", "实际", "状态"]
                .iter()
                .enumerate()
            {
                ws.write_string_with_format(r, c as u16, *t, &h)?;
            }
            r += 1;
            for t in &unit.tasks {
                let targets: Vec<Option<&UnitTarget>> = if t.targets.is_empty() {
                    vec![None]
                } else {
                    t.targets.iter().map(Some).collect()
                };
                for x in targets {
                    let cells = [
                        t.task.as_str(),
                        t.title.as_str(),
                        t.role.as_str(),
                        x.map_or("无量化目标", |x| x.target.as_str()),
                        x.map_or("", |x| x.deadline.as_str()),
                        x.map_or("", |x| x.actual.as_str()),
                        x.map_or("", |x| x.status.as_str()),
                    ];
                    for (c, v) in cells.iter().enumerate() {
                        excel::write_text(ws, r, c as u16, v, &f)?;
                    }
                    r += 1;
                }
            }
            r += 1;
            ws.write_string_with_format(r, 0, "二、整改台账中的问题", &h)?;
            r += 1;
            for (c, t) in [
                "学校（范围）",
                "问题",
                "角色",
                "指标",
                "完成时限",
                "学段",
                "状态",
            ]
            .iter()
            .enumerate()
            {
                ws.write_string_with_format(r, c as u16, *t, &h)?;
            }
            r += 1;
            if unit.items.is_empty() {
                ws.write_string_with_format(r, 0, "无", &f)?;
            }
            for it in &unit.items {
                let cells = [
                    &it.scope,
                    &it.problem,
                    &it.role,
                    &it.indicator,
                    &it.deadline,
                    &it.section,
                    &it.status,
                ];
                for (c, v) in cells.iter().enumerate() {
                    excel::write_text(ws, r, c as u16, v.as_str(), &f)?;
                }
                r += 1;
            }
        }
        let ws = wb.add_worksheet();
        ws.set_name("单位名称对照")?;
        ws.set_column_width(0, 30)?;
        ws.set_column_width(1, 30)?;
        ws.write_string_with_format(0, 0, "计划文件中的写法", &h)?;
        ws.write_string_with_format(0, 1, "归并为", &h)?;
        if u.mapping.is_empty() {
            ws.write_string_with_format(1, 0, "各单位名称写法一致，无需归并", &f)?;
        }
        for (n, m) in u.mapping.iter().enumerate() {
            excel::write_text(ws, 1 + n as u32, 0, &m.written, &f)?;
            excel::write_text(ws, 1 + n as u32, 1, &m.unit, &f)?;
        }
        wb.save_to_buffer()
    };
    run().map_err(|e| excel::error("责任清单工作簿", e))
}

/// The 责任清单 as a PDF, through the report's templates and renderer.
#[cfg(feature = "report")]
pub fn pdf(
    county: &crate::model::County,
    u: &Units,
    data_date: &str,
) -> Result<Vec<u8>, crate::error::Error> {
    use crate::report::templates;
    use minijinja::value::{Serde, Value};
    let dir = county
        .plan
        .report
        .templates
        .as_ref()
        .map(|d| county.project_dir.join(d))
        .filter(|d| d.is_dir())
        .map(|dir| templates::TemplateDir {
            dir,
            access: county.access.clone(),
        });
    let env = templates::environment(dir.clone());
    let ctx = minijinja::context! {
        plan => Value::from(Serde(&county.plan)),
        unit_list => Value::from(Serde(u)),
        data_date => data_date,
    };
    let main = templates::render(&env, "units.typ.j2", &ctx)?;
    let style = templates::source("style.typ", dir.as_ref())?;
    let mut job =
        crate::render::RenderJob::new(main, &county.project_dir, county.plan.report.date.value.0);
    job.files
        .insert(crate::render::STYLE_PATH.to_string(), style.into_bytes());
    job.title = format!("{}义务教育优质均衡发展责任清单", county.plan.county);
    job.author = county.plan.report.issuer.clone();
    job.keep_caches = true;
    // A typst error or a stopped run at the line of the units template
    // that caused it, as the report's errors are.
    crate::render::render(&job).map(|r| r.pdf).map_err(|e| {
        crate::error::Error::Render(crate::report::for_template_author(
            dir.as_ref(),
            &county.project_dir,
            &job.main,
            e,
        ))
    })
}

/// `dudao units`: a `.pdf` or `.xlsx` output writes that file; any other
/// path is a folder receiving both (by default the plan's folder).
#[cfg(feature = "report")]
pub fn run(
    plan: &std::path::Path,
    schools: &[std::path::PathBuf],
    output: Option<&std::path::Path>,
    previous: Option<&std::path::Path>,
    any_county: bool,
) -> Result<(), crate::error::Error> {
    use std::path::PathBuf;
    let (county, prev) = crate::ledger::load(plan, schools, previous, any_county)?;
    let ext = |p: &std::path::Path, e: &str| {
        p.extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| x.eq_ignore_ascii_case(e))
    };
    let (xlsx_out, pdf_out): (Option<PathBuf>, Option<PathBuf>) = match output {
        Some(p) if ext(p, "xlsx") => (Some(p.to_path_buf()), None),
        Some(p) if ext(p, "pdf") => (None, Some(p.to_path_buf())),
        other => {
            let dir = other
                .map(std::path::Path::to_path_buf)
                .unwrap_or_else(|| county.project_dir.clone());
            (
                Some(dir.join("责任清单.xlsx")),
                Some(dir.join("责任清单.pdf")),
            )
        }
    };
    for p in xlsx_out.iter().chain(&pdf_out) {
        county.access.check_output(p)?;
    }
    let e = crate::evaluate::evaluate(&county);
    let l = crate::ledger::build(&county, &e, prev.as_ref())?;
    let u = build(&county.plan, &e, &l);
    let day = county.plan.report.date.value.0;
    // Everything is made before anything is written.
    let xlsx = xlsx_out.as_ref().map(|_| workbook(&u, day)).transpose()?;
    let pdf = pdf_out
        .as_ref()
        .map(|_| pdf(&county, &u, &l.data_date))
        .transpose()?;
    // The render read templates and fonts: inputs too, checked again.
    for p in xlsx_out.iter().chain(&pdf_out) {
        county.access.check_output(p)?;
    }
    let files: Vec<(PathBuf, Vec<u8>)> = xlsx_out
        .iter()
        .cloned()
        .zip(xlsx)
        .chain(pdf_out.iter().cloned().zip(pdf))
        .collect();
    // Both files or neither; a folder made for them goes again on failure.
    let made = match files.first().map(|(p, _)| p.parent()) {
        Some(Some(dir)) if !dir.as_os_str().is_empty() && !dir.exists() => {
            std::fs::create_dir_all(dir).map_err(|e| crate::error::Error::write(dir, e))?;
            Some(dir.to_path_buf())
        }
        _ => None,
    };
    if let Err(e) = crate::output::write_files(&files) {
        if let Some(dir) = made {
            let _ = std::fs::remove_dir(dir);
        }
        return Err(e);
    }
    for (p, _) in &files {
        let what = if ext(p, "xlsx") {
            "责任清单工作簿"
        } else {
            "责任清单"
        };
        eprintln!("已写出{what}：{}（{}个单位）", p.display(), u.units.len());
    }
    for m in &u.mapping {
        eprintln!("单位名称归并：“{}”按“{}”计", m.written, m.unit);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn one_unit_however_written() {
        for n in ["县财政局", "财政局", "泗县财政局", " 县 财政局"] {
            assert_eq!(normalise("泗县", n), "财政局", "{n}");
        }
        assert_eq!(
            normalise("泗县", "泗县人民政府"),
            normalise("泗县", "县政府")
        );
        assert_eq!(normalise("泗县", "团县委"), "团县委");
        assert_eq!(normalise("泗县", "各镇政府"), "各镇政府");
        assert_ne!(normalise("泗县", "县"), "");
    }
}

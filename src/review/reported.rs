//! The figures a county reported, read back so they can be held against the
//! recomputed ones: the JSON of `dudao evaluate`, or the county's own
//! 差异系数表 and 学校达标情况表 in the published layout (any workbook format
//! the loaders read). Every figure keeps where it was read, so a
//! discrepancy names its cell or JSON path. [`write_published_xlsx`] writes
//! that layout, for the synthetic counties and as its documentation.

use crate::error::Error;
use crate::evaluate::Evaluation;
use crate::evaluate::readback::{self, Kind, de};
use crate::input::grid::{Cell, Grid};
use crate::model::Section;
use crate::profile::ResourceIndicator;
use crate::source::CellRef;
use std::collections::BTreeMap;
use std::path::Path;

/// Which published figure a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Figure {
    Mean,
    Sd,
    Cv,
}

impl Figure {
    pub fn key(self) -> &'static str {
        match self {
            Figure::Mean => "mean",
            Figure::Sd => "sd",
            Figure::Cv => "cv",
        }
    }
}

/// One reported number and where it stands.
#[derive(Debug, Clone)]
pub struct Value {
    pub value: f64,
    /// `file，工作表“…”，单元格 F7` or `file：resource.primary.indicators.L5.mean`.
    pub source: String,
}

/// A school-学段 row as the county listed it.
#[derive(Debug, Clone)]
pub struct ReportedSchool {
    pub name: String,
    pub section: Section,
    pub values: Vec<(ResourceIndicator, Value)>,
    pub students: Option<Value>,
}

/// Everything read from one reported file.
#[derive(Debug, Clone, Default)]
pub struct Reported {
    pub file: String,
    pub cv: Vec<(Section, ResourceIndicator, Figure, Value)>,
    pub schools_passing: Vec<(Section, Value)>,
    /// None: the file has no school list.
    pub schools: Option<Vec<ReportedSchool>>,
    /// The file lists every row (JSON) rather than those counted only.
    pub lists_all_rows: bool,
    /// The county the file says it is of (JSON only).
    pub county: Option<String>,
}

pub fn read(path: &Path, label: &str) -> Result<Reported, Error> {
    let is_json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        read_json(path, label)
    } else {
        let grids = crate::input::grid::read_workbook(path, label)?;
        read_published(&grids, label)
    }
}

fn read_json(path: &Path, label: &str) -> Result<Reported, Error> {
    // A regular file within MAX_EVALUATION_JSON_BYTES, checked by the reader.
    let text = crate::access::read_file_text(path, crate::access::InputKind::Reported, None)?;
    parse_json(&text, label)
}

/// The figures of a `dudao evaluate` JSON; `label` names the file.
pub fn parse_json(text: &str, label: &str) -> Result<Reported, Error> {
    let refuse = |message: String| Error::File {
        file: label.to_string(),
        message,
    };
    // Only the figures compared, typed: the rest (cell references, texts)
    // is skipped by the parser instead of built into a tree.
    let v: JsonEvaluation = serde_json::from_str(text).map_err(|e| {
        refuse(match readback::figure_refused(&e) {
            Some(why) => format!("第{}行第{}列：{why}", e.line(), e.column()),
            None => format!(
                "第{}行第{}列：不是 dudao evaluate --format json 的输出（{}）",
                e.line(),
                e.column(),
                json_reason(&e)
            ),
        })
    })?;
    let mut out = Reported {
        file: label.to_string(),
        lists_all_rows: true,
        county: v.county.clone(),
        ..Default::default()
    };
    let at = |p: &str| format!("{label}：{p}");
    for s in Section::ALL {
        let sec = match s {
            Section::Primary => &v.resource.primary,
            Section::Junior => &v.resource.junior,
        };
        if let Some(n) = sec.schools_passing {
            let p = format!("resource.{}.schools_passing", s.key());
            out.schools_passing.push((
                s,
                Value {
                    value: n,
                    source: at(&p),
                },
            ));
        }
        for (i, x) in &sec.indicators {
            for (f, val) in [
                (Figure::Mean, x.mean),
                (Figure::Sd, x.sd),
                (Figure::Cv, x.cv),
            ] {
                if let Some(val) = val {
                    let p = format!("resource.{}.indicators.{i}.{}", s.key(), f.key());
                    out.cv.push((
                        s,
                        *i,
                        f,
                        Value {
                            value: val,
                            source: at(&p),
                        },
                    ));
                }
            }
        }
    }
    let schools = v
        .schools
        .into_iter()
        .enumerate()
        .map(|(k, row)| ReportedSchool {
            values: row
                .values
                .iter()
                .filter_map(|(i, x)| {
                    x.map(|x| {
                        (
                            *i,
                            Value {
                                value: x,
                                source: at(&format!("schools[{k}].values.{i}")),
                            },
                        )
                    })
                })
                .collect(),
            students: row.students.map(|x| Value {
                value: x,
                source: at(&format!("schools[{k}].students")),
            }),
            name: row.name,
            section: row.section,
        })
        .collect();
    out.schools = Some(schools);
    Ok(out)
}

fn json_reason(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => "JSON 格式错误".into(),
        _ => {
            let m = e.to_string();
            let m = m.split(" at line").next().unwrap_or(&m).to_string();
            if m.starts_with("missing field") {
                format!("缺少字段 {}", m.trim_start_matches("missing field "))
            } else {
                format!("内容不符：{m}")
            }
        }
    }
}

/// The part of the evaluation JSON (docs/evaluation-json.md) compared.
#[derive(serde::Deserialize)]
struct JsonEvaluation {
    county: Option<String>,
    #[serde(deserialize_with = "possible_resource")]
    resource: JsonResource,
    schools: Vec<JsonSchool>,
}

#[derive(serde::Deserialize)]
struct JsonResource {
    primary: JsonSection,
    junior: JsonSection,
}

#[derive(serde::Deserialize)]
struct JsonSection {
    #[serde(default, deserialize_with = "de::count_opt")]
    schools: Option<f64>,
    #[serde(default, deserialize_with = "de::count_opt")]
    schools_passing: Option<f64>,
    indicators: BTreeMap<ResourceIndicator, JsonIndicator>,
}

#[derive(serde::Deserialize)]
struct JsonIndicator {
    #[serde(default, deserialize_with = "de::mean")]
    mean: Option<f64>,
    #[serde(default, deserialize_with = "de::sd")]
    sd: Option<f64>,
    #[serde(default, deserialize_with = "de::cv")]
    cv: Option<f64>,
}

#[derive(serde::Deserialize)]
struct JsonSchool {
    name: String,
    section: Section,
    #[serde(default, deserialize_with = "de::students")]
    students: Option<f64>,
    #[serde(deserialize_with = "de::values")]
    values: BTreeMap<ResourceIndicator, Option<f64>>,
}

/// The sections' figures possible together: no more rows passing than
/// rows counted, no CV beside a mean of zero.
fn possible_resource<'de, D: serde::Deserializer<'de>>(d: D) -> Result<JsonResource, D::Error> {
    use serde::de::{Deserialize, Error as _};
    let r = JsonResource::deserialize(d)?;
    for (s, sec) in [(Section::Primary, &r.primary), (Section::Junior, &r.junior)] {
        let at = format!("resource.{}", s.key());
        let passing = match (sec.schools_passing, sec.schools) {
            (Some(n), Some(counted)) => readback::more_than_counted(
                &format!("{at}.schools_passing（达到校际均衡要求的学校数）"),
                n,
                counted,
            ),
            _ => None,
        };
        let cvs = sec.indicators.iter().find_map(|(i, x)| {
            readback::mean_without_cv(x.mean, x.cv).map(|m| format!("{at}.indicators.{i}：{m}"))
        });
        if let Some(why) = passing.or(cvs) {
            return Err(D::Error::custom(why));
        }
    }
    Ok(r)
}

/// The indicator a header cell names: its id (`L5`) or its name.
fn indicator_of(text: &str) -> Option<ResourceIndicator> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(i) = ResourceIndicator::parse(t.get(..2).unwrap_or("")) {
        return Some(i);
    }
    NAMES
        .iter()
        .find(|(_, n)| t.starts_with(n.as_str()))
        .map(|(i, _)| *i)
}

/// The indicators' names in the national profile, parsed once.
static NAMES: std::sync::LazyLock<Vec<(ResourceIndicator, String)>> =
    std::sync::LazyLock::new(|| {
        let p = crate::profile::Profile::national();
        ResourceIndicator::ALL
            .into_iter()
            .map(|i| (i, p.resource_spec(i).name.clone()))
            .collect()
    });

fn section_of(text: &str) -> Option<Section> {
    if text.contains("小学") {
        Some(Section::Primary)
    } else if text.contains("初中") {
        Some(Section::Junior)
    } else {
        None
    }
}

fn figure_of(text: &str) -> Option<Figure> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    match t.as_str() {
        "全县平均值" | "平均值" | "均值" | "全县均值" | "县域平均值" => {
            Some(Figure::Mean)
        }
        "标准差" => Some(Figure::Sd),
        "差异系数" | "校际差异系数" => Some(Figure::Cv),
        _ => None,
    }
}

/// A reported figure's cell, read as the school workbooks' cells are: a
/// blank or `—` is no figure; text that is no number, an error cell, a
/// formula without its saved result or an impossible figure is refused at
/// the cell, never skipped or compared as NaN.
fn number(cell: &Cell, kind: Kind, at: &CellRef) -> Result<Option<f64>, Error> {
    use crate::input::number::{Parsed, parse_number};
    let x = match parse_number(cell) {
        Parsed::Missing => return Ok(None),
        Parsed::Bad(why) => return Err(Error::cell(at, format!("{}{why}", kind.zh()))),
        Parsed::Value(x, factor) => x * factor.unwrap_or(1.0),
    };
    match readback::impossible(kind, x) {
        Some(why) => Err(Error::cell(at, why)),
        None => Ok(Some(x)),
    }
}

fn figure_kind(f: Figure) -> Kind {
    match f {
        Figure::Mean => Kind::Mean,
        Figure::Sd => Kind::Sd,
        Figure::Cv => Kind::Cv,
    }
}

/// The published layouts: a 差异系数表 (per 学段 a block, rows 全县平均值 /
/// 标准差 / 差异系数, one column per indicator) and a 学校达标情况表 (学校名称,
/// 学段, one column per indicator), on any sheets, in either order.
pub fn read_published(grids: &[Grid], label: &str) -> Result<Reported, Error> {
    let mut out = Reported {
        file: label.to_string(),
        ..Default::default()
    };
    // Every refused cell of the file, reported together.
    let mut errors = Vec::new();
    for g in grids {
        let height = g.rows.len() as u32;
        // The header: the first row naming at least five indicators.
        let Some((hr, cols)) = (0..height).find_map(|r| {
            let cols: Vec<(u32, ResourceIndicator)> = (0..g.width())
                .filter_map(|c| g.get(r, c).text().and_then(indicator_of).map(|i| (c, i)))
                .collect();
            (cols.len() >= 5).then_some((r, cols))
        }) else {
            continue;
        };
        let first = cols.iter().map(|(c, _)| *c).min().unwrap_or(0);
        let name_col = (0..first).find(|c| {
            g.get(hr, *c)
                .text()
                .is_some_and(|t| t.contains("学校名称") || t.trim() == "学校")
        });
        let section_col =
            (0..first).find(|c| g.get(hr, *c).text().is_some_and(|t| t.contains("学段")));
        let cell_ref =
            |r: u32, c: u32| CellRef::new(g.file.clone(), g.sheet.clone(), r, c).to_string();
        if let Some(nc) = name_col {
            let mut schools = Vec::new();
            for r in hr + 1..height {
                let Some(name) = g.get(r, nc).text().map(str::trim).filter(|t| !t.is_empty())
                else {
                    continue;
                };
                let section = section_col
                    .and_then(|c| g.get(r, c).text())
                    .and_then(section_of)
                    .or_else(|| section_of(name));
                let Some(section) = section else {
                    return Err(Error::File {
                        file: cell_ref(r, section_col.unwrap_or(nc)),
                        message: format!("学校“{name}”没有写明学段（小学或初中）"),
                    });
                };
                let mut values = Vec::new();
                for (c, i) in &cols {
                    let at = CellRef::new(g.file.clone(), g.sheet.clone(), r, *c);
                    match number(g.get(r, *c), Kind::Value, &at) {
                        Ok(Some(x)) => values.push((
                            *i,
                            Value {
                                value: x,
                                source: at.to_string(),
                            },
                        )),
                        Ok(None) => {}
                        Err(e) => errors.push(e),
                    }
                }
                schools.push(ReportedSchool {
                    name: name.to_string(),
                    section,
                    values,
                    students: None,
                });
            }
            out.schools = Some(schools);
        } else {
            let mut section = None;
            for r in 0..height {
                let lead: Vec<String> = (0..first)
                    .filter_map(|c| g.get(r, c).text().map(str::to_string))
                    .collect();
                if let Some(s) = lead.iter().find_map(|t| section_of(t)) {
                    section = Some(s);
                }
                let Some(f) = lead.iter().find_map(|t| figure_of(t)) else {
                    continue;
                };
                let Some(s) = section else {
                    return Err(Error::File {
                        file: cell_ref(r, 0),
                        message: "差异系数表的这一行之前没有写明学段（小学或初中）".into(),
                    });
                };
                for (c, i) in &cols {
                    let at = CellRef::new(g.file.clone(), g.sheet.clone(), r, *c);
                    match number(g.get(r, *c), figure_kind(f), &at) {
                        Ok(Some(x)) => out.cv.push((
                            s,
                            *i,
                            f,
                            Value {
                                value: x,
                                source: at.to_string(),
                            },
                        )),
                        Ok(None) => {}
                        Err(e) => errors.push(e),
                    }
                }
            }
        }
    }
    errors.extend(cvs_without_mean(&out.cv));
    Error::from_list(errors)?;
    if out.cv.is_empty() && out.schools.is_none() {
        return Err(Error::File {
            file: label.to_string(),
            message: "没有找到差异系数表或学校达标情况表（表头应列出 L1–L7 各项指标）".into(),
        });
    }
    Ok(out)
}

/// A CV printed beside a mean of zero or less cannot have been computed
/// from it: refused at the mean's cell.
fn cvs_without_mean(cv: &[(Section, ResourceIndicator, Figure, Value)]) -> Vec<Error> {
    // The first CV of each section and indicator, looked up by key: a
    // table of many rows must not cost rows × rows.
    let mut cvs: BTreeMap<(Section, ResourceIndicator), &Value> = BTreeMap::new();
    for (s, i, _, v) in cv.iter().filter(|(_, _, f, _)| *f == Figure::Cv) {
        cvs.entry((*s, *i)).or_insert(v);
    }
    cv.iter()
        .filter(|(_, _, f, _)| *f == Figure::Mean)
        .filter_map(|(s, i, _, mean)| {
            let c = cvs.get(&(*s, *i))?;
            let why = readback::mean_without_cv(Some(mean.value), Some(c.value))?;
            Some(Error::File {
                file: mean.source.clone(),
                message: format!("{why}（差异系数在 {}）", c.source),
            })
        })
        .collect()
}

/// Published tables print CVs, means and SDs to 6 decimals.
pub const CV_DECIMALS: u8 = 6;

fn round(x: f64, d: u8) -> f64 {
    let k = 10f64.powi(i32::from(d));
    (x * k).round() / k
}

/// The county's 差异系数表 and 学校达标情况表 in the published layout,
/// rounded as printed. `alter` adds to one figure (section, indicator,
/// figure, amount): a synthetic county whose report was changed in a cell.
pub fn write_published_xlsx(
    path: &Path,
    eval: &Evaluation,
    alter: Option<(Section, ResourceIndicator, Figure, f64)>,
) -> Result<(), Error> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e| crate::output::excel::error(&path.display().to_string(), e);
    let mut wb = Workbook::new();
    // A fixed creation time: same evaluation, same bytes.
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 1, 1)
        .and_then(|d| d.and_hms(8, 0, 0))
        .map_err(fail)?;
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_author("dudao")
            .set_creation_datetime(&created),
    );
    let head = Format::new().set_bold().set_text_wrap();
    let ws = wb.add_worksheet();
    ws.set_name("差异系数表").map_err(fail)?;
    let title = format!("{}义务教育学校校际差异系数表", eval.county);
    crate::output::excel::fits(ws, 0, 0, &title).map_err(fail)?;
    ws.write_string(0, 0, title).map_err(fail)?;
    ws.write_string_with_format(1, 0, "学段", &head)
        .map_err(fail)?;
    ws.write_string_with_format(1, 1, "项目", &head)
        .map_err(fail)?;
    let names: Vec<String> = ResourceIndicator::ALL
        .into_iter()
        .map(|i| eval.resource.primary.indicators[&i].name.clone())
        .collect();
    for (k, n) in names.iter().enumerate() {
        ws.write_string_with_format(1, 2 + k as u16, n, &head)
            .map_err(fail)?;
    }
    let mut r = 2u32;
    for s in Section::ALL {
        for f in [Figure::Mean, Figure::Sd, Figure::Cv] {
            ws.write_string(r, 0, s.zh()).map_err(fail)?;
            let label = match f {
                Figure::Mean => "全县平均值",
                Figure::Sd => "标准差",
                Figure::Cv => "差异系数",
            };
            ws.write_string(r, 1, label).map_err(fail)?;
            for (k, i) in ResourceIndicator::ALL.into_iter().enumerate() {
                let ind = &eval.resource.section(s).indicators[&i];
                let v = match f {
                    Figure::Mean => ind.mean,
                    Figure::Sd => ind.sd,
                    Figure::Cv => ind.cv,
                };
                if let Some(mut v) = v.map(|v| round(v, CV_DECIMALS)) {
                    if let Some((as_, ai, af, d)) = alter
                        && (as_, ai, af) == (s, i, f)
                    {
                        v = round(v + d, CV_DECIMALS);
                    }
                    ws.write_number(r, 2 + k as u16, v).map_err(fail)?;
                }
            }
            r += 1;
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("学校达标情况表").map_err(fail)?;
    ws.write_string_with_format(0, 0, "学校名称", &head)
        .map_err(fail)?;
    ws.write_string_with_format(0, 1, "学段", &head)
        .map_err(fail)?;
    for (k, n) in names.iter().enumerate() {
        ws.write_string_with_format(0, 2 + k as u16, n, &head)
            .map_err(fail)?;
    }
    for (r, s) in (1u32..).zip(eval.schools.iter().filter(|s| s.included)) {
        crate::output::excel::fits(ws, r, 0, &s.name).map_err(fail)?;
        ws.write_string(r, 0, &s.name).map_err(fail)?;
        ws.write_string(r, 1, s.section.zh()).map_err(fail)?;
        for (k, i) in ResourceIndicator::ALL.into_iter().enumerate() {
            let d = eval.resource.section(s.section).indicators[&i].decimals;
            if let Some(v) = s.values.get(&i).copied().flatten() {
                ws.write_number(r, 2 + k as u16, round(v, d))
                    .map_err(fail)?;
            }
        }
    }
    let mut buf = wb.save_to_buffer().map_err(fail)?;
    crate::output::write_file(path, &std::mem::take(&mut buf))
}

//! 校际差异系数 as live formulas: the student-weighted mean, SD and CV of
//! one indicator over the rows of a school sheet, written as SUMPRODUCT
//! over the rows' students and values (the national method's definition:
//! X̄ = ΣPᵢXᵢ ÷ P, S = √(Σ(Pᵢ ÷ P)(Xᵢ − X̄)²), CV = S ÷ X̄), with the
//! evaluation's own figures as cached results.
//!
//! Public so that the cross-county review workbook builds its
//! 各县差异系数表 from the same formulas: per county and 学段, take each
//! indicator's [`CvRanges`] from [`super::school::SchoolSheet::cv_ranges`]
//! and call [`write_block`], which writes the published layout (rows
//! 全县平均值 / 标准差 / 差异系数, one column per indicator).

use super::school::SchoolSheet;
use super::standards::StandardCells;
use super::style::*;
use crate::evaluate::Evaluation;
use crate::evaluate::cv::WeightedCv;
use crate::model::Section;
use crate::profile::ResourceIndicator;
use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{ConditionalFormatFormula, Format, Formula, Worksheet, XlsxError};

/// Where one indicator's points are: three ranges of the same rows, as
/// references usable from any sheet (`'小学资源配置'!$D$4:$D$30`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CvRanges {
    /// 是否参评: a row counts where the cell reads exactly “是”.
    pub included: String,
    /// Pᵢ, the students of each row.
    pub students: String,
    /// Xᵢ, the indicator values; a blank cell (no data) does not count.
    pub values: String,
}

impl CvRanges {
    /// 1 for a row that enters the CV, else 0 (an array inside SUMPRODUCT).
    fn counts(&self) -> String {
        format!("({}=\"是\")*ISNUMBER({})", self.included, self.values)
    }

    /// P = ΣPᵢ over the rows that count.
    pub fn total_formula(&self) -> String {
        format!("SUMPRODUCT({},{})", self.counts(), self.students)
    }

    /// X̄ = ΣPᵢXᵢ ÷ P, as a formula (with the leading `=`).
    pub fn mean_formula(&self) -> String {
        format!(
            "=IFERROR(SUMPRODUCT({},{},{})/{},\"—\")",
            self.counts(),
            self.students,
            self.values,
            self.total_formula()
        )
    }

    /// S = √(Σ(Pᵢ ÷ P)(Xᵢ − X̄)²), `mean` the cell holding X̄.
    pub fn sd_formula(&self, mean: &str) -> String {
        format!(
            "=IFERROR(SQRT(SUMPRODUCT({},{},({}-{mean})^2)/{}),\"—\")",
            self.counts(),
            self.students,
            self.values,
            self.total_formula()
        )
    }
}

/// CV = S ÷ X̄; “—” where X̄ is 0 or missing, as the evaluation has none.
pub fn cv_formula(mean: &str, sd: &str) -> String {
    format!("=IFERROR(IF({mean}=0,\"—\",{sd}/{mean}),\"—\")")
}

/// One indicator column of a CV block.
#[derive(Debug, Clone)]
pub struct CvColumn {
    /// The points; `None` where the 学段 has no rows (dashes are written).
    pub ranges: Option<CvRanges>,
    /// The evaluation's figures, written as the cached results.
    pub cached: Option<WeightedCv>,
}

/// The cells a block wrote, per column, as A1 references on its sheet
/// (`C12`), for formulas that judge them (CV against its limit).
#[derive(Debug, Clone, Default)]
pub struct BlockCells {
    pub mean: Vec<String>,
    pub sd: Vec<String>,
    pub cv: Vec<String>,
}

/// The labels of a block's rows, as published tables print them.
pub const BLOCK_ROWS: [&str; 3] = ["全县平均值", "标准差", "差异系数"];

/// Write rows 全县平均值 / 标准差 / 差异系数 from `(row, col)`: the labels in
/// `col`, then one column per entry of `columns`. Values show 6 decimals
/// and keep every digit.
pub fn write_block(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    columns: &[CvColumn],
    label: &Format,
    number: &Format,
) -> Result<BlockCells, XlsxError> {
    for (k, l) in BLOCK_ROWS.iter().enumerate() {
        ws.write_string_with_format(row + k as u32, col, *l, label)?;
    }
    let mut cells = BlockCells::default();
    for (k, column) in columns.iter().enumerate() {
        let c = col + 1 + k as u16;
        let (m, s, v) = (
            row_col_to_cell(row, c),
            row_col_to_cell(row + 1, c),
            row_col_to_cell(row + 2, c),
        );
        match &column.ranges {
            None => {
                for r in row..row + 3 {
                    ws.write_string_with_format(r, c, "—", number)?;
                }
            }
            Some(ranges) => {
                let cached = column.cached;
                let mean = cached.map(|w| w.mean);
                let sd = cached.map(|w| w.sd);
                let cv = cached.and_then(|w| w.cv);
                let f = Formula::new(ranges.mean_formula()).set_result(cached_text(mean));
                ws.write_formula_with_format(row, c, f, number)?;
                let f = Formula::new(ranges.sd_formula(&m)).set_result(cached_text(sd));
                ws.write_formula_with_format(row + 1, c, f, number)?;
                let f = Formula::new(cv_formula(&m, &s)).set_result(cached_text(cv));
                ws.write_formula_with_format(row + 2, c, f, number)?;
            }
        }
        cells.mean.push(m);
        cells.sd.push(s);
        cells.cv.push(v);
    }
    Ok(cells)
}

/// A cached number, or the dash the formula gives where there is none.
fn cached_text(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => number_text(v),
        _ => "—".into(),
    }
}

/// The county's 差异系数 sheet: per 学段, the standards, the schools that
/// meet them, the CV block and its verdict, one column per indicator; then
/// the schools that weigh most on a CV over its limit.
pub fn write_sheet(
    raw: &mut Worksheet,
    e: &Evaluation,
    name: &str,
    sheets: &[SchoolSheet],
    std: &StandardCells,
) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    ws.set_name(name)?;
    let n = ResourceIndicator::ALL.len();
    let mut cols = vec![22.0];
    cols.extend(std::iter::repeat_n(15.0, n));
    widths(ws, &cols)?;
    let last = n as u16;
    label(
        ws,
        0,
        0,
        &format!("{}资源配置指标校际差异系数计算表", e.county),
        &title_fmt(),
    )?;
    ws.fixed(0, 24.0);
    let formula = "按学生数加权：全县平均值 X̄ = ΣPᵢXᵢ ÷ P（等于全县分子合计 ÷ 学生合计）；标准差 S = √(Σ(Pᵢ ÷ P)(Xᵢ − X̄)²)；差异系数 CV = S ÷ X̄。Pᵢ 为参评学校（部）的学生数，Xᵢ 为其指标值，均取自资源配置表，单元格中是公式（SUMPRODUCT），改动资源配置表中的数据即重新计算。显示6位小数；与限值比较时不作舍入。";
    merge(ws, (1, 0), (1, last), formula, &note_fmt())?;
    let key = boxed().set_bold().set_text_wrap();
    let cvf = num_fmt(CV_PATTERN, Look::Plain);
    let mut r = 3;
    for section in Section::ALL {
        let sr = e.resource.section(section);
        let sheet = sheets.iter().find(|s| s.section == section);
        let heading_row = r;
        label(
            ws,
            r,
            0,
            &format!(
                "{}（参评{}所（部），学生{}人）",
                section.zh(),
                sr.schools,
                super::super::format::grouped(sr.students, 0)
            ),
            &heading_fmt(),
        )?;
        r += 1;
        let header_row = r;
        text(ws, r, 0, "项目", &header_fmt())?;
        for (k, i) in ResourceIndicator::ALL.into_iter().enumerate() {
            let name = sr
                .indicators
                .get(&i)
                .map(|x| format!("{}\n{}（{}）", i.id(), x.name, x.unit))
                .unwrap_or_else(|| i.id().to_string());
            text(ws, r, 1 + k as u16, &name, &header_fmt())?;
        }
        r += 1;
        // The standards, referred to.
        for (what, pick) in [("标准", 0), ("标准的85%", 1), ("差异系数限值", 2)] {
            text(ws, r, 0, what, &key)?;
            for (k, i) in ResourceIndicator::ALL.into_iter().enumerate() {
                let c = 1 + k as u16;
                let Some(ind) = sr.indicators.get(&i) else {
                    text(ws, r, c, "—", &centre_fmt(Look::Plain))?;
                    continue;
                };
                let (cell, v, p) = match pick {
                    0 => (
                        std.standard(section, i),
                        ind.standard,
                        standard_pattern(ind.decimals),
                    ),
                    1 => (
                        std.floor(section, i),
                        ind.floor,
                        standard_pattern(ind.decimals),
                    ),
                    _ => (std.cv_limit(section, i), ind.cv_limit, "0.00".to_string()),
                };
                let f = Formula::new(format!("={cell}")).set_result(number_text(v));
                ws.write_formula_with_format(r, c, f, &num_fmt(&p, Look::Plain))?;
            }
            r += 1;
        }
        let limit_row = r - 1;
        // How many schools meet each standard, counted on the school sheet.
        for (what, status, pick) in [
            ("达到标准的学校（部）数", "达到", 0),
            ("缺数据的学校（部）数", "✗ 无数据", 1),
        ] {
            text(ws, r, 0, what, &key)?;
            for (k, i) in ResourceIndicator::ALL.into_iter().enumerate() {
                let c = 1 + k as u16;
                let ind = sr.indicators.get(&i);
                match (sheet.and_then(|s| s.status_range(i)), ind) {
                    (Some(range), Some(ind)) => {
                        let inc = sheet.and_then(|s| s.included_range()).unwrap_or_default();
                        let v = if pick == 0 {
                            ind.schools_met
                        } else {
                            ind.schools_missing
                        };
                        let f =
                            Formula::new(format!("=COUNTIFS({inc},\"是\",{range},\"{status}\")"))
                                .set_result(v.to_string());
                        ws.write_formula_with_format(r, c, f, &num_fmt("0", Look::Plain))?;
                    }
                    _ => text(ws, r, c, "—", &centre_fmt(Look::Plain))?,
                }
            }
            r += 1;
        }
        let columns: Vec<CvColumn> = ResourceIndicator::ALL
            .into_iter()
            .map(|i| {
                let ind = sr.indicators.get(&i);
                CvColumn {
                    ranges: sheet.and_then(|s| s.cv_ranges(i)),
                    cached: ind.and_then(|x| {
                        Some(WeightedCv {
                            mean: x.mean?,
                            sd: x.sd?,
                            cv: x.cv,
                        })
                    }),
                }
            })
            .collect();
        let block_row = r;
        let block = write_block(ws, r, 0, &columns, &key, &cvf)?;
        for k in 0..3 {
            ws.need(r + k, 1.0);
        }
        r += 3;
        // The verdict: the CV against its limit.
        text(ws, r, 0, "是否达到", &key)?;
        for (k, i) in ResourceIndicator::ALL.into_iter().enumerate() {
            let c = 1 + k as u16;
            let Some(ind) = sr.indicators.get(&i) else {
                text(ws, r, c, "—", &centre_fmt(Look::Plain))?;
                continue;
            };
            if columns[k].ranges.is_none() {
                text(ws, r, c, "无此学段", &centre_fmt(Look::Plain))?;
                continue;
            }
            let cv = &block.cv[k];
            let limit = row_col_to_cell(limit_row, c);
            let cached = match (ind.cv_ok, ind.cv) {
                (true, _) => "达到",
                (false, Some(_)) => "✗ 未达到",
                (false, None) => "✗ 无法计算",
            };
            let f = Formula::new(format!(
                "=IF(ISNUMBER({cv}),IF({cv}<={limit},\"达到\",\"✗ 未达到\"),\"✗ 无法计算\")"
            ))
            .set_result(cached);
            ws.write_formula_with_format(r, c, f, &centre_fmt(Look::Plain))?;
        }
        // Failing CVs and verdicts painted as the verdict says, live.
        let bad = ConditionalFormatFormula::new()
            .set_rule(format!("=LEFT({},1)=\"✗\"", row_col_to_cell(r, 1)).as_str())
            .set_format(bad_fill());
        ws.add_conditional_format(r, 1, r, last, &bad)?;
        let bad_cv = ConditionalFormatFormula::new()
            .set_rule(format!("=LEFT({},1)=\"✗\"", row_col_to_cell(r, 1)).as_str())
            .set_format(bad_fill());
        ws.add_conditional_format(r - 1, 1, r - 1, last, &bad_cv)?;
        r += 1;
        let bad_n = sr.indicators.values().filter(|i| !i.cv_ok).count();
        let line = if sr.cv_all_ok {
            format!("{}各项指标校际差异系数均达到限值。", section.zh())
        } else {
            format!("✗ {}有{bad_n}项指标校际差异系数未达到限值。", section.zh())
        };
        label(ws, r, 0, &line, &base())?;
        r += 2;
        // Last year's CVs, as figures: they do not change with this year's data.
        let last_year = e.previous.as_ref().and_then(|p| p.sections.get(&section));
        let last_row = match last_year {
            Some(p) => {
                text(ws, r, 0, "上年差异系数", &key)?;
                for (k, i) in ResourceIndicator::ALL.into_iter().enumerate() {
                    let c = 1 + k as u16;
                    match p.indicators.get(&i).and_then(|x| x.cv) {
                        Some(v) => ws.write_number_with_format(r, c, v, &cvf).map(|_| ())?,
                        None => text(ws, r, c, "—", &centre_fmt(Look::Plain))?,
                    }
                }
                r += 2;
                Some(r - 2)
            }
            None => None,
        };
        if sheet.is_some() {
            let rows = super::chart::CvRows {
                title: format!("{}各项指标校际差异系数", section.zh()),
                header: header_row,
                cv: block_row + 2,
                limit: limit_row,
                last: last_row,
                at: (heading_row, last + 2),
            };
            super::chart::insert(ws, name, &rows, last)?;
        }
    }
    contributors(ws, e, r)?;
    page_setup(ws, e, name, None)?;
    ws.finish()
}

/// The schools that weigh most on each CV over its limit, as evaluated.
fn contributors(ws: &mut Sheet, e: &Evaluation, mut r: u32) -> Result<(), XlsxError> {
    label(
        ws,
        r,
        0,
        "差异系数超过限值时影响最大的学校（部）",
        &heading_fmt(),
    )?;
    r += 1;
    if e.gaps.cv.is_empty() {
        label(ws, r, 0, "没有超过限值的差异系数。", &base())?;
        return Ok(());
    }
    headers(
        ws,
        r,
        &[
            "学校名称",
            "学段",
            "指标",
            "差异系数",
            "限值",
            "指标值",
            "占加权方差",
            "相对全县平均值",
        ],
    )?;
    r += 1;
    let t = text_fmt(Look::Plain);
    for g in &e.gaps.cv {
        let decimals = e
            .resource
            .section(g.section)
            .indicators
            .get(&g.indicator)
            .map(|x| x.decimals)
            .unwrap_or(2);
        for c in &g.contributors {
            text(ws, r, 0, &c.name, &t)?;
            text(ws, r, 1, g.section.zh(), &centre_fmt(Look::Plain))?;
            text(ws, r, 2, g.indicator.id(), &centre_fmt(Look::Plain))?;
            num(ws, r, 3, Some(g.cv), &num_fmt(CV_PATTERN, Look::Bad))?;
            num(ws, r, 4, Some(g.limit), &num_fmt("0.00", Look::Plain))?;
            num(
                ws,
                r,
                5,
                Some(c.value),
                &num_fmt(&pattern(decimals), Look::Plain),
            )?;
            num(ws, r, 6, Some(c.share), &num_fmt("0.0%", Look::Plain))?;
            text(ws, r, 7, &c.direction, &t)?;
            r += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::cv::weighted_cv;
    use calamine::{Data, Reader, Xlsx};

    /// How the review workbook uses the block: points on a sheet of its
    /// own, one block over them. The textbook example (domain §3).
    #[test]
    fn a_block_over_any_sheet_carries_the_weighted_figures() {
        let pts = [
            (45.0, 279.0),
            (37.0, 137.0),
            (89.0, 935.0),
            (76.0, 160.0),
            (55.0, 402.0),
        ]
        .map(|(p, b)| (p, b / p));
        let mut wb = rust_xlsxwriter::Workbook::new();
        let data = wb.add_worksheet();
        data.set_name("某县小学").unwrap();
        for (k, (p, x)) in pts.iter().enumerate() {
            let r = k as u32;
            data.write_string(r, 0, "是").unwrap();
            data.write_number(r, 1, *p).unwrap();
            data.write_number(r, 2, *x).unwrap();
        }
        let column = CvColumn {
            ranges: Some(CvRanges {
                included: "某县小学!$A$1:$A$5".into(),
                students: "某县小学!$B$1:$B$5".into(),
                values: "某县小学!$C$1:$C$5".into(),
            }),
            cached: weighted_cv(&pts),
        };
        let ws = wb.add_worksheet();
        let cells = write_block(ws, 2, 0, &[column], &Format::new(), &Format::new()).unwrap();
        assert_eq!(
            (
                cells.mean[0].as_str(),
                cells.sd[0].as_str(),
                cells.cv[0].as_str()
            ),
            ("B3", "B4", "B5")
        );
        let bytes = wb.save_to_buffer().unwrap();
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("Sheet2").unwrap();
        let w = weighted_cv(&pts).unwrap();
        assert_eq!(
            range.get_value((2, 0)),
            Some(&Data::String("全县平均值".into()))
        );
        assert_eq!(range.get_value((2, 1)), Some(&Data::Float(w.mean)));
        assert_eq!(range.get_value((3, 1)), Some(&Data::Float(w.sd)));
        assert_eq!(range.get_value((4, 1)), Some(&Data::Float(w.cv.unwrap())));
        let formulas = book.worksheet_formula("Sheet2").unwrap();
        let sd = formulas.get_value((3, 1)).unwrap();
        assert!(
            sd.contains("SUMPRODUCT((某县小学!$A$1:$A$5=\"是\")"),
            "{sd}"
        );
        assert!(sd.contains("(某县小学!$C$1:$C$5-B3)^2"), "{sd}");
    }
}

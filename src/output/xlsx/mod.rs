//! The reviewer's workbook (复核计算表), written with rust_xlsxwriter.
//!
//! A reviewer must be able to re-check every number by clicking it: each
//! school-学段 row holds the figures an indicator is computed from (copied
//! from the county's statistics, with the cell each came from as
//! `文件!工作表!单元格`), and the indicator, the county mean, SD and CV and
//! every 达到/未达到 are live formulas over those cells and the standards
//! sheet, so changing one figure changes the CV. Each formula carries the
//! evaluation's own value as its cached result, so the file shows the same
//! numbers before any recalculation. Everything is read from
//! [`Evaluation`]; this module only lays it out.
//!
//! [`standards`], [`school`] and [`cv`] are public so that a workbook for
//! several counties (the review packet) can be built from the same pieces.
//!
//! The same evaluation always gives the same bytes: the document's creation
//! time is the report date and nothing else depends on the clock.

mod chart;
pub mod cv;
/// The review packet's workbook: only with the review itself (`report`).
#[cfg(feature = "report")]
pub mod review;
pub mod school;
pub mod standards;
mod style;
mod tables;

use crate::error::Error;
use crate::evaluate::Evaluation;
use crate::model::Section;
use crate::profile::fmt_number;
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Workbook, Worksheet, XlsxError};
use style::*;
use tables::*;

/// Build the workbook for an evaluation.
pub fn workbook(e: &Evaluation) -> Result<Vec<u8>, Error> {
    build(e).map_err(|x| crate::output::excel::error("复核计算表", x))
}

/// The sheets, in order. Tests and the 说明 sheet use these names.
pub const SHEETS: [&str; 10] = [
    "说明",
    "评估标准",
    "小学资源配置",
    "初中资源配置",
    "差异系数",
    "政府保障程度",
    "教育质量",
    "社会认可度",
    "整改测算",
    "目标核对",
];

fn build(e: &Evaluation) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&properties(e)?);
    readme(wb.add_worksheet(), e)?;
    let std_cells = standards::write_sheet(wb.add_worksheet(), e, SHEETS[1])?;
    let mut sheets = Vec::new();
    for (k, section) in Section::ALL.into_iter().enumerate() {
        sheets.push(school::write_sheet(
            wb.add_worksheet(),
            e,
            section,
            SHEETS[2 + k],
            &std_cells,
        )?);
    }
    cv::write_sheet(wb.add_worksheet(), e, SHEETS[4], &sheets, &std_cells)?;
    indicator_sheet(
        wb.add_worksheet(),
        e,
        SHEETS[5],
        "政府保障程度指标达成情况",
        &e.guarantee,
    )?;
    indicator_sheet(
        wb.add_worksheet(),
        e,
        SHEETS[6],
        "教育质量指标达成情况",
        &e.quality,
    )?;
    recognition_sheet(wb.add_worksheet(), e)?;
    gaps_sheet(wb.add_worksheet(), e)?;
    targets_sheet(wb.add_worksheet(), e)?;
    wb.save_to_buffer()
}

/// Fixed document properties: the creation time is the report date, so the
/// same input gives the same bytes.
fn properties(e: &Evaluation) -> Result<DocProperties, XlsxError> {
    use chrono::Datelike;
    let day = crate::input::plan::parse_date(&e.report_date);
    let created = match day {
        Some(d) => ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?,
        None => ExcelDateTime::from_ymd(2000, 1, 1)?,
    };
    Ok(DocProperties::new()
        .set_title(format!(
            "{}县域义务教育优质均衡发展指标复核计算表",
            e.county
        ))
        .set_subject("县域义务教育优质均衡发展督导评估")
        .set_author("dudao")
        .set_comment(format!(
            "评估标准：{}；报告日期：{}",
            e.standards.label, e.report_date
        ))
        .set_creation_datetime(&created))
}

// ---------------------------------------------------------------------
// 说明
// ---------------------------------------------------------------------

fn readme(raw: &mut Worksheet, e: &Evaluation) -> Result<(), XlsxError> {
    let ws = &mut Sheet::new(raw);
    ws.set_name(SHEETS[0])?;
    let cols = [20.0, 30.0, 13.0, 13.0, 13.0, 13.0, 15.0, 15.0];
    widths(ws, &cols)?;
    let last: u16 = (cols.len() - 1) as u16;
    let key = boxed()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(HEAD_FILL));
    let body = text_fmt(Look::Plain);
    label(
        ws,
        0,
        0,
        &format!("{}县域义务教育优质均衡发展指标复核计算表", e.county),
        &title_fmt(),
    )?;
    ws.fixed(0, 24.0);
    let mut r = 2;

    // Key facts.
    let v = &e.verdict;
    let parts = format!(
        "资源配置：{}；政府保障程度：{}；教育质量：{}；社会认可度：{}；一票否决：{}",
        yes_no(v.resource),
        yes_no(v.guarantee),
        yes_no(v.quality),
        yes_no(v.recognition),
        if v.no_veto { "无" } else { "✗ 有" }
    );
    let limits = format!(
        "每所学校（部）7项指标中至少{}项达到标准，其余不低于标准的{}%；各指标校际差异系数小学不超过{}，初中不超过{}（与限值比较时不作舍入）",
        e.resource.min_met,
        fmt_number(e.resource.floor_ratio * 100.0),
        cv_limit_text(e, Section::Primary),
        cv_limit_text(e, Section::Junior),
    );
    let facts: Vec<(&str, String, Look)> = vec![
        ("县（市、区）", e.county.clone(), Look::Plain),
        ("评估标准", standards_text(e), Look::Plain),
        ("报告日期", e.report_date.clone(), Look::Plain),
        (
            "数据接口版本",
            format!(
                "{}（与 dudao evaluate --format json 的 version 一致）",
                e.version
            ),
            Look::Plain,
        ),
        (
            "评估结论",
            v.summary.clone(),
            if v.overall { Look::Plain } else { Look::Bad },
        ),
        ("分项结论", parts, Look::Plain),
        ("资源配置达标规则", limits, Look::Plain),
        (
            "共用资源分摊规则",
            e.resource.apportion_rule.clone(),
            Look::Plain,
        ),
    ];
    for (k, val, look) in facts {
        text(ws, r, 0, k, &key)?;
        merge(ws, (r, 1), (r, last), &val, &text_fmt(look))?;
        r += 1;
    }

    r += 1;
    label(ws, r, 0, "阅读说明", &heading_fmt())?;
    r += 1;
    let guide: Vec<(&str, String)> = vec![
        (
            "工作表",
            "评估标准：资源配置各项指标的标准、标准的85%和差异系数限值；小学资源配置、初中资源配置：每所学校（部）一行，按学校统计表中的顺序，列出每项指标所用的数据、来源单元格、指标值和是否达到；差异系数：各学段7项指标的全县平均值、标准差和差异系数；政府保障程度、教育质量、社会认可度：具体指标、标准、实际数、缺口数和佐证；整改测算：低于标准的学校（部）每一种最小达标方案、达到全部标准和计划目标所需，及按乡镇、全县达到全部标准所需的合计；目标核对：实施方案中可量化目标的完成情况。".into(),
        ),
        (
            "公式",
            "资源配置表中的指标值、是否达到、达标项数和是否达标，差异系数表中的全县平均值、标准差、差异系数和是否达到，都是公式：引用同一行的数据单元格和“评估标准”表中的标准。改动任何一个数据或标准，相关结果随之重新计算；文件打开时显示的是本工具算出的结果，与重新计算的结果相同。".into(),
        ),
        (
            "颜色与标记",
            format!(
                "“达到”一栏：达到 = 达到标准；{MARK_FLOOR} = 低于标准但不低于标准的85%；{MARK_BAD} = 低于标准的85%或无数据。浅红底色、深红加粗字 = 未达到，随公式结果变化。灰色字 = 不参加资源配置评估的学校（部），不作标记。"
            ),
        ),
        (
            "数值",
            "单元格中是未经舍入的计算结果，显示位数由数字格式决定：指标值2位小数，生均教学仪器设备值取整，全县平均值、标准差、差异系数6位小数。复核时请以单元格中的实际值为准（选中单元格可在编辑栏看到全部位数）。".into(),
        ),
        (
            "来源单元格",
            "写作“文件名!工作表!单元格”，指向县里提供的学校统计表，数据列中是从该单元格抄录的数（以万元填报的教学仪器设备值已换算为元）。一贯制学校只有全校数的共用资源，数据列显示全校数（带“（全校）”字样），“共用资源分摊比例”一列为本学段所占比例，指标值按全校数 × 分摊比例计算。".into(),
        ),
        (
            "计算方法",
            "每百名学生拥有的指标 = 分子 ÷ 学生数 × 100；生均指标 = 分子 ÷ 学生数。差异系数按学生数加权：全县平均值 X̄ = ΣPᵢXᵢ ÷ P，标准差 S = √(Σ(Pᵢ ÷ P)(Xᵢ − X̄)²)，差异系数 CV = S ÷ X̄，其中 Pᵢ 为第 i 所学校（部）的学生数，P 为参评学校（部）学生数之和，Xᵢ 为该校指标值。全县平均值等于全县分子合计 ÷ 学生合计。".into(),
        ),
    ];
    for (k, val) in guide {
        text(ws, r, 0, k, &key)?;
        merge(ws, (r, 1), (r, last), &val, &body)?;
        r += 1;
    }

    // Overview.
    r += 1;
    label(ws, r, 0, "全县概况", &heading_fmt())?;
    r += 1;
    let o = &e.overview;
    let types: Vec<String> = o
        .schools_by_type
        .iter()
        .map(|(t, n)| format!("{t}{n}所"))
        .collect();
    let line = format!(
        "学校{}所（{}），分布在{}个乡镇（街道）；其中{}所学校的共用资源按全校数分摊。",
        o.schools_total,
        types.join("、"),
        o.townships,
        o.apportioned_schools
    );
    merge(ws, (r, 0), (r, last), &line, &body)?;
    r += 1;
    headers(
        ws,
        r,
        &[
            "学段",
            "学校（部）数",
            "学生数",
            "班级数",
            "专任教师数",
            "参评学校（部）数",
            "参评学生数",
        ],
    )?;
    r += 1;
    let int = num_fmt("#,##0", Look::Plain);
    for (section, s) in &o.sections {
        text(ws, r, 0, section.zh(), &body)?;
        num(ws, r, 1, Some(s.rows as f64), &int)?;
        num(ws, r, 2, Some(s.students), &int)?;
        num(ws, r, 3, Some(s.classes), &int)?;
        num(ws, r, 4, Some(s.teachers), &int)?;
        num(ws, r, 5, Some(s.included_rows as f64), &int)?;
        num(ws, r, 6, Some(s.included_students), &int)?;
        r += 1;
    }

    // Exclusions.
    r += 1;
    label(
        ws,
        r,
        0,
        "不参加资源配置评估的学校（部）（计入全县总数）",
        &heading_fmt(),
    )?;
    r += 1;
    if o.excluded.is_empty() {
        label(ws, r, 0, "无。", &base())?;
        r += 1;
    } else {
        headers(ws, r, &["学校名称", "学段", "学生数"])?;
        merge(ws, (r, 3), (r, last), "原因", &header_fmt())?;
        r += 1;
        for x in &o.excluded {
            text(ws, r, 0, &x.name, &body)?;
            text(ws, r, 1, x.section.zh(), &body)?;
            num(ws, r, 2, Some(x.students), &int)?;
            merge(ws, (r, 3), (r, last), &x.reason, &body)?;
            r += 1;
        }
    }

    // Vetoes.
    r += 1;
    label(ws, r, 0, "一票否决事项", &heading_fmt())?;
    r += 1;
    headers(ws, r, &["事项", "情况"])?;
    r += 1;
    for v in &e.vetoes {
        let (t, look) = match v.occurred {
            Some(true) => ("✗ 有", Look::Bad),
            Some(false) => ("无", Look::Plain),
            None => ("✗ 计划文件未填报", Look::Bad),
        };
        text(ws, r, 0, &v.name, &body)?;
        text(ws, r, 1, t, &text_fmt(look))?;
        r += 1;
    }

    // Skipped rows and warnings, with their cells.
    r += 1;
    label(ws, r, 0, "读取学校统计表时跳过的行", &heading_fmt())?;
    r += 1;
    if e.skipped.is_empty() {
        label(ws, r, 0, "没有跳过的行。", &base())?;
        r += 1;
    } else {
        text(ws, r, 0, "来源单元格", &header_fmt())?;
        merge(ws, (r, 1), (r, last), "原因", &header_fmt())?;
        r += 1;
        for s in &e.skipped {
            text(ws, r, 0, &cell_text(&s.at), &body)?;
            merge(ws, (r, 1), (r, last), &s.reason, &body)?;
            r += 1;
        }
    }
    r += 1;
    label(ws, r, 0, "请核对的提醒（不影响计算）", &heading_fmt())?;
    r += 1;
    if e.warnings.is_empty() {
        label(ws, r, 0, "没有需要核对的数值。", &base())?;
    } else {
        text(ws, r, 0, "来源单元格", &header_fmt())?;
        merge(ws, (r, 1), (r, last), "内容", &header_fmt())?;
        r += 1;
        for w in &e.warnings {
            let at = w.at.as_ref().map(cell_text).unwrap_or_default();
            text(ws, r, 0, &at, &body)?;
            merge(ws, (r, 1), (r, last), &w.message, &body)?;
            r += 1;
        }
    }
    page_setup(ws, e, SHEETS[0], None)?;
    ws.finish()
}

fn cv_limit_text(e: &Evaluation, s: Section) -> String {
    e.resource
        .section(s)
        .indicators
        .values()
        .next()
        .map(|i| fmt_number(i.cv_limit))
        .unwrap_or_else(|| "—".into())
}

/// The standards as judged: the label, then each of the plan's changes
/// with the value it replaced.
fn standards_text(e: &Evaluation) -> String {
    let mut s = format!("{}（标准文件：{}）", e.standards.label, e.standards.profile);
    let changes: Vec<String> = e
        .standards
        .adjustments
        .iter()
        .map(|a| {
            format!(
                "{}{}{}（{}为{}）",
                a.label, a.op_words, a.applied_text, e.standards.base_name, a.base_text
            )
        })
        .collect();
    if !changes.is_empty() {
        s.push_str(&format!("；本县方案标准：{}", changes.join("；")));
    }
    s
}

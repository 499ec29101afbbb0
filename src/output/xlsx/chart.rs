//! The 差异系数 sheet's native Excel charts: per 学段, the seven CVs as
//! columns against each indicator's limit (a line), and last year's CVs
//! beside them when the plan names last year's data. The series refer to
//! the sheet's own cells, so a corrected figure on a school sheet redraws
//! the chart when Excel recalculates.

use rust_xlsxwriter::{Chart, ChartLegendPosition, ChartType, Worksheet, XlsxError};

/// Where one 学段's figures lie on the 差异系数 sheet (0-based rows; the
/// seven indicators in columns 1..=7).
pub struct CvRows {
    pub title: String,
    /// The header row naming the indicators: the categories.
    pub header: u32,
    pub cv: u32,
    pub limit: u32,
    /// 上年差异系数, when written.
    pub last: Option<u32>,
    /// The chart's top-left cell.
    pub at: (u32, u16),
}

pub fn insert(ws: &mut Worksheet, sheet: &str, rows: &CvRows, n: u16) -> Result<(), XlsxError> {
    let range = |r: u32| (sheet, r, 1, r, n);
    let mut chart = Chart::new(ChartType::Column);
    chart.title().set_name(rows.title.as_str());
    chart
        .add_series()
        .set_name("本年")
        .set_categories(range(rows.header))
        .set_values(range(rows.cv));
    if let Some(last) = rows.last {
        chart
            .add_series()
            .set_name("上年")
            .set_categories(range(rows.header))
            .set_values(range(last));
    }
    let mut limit = Chart::new(ChartType::Line);
    limit
        .add_series()
        .set_name("限值")
        .set_categories(range(rows.header))
        .set_values(range(rows.limit));
    chart.combine(&limit);
    chart.y_axis().set_name("差异系数").set_num_format("0.00");
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart.set_width(720).set_height(420);
    ws.insert_chart(rows.at.0, rows.at.1, &chart)?;
    Ok(())
}

//! Numbers as people type them into statistics forms: stored as text, with
//! thousands separators, full-width digits, stray spaces, a unit after them.
//! A blank, `—`, `/` or `无` is a missing value, never a zero.

use super::grid::Cell;

#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Missing,
    /// The number, and a factor the cell itself asked for (`12.5万元`).
    Value(f64, Option<f64>),
    Bad(String),
}

const MISSING: &[&str] = &[
    "", "—", "——", "--", "-", "/", "无", "空", "不详", "暂无", "N/A", "NA", "n/a", "#N/A",
];

pub fn parse_number(cell: &Cell) -> Parsed {
    match cell {
        Cell::Empty => Parsed::Missing,
        Cell::Number(n) if n.is_finite() => Parsed::Value(*n, None),
        Cell::Number(_) => Parsed::Bad("不是有限的数".into()),
        Cell::Bool(_) => Parsed::Bad("是逻辑值（TRUE/FALSE），不是数字".into()),
        Cell::Error(e) => Parsed::Bad(format!("是公式错误 {e}")),
        Cell::Date(d) => Parsed::Bad(format!(
            "是日期（{}），不是数字：请把单元格格式改为“常规”或“数值”后重新填写",
            date_shown(d)
        )),
        Cell::Formula(f) => Parsed::Bad(format!(
            "是公式（={f}），但文件里没有保存计算结果：请用 Excel 或 WPS 打开这个文件、保存后再试"
        )),
        Cell::Text(s) => parse_text(s),
    }
}

/// A date as the sheet shows it. Some readers hand over the serial (45292):
/// shown as such it would look like the number the user meant, so it is
/// turned back into the date Excel displays (day 0 is 1899-12-30).
fn date_shown(d: &str) -> String {
    let Ok(serial) = d.trim().parse::<f64>() else {
        return d.to_string();
    };
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30);
    match epoch
        .and_then(|e| e.checked_add_signed(chrono::TimeDelta::try_days(serial.floor() as i64)?))
    {
        Some(date) if serial.is_finite() => date.format("%Y-%m-%d").to_string(),
        _ => d.to_string(),
    }
}

fn parse_text(raw: &str) -> Parsed {
    let mut s: String = raw
        .chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            '．' | '。' => Some('.'),
            '，' => Some(','),
            '－' | '−' => Some('-'),
            '＋' => Some('+'),
            c if c.is_whitespace() => None,
            c => Some(c),
        })
        .collect();
    if MISSING.contains(&s.as_str()) {
        return Parsed::Missing;
    }
    let mut factor = None;
    if let Some(rest) = s.strip_suffix("万元") {
        factor = Some(10_000.0);
        s = rest.to_string();
    } else {
        for unit in ["平方米", "㎡", "m²", "m2", "元", "人", "间", "个", "名"] {
            if let Some(rest) = s.strip_suffix(unit) {
                s = rest.to_string();
                break;
            }
        }
    }
    let s = s.strip_prefix('+').unwrap_or(&s);
    if s.contains(',') {
        if !thousands_grouped(s) {
            return Parsed::Bad(format!("“{raw}”不是数字（逗号位置不对）"));
        }
        return match s.replace(',', "").parse::<f64>() {
            Ok(v) => Parsed::Value(v, factor),
            Err(_) => Parsed::Bad(format!("“{raw}”不是数字")),
        };
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && !s.contains(['e', 'E', 'i', 'n', 'N']) => {
            Parsed::Value(v, factor)
        }
        _ => Parsed::Bad(format!("“{raw}”不是数字")),
    }
}

/// `1,234,567.5` yes; `12,5` no.
fn thousands_grouped(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let int = s.split('.').next().unwrap_or("");
    let groups: Vec<&str> = int.split(',').collect();
    groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Parsed {
        parse_number(&Cell::Text(s.into()))
    }

    #[test]
    fn text_numbers() {
        assert_eq!(t(" 1,234 "), Parsed::Value(1234.0, None));
        assert_eq!(t("１２３．５"), Parsed::Value(123.5, None));
        assert_eq!(t("12 500"), Parsed::Value(12500.0, None));
        assert_eq!(t("3,456.7㎡"), Parsed::Value(3456.7, None));
        assert_eq!(t("12.5万元"), Parsed::Value(12.5, Some(10_000.0)));
        assert_eq!(t("—"), Parsed::Missing);
        assert_eq!(t("/"), Parsed::Missing);
        assert_eq!(t("无"), Parsed::Missing);
        assert!(matches!(t("12,5"), Parsed::Bad(_)));
        assert!(matches!(t("约100"), Parsed::Bad(_)));
        assert!(matches!(t("inf"), Parsed::Bad(_)));
        assert!(matches!(t("NaN"), Parsed::Bad(_)));
    }

    #[test]
    fn dates_are_shown_as_dates() {
        assert_eq!(date_shown("45292"), "2024-01-01");
        assert_eq!(date_shown("2024-01-01"), "2024-01-01");
        assert_eq!(date_shown("1e300"), "1e300");
    }
}

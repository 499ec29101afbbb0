//! Figures of an evaluation read back from a file someone else wrote or
//! edited: last year's evaluation JSON, a county's reported tables. They
//! are input, not our own arithmetic, so each is checked for what it can
//! possibly be before it is compared or printed: a CV of 1.8e308 or more
//! schools passing than schools is a wrong file, never a figure to report.
//!
//! [`impossible`] holds the rules; the `de` helpers apply them while serde
//! reads a JSON, so the error carries the JSON line and column.

use serde::de::{Deserialize, Deserializer, Error as _};
use std::collections::BTreeMap;

/// What a figure is, for its rule and its name in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 全县平均值: a weighted mean of per-student resources.
    Mean,
    Sd,
    Cv,
    /// A school's value of one indicator.
    Value,
    Students,
    /// A number of schools (school-学段 rows) or indicators.
    Count,
}

impl Kind {
    pub fn zh(self) -> &'static str {
        match self {
            Kind::Mean => "全县平均值",
            Kind::Sd => "标准差",
            Kind::Cv => "差异系数",
            Kind::Value => "指标值",
            Kind::Students => "学生数",
            Kind::Count => "学校数",
        }
    }
}

/// The largest CV accepted. A real 校际差异系数 is below 1; 10 leaves room
/// for a county of one huge and many empty schools, and nothing above it
/// is a figure anyone published.
pub const MAX_CV: f64 = 10.0;

/// A number as a message shows it: plain where it is of human size, in
/// exponent form where plain would run to hundreds of digits.
pub fn shown(x: f64) -> String {
    if x.is_finite() && (x == 0.0 || (1e-6..1e15).contains(&x.abs())) {
        crate::profile::fmt_number(x)
    } else {
        format!("{x:e}")
    }
}

/// Why `x` cannot be a figure of this kind, worded for the user; `None`
/// when it can.
pub fn impossible(kind: Kind, x: f64) -> Option<String> {
    let name = kind.zh();
    if !x.is_finite() {
        return Some(format!("{name}“{x}”不是有限的数"));
    }
    let why = if x < 0.0 {
        "不能为负数"
    } else if kind == Kind::Cv && x > MAX_CV {
        "差异系数应在 0 到 10 之间"
    } else if kind == Kind::Count && x.fract() != 0.0 {
        "应为整数"
    } else if kind == Kind::Count && x > 1e9 {
        "远超任何一个县的学校数"
    } else {
        return None;
    };
    Some(format!("{name}为 {}，不可能：{why}", shown(x)))
}

/// A mean of zero or less beside a CV: the CV divides by the mean, so a
/// CV cannot have been computed from it (`dudao evaluate` leaves it null).
pub fn mean_without_cv(mean: Option<f64>, cv: Option<f64>) -> Option<String> {
    match (mean, cv) {
        (Some(m), Some(c)) if m <= 0.0 => Some(format!(
            "全县平均值为 {}，差异系数却为 {}，不可能：平均值为 0 时没有差异系数",
            shown(m),
            shown(c)
        )),
        _ => None,
    }
}

/// More schools meeting or passing than schools counted.
pub fn more_than_counted(what: &str, n: f64, counted: f64) -> Option<String> {
    (n > counted).then(|| {
        format!(
            "{what}为 {}，多于参评的学校数 {}，不可能",
            shown(n),
            shown(counted)
        )
    })
}

/// serde `deserialize_with` helpers: the figure checked as it is read, so
/// a refusal carries the JSON line and column.
pub mod de {
    use super::*;

    fn checked<'de, D: Deserializer<'de>>(d: D, kind: Kind) -> Result<Option<f64>, D::Error> {
        let v = Option::<f64>::deserialize(d)?;
        if let Some(why) = v.and_then(|x| impossible(kind, x)) {
            return Err(D::Error::custom(why));
        }
        Ok(v)
    }

    pub fn mean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        checked(d, Kind::Mean)
    }

    pub fn sd<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        checked(d, Kind::Sd)
    }

    pub fn cv<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        checked(d, Kind::Cv)
    }

    pub fn students<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        checked(d, Kind::Students)
    }

    pub fn count_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        checked(d, Kind::Count)
    }

    /// A count that must be there, as the integer it is.
    pub fn count<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
        match checked(d, Kind::Count)? {
            Some(x) => Ok(x as usize),
            None => Err(D::Error::custom("学校数为空（null），应为整数")),
        }
    }

    /// A school's values by indicator: each a possible one.
    pub fn values<'de, D, K>(d: D) -> Result<BTreeMap<K, Option<f64>>, D::Error>
    where
        D: Deserializer<'de>,
        K: Deserialize<'de> + Ord + std::fmt::Display,
    {
        let m = BTreeMap::<K, Option<f64>>::deserialize(d)?;
        for (k, v) in &m {
            if let Some(why) = v.and_then(|x| impossible(Kind::Value, x)) {
                return Err(D::Error::custom(format!("{k} 的{why}")));
            }
        }
        Ok(m)
    }
}

/// A serde error as the user reads it: the rule a figure broke (the
/// helpers above word it in Chinese), or what kind of fault the JSON has.
/// `None` for faults of the format the caller words itself.
pub fn figure_refused(e: &serde_json::Error) -> Option<String> {
    let m = e.to_string();
    let m = m.split(" at line ").next().unwrap_or(&m);
    if m.starts_with("number out of range") {
        return Some("数值超出范围（大于约 1.8e308），不可能是评估结果中的数".into());
    }
    m.chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        .then(|| m.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_hold_for_each_kind() {
        assert_eq!(impossible(Kind::Cv, 0.43), None);
        assert_eq!(impossible(Kind::Cv, 0.0), None);
        assert!(impossible(Kind::Cv, 12.0).unwrap().contains("0 到 10"));
        assert!(impossible(Kind::Cv, -0.1).unwrap().contains("负数"));
        assert!(impossible(Kind::Mean, f64::NAN).unwrap().contains("有限"));
        assert!(
            impossible(Kind::Sd, f64::INFINITY)
                .unwrap()
                .contains("有限")
        );
        assert!(impossible(Kind::Count, 2.5).unwrap().contains("整数"));
        assert!(impossible(Kind::Count, -3.0).unwrap().contains("-3"));
        assert_eq!(impossible(Kind::Count, 240.0), None);
        assert_eq!(impossible(Kind::Value, 0.0), None);
        // A huge figure is shown in exponent form, not in 309 digits.
        let m = impossible(Kind::Cv, 1.7e308).unwrap();
        assert!(m.contains("1.7e308") && m.len() < 120, "{m}");
    }

    #[test]
    fn mean_and_cv_agree() {
        assert!(mean_without_cv(Some(0.0), Some(0.3)).is_some());
        assert!(mean_without_cv(Some(0.0), None).is_none());
        assert!(mean_without_cv(Some(7.1), Some(0.3)).is_none());
    }

    #[derive(serde::Deserialize)]
    struct Row {
        #[serde(default, deserialize_with = "de::cv")]
        cv: Option<f64>,
    }

    #[test]
    fn a_refusal_carries_the_json_line() {
        let text = "{\n  \"cv\": 1.7e308,\n  \"cv_ok\": false\n}";
        let e = serde_json::from_str::<Row>(text).err().unwrap();
        assert_eq!(e.line(), 2);
        assert!(figure_refused(&e).unwrap().contains("差异系数为 1.7e308"));
        let e = serde_json::from_str::<Row>("{\"cv\": 1.8e308}")
            .err()
            .unwrap();
        assert!(figure_refused(&e).unwrap().contains("超出范围"));
        assert!(serde_json::from_str::<Row>("{}").unwrap().cv.is_none());
        assert!(
            serde_json::from_str::<Row>("{\"cv\": null}")
                .unwrap()
                .cv
                .is_none()
        );
    }
}

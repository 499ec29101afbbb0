//! How numbers are printed, one rule for every output: fixed decimals per
//! indicator, thousands separators in tables, CVs to six places.

/// `1234567.891` with 2 decimals → `1,234,567.89`.
pub fn grouped(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut out = String::new();
    for (k, ch) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    if v < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

/// Fixed decimals without separators (text and CV tables).
pub fn fixed(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v);
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// A CV as provinces print it: six decimals.
pub fn cv(v: Option<f64>) -> String {
    v.map(|x| fixed(x, 6)).unwrap_or_else(|| "—".into())
}

pub fn opt(v: Option<f64>, decimals: usize) -> String {
    v.map(|x| grouped(x, decimals))
        .unwrap_or_else(|| "—".into())
}

/// One gap estimate as tables print it: `县级以上骨干教师 +3 人（达到标准）`.
pub fn addition(a: &crate::evaluate::gaps::Addition) -> String {
    format!(
        "{} +{} {}（{}）",
        a.what,
        grouped(a.amount, 0),
        a.unit,
        a.to
    )
}

/// What a school below a standard must do, one item a line: each way to
/// pass the rule (any one suffices), the full standard, the plan's targets,
/// then the indicators whose data is missing.
pub fn gap_items(g: &crate::evaluate::gaps::SchoolGap) -> Vec<String> {
    let join = |v: &[crate::evaluate::gaps::Addition]| {
        v.iter().map(addition).collect::<Vec<_>>().join("，")
    };
    let mut items: Vec<String> = Vec::new();
    let n = g.options.len();
    for (k, o) in g.options.iter().enumerate() {
        items.push(if n == 1 {
            format!("达标需：{}", join(o))
        } else {
            format!("达标方案{}/{}（任选其一）：{}", k + 1, n, join(o))
        });
    }
    if !g.to_standard.is_empty() {
        items.push(format!("达到全部标准需：{}", join(&g.to_standard)));
    }
    for t in &g.to_plan {
        let due = if t.due { "，已到期" } else { "" };
        let same = g
            .to_standard
            .iter()
            .any(|a| a.indicator == t.addition.indicator && a.amount == t.addition.amount);
        items.push(if same {
            format!("方案任务{}的目标即标准（时限{}{due}）", t.task, t.deadline)
        } else {
            format!(
                "按方案任务{}（时限{}{due}）需：{}",
                t.task,
                t.deadline,
                addition(&t.addition)
            )
        });
    }
    if !g.missing.is_empty() {
        let ids: Vec<&str> = g.missing.iter().map(|i| i.id()).collect();
        items.push(format!("{} 缺数据，请先补填", ids.join("、")));
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping() {
        assert_eq!(grouped(1234567.891, 2), "1,234,567.89");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(-1234.5, 1), "-1,234.5");
        assert_eq!(grouped(-0.001, 2), "0.00");
        assert_eq!(fixed(0.5015, 2), "0.50");
        assert_eq!(cv(Some(0.501787)), "0.501787");
    }
}

//! YAML with Chinese errors at line:column, the profile built from the
//! national one plus the plan's overrides, and the plan's cross-checks
//! (indicator ids, criterion keys, counts) — each error at its place.

use super::plan::{Amount, Figure, Plan, Scalar};
use crate::error::Error;
use crate::profile::{Profile, ResourceIndicator, parse_profile};
use crate::source::YamlRef;
use serde::de::DeserializeOwned;
use serde_saphyr::{Location, MessageFormatter, Spanned, UserMessageFormatter};
use std::path::Path;
use std::sync::Arc;

/// Parse YAML, turning serde-saphyr's errors into ours at file:line:column.
pub fn from_str<T: DeserializeOwned>(text: &str, file: &str) -> Result<T, Error> {
    serde_saphyr::from_str(text).map_err(|e| {
        let loc = e.location().unwrap_or(Location::UNKNOWN);
        let mut inner = &e;
        while let serde_saphyr::Error::WithSnippet { error, .. }
        | serde_saphyr::Error::AliasError { error, .. } = inner
        {
            inner = error;
        }
        let message = match inner {
            serde_saphyr::Error::SerdeUnknownField {
                field, expected, ..
            } => format!(
                "不认识的字段“{field}”（这里可以写：{}）",
                expected.join("、")
            ),
            serde_saphyr::Error::SerdeUnknownVariant {
                variant, expected, ..
            } => format!("不认识的取值“{variant}”（可选：{}）", expected.join("、")),
            serde_saphyr::Error::SerdeMissingField { field, .. } => {
                format!("缺少必填字段“{field}”")
            }
            _ => translate(&UserMessageFormatter.format_message(inner)),
        };
        Error::Yaml {
            at: yaml_ref(file, loc),
            message,
        }
    })
}

pub fn yaml_ref(file: &str, loc: Location) -> YamlRef {
    YamlRef {
        file: Arc::from(file),
        line: loc.line() as usize,
        column: loc.column() as usize,
    }
}

fn at<T>(file: &str, s: &Spanned<T>) -> YamlRef {
    yaml_ref(file, s.referenced)
}

/// serde's English messages, in the words a bureau clerk reads.
fn translate(msg: &str) -> String {
    let tick = |s: &str| -> Vec<String> {
        s.split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, p)| p.to_string())
            .collect()
    };
    let names = tick(msg);
    if msg.starts_with("missing field") {
        return format!(
            "缺少必填字段“{}”",
            names.first().cloned().unwrap_or_default()
        );
    }
    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        return format!("类型不对：{}", rest.replace(", expected", "，应为"));
    }
    if let Some(rest) = msg.strip_prefix("invalid value: ") {
        let rest = rest
            .replace(", expected u32", "，应为非负整数")
            .replace(", expected", "，应为");
        return format!("取值无效：{rest}");
    }
    if msg.contains("invalid boolean") {
        return "应为 true 或 false（是或否）".into();
    }
    // A list or a nested block where one line of text belongs.
    if msg.contains("expected string scalar") {
        return "应为一段文字，不能写成列表（- 或 [ ]）或下一级字段".into();
    }
    if msg.contains("duplicate") {
        return format!("键重复：{msg}");
    }
    if msg.is_ascii() {
        format!("YAML 格式错误，请检查这一处的缩进、冒号、引号和括号（解析器信息：{msg}）")
    } else {
        msg.to_string()
    }
}

/// The national profile, or the province's file the plan names, with the
/// plan's `standards.set` changes applied.
pub fn build_profile(
    plan: &Plan,
    project_dir: &Path,
    file: &str,
    access: &crate::access::Access,
) -> Result<Profile, Error> {
    let mut profile = match &plan.standards.profile {
        None => Profile::national(),
        Some(p) => {
            let path = project_dir.join(&p.value);
            // A special or oversized file is refused at the line naming it.
            let at = yaml_ref(file, p.referenced);
            let text = access.read_text(&path, crate::access::InputKind::Profile, Some(&at))?;
            let shown = path.display().to_string();
            let p: Profile = from_str(&text, &shown)?;
            parse_profile(&text).map_err(|m| Error::File {
                file: shown,
                message: m,
            })?;
            p
        }
    };
    let mut errors = Vec::new();
    for (key, value) in &plan.standards.set {
        if let Err(m) = apply_override(&mut profile, key, &value.value) {
            errors.push(Error::Yaml {
                at: at(file, value),
                message: format!("standards.set.{key}：{m}"),
            });
        }
    }
    Error::from_list(errors)?;
    Ok(profile)
}

fn apply_override(p: &mut Profile, key: &str, v: &Scalar) -> Result<(), String> {
    let num = || -> Result<f64, String> {
        match v {
            Scalar::Number(n) if n.is_finite() && *n >= 0.0 => Ok(*n),
            _ => Err("应为非负数".into()),
        }
    };
    let flag = || -> Result<bool, String> {
        match v {
            Scalar::Bool(b) => Ok(*b),
            _ => Err("应为 true 或 false".into()),
        }
    };
    // (before, after) of a standard the evaluation judges by, to be stated.
    let mut adjusted: Option<(f64, f64)> = None;
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        [id, section @ ("primary" | "junior")] if ResourceIndicator::parse(id).is_some() => {
            let i = ResourceIndicator::parse(id).ok_or("")?;
            let spec = p
                .resource
                .indicators
                .get_mut(&i)
                .ok_or("标准中没有这个指标")?;
            let slot = if *section == "primary" {
                &mut spec.primary
            } else {
                &mut spec.junior
            };
            adjusted = Some((*slot, num()?));
            *slot = num()?;
        }
        ["resource", "min_met"] => {
            adjusted = Some((p.resource.min_met as f64, num()?.floor()));
            p.resource.min_met = num()? as u32;
        }
        ["resource", "floor_ratio"] => {
            adjusted = Some((p.resource.floor_ratio, num()?));
            p.resource.floor_ratio = num()?;
        }
        ["resource" | "cv_limit", ..] => {
            let s = parts.last().copied().unwrap_or("");
            let slot = match s {
                "primary" => &mut p.resource.cv_limit.primary,
                "junior" => &mut p.resource.cv_limit.junior,
                _ => {
                    return Err("应为 resource.cv_limit.primary 或 resource.cv_limit.junior".into());
                }
            };
            adjusted = Some((*slot, num()?));
            *slot = num()?;
        }
        ["apportion", "round_share"] => {
            // A number of decimals, or 精确 / exact for the exact share.
            p.apportion.round_share = match v {
                Scalar::Number(n) if n.fract() == 0.0 && (0.0..=9.0).contains(n) => Some(*n as u8),
                Scalar::Text(t) if matches!(t.trim(), "精确" | "exact") => None,
                _ => {
                    return Err(
                        "应为 0–9 的整数（分摊比例先四舍五入到几位小数），或“精确”（不取整）"
                            .into(),
                    );
                }
            };
        }
        ["apportion", w] => {
            let a = &mut p.apportion;
            let slot = match *w {
                "primary" => &mut a.primary,
                "junior" => &mut a.junior,
                "high" => &mut a.high,
                "complete_junior" => &mut a.complete_junior,
                "complete_high" => &mut a.complete_high,
                _ => {
                    return Err(
                        "分摊规则只有 primary、junior、high、complete_junior、complete_high、round_share".into(),
                    );
                }
            };
            *slot = num()?;
        }
        ["exclude", what] => match *what {
            "private" => p.exclude.private = flag()?,
            "special" => p.exclude.special = flag()?,
            "other_types" => p.exclude.other_types = flag()?,
            "teaching_point_below" => p.exclude.teaching_point_below = num()? as u32,
            _ => {
                return Err(
                    "排除规则只有 private、special、other_types、teaching_point_below".into(),
                );
            }
        },
        ["plausibility", key, bound @ ("min" | "max")] => {
            let keys: Vec<String> = p.plausibility.keys().cloned().collect();
            let r = p.plausibility.get_mut(*key).ok_or_else(|| {
                format!("没有名为“{key}”的数据核对范围（可选：{}）", keys.join("、"))
            })?;
            let v = Some(num()?);
            if *bound == "min" {
                r.min = v;
            } else {
                r.max = v;
            }
        }
        ["remedies", id] => match v {
            // 整改措施 wording; a county says it its own way.
            Scalar::Text(t) if !t.trim().is_empty() => {
                p.remedies.insert(id.to_string(), t.trim().to_string());
            }
            _ => return Err("应为整改措施的文字".into()),
        },
        ["ledger", "problems", key] => match v {
            // 整改台账“问题”的措辞, checked as a province's file is.
            Scalar::Text(t) if !t.trim().is_empty() => {
                crate::profile::check_problem_wording(key, t.trim())?;
                p.ledger
                    .problems
                    .insert(key.to_string(), t.trim().to_string());
            }
            _ => return Err("应为“问题”一栏的措辞".into()),
        },
        ["ledger", "deadline_months"] => p.ledger.deadline_months = num()? as u32,
        ["ledger", "unit_costs", id] => {
            let keys: Vec<String> = p.ledger.unit_costs.keys().cloned().collect();
            let c =
                p.ledger.unit_costs.get_mut(*id).ok_or_else(|| {
                    format!("标准中没有 {id} 的单价（可选：{}）", keys.join("、"))
                })?;
            c.yuan = num()?;
        }
        [id, crit] => {
            let spec = p
                .indicators
                .get_mut(*id)
                .ok_or_else(|| format!("未知指标“{id}”"))?;
            let keys: Vec<String> = spec.criteria.iter().map(|c| c.key.clone()).collect();
            let c = spec
                .criteria
                .iter_mut()
                .find(|c| c.key == *crit)
                .ok_or_else(|| {
                    format!("指标 {id} 没有“{crit}”一项（可选：{}）", keys.join("、"))
                })?;
            let Some(before) = c.value else {
                return Err(format!("{id}.{crit} 是“是/否”项，没有数值标准"));
            };
            adjusted = Some((before, num()?));
            c.value = Some(num()?);
        }
        _ => {
            return Err(
                "无法识别的标准路径（例如 Q1.rate、L1.primary、resource.cv_limit.junior、plausibility.equipment_per_student.min）".into(),
            );
        }
    }
    if let Some((base, applied)) = adjusted
        && base != applied
    {
        p.adjustments.retain(|a| a.key != key);
        p.adjustments.push(crate::profile::Adjustment {
            key: key.to_string(),
            base,
            applied,
        });
    }
    Ok(())
}

/// Checks that need the profile: ids, keys, survey counts.
pub fn check_plan(plan: &Plan, profile: &Profile, file: &str) -> Result<(), Error> {
    let mut errors = Vec::new();
    let mut err = |loc: YamlRef, message: String| errors.push(Error::Yaml { at: loc, message });
    for (id, entry) in &plan.figures {
        let Some(spec) = profile.indicators.get(id) else {
            err(
                at(file, entry),
                format!(
                    "figures 中的“{id}”不是已知的指标编号（政府保障 G1–G15、教育质量 Q1–Q9、社会认可度 S1）"
                ),
            );
            continue;
        };
        for (key, v) in &entry.value.values {
            match spec.criterion(key) {
                None => err(
                    at(file, v),
                    format!(
                        "指标 {id} 没有“{key}”一项（可选：{}）",
                        spec.criteria
                            .iter()
                            .map(|c| c.key.as_str())
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                ),
                Some(c) => {
                    let ok = match (&c.op, &v.value) {
                        (crate::profile::Op::Yes, Scalar::Bool(_)) => true,
                        (crate::profile::Op::Yes, _) => false,
                        (_, Scalar::Number(n)) => n.is_finite() && *n >= 0.0,
                        _ => false,
                    };
                    if !ok {
                        err(
                            at(file, v),
                            format!(
                                "{id}.{key}（{}）应为{}",
                                c.label,
                                if c.op == crate::profile::Op::Yes {
                                    "是/否（true/false）"
                                } else {
                                    "非负数值"
                                }
                            ),
                        );
                    }
                }
            }
        }
    }
    for group in &plan.tasks {
        for task in &group.items {
            for t in &task.targets {
                let id = t.indicator.value.as_str();
                if !profile.knows(id) {
                    err(
                        at(file, &t.indicator),
                        format!(
                            "任务 {}.{} 的目标指向未知指标“{id}”",
                            group.number, task.number
                        ),
                    );
                    continue;
                }
                if let (Some(key), Some(spec)) = (&t.key, profile.indicators.get(id))
                    && spec.criterion(&key.value).is_none()
                {
                    err(at(file, key), format!("指标 {id} 没有“{}”一项", key.value));
                }
                if let Some(v) = &t.value
                    && matches!(v.value, Scalar::Number(n) if !n.is_finite() || n < 0.0)
                {
                    err(at(file, v), "目标值不能为负数".into());
                }
            }
        }
    }
    if let Some(s) = &plan.survey {
        for g in &s.groups {
            if g.satisfied.value > g.sample.value {
                err(
                    at(file, &g.satisfied),
                    format!(
                        "{}：满意人数 {} 多于样本数 {}",
                        g.group, g.satisfied.value, g.sample.value
                    ),
                );
            }
            if let Some(w) = &g.weight
                && !(w.value.is_finite() && w.value >= 0.0)
            {
                err(at(file, w), "权重不能为负数".into());
            }
        }
    }
    check_county_inputs(plan, file, &mut err);
    for (id, v) in plan.ledger.unknown_keys(|id| profile.knows(id)) {
        err(
            at(file, v),
            format!(
                "ledger.responsible 中的“{id}”不是已知的指标编号（资源配置 L1–L7、差异系数 cv、政府保障 G1–G15、教育质量 Q1–Q9、社会认可度 S1）"
            ),
        );
    }
    for (name, v) in &plan.vetoes {
        if !profile.vetoes.contains(name) {
            err(
                at(file, v),
                format!(
                    "“{name}”不是一票否决事项（可选：{}）",
                    profile.vetoes.join("、")
                ),
            );
        }
    }
    Error::from_list(errors)
}

/// The structured inputs of the report (县情, 教育经费, projects, teachers,
/// accreditations, 自评组织): figures not negative, years plausible, one
/// entry per year — a duplicate year would make 只增不减 compare a year
/// with itself.
fn check_county_inputs(plan: &Plan, file: &str, err: &mut impl FnMut(YamlRef, String)) {
    let mut c = Located { file, err };
    if let Some(p) = &plan.county_profile {
        for (f, what) in [
            (&p.area_km2, "county_profile.area_km2（总面积）"),
            (
                &p.resident_population,
                "county_profile.resident_population（常住人口）",
            ),
            (
                &p.registered_population,
                "county_profile.registered_population（户籍人口）",
            ),
            (&p.towns, "county_profile.towns（乡镇数）"),
            (&p.subdistricts, "county_profile.subdistricts（街道数）"),
            (&p.villages, "county_profile.villages（行政村数）"),
            (&p.gdp, "county_profile.gdp（地区生产总值）"),
            (
                &p.budget_revenue,
                "county_profile.budget_revenue（一般公共预算收入）",
            ),
        ] {
            c.figure(f, what);
        }
        if let Some(y) = &p.year {
            c.year(y, "county_profile.year");
        }
    }
    let mut seen: Vec<(i32, usize)> = Vec::new();
    for y in &plan.funding {
        let n = y.year.value;
        c.year(&y.year, "教育经费 funding");
        if let Some((_, first)) = seen.iter().find(|(v, _)| *v == n) {
            let m = format!(
                "教育经费 funding 中{n}年出现了两次（第{first}行已有这一年），每年只能写一条"
            );
            c.at(&y.year, m);
        } else {
            seen.push((n, y.year.referenced.line() as usize));
        }
        for (f, what) in [
            (&y.total, "total（教育经费总投入）"),
            (&y.public_budget, "public_budget（一般公共预算教育支出）"),
            (&y.recurring_revenue, "recurring_revenue（财政经常性收入）"),
            (&y.students, "students（在校学生数）"),
            (
                &y.per_student_budget.primary,
                "per_student_budget.primary（小学生均一般公共预算教育支出）",
            ),
            (
                &y.per_student_budget.junior,
                "per_student_budget.junior（初中生均一般公共预算教育支出）",
            ),
            (
                &y.per_student_public.primary,
                "per_student_public.primary（小学生均公用经费）",
            ),
            (
                &y.per_student_public.junior,
                "per_student_public.junior（初中生均公用经费）",
            ),
            (&y.teacher_salary, "teacher_salary（教师工资总额）"),
        ] {
            c.figure(f, &format!("教育经费{n}年的{what}"));
        }
    }
    for p in &plan.projects {
        c.year(&p.year, &format!("建设项目“{}”", p.school));
        for (f, what) in [
            (&p.floor_area, "floor_area（建筑面积）"),
            (&p.places, "places（新增学位）"),
            (&p.investment, "investment（投资）"),
        ] {
            c.figure(f, &format!("建设项目“{}”的{what}", p.school));
        }
    }
    if let Some(t) = &plan.teacher_force {
        c.figure(&t.staff, "teacher_force.staff（教职工数）");
        c.figure(&t.full_time, "teacher_force.full_time（专任教师数）");
        if let (Some(s), Some(f)) = (&t.staff, &t.full_time)
            && f.value.0 > s.value.0
        {
            let m = format!(
                "专任教师数 {} 多于教职工数 {}（专任教师是教职工的一部分）",
                f.value.0, s.value.0
            );
            c.at(f, m);
        }
        for d in t.degrees.iter().chain(&t.titles) {
            c.amount(&d.count, &format!("teacher_force 中“{}”的人数", d.label));
        }
        for (list, what) in [
            (&t.recruitment, "teacher_force.recruitment（补充教师）"),
            (&t.exchange, "teacher_force.exchange（交流轮岗）"),
        ] {
            for y in list {
                let n = y.year.value;
                c.year(&y.year, what);
                c.amount(&y.count, &format!("{what}{n}年的人数"));
                if let Some(b) = &y.backbone {
                    c.amount(b, &format!("{what}{n}年的骨干教师数"));
                    if b.value.0 > y.count.value.0 {
                        let m = format!(
                            "{n}年骨干教师 {} 人多于交流总数 {} 人",
                            b.value.0, y.count.value.0
                        );
                        c.at(b, m);
                    }
                }
            }
        }
    }
    for a in &plan.accreditations {
        c.year(&a.year, &format!("认定“{}”", a.title));
    }
    if let Some(s) = &plan.self_evaluation
        && let (Some(from), Some(to)) = (&s.from, &s.to)
        && to.value < from.value
    {
        let m = format!(
            "自评工作结束日期 {} 早于开始日期 {}",
            to.value.zh(),
            from.value.zh()
        );
        c.at(to, m);
    }
}

/// Errors of one kind of check, each at its YAML place.
struct Located<'a, F> {
    file: &'a str,
    err: &'a mut F,
}

impl<F: FnMut(YamlRef, String)> Located<'_, F> {
    fn at<T>(&mut self, s: &Spanned<T>, message: String) {
        (self.err)(at(self.file, s), message);
    }

    fn amount(&mut self, x: &Spanned<Amount>, what: &str) {
        if x.value.0 < 0.0 {
            self.at(x, format!("{what}不能为负数（写的是 {}）", x.value.0));
        }
    }

    fn figure(&mut self, f: &Figure, what: &str) {
        if let Some(x) = f {
            self.amount(x, what);
        }
    }

    fn year(&mut self, y: &Spanned<i32>, what: &str) {
        if !(1949..=2100).contains(&y.value) {
            self.at(
                y,
                format!("{what}的年份“{}”无效，应写四位年份，如 2023", y.value),
            );
        }
    }
}

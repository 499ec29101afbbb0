//! The appendix tables (附件1–5) as rows of printed cells, with the
//! indices of the cells to mark: figures formatted the one way the report
//! prints them, nothing worded.

use super::*;

pub(super) fn table(header: &[&str], numeric: Vec<usize>) -> TableRows {
    TableRows {
        header: header.iter().map(|s| s.to_string()).collect(),
        numeric,
        ..Default::default()
    }
}

impl TableRows {
    /// Mark a cell by the school's status on one indicator: ▲ below the
    /// floor or without data, △ below the standard but not the floor.
    fn mark(&mut self, row: usize, col: usize, st: MetStatus) {
        match st {
            MetStatus::Met => {}
            MetStatus::Floor => self.short.push((row, col)),
            MetStatus::Below | MetStatus::Missing => self.failing.push((row, col)),
        }
    }

    /// A row whose first `label_cols` columns hold one label.
    fn push_labelled(&mut self, label: String, label_cols: usize, rest: Vec<String>) {
        let r = self.rows.len();
        let mut row = vec![label];
        row.extend(std::iter::repeat_n(String::new(), label_cols - 1));
        row.extend(rest);
        self.rows.push(row);
        self.spans.push((r, 0, label_cols, 1));
        self.emphasis.push(r);
    }
}

pub(super) fn opt0(v: Option<f64>) -> String {
    v.map(|x| grouped(x, 0)).unwrap_or_else(|| "—".into())
}

/// Workbook order (the 教育事业统计 order) with 教学点 moved last.
pub(super) fn statistics_order(e: &Evaluation) -> Vec<usize> {
    let (points, schools): (Vec<usize>, Vec<usize>) =
        (0..e.schools.len()).partition(|&k| is_point(&e.schools[k]));
    schools.into_iter().chain(points).collect()
}

pub(super) fn distinct_names<'a>(rows: impl Iterator<Item = &'a SchoolResult>) -> usize {
    let mut names: Vec<&str> = rows.map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names.len()
}

pub(super) fn basic_table(e: &Evaluation) -> (TableRows, BasicTotal) {
    let mut t = table(
        &[
            "序号",
            "学校名称",
            "学校类型",
            "学段",
            "办学性质",
            "城乡类别",
            "所在乡镇",
            "学生数",
            "班级数",
            "专任教师数",
            "是否参评",
        ],
        vec![0, 7, 8, 9],
    );
    let mut students = 0.0;
    // None while no row gives the figure: a total of nothing is not 0.
    let (mut classes, mut teachers): (Option<f64>, Option<f64>) = (None, None);
    let add = |sum: &mut Option<f64>, v: Option<f64>| {
        if let Some(v) = v {
            *sum = Some(sum.unwrap_or(0.0) + v);
        }
    };
    for (n, k) in statistics_order(e).into_iter().enumerate() {
        let s = &e.schools[k];
        students += s.students;
        add(&mut classes, s.classes);
        add(&mut teachers, s.teachers);
        t.rows.push(vec![
            (n + 1).to_string(),
            s.name.clone(),
            s.school_type.clone(),
            s.section.zh().into(),
            s.ownership.clone(),
            s.locality.clone().unwrap_or_default(),
            s.township.clone().unwrap_or_default(),
            grouped(s.students, 0),
            opt0(s.classes),
            opt0(s.teachers),
            match &s.exclusion {
                None => "参评".into(),
                Some(w) => format!("不参评（{w}）"),
            },
        ]);
    }
    let total = BasicTotal {
        rows: e.schools.len(),
        schools: distinct_names(e.schools.iter().filter(|s| !is_point(s))),
        points: distinct_names(e.schools.iter().filter(|s| is_point(s))),
        excluded_rows: e.schools.iter().filter(|s| !s.included).count(),
        students: grouped(students, 0),
        classes: opt0(classes),
        teachers: opt0(teachers),
    };
    t.push_labelled(
        format!("合计（学校{}所、教学点{}个）", total.schools, total.points),
        7,
        vec![
            total.students.clone(),
            total.classes.clone(),
            total.teachers.clone(),
            String::new(),
        ],
    );
    (t, total)
}

/// A standard as the tables print it: the indicator's decimals, and a
/// floor with as many more as it needs to be exact (4.5 × 85% = 3.825).
pub(super) fn standard_cell(v: f64, decimals: usize) -> String {
    let s = grouped(v, decimals + 3);
    let s = s.trim_end_matches('0');
    let s = s.trim_end_matches('.');
    let have = s.split_once('.').map_or(0, |(_, f)| f.len());
    if have < decimals {
        grouped(v, decimals)
    } else {
        s.to_string()
    }
}

pub(super) fn resource_table(e: &Evaluation, section: Section) -> ResourceTable {
    let mut t = table(
        &[
            "序号",
            "学校名称",
            "学生数",
            "L1",
            "L2",
            "L3",
            "L4",
            "L5",
            "L6",
            "L7",
            "达标项数",
            "结果",
        ],
        vec![0, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    let spec = &e.resource.section(section).indicators;
    let floor = format!("标准的{}", floor_pct(e));
    let row_of = |f: &dyn Fn(&crate::evaluate::SectionIndicator) -> f64| -> Vec<String> {
        let mut v: Vec<String> = ResourceIndicator::ALL
            .into_iter()
            .map(|i| standard_cell(f(&spec[&i]), spec[&i].decimals as usize))
            .collect();
        v.extend([String::new(), String::new()]);
        v
    };
    t.push_labelled("标准".into(), 3, row_of(&|x| x.standard));
    t.push_labelled(floor.clone(), 3, row_of(&|x| x.floor));
    let order: Vec<usize> = statistics_order(e)
        .into_iter()
        .filter(|&k| e.schools[k].section == section)
        .collect();
    for (n, k) in order.into_iter().enumerate() {
        let s = &e.schools[k];
        let r = t.rows.len();
        let mut row = vec![(n + 1).to_string(), s.name.clone(), grouped(s.students, 0)];
        for (c, i) in ResourceIndicator::ALL.into_iter().enumerate() {
            row.push(value_text(e, s, i));
            if s.included {
                t.mark(
                    r,
                    3 + c,
                    s.status.get(&i).copied().unwrap_or(MetStatus::Missing),
                );
            }
        }
        row.push(format!("{}", s.met_count));
        let missing = s.status.values().any(|x| *x == MetStatus::Missing);
        row.push(match (&s.exclusion, s.passes) {
            (Some(_), _) => "不参评".into(),
            (None, true) => "达标".into(),
            // Judged on the data it has; what is missing is named in 四.
            (None, false) if missing => "缺数据".into(),
            (None, false) => "未达标".into(),
        });
        if s.included && !s.passes {
            t.failing.push((r, 11));
        }
        t.rows.push(row);
    }
    ResourceTable {
        section: section.zh().into(),
        floor_label: floor,
        changed: ResourceIndicator::ALL
            .into_iter()
            .filter_map(|i| {
                let x = &spec[&i];
                let base = x.base_standard?;
                Some(ChangedStandard {
                    indicator: i.to_string(),
                    name: x.name.clone(),
                    applied: standard_cell(x.standard, x.decimals as usize),
                    base: standard_cell(base, x.decimals as usize),
                    unit: x.unit.clone(),
                })
            })
            .collect(),
        table: t,
    }
}

pub(super) fn cv_table(e: &Evaluation) -> TableRows {
    let mut t = table(
        &[
            "学段",
            "指标",
            "标准",
            "全县平均值",
            "标准差",
            "差异系数",
            "限值",
            "是否达到",
        ],
        vec![2, 3, 4, 5, 6],
    );
    for section in Section::ALL {
        for (i, x) in &e.resource.section(section).indicators {
            let r = t.rows.len();
            t.rows.push(vec![
                section.zh().into(),
                format!("{} {}", i, x.name),
                grouped(x.standard, x.decimals as usize),
                x.mean.map_or_else(|| "—".into(), |v| fixed(v, 6)),
                x.sd.map_or_else(|| "—".into(), |v| fixed(v, 6)),
                cv(x.cv),
                fixed(x.cv_limit, 2),
                verdict(x),
            ]);
            if !x.cv_ok {
                t.failing.push((r, 5));
                t.failing.push((r, 7));
            }
        }
    }
    t
}

/// Decimals of the squared deviations: about nine significant digits of
/// the variance, so that summing the printed terms gives the CV back to
/// its six printed decimals.
pub(super) fn square_decimals(variance: f64) -> usize {
    if variance <= 0.0 {
        return 6;
    }
    (9 - variance.log10().ceil() as i64).clamp(2, 9) as usize
}

/// 附件3's calculation: per 学段 and indicator, every row's Pᵢ and Xᵢ as
/// the evaluation used them, the terms of the weighted variance and the
/// county figures they sum to.
pub(super) fn cv_calculation(e: &Evaluation) -> Vec<CvCalculation> {
    let mut out = Vec::new();
    for section in Section::ALL {
        for (i, x) in &e.resource.section(section).indicators {
            let (Some(mean), Some(sd)) = (x.mean, x.sd) else {
                continue;
            };
            let p: f64 = x.points.iter().map(|q| q.students).sum();
            let d = square_decimals(sd * sd);
            let xd = (x.decimals as usize + 2).max(4);
            let mut t = table(
                &[
                    "序号",
                    "学校名称",
                    "学生数",
                    "指标值",
                    "学生数占比",
                    "离差平方",
                    "加权离差平方",
                ],
                vec![0, 2, 3, 4, 5, 6],
            );
            for (n, q) in x.points.iter().enumerate() {
                let dev = (q.value - mean).powi(2);
                t.rows.push(vec![
                    (n + 1).to_string(),
                    e.schools[q.school].name.clone(),
                    fixed(q.students, 0),
                    fixed(q.value, xd),
                    fixed(q.students / p, 8),
                    fixed(dev, d),
                    fixed(q.students / p * dev, d),
                ]);
            }
            let county = |t: &mut TableRows, label: &str, v: String| {
                t.push_labelled(label.into(), 6, vec![v]);
            };
            county(&mut t, "学生数合计", fixed(p, 0));
            county(&mut t, "全县平均值（按学生数加权）", fixed(mean, 6));
            county(&mut t, "方差（加权离差平方之和）", fixed(sd * sd, d));
            county(&mut t, "标准差（方差的平方根）", fixed(sd, 6));
            county(&mut t, "差异系数（标准差÷全县平均值）", cv(x.cv));
            county(&mut t, "限值", fixed(x.cv_limit, 2));
            county(&mut t, "是否达到", verdict(x));
            if !x.cv_ok {
                let r = t.rows.len();
                t.failing.push((r - 3, 6));
                t.failing.push((r - 1, 6));
            }
            out.push(CvCalculation {
                section: section.zh().into(),
                indicator: i.to_string(),
                name: x.name.clone(),
                unit: x.unit.clone(),
                table: t,
            });
        }
    }
    out
}

pub(super) fn cv_summary(e: &Evaluation) -> TableRows {
    let mut t = table(
        &["学段", "指标", "差异系数", "限值", "是否达到"],
        vec![2, 3],
    );
    for section in Section::ALL {
        for x in e.resource.section(section).indicators.values() {
            let r = t.rows.len();
            t.rows.push(vec![
                section.zh().into(),
                x.name.clone(),
                cv(x.cv),
                fixed(x.cv_limit, 2),
                verdict(x),
            ]);
            if !x.cv_ok {
                t.failing.push((r, 2));
                t.failing.push((r, 4));
            }
        }
    }
    t
}

/// The national numbering: 政府保障程度 and 教育质量 each count from 1.
pub(super) fn national_number(id: &str) -> String {
    id.trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .to_string()
}

/// A standard as 附件4 prints it: in words, and a full 100% as just that.
pub(super) fn gq_standard(c: &crate::evaluate::CriterionResult) -> String {
    if c.standard_words.is_empty() {
        return if c.threshold.is_none() {
            "符合要求".into()
        } else {
            c.standard.clone()
        };
    }
    match c.standard_words.strip_prefix("不低于100%") {
        Some(rest) => format!("100%{rest}"),
        None => c.standard_words.clone(),
    }
}

pub(super) fn gq_table(e: &Evaluation) -> TableRows {
    let mut t = table(
        &[
            "序号",
            "指标",
            "具体要求",
            "标准",
            "实际数",
            "是否达到",
            "缺口数",
            "数据来源与佐证",
        ],
        vec![0],
    );
    let areas: [(&str, Vec<&IndicatorResult>); 3] = [
        ("政府保障程度", e.guarantee.iter().collect()),
        ("教育质量", e.quality.iter().collect()),
        ("社会认可度", vec![&e.recognition.indicator]),
    ];
    for (area, list) in areas {
        let r = t.rows.len();
        let mut heading = vec![area.to_string()];
        heading.extend(std::iter::repeat_n(String::new(), 7));
        t.rows.push(heading);
        t.spans.push((r, 0, 8, 1));
        t.emphasis.push(r);
        for i in list {
            let first = t.rows.len();
            let n = i.criteria.len().max(1);
            for (k, c) in i.criteria.iter().enumerate() {
                let r = t.rows.len();
                t.rows.push(vec![
                    if k == 0 {
                        national_number(&i.id)
                    } else {
                        String::new()
                    },
                    if k == 0 {
                        i.name.clone()
                    } else {
                        String::new()
                    },
                    if n > 1 { c.label.clone() } else { "—".into() },
                    gq_standard(c),
                    // A yes/no item: what was found, where the plan says.
                    match (&i.finding, c.threshold) {
                        (Some(f), None) if n == 1 => f.clone(),
                        _ => c.actual.clone(),
                    },
                    match c.met {
                        Some(true) => "是".into(),
                        Some(false) => "否".into(),
                        None => "无数据".into(),
                    },
                    c.gap.clone(),
                    if k == 0 {
                        let mut ev = i.evidence.clone().unwrap_or_default();
                        if !i.failing.is_empty() {
                            ev.push_str(&format!("。未达到的学校：{}", i.failing.join("、")));
                        }
                        ev
                    } else {
                        String::new()
                    },
                ]);
                if c.met == Some(false) {
                    t.failing.push((r, 4));
                    t.failing.push((r, 5));
                }
            }
            if n > 1 {
                for c in [0, 1, 7] {
                    t.spans.push((first, c, 1, n));
                }
            }
        }
    }
    t
}

/// A task's 时限: its targets' latest deadline; without targets, the
/// plan's final milestone (the date the whole plan is due).
pub(super) fn task_deadline(plan: &Plan, item: &crate::input::plan::Task) -> String {
    let own = item
        .targets
        .iter()
        .map(|t| &t.by.value)
        .max_by_key(|d| d.last_day);
    let last = plan
        .milestones
        .iter()
        .map(|m| &m.by.value)
        .max_by_key(|d| d.last_day);
    own.or(last).map(deadline_zh).unwrap_or_else(|| "—".into())
}

pub(super) fn task_table(plan: &Plan, e: &Evaluation) -> TableRows {
    let mut t = table(&["序号", "任务", "时限", "目标", "进展"], vec![]);
    for g in &plan.tasks {
        // 牵头单位 and 责任单位 once per group, in its heading row.
        let r = t.rows.len();
        let mut heading = vec![format!(
            "（{}）{}　牵头单位：{}{}",
            g.number,
            g.title,
            g.lead.join("、"),
            if g.responsible.is_empty() {
                String::new()
            } else {
                format!("；责任单位：{}", g.responsible.join("、"))
            }
        )];
        heading.extend(std::iter::repeat_n(String::new(), 4));
        t.rows.push(heading);
        t.spans.push((r, 0, 5, 1));
        t.emphasis.push(r);
        for item in &g.items {
            let key = format!("{}.{}", g.number, item.number);
            let targets: Vec<&crate::evaluate::targets::TargetResult> =
                e.targets.iter().filter(|x| x.task == key).collect();
            let goals: Vec<String> = targets
                .iter()
                .map(|x| format!("{}：{}，现为{}", x.target_words, x.status, x.actual))
                .collect();
            let r = t.rows.len();
            t.rows.push(vec![
                key,
                item.title.clone(),
                task_deadline(plan, item),
                goals.join("；"),
                item.progress.clone().unwrap_or_default(),
            ]);
            if targets.iter().any(|x| x.achieved == Some(false) && x.due) {
                t.failing.push((r, 3));
            }
        }
    }
    t
}

/// 是否达到 of a CV: `—` for a 学段 without a counted row (nothing to
/// judge), else 是 or 否.
pub(super) fn verdict(x: &crate::evaluate::SectionIndicator) -> String {
    match (x.cv, x.cv_ok) {
        (None, true) => "—".into(),
        (_, true) => "是".into(),
        (_, false) => "否".into(),
    }
}

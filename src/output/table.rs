//! Terminal tables in Chinese, columns aligned for CJK widths (comfy-table
//! measures with unicode-width), failing values marked with ✗.

use super::format::{cv, fixed, grouped, opt};
use crate::evaluate::{Evaluation, IndicatorResult, MetStatus};
use crate::model::{County, Measure, RowPart, Section};
use crate::profile::ResourceIndicator;
use comfy_table::{CellAlignment, ContentArrangement, Table, presets};
use std::fmt::Write;

fn table(header: Vec<&str>) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    t
}

fn right_align(t: &mut Table, from: usize) {
    let n = t.column_count();
    for i in from..n {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// `dudao check`: what was read, what was skipped, what looks odd.
pub fn check_summary(county: &County) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}：计划文件与学校统计表检查通过。",
        county.plan.county
    );
    let _ = writeln!(out, "\n读取的文件：");
    for f in &county.files {
        let _ = writeln!(
            out,
            "  {}（工作表：{}）",
            f.path.display(),
            f.sheets.join("、")
        );
    }
    let mut t = table(vec![
        "学段",
        "学校类型",
        "学校（部）数",
        "学生数",
        "班级数",
        "专任教师数",
    ]);
    let mut rows: Vec<(Section, String, usize, f64, f64, f64)> = Vec::new();
    for s in &county.schools {
        for (section, r) in s.section_rows() {
            let v = |m: Measure| r.get(m).map(|f| f.value).unwrap_or(0.0);
            let key = (section, s.school_type.zh().to_string());
            match rows.iter_mut().find(|x| (x.0, x.1.clone()) == key) {
                Some(x) => {
                    x.2 += 1;
                    x.3 += v(Measure::Students);
                    x.4 += v(Measure::Classes);
                    x.5 += v(Measure::FullTimeTeachers);
                }
                None => rows.push((
                    section,
                    key.1,
                    1,
                    v(Measure::Students),
                    v(Measure::Classes),
                    v(Measure::FullTimeTeachers),
                )),
            }
        }
    }
    rows.sort_by_key(|r| r.0);
    for section in Section::ALL {
        let mut sum = (0, 0.0, 0.0, 0.0);
        for r in rows.iter().filter(|r| r.0 == section) {
            t.add_row(vec![
                section.zh().to_string(),
                r.1.clone(),
                r.2.to_string(),
                grouped(r.3, 0),
                grouped(r.4, 0),
                grouped(r.5, 0),
            ]);
            sum = (sum.0 + r.2, sum.1 + r.3, sum.2 + r.4, sum.3 + r.5);
        }
        t.add_row(vec![
            format!("{}合计", section.zh()),
            String::new(),
            sum.0.to_string(),
            grouped(sum.1, 0),
            grouped(sum.2, 0),
            grouped(sum.3, 0),
        ]);
    }
    right_align(&mut t, 2);
    let _ = writeln!(
        out,
        "\n学校 {} 所，按学段分行统计：\n{t}",
        county.schools.len()
    );
    let highs: Vec<_> = county
        .schools
        .iter()
        .filter(|s| s.row(RowPart::HighSchool).is_some())
        .map(|s| s.name.as_str())
        .collect();
    if !highs.is_empty() {
        let _ = writeln!(
            out,
            "高中部（只用于分摊共用资源，不参加评估）：{}",
            highs.join("、")
        );
    }
    let whole: Vec<_> = county
        .schools
        .iter()
        .filter(|s| !s.whole.is_empty())
        .map(|s| s.name.as_str())
        .collect();
    if !whole.is_empty() {
        let _ = writeln!(
            out,
            "填报全校数、将按加权学生数分摊共用资源的学校：{}",
            whole.join("、")
        );
    }
    if county.skipped.is_empty() {
        let _ = writeln!(out, "\n没有跳过的行。");
    } else {
        let _ = writeln!(out, "\n跳过的行（{} 行）：", county.skipped.len());
        for s in &county.skipped {
            let _ = writeln!(out, "  {}：{}（这一行：{}）", s.at, s.reason, s.looked);
        }
    }
    if county.warnings.is_empty() {
        let _ = writeln!(out, "没有需要核对的数值。");
    } else {
        let _ = writeln!(
            out,
            "\n请核对（{} 条提醒，不影响计算）：",
            county.warnings.len()
        );
        for w in &county.warnings {
            match &w.at {
                Some(at) => {
                    let _ = writeln!(out, "  {at}：{}", w.message);
                }
                None => {
                    let _ = writeln!(out, "  {}", w.message);
                }
            }
        }
    }
    out
}

fn mark(ok: bool) -> &'static str {
    if ok { "✓" } else { "✗" }
}

fn met_text(m: Option<bool>) -> &'static str {
    match m {
        Some(true) => "达到",
        Some(false) => "✗ 未达到",
        None => "无数据",
    }
}

/// `dudao evaluate --format table`.
pub fn evaluation(e: &Evaluation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} 县域义务教育优质均衡发展指标测算（标准：{}）\n",
        e.county, e.standards.label
    );
    for a in &e.standards.adjustments {
        let _ = writeln!(
            out,
            "  本县方案标准：{} {}{}（{}为{}）",
            a.label, a.op_words, a.applied_text, e.standards.base_name, a.base_text
        );
    }
    if !e.standards.adjustments.is_empty() {
        out.push('\n');
    }
    for section in Section::ALL {
        let r = e.resource.section(section);
        let _ = writeln!(
            out,
            "资源配置·{}：参评 {} 所（部），学生 {} 人；达标学校 {} 所{}",
            section.zh(),
            r.schools,
            grouped(r.students, 0),
            r.schools_passing,
            if r.all_pass {
                "，全部达标"
            } else {
                "，✗ 有学校未达标"
            }
        );
        let mut t = table(vec![
            "指标",
            "名称",
            "标准",
            "达标校数",
            "全县平均值",
            "标准差",
            "差异系数",
            "限值",
            "",
        ]);
        for (i, ind) in &r.indicators {
            let d = ind.decimals as usize;
            t.add_row(vec![
                i.id().to_string(),
                ind.name.clone(),
                format!(
                    "{}{}{}",
                    fixed(ind.standard, d.max(1)),
                    ind.unit,
                    // The plan's own value, marked as the county's.
                    if ind.base_standard.is_some() {
                        "（本县）"
                    } else {
                        ""
                    }
                ),
                format!("{}/{}", ind.schools_met, r.schools),
                opt(ind.mean, d.max(2)),
                opt(ind.sd, d.max(2)),
                cv(ind.cv),
                fixed(ind.cv_limit, 2),
                mark(ind.cv_ok).to_string(),
            ]);
        }
        right_align(&mut t, 2);
        let _ = writeln!(out, "{t}\n");
    }
    let mut t = table(vec![
        "学校",
        "学段",
        "L1",
        "L2",
        "L3",
        "L4",
        "L5",
        "L6",
        "L7",
        "达标项",
        "结果",
    ]);
    for s in &e.schools {
        let mut row = vec![s.name.clone(), s.section.zh().to_string()];
        for i in ResourceIndicator::ALL {
            let d = if i == ResourceIndicator::L6 { 0 } else { 2 };
            let v = s.values.get(&i).copied().flatten();
            let st = s.status.get(&i).copied().unwrap_or(MetStatus::Missing);
            let text = match (v, st) {
                (None, _) => "—".to_string(),
                (Some(v), MetStatus::Met) => grouped(v, d),
                (Some(v), _) => format!("✗{}", grouped(v, d)),
            };
            row.push(text);
        }
        row.push(format!("{}/7", s.met_count));
        row.push(match (&s.exclusion, s.passes) {
            (Some(why), _) => format!("不参评：{why}"),
            (None, true) => "达标".into(),
            (None, false) => "✗ 未达标".into(),
        });
        t.add_row(row);
    }
    right_align(&mut t, 2);
    let _ = writeln!(out, "各校（部）资源配置指标（✗ 未达到标准）：\n{t}\n");

    if !e.gaps.schools.is_empty() {
        let _ = writeln!(
            out,
            "整改测算（低于标准的学校；“达标方案”任选其一即达到校际标准）："
        );
        for g in &e.gaps.schools {
            let adds = super::format::gap_items(g);
            let _ = writeln!(
                out,
                "  {}（{}）：{}",
                g.name,
                g.section.zh(),
                adds.join("；")
            );
        }
        let total: Vec<String> = e
            .gaps
            .county
            .iter()
            .map(|t| {
                format!(
                    "{} {} {}（{} 所）",
                    t.what,
                    grouped(t.amount, 0),
                    t.unit,
                    t.schools
                )
            })
            .collect();
        for t in &e.gaps.townships {
            let parts: Vec<String> = t
                .totals
                .iter()
                .map(|x| format!("{} {} {}", x.what, grouped(x.amount, 0), x.unit))
                .collect();
            let _ = writeln!(out, "  {}：{}", t.township, parts.join("；"));
        }
        let _ = writeln!(out, "  全县合计：{}\n", total.join("；"));
    }
    for cvg in &e.gaps.cv {
        let names: Vec<String> = cvg
            .contributors
            .iter()
            .map(|c| format!("{}（{:.0}%，{}）", c.name, c.share * 100.0, c.direction))
            .collect();
        let _ = writeln!(
            out,
            "✗ {}{} 差异系数 {} 超过 {}，影响最大的学校：{}",
            cvg.section.zh(),
            cvg.indicator,
            cv(Some(cvg.cv)),
            fixed(cvg.limit, 2),
            names.join("、")
        );
    }
    for (title, list) in [("政府保障程度", &e.guarantee), ("教育质量", &e.quality)] {
        let _ = writeln!(out, "{title}：\n{}\n", indicator_table(list));
    }
    let _ = writeln!(
        out,
        "社会认可度：\n{}\n",
        indicator_table(std::slice::from_ref(&e.recognition.indicator))
    );
    let vetoes: Vec<String> = e
        .vetoes
        .iter()
        .map(|v| {
            format!(
                "{}：{}",
                v.name,
                match v.occurred {
                    Some(true) => "✗ 有",
                    Some(false) => "无",
                    None => "未填报",
                }
            )
        })
        .collect();
    let _ = writeln!(out, "一票否决事项：{}\n", vetoes.join("；"));
    let mut t = table(vec!["任务", "指标", "目标", "时限", "实际", "状态"]);
    for x in &e.targets {
        t.add_row(vec![
            x.task.clone(),
            x.indicator.clone(),
            x.target.clone(),
            x.deadline.clone(),
            x.actual.clone(),
            match (x.achieved, x.due) {
                (Some(false), true) => format!("✗ {}（已到期）", x.status),
                _ => x.status.clone(),
            },
        ]);
    }
    let _ = writeln!(out, "实施方案目标核对：\n{t}\n");
    let _ = writeln!(out, "结论：{}", e.verdict.summary);
    if !e.overview.excluded.is_empty() {
        let _ = writeln!(out, "\n不参加资源配置评估（计入全县总数）：");
        for x in &e.overview.excluded {
            let _ = writeln!(
                out,
                "  {}（{}，{} 人）：{}",
                x.name,
                x.section.zh(),
                grouped(x.students, 0),
                x.reason
            );
        }
    }
    out
}

fn indicator_table(list: &[IndicatorResult]) -> Table {
    let mut t = table(vec!["指标", "具体指标", "标准", "实际", "结果", "缺口"]);
    for r in list {
        for (k, c) in r.criteria.iter().enumerate() {
            t.add_row(vec![
                if k == 0 { r.id.clone() } else { String::new() },
                r.criterion_label(c),
                c.standard.clone(),
                c.actual.clone(),
                met_text(c.met).to_string(),
                c.gap.clone(),
            ]);
        }
    }
    t
}

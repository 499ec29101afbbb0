//! The cross-county tables of the packet, as data: each is built once here
//! from the re-evaluations, and the 复核报告 PDF, the workbook and the JSON
//! print the same rows. Layouts follow the published ones: one 差异系数
//! block per county, the 四个方面达标情况汇总表 grouped by 设区市, the
//! 未达标学校清单, the 政府保障与教育质量未达标项目 and the 社会认可度
//! sample per group.

use super::CountyReview;
use crate::evaluate::{Evaluation, IndicatorResult, MetStatus};
use crate::model::Section;
use crate::profile::ResourceIndicator;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Tables {
    /// 各县（市、区）义务教育学校校际差异系数表, in REVIEW.yaml order.
    pub cv: Vec<CvBlock>,
    /// 四个方面达标情况汇总表: one group per 设区市 (one group, `city`
    /// null, when none is given), counties in REVIEW.yaml order.
    pub summary: Vec<SummaryGroup>,
    /// 未达标学校清单.
    pub failing_schools: Vec<FailingSchool>,
    /// 政府保障与教育质量未达标项目.
    pub unmet_items: Vec<UnmetItem>,
    /// 社会认可度 sample adequacy per county.
    pub surveys: Vec<SurveyAdequacy>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CvBlock {
    pub county: String,
    pub city: Option<String>,
    /// False: 材料不全, no figures.
    pub complete: bool,
    /// 小学 then 初中.
    pub sections: Vec<CvSection>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CvSection {
    pub section: Section,
    pub cv_limit: f64,
    /// L1–L7, each with 全县平均值 / 标准差 / 差异系数.
    pub indicators: Vec<CvCell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CvCell {
    pub indicator: ResourceIndicator,
    pub name: String,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub cv: Option<f64>,
    /// Over the limit: the cell is marked.
    pub over_limit: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SummaryGroup {
    pub city: Option<String>,
    pub rows: Vec<SummaryRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SummaryRow {
    pub county: String,
    pub complete: bool,
    /// 资源配置: rows passing the per-school rule / rows counted.
    pub schools_passing: usize,
    pub schools_total: usize,
    /// CVs over their limit, as `{section, indicator, cv, limit}`.
    pub cv_over: Vec<CvOver>,
    pub resource_met: Option<bool>,
    /// 政府保障程度: items met / items (15).
    pub guarantee_met: usize,
    pub guarantee_total: usize,
    /// 教育质量: items met / items (9).
    pub quality_met: usize,
    pub quality_total: usize,
    /// 社会认可度, percent.
    pub recognition_rate: Option<f64>,
    pub recognition_met: Option<bool>,
    /// Some 一票否决 item occurred.
    pub veto: Option<bool>,
    /// 结论: all four areas met and no veto.
    pub passed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CvOver {
    pub section: Section,
    pub indicator: ResourceIndicator,
    pub name: String,
    pub cv: Option<f64>,
    pub limit: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FailingSchool {
    pub county: String,
    pub name: String,
    pub section: Section,
    pub township: Option<String>,
    /// Indicators below the standard, with value, standard and floor.
    pub indicators: Vec<FailingIndicator>,
    /// What it must add to pass, from the evaluation's own gap analysis.
    pub gap: Option<crate::evaluate::gaps::SchoolGap>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FailingIndicator {
    pub indicator: ResourceIndicator,
    pub name: String,
    pub unit: String,
    pub decimals: u8,
    pub value: Option<f64>,
    pub standard: f64,
    pub floor: f64,
    pub status: MetStatus,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnmetItem {
    pub county: String,
    /// `guarantee` or `quality`.
    pub area: String,
    pub id: String,
    pub name: String,
    /// Null: no data to decide (counts as not met).
    pub met: Option<bool>,
    /// The criteria not met, as the evaluation printed them.
    pub criteria: Vec<crate::evaluate::CriterionResult>,
    pub failing_schools: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SurveyAdequacy {
    pub county: String,
    pub groups: Vec<crate::evaluate::SurveyGroupResult>,
    pub total_sample: u32,
    /// Weighted satisfaction, percent.
    pub rate: Option<f64>,
    pub met: Option<bool>,
    /// Survey groups of the national method with no sample.
    pub groups_missing: Vec<String>,
}

/// The groups the national method surveys (教督〔2017〕6号).
const SURVEY_GROUPS: [&str; 7] = [
    "学生",
    "家长",
    "教师",
    "校长",
    "人大代表",
    "政协委员",
    "其他群众",
];

fn met_count(items: &[IndicatorResult]) -> usize {
    items.iter().filter(|i| i.met == Some(true)).count()
}

/// All tables, from the counties and their evaluations (None: 材料不全).
pub fn build(counties: &[CountyReview], evals: &[Option<Evaluation>]) -> Tables {
    let mut t = Tables {
        cv: Vec::new(),
        summary: Vec::new(),
        failing_schools: Vec::new(),
        unmet_items: Vec::new(),
        surveys: Vec::new(),
    };
    for (c, e) in counties.iter().zip(evals) {
        t.cv.push(CvBlock {
            county: c.county.clone(),
            city: c.city.clone(),
            complete: e.is_some(),
            sections: e.as_ref().map(cv_sections).unwrap_or_default(),
        });
        let row = summary_row(c, e.as_ref());
        match t.summary.iter_mut().find(|g| g.city == c.city) {
            Some(g) => g.rows.push(row),
            None => t.summary.push(SummaryGroup {
                city: c.city.clone(),
                rows: vec![row],
            }),
        }
        let Some(e) = e else { continue };
        for s in e.schools.iter().filter(|s| s.included && !s.passes) {
            let ind = &e.resource.section(s.section).indicators;
            t.failing_schools.push(FailingSchool {
                county: e.county.clone(),
                name: s.name.clone(),
                section: s.section,
                township: s.township.clone(),
                indicators: ResourceIndicator::ALL
                    .into_iter()
                    .filter(|i| s.status.get(i).is_some_and(|x| *x != MetStatus::Met))
                    .map(|i| FailingIndicator {
                        indicator: i,
                        name: ind[&i].name.clone(),
                        unit: ind[&i].unit.clone(),
                        decimals: ind[&i].decimals,
                        value: s.values.get(&i).copied().flatten(),
                        standard: ind[&i].standard,
                        floor: ind[&i].floor,
                        status: s.status[&i],
                    })
                    .collect(),
                gap: s.gap.clone(),
            });
        }
        for (area, items) in [("guarantee", &e.guarantee), ("quality", &e.quality)] {
            for i in items.iter().filter(|i| i.met != Some(true)) {
                t.unmet_items.push(UnmetItem {
                    county: e.county.clone(),
                    area: area.into(),
                    id: i.id.clone(),
                    name: i.name.clone(),
                    met: i.met,
                    criteria: i
                        .criteria
                        .iter()
                        .filter(|c| c.met != Some(true))
                        .cloned()
                        .collect(),
                    failing_schools: i.failing.clone(),
                });
            }
        }
        let r = &e.recognition;
        t.surveys.push(SurveyAdequacy {
            county: e.county.clone(),
            groups: r.groups.clone(),
            total_sample: r.total_sample,
            rate: r.rate,
            met: r.indicator.met,
            groups_missing: SURVEY_GROUPS
                .iter()
                .filter(|g| !r.groups.iter().any(|x| x.group == **g && x.sample > 0))
                .map(|g| g.to_string())
                .collect(),
        });
    }
    t
}

fn cv_sections(e: &Evaluation) -> Vec<CvSection> {
    Section::ALL
        .into_iter()
        .map(|s| {
            let sec = e.resource.section(s);
            let limit = sec
                .indicators
                .values()
                .next()
                .map(|i| i.cv_limit)
                .unwrap_or(0.0);
            CvSection {
                section: s,
                cv_limit: limit,
                indicators: ResourceIndicator::ALL
                    .into_iter()
                    .map(|i| {
                        let x = &sec.indicators[&i];
                        CvCell {
                            indicator: i,
                            name: x.name.clone(),
                            mean: x.mean,
                            sd: x.sd,
                            cv: x.cv,
                            over_limit: !x.cv_ok,
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

fn summary_row(c: &CountyReview, e: Option<&Evaluation>) -> SummaryRow {
    let Some(e) = e else {
        return SummaryRow {
            county: c.county.clone(),
            complete: false,
            schools_passing: 0,
            schools_total: 0,
            cv_over: Vec::new(),
            resource_met: None,
            guarantee_met: 0,
            guarantee_total: 0,
            quality_met: 0,
            quality_total: 0,
            recognition_rate: None,
            recognition_met: None,
            veto: None,
            passed: false,
        };
    };
    let (p, j) = (&e.resource.primary, &e.resource.junior);
    SummaryRow {
        county: c.county.clone(),
        complete: true,
        schools_passing: p.schools_passing + j.schools_passing,
        schools_total: p.schools + j.schools,
        cv_over: Section::ALL
            .into_iter()
            .flat_map(|s| {
                e.resource
                    .section(s)
                    .indicators
                    .iter()
                    .filter(|(_, x)| !x.cv_ok)
                    .map(move |(i, x)| CvOver {
                        section: s,
                        indicator: *i,
                        name: x.name.clone(),
                        cv: x.cv,
                        limit: x.cv_limit,
                    })
            })
            .collect(),
        resource_met: Some(e.verdict.resource),
        guarantee_met: met_count(&e.guarantee),
        guarantee_total: e.guarantee.len(),
        quality_met: met_count(&e.quality),
        quality_total: e.quality.len(),
        recognition_rate: e.recognition.rate,
        recognition_met: e.recognition.indicator.met,
        veto: Some(!e.verdict.no_veto),
        passed: e.verdict.overall,
    }
}

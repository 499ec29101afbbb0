//! `dudao review`: the city or provincial supervision office re-checks what
//! several counties submitted (县级自评 → 市级复核 → 省级督导评估). Each county
//! is loaded and evaluated exactly as `dudao evaluate` does, but with the
//! reviewing body's one profile; its reported figures are compared with the
//! recomputed ones; the cross-county tables and a seeded site-visit sample
//! are built once, into one [`Review`] value.
//!
//! The seam for the packet's documents: [`build`] makes the `Review`, and
//! every writer (the JSON here; the 复核报告 PDF and the cross-county
//! workbook) only reads it, so no figure is computed twice. [`run`] is
//! build, then the writers, then the terminal summary.

pub mod config;
pub mod context;
pub mod render;
pub mod reported;
pub mod sample;
pub mod synth;
pub mod tables;
pub mod verify;

use crate::error::Error;
use crate::evaluate::standards::StandardChange;
use crate::evaluate::{Evaluation, MetStatus};
use crate::model::Section;
use crate::profile::{Profile, ResourceIndicator};
use crate::source::CellRef;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Contract version of the review JSON (docs/review-json.md).
pub const JSON_VERSION: u32 = 1;
/// The JSON's file name in the output folder.
pub const JSON_FILE: &str = "review.json";

/// What the command line asks for; nothing below `cli` knows clap.
#[derive(Debug, Clone)]
pub struct ReviewOptions {
    pub review: PathBuf,
    pub output: Option<PathBuf>,
    /// Print the JSON alone on stdout.
    pub json: bool,
    /// Counties with missing or broken files become 材料不全 instead of
    /// failing the run.
    pub keep_going: bool,
    /// Each complete county's full report PDF into the folder as well.
    pub with_reports: bool,
}

/// The whole review: every output reads this and computes nothing.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub version: u32,
    pub body: String,
    /// `市级复核` or `省级督导评估`.
    pub level: String,
    /// 2024年6月10日.
    pub date: String,
    /// The standards every county was judged by.
    pub profile: String,
    pub counties: Vec<CountyReview>,
    /// 数据核查差异表: every reported figure that differs beyond its printed
    /// precision, county by county, in the reported file's order.
    pub discrepancies: Vec<Discrepancy>,
    /// Reported school lists whose names or order differ from the statistics.
    pub list_checks: Vec<ListCheck>,
    pub sample_method: SampleMethod,
    /// The site-visit rows, county by county, each in statistics order.
    pub sample: Vec<SampledRow>,
    pub tables: tables::Tables,
    /// Each county's full re-evaluation (None: 材料不全), parallel to
    /// `counties`, for the renderers' per-county details. Not in the JSON:
    /// `dudao evaluate` gives it per county.
    #[serde(skip)]
    pub evaluations: Vec<Option<Evaluation>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CountyReview {
    /// The county's name from its plan; the plan path when it could not be read.
    pub county: String,
    pub city: Option<String>,
    /// The plan file as REVIEW.yaml names it.
    pub plan: String,
    /// False: 材料不全 (only with --keep-going); `errors` says why.
    pub complete: bool,
    pub errors: Vec<String>,
    /// Null when incomplete.
    pub resource: Option<ResourceFigures>,
    pub verdict: VerdictFacts,
    /// The profile the county itself judged by, and its own changes
    /// (`standards.set`), reported and not applied.
    pub county_profile: Option<String>,
    pub own_standards: Vec<StandardChange>,
    pub reported: Vec<String>,
    pub discrepancies: usize,
    pub sampled: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResourceFigures {
    pub primary: SectionFigures,
    pub junior: SectionFigures,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionFigures {
    pub schools: usize,
    pub schools_passing: usize,
    pub students: f64,
    pub indicators: BTreeMap<ResourceIndicator, CvFigures>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CvFigures {
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub cv: Option<f64>,
    pub cv_limit: f64,
    pub cv_ok: bool,
    pub standard: f64,
    pub schools_met: usize,
}

/// The four areas as re-evaluated; null where the county is incomplete.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictFacts {
    /// All four areas met and no veto; false when incomplete.
    pub passed: bool,
    pub resource: Option<bool>,
    pub guarantee: Option<bool>,
    pub quality: Option<bool>,
    pub recognition: Option<bool>,
    pub no_veto: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Discrepancy {
    pub county: String,
    pub section: Option<Section>,
    /// The school, for a figure of the school list.
    pub school: Option<String>,
    /// `L1`–`L7`, `students`, or `resource` (schools passing).
    pub indicator: String,
    /// `mean`, `sd`, `cv`, `value`, `schools_passing`.
    pub figure: String,
    pub reported: f64,
    /// Null: the statistics give no value.
    pub recomputed: Option<f64>,
    /// reported − recomputed.
    pub difference: Option<f64>,
    /// The decimals the figure is published with, which decide “differs”.
    pub decimals: u8,
    /// Where the reported figure stands: a cell or a JSON path.
    pub source: String,
}

impl Discrepancy {
    /// What the figure is, as the packet's tables name it: the indicator
    /// (学生数, or the schools passing) and the figure (全县平均值…). The PDF
    /// and the workbook print the same names; `names` gives the resource
    /// indicators'.
    pub fn labels(&self, names: &Profile) -> (String, &'static str) {
        let what = match ResourceIndicator::parse(&self.indicator) {
            Some(i) => names.resource_spec(i).name.clone(),
            None if self.indicator == "students" => "学生数".into(),
            None => "达到校际均衡要求的学校数".into(),
        };
        let figure = match self.figure.as_str() {
            "mean" => "全县平均值",
            "sd" => "标准差",
            "cv" => "差异系数",
            "value" => "指标值",
            "schools_passing" => "学校数",
            _ => "数值",
        };
        (what, figure)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ListCheck {
    pub county: String,
    pub source: String,
    /// In the statistics, not in the reported list: `学校（小学）`.
    pub missing: Vec<String>,
    /// In the reported list, not in the statistics.
    pub extra: Vec<String>,
    pub first_out_of_order: Option<OutOfOrder>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutOfOrder {
    /// 1-based, among the rows both lists have.
    pub position: usize,
    pub expected: String,
    pub found: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SampleMethod {
    pub seed: u64,
    pub per_county: usize,
    pub fail_weight: f64,
    pub strata: String,
    /// Groups covered first where a county has them.
    pub required: Vec<String>,
    pub algorithm: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SampledRow {
    pub county: String,
    pub name: String,
    pub section: Section,
    pub school_type: String,
    pub locality: Option<String>,
    pub township: Option<String>,
    /// `乡村·小学`.
    pub stratum: String,
    /// Why drawn: `覆盖教学点`, `覆盖乡村`, `分层抽取`.
    pub reason: String,
    pub included: bool,
    pub passes: bool,
    pub weight: f64,
    pub students: f64,
    /// The 实地核查表's lines: L1–L7.
    pub checks: Vec<CheckLine>,
    pub at: CellRef,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckLine {
    pub indicator: ResourceIndicator,
    pub name: String,
    pub unit: String,
    pub decimals: u8,
    /// The county's figure (from its statistics).
    pub value: Option<f64>,
    pub standard: f64,
    /// 85% of the standard.
    pub floor: f64,
    pub status: MetStatus,
}

/// The reviewing body's profile: REVIEW.yaml's `profile:`, or the national.
fn review_profile(cfg: &config::Loaded) -> Result<Profile, Error> {
    let Some(p) = &cfg.config.profile else {
        return Ok(Profile::national());
    };
    let path = cfg.resolve(&p.value);
    let text = cfg
        .access
        .read_text(&path, crate::access::InputKind::Profile, Some(&cfg.at(p)))?;
    let shown = path.display().to_string();
    let _: Profile = crate::input::yaml::from_str(&text, &shown)?;
    crate::profile::parse_profile(&text).map_err(|m| Error::File {
        file: shown,
        message: m,
    })
}

/// One county's outcome: verified, or every error it has.
type Outcome = Result<verify::Verified, Error>;

fn verify_county(cfg: &config::Loaded, e: &config::CountyEntry, profile: &Profile) -> Outcome {
    let plan = cfg.resolve(&e.plan.value);
    if std::fs::symlink_metadata(&plan).is_err() {
        return Err(Error::Yaml {
            at: cfg.at(&e.plan),
            message: format!("找不到计划文件“{}”", e.plan.value),
        });
    }
    let mut missing = Vec::new();
    let mut reported = Vec::new();
    for r in e.reported.iter().flat_map(|r| r.items()) {
        let p = cfg.resolve(&r.value);
        if std::fs::symlink_metadata(&p).is_err() {
            missing.push(Error::Yaml {
                at: cfg.at(r),
                message: format!("找不到上报数据文件“{}”", r.value),
            });
        }
        reported.push((p.clone(), p.display().to_string()));
    }
    // The county's own record of what it read, kept also when it fails.
    let access = std::sync::Arc::new(crate::access::Access::new(&plan));
    let verified = verify::verify(access.clone(), &plan, &reported, profile);
    cfg.access.absorb(&access);
    match verified {
        Ok(v) if missing.is_empty() => Ok(v),
        Ok(_) => Err(Error::Many(missing)),
        Err(e) => {
            missing.push(e);
            Err(Error::Many(missing))
        }
    }
}

/// Every problem of an error, one line each.
fn lines(e: &Error) -> Vec<String> {
    match e {
        Error::Many(v) => v.iter().flat_map(lines).collect(),
        e => vec![e.to_string()],
    }
}

/// Load, re-evaluate and compare every county (in parallel), draw the
/// sample and build the tables. Without `keep_going`, any county's errors
/// fail the whole review, listing all of them.
pub fn build(cfg: &config::Loaded, keep_going: bool, progress: bool) -> Result<Review, Error> {
    let profile = review_profile(cfg)?;
    let c = &cfg.config;
    let bar = progress_bar(c.counties.len(), progress, "复核计算");
    let outcomes: Vec<Outcome> = c
        .counties
        .par_iter()
        .map(|e| {
            let o = verify_county(cfg, e, &profile);
            bar.inc(1);
            o
        })
        .collect();
    bar.finish_and_clear();
    if !keep_going {
        let errors: Vec<Error> = c
            .counties
            .iter()
            .zip(&outcomes)
            .filter_map(|(e, o)| o.as_ref().err().map(|err| (e, err)))
            .flat_map(|(e, err)| {
                lines(err)
                    .into_iter()
                    .map(move |l| Error::Other(format!("【{}】{l}", e.plan.value)))
            })
            .collect();
        if let Some(last) = errors.last().map(|e| e.to_string()) {
            let mut errors = errors;
            // The advice closes the list without counting as an error.
            errors.pop();
            errors.push(Error::Other(format!(
                "{last}\n有县（市、区）的材料不全或有误：请改正以上各处；或加 --keep-going，把这些县标为“材料不全”后照常生成复核材料"
            )));
            return Err(Error::Many(errors));
        }
    }
    refuse_same_names(cfg, &outcomes)?;
    let method = sample::method(
        c.sample.per_county.value,
        c.sample.seed,
        c.sample.fail_weight.value,
    );
    let mut counties = Vec::new();
    let mut evaluations = Vec::new();
    let mut discrepancies = Vec::new();
    let mut list_checks = Vec::new();
    let mut drawn = Vec::new();
    for (e, o) in c.counties.iter().zip(outcomes) {
        match o {
            Ok(v) => {
                let rows = sample::draw(&v.eval, &method);
                counties.push(county_review(e, &v, rows.len()));
                discrepancies.extend(v.discrepancies);
                list_checks.extend(v.list_checks);
                drawn.extend(rows);
                evaluations.push(Some(v.eval));
            }
            Err(err) => {
                counties.push(incomplete(e, &err));
                evaluations.push(None);
            }
        }
    }
    let tables = tables::build(&counties, &evaluations);
    Ok(Review {
        version: JSON_VERSION,
        body: c.body.clone(),
        level: c.level.zh().to_string(),
        date: c.date.zh(),
        profile: profile.name.clone(),
        counties,
        discrepancies,
        list_checks,
        sample_method: method,
        sample: drawn,
        tables,
        evaluations,
    })
}

/// Two entries whose plans name the same county in the same city would be
/// two rows no reader can tell apart, with the same site-visit draw (the
/// draw is seeded by the county's name): refused, naming both entries.
/// The name is known only once each plan is loaded.
fn refuse_same_names(cfg: &config::Loaded, outcomes: &[Outcome]) -> Result<(), Error> {
    let mut seen: BTreeMap<(&str, Option<&str>), &config::CountyEntry> = BTreeMap::new();
    let mut errors = Vec::new();
    for (e, o) in cfg.config.counties.iter().zip(outcomes) {
        let Ok(v) = o else { continue };
        let key = (v.eval.county.as_str(), e.city.as_deref());
        match seen.get(&key) {
            Some(first) => {
                let city = match e.city.as_deref() {
                    Some(c) => format!("设区市“{c}”中"),
                    None => "没有写设区市（city）的各县中".into(),
                };
                errors.push(Error::Yaml {
                    at: cfg.at(&e.plan),
                    message: format!(
                        "“{}”的县名“{}”与 {} 的“{}”相同：{city}有两个同名的县，复核表中无法区分，实地核查抽样也会相同；请核对这两个计划文件的 county，或在 REVIEW.yaml 中写明各自的 city",
                        e.plan.value,
                        key.0,
                        cfg.at(&first.plan),
                        first.plan.value
                    ),
                });
            }
            None => {
                seen.insert(key, e);
            }
        }
    }
    Error::from_list(errors)
}

fn county_review(e: &config::CountyEntry, v: &verify::Verified, sampled: usize) -> CountyReview {
    let ev = &v.eval;
    let section = |s: Section| {
        let r = ev.resource.section(s);
        SectionFigures {
            schools: r.schools,
            schools_passing: r.schools_passing,
            students: r.students,
            indicators: r
                .indicators
                .iter()
                .map(|(i, x)| {
                    (
                        *i,
                        CvFigures {
                            mean: x.mean,
                            sd: x.sd,
                            cv: x.cv,
                            cv_limit: x.cv_limit,
                            cv_ok: x.cv_ok,
                            standard: x.standard,
                            schools_met: x.schools_met,
                        },
                    )
                })
                .collect(),
        }
    };
    let d = &ev.verdict;
    CountyReview {
        county: ev.county.clone(),
        city: e.city.clone(),
        plan: e.plan.value.clone(),
        complete: true,
        errors: Vec::new(),
        resource: Some(ResourceFigures {
            primary: section(Section::Primary),
            junior: section(Section::Junior),
        }),
        verdict: VerdictFacts {
            passed: d.overall,
            resource: Some(d.resource),
            guarantee: Some(d.guarantee),
            quality: Some(d.quality),
            recognition: Some(d.recognition),
            no_veto: Some(d.no_veto),
        },
        county_profile: Some(v.county_profile.clone()),
        own_standards: v.own_standards.clone(),
        reported: v.reported_files.clone(),
        discrepancies: v.discrepancies.len(),
        sampled,
    }
}

fn incomplete(e: &config::CountyEntry, err: &Error) -> CountyReview {
    CountyReview {
        county: e.plan.value.clone(),
        city: e.city.clone(),
        plan: e.plan.value.clone(),
        complete: false,
        errors: lines(err),
        resource: None,
        verdict: VerdictFacts {
            passed: false,
            resource: None,
            guarantee: None,
            quality: None,
            recognition: None,
            no_veto: None,
        },
        county_profile: None,
        own_standards: Vec::new(),
        reported: Vec::new(),
        discrepancies: 0,
        sampled: 0,
    }
}

/// A bar on stderr for long runs; hidden when stderr is not a terminal
/// (CI logs, pipes), so the output stays the same bytes.
fn progress_bar(n: usize, wanted: bool, label: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !wanted || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(n as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
        "{label} {{bar:30}} {{pos}}/{{len}} 县 {{elapsed}}"
    )) {
        bar.set_style(style);
    }
    bar
}

/// The review's JSON, the documented contract.
pub fn json(review: &Review) -> Result<Vec<u8>, Error> {
    let mut s = serde_json::to_string_pretty(review)
        .map_err(|e| Error::Other(format!("无法生成 JSON：{e}")))?;
    s.push('\n');
    Ok(s.into_bytes())
}

/// An evaluation's JSON, as `dudao evaluate --format json` writes it.
pub fn json_of(eval: &Evaluation) -> Result<Vec<u8>, Error> {
    let mut s = serde_json::to_string_pretty(eval)
        .map_err(|e| Error::Other(format!("无法生成 JSON：{e}")))?;
    s.push('\n');
    Ok(s.into_bytes())
}

/// `dudao review`: build, then the writers, then the summary.
pub fn run(o: &ReviewOptions) -> Result<(), Error> {
    let cfg = config::load(&o.review)?;
    // Refused before the long part, so nobody waits for a refusal: the
    // folder must hold no file REVIEW.yaml names, and nothing but an
    // earlier packet.
    if let Some(dir) = &o.output {
        cfg.access.check_output_dir(dir)?;
        crate::output::check_replaceable(dir)?;
    }
    let review = build(&cfg, o.keep_going, !o.json)?;
    let bytes = json(&review)?;
    if o.json && o.output.is_none() {
        use std::io::Write;
        let _ = std::io::stdout().lock().write_all(&bytes);
        return Ok(());
    }
    // Every document of the packet, written as one folder or not at all.
    let mut files = vec![(JSON_FILE.to_string(), bytes)];
    let mut reports = 0;
    if let Some(dir) = &o.output {
        // Now against every file each county's plan named and the review
        // read, those of counties that failed included.
        cfg.access.check_output_dir(dir)?;
        let fonts = std::sync::Arc::new(crate::render::FontSet::new(&[], true));
        // Independent documents of one review: laid out on both cores.
        let (pdf, book) = rayon::join(
            || render::pdf(&cfg, &review, &fonts),
            || crate::output::xlsx::review::workbook(&review, cfg.config.date.0),
        );
        files.push((render::PDF_FILE.to_string(), pdf?));
        files.push((crate::output::xlsx::review::FILE.to_string(), book?));
        // Replaces an earlier packet only: a folder of what the tool wrote.
        let staged = crate::output::stage_folder(dir, &files)?;
        if o.with_reports {
            // Rendered into the staged folder: a failure leaves no packet.
            reports = render::county_reports(&cfg, &review, staged.path(), &fonts, !o.json)?;
        }
        staged.commit()?.finish();
    }
    let mut text = summary(&review);
    match &o.output {
        Some(dir) => {
            text.push_str(&format!(
                "已写出复核材料：{}（{}、{}、{}",
                dir.display(),
                render::PDF_FILE,
                crate::output::xlsx::review::FILE,
                JSON_FILE
            ));
            if reports > 0 {
                text.push_str(&format!("，以及{reports}个县（市、区）的自评报告"));
            }
            text.push_str("）\n");
        }
        None => {
            text.push_str("（未写出文件：用 -o 文件夹 写出复核材料，或 --format json 输出 JSON）\n")
        }
    }
    use std::io::Write;
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(())
}

/// The terminal summary: one line per county, then the discrepancies and
/// the sample with its method.
pub fn summary(r: &Review) -> String {
    use std::fmt::Write;
    let yes = |b: Option<bool>| match b {
        Some(true) => "达标",
        Some(false) => "未达标",
        None => "—",
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}（{}，{}），按{}复核：",
        r.body, r.level, r.date, r.profile
    );
    for c in &r.counties {
        if !c.complete {
            let _ = writeln!(s, "  {}：材料不全（{} 处错误）", c.county, c.errors.len());
            continue;
        }
        let v = &c.verdict;
        let _ = writeln!(
            s,
            "  {}：资源配置{}，政府保障程度{}，教育质量{}，社会认可度{}，{}；结论：{}；数据差异 {} 处",
            c.county,
            yes(v.resource),
            yes(v.guarantee),
            yes(v.quality),
            yes(v.recognition),
            if v.no_veto == Some(true) {
                "无一票否决"
            } else {
                "有一票否决"
            },
            if v.passed { "通过" } else { "未通过" },
            c.discrepancies
        );
    }
    if !r.discrepancies.is_empty() {
        let _ = writeln!(s, "数据核查差异（上报数与复核计算数不符）：");
        let names = crate::profile::Profile::national();
        for d in &r.discrepancies {
            let what = match ResourceIndicator::parse(&d.indicator) {
                Some(i) => names.resource_spec(i).name.clone(),
                None if d.indicator == "students" => "学生数".into(),
                None => "达到校际均衡要求的学校数".into(),
            };
            let figure = match d.figure.as_str() {
                "mean" => "全县平均值",
                "sd" => "标准差",
                "cv" => "差异系数",
                _ => "",
            };
            let whose: Vec<&str> = [
                Some(d.county.as_str()),
                d.school.as_deref(),
                d.section.map(Section::zh),
            ]
            .into_iter()
            .flatten()
            .collect();
            let _ = writeln!(
                s,
                "  {} {what}{figure}：上报 {}，复核 {}（{}）",
                whose.join(" "),
                crate::profile::fmt_number(d.reported),
                d.recomputed
                    .map(crate::profile::fmt_number)
                    .unwrap_or_else(|| "无".into()),
                d.source
            );
        }
    }
    for l in &r.list_checks {
        let _ = writeln!(
            s,
            "学校名单与统计不一致：{}（{}）：缺 {} 个，多 {} 个{}",
            l.county,
            l.source,
            l.missing.len(),
            l.extra.len(),
            l.first_out_of_order
                .as_ref()
                .map(|o| format!(
                    "，顺序自第{}个起不同（应为{}，实为{}）",
                    o.position, o.expected, o.found
                ))
                .unwrap_or_default()
        );
    }
    let m = &r.sample_method;
    let _ = writeln!(
        s,
        "实地核查抽样：种子 {}，每县 {} 个学校-学段，分层（{}），优先覆盖{}，未达标学校权重 {}；{}；共抽取 {} 个。",
        m.seed,
        m.per_county,
        m.strata,
        m.required.join("、"),
        crate::profile::fmt_number(m.fail_weight),
        m.algorithm,
        r.sample.len()
    );
    s
}

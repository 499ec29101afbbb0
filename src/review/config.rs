//! REVIEW.yaml: who reviews, at which level, on which date, which counties
//! (each a county project and, optionally, the figures it reported) and how
//! the site-visit sample is drawn. Read with the same located Chinese errors
//! as the plan, and every path taken relative to REVIEW.yaml itself, so the
//! folder can be moved or mailed whole.

use crate::error::Error;
use crate::input::plan::Date;
use crate::source::YamlRef;
use serde::{Deserialize, Serialize};
use serde_saphyr::{Location, Spanned};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewConfig {
    /// The reviewing body: `宿州市人民政府教育督导委员会`.
    pub body: String,
    pub level: Level,
    pub date: Date,
    /// A province's profile file; the national standards when absent.
    #[serde(default)]
    pub profile: Option<Spanned<String>>,
    pub sample: SampleConfig,
    pub counties: Vec<CountyEntry>,
    /// A templates folder (`dudao init --templates`) whose `review*.typ.j2`
    /// replace the built-in wording of the 复核报告.
    #[serde(default)]
    pub templates: Option<Spanned<String>>,
    /// Whose templates lay out each county's own report under
    /// `--with-reports`. A county's templates are input from the county
    /// under review, run by the reviewing body: not used unless said here.
    #[serde(default)]
    pub report_templates: Option<Spanned<ReportTemplates>>,
}

/// `report_templates:` in REVIEW.yaml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum ReportTemplates {
    /// The built-in templates (the default).
    #[default]
    #[serde(rename = "builtin", alias = "内置")]
    Builtin,
    /// The reviewing body's `templates:` folder.
    #[serde(rename = "review", alias = "复核单位")]
    Review,
    /// Each county's own, as its plan names them.
    #[serde(rename = "county", alias = "各县")]
    County,
}

impl ReportTemplates {
    /// As the run tells it.
    pub fn zh(self) -> &'static str {
        match self {
            ReportTemplates::Builtin => "内置模板",
            ReportTemplates::Review => "复核单位的模板",
            ReportTemplates::County => "各县自己的模板",
        }
    }
}

/// The stage of the review chain the packet is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    #[serde(rename = "市级复核")]
    City,
    #[serde(rename = "省级督导评估")]
    Province,
}

impl Level {
    pub fn zh(self) -> &'static str {
        match self {
            Level::City => "市级复核",
            Level::Province => "省级督导评估",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleConfig {
    /// School-学段 rows drawn per county.
    #[serde(default = "default_per_county")]
    pub per_county: Spanned<usize>,
    pub seed: u64,
    /// How much likelier a row failing the per-school rule is drawn.
    #[serde(default = "default_fail_weight")]
    pub fail_weight: Spanned<f64>,
}

fn default_per_county() -> Spanned<usize> {
    Spanned::new(10, Location::UNKNOWN, Location::UNKNOWN)
}

fn default_fail_weight() -> Spanned<f64> {
    Spanned::new(3.0, Location::UNKNOWN, Location::UNKNOWN)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountyEntry {
    /// The county's plan.yaml, which names its workbooks.
    pub plan: Spanned<String>,
    /// What the county reported: the JSON of `dudao evaluate`, and/or its
    /// 差异系数表 and 学校达标情况表 in the published layout (xlsx, csv …).
    #[serde(default)]
    pub reported: Option<OneOrMany>,
    /// The 设区市, when a province reviews.
    #[serde(default)]
    pub city: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(Spanned<String>),
    Many(Vec<Spanned<String>>),
}

impl OneOrMany {
    pub fn items(&self) -> Vec<&Spanned<String>> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v.iter().collect(),
        }
    }
}

/// A REVIEW.yaml read and checked, its paths resolved against its folder.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: ReviewConfig,
    /// The file as the user named it, for messages.
    pub label: String,
    pub dir: PathBuf,
    /// What the review may read and has read, every county's files
    /// included: the packet folder is checked against all of them.
    pub access: std::sync::Arc<crate::access::Access>,
}

impl Loaded {
    /// A path written in REVIEW.yaml, relative to its folder.
    pub fn resolve(&self, p: &str) -> PathBuf {
        self.dir.join(p)
    }

    /// Where a value sits in REVIEW.yaml.
    pub fn at<T>(&self, s: &Spanned<T>) -> YamlRef {
        crate::input::yaml::yaml_ref(&self.label, s.referenced)
    }
}

pub fn load(path: &Path) -> Result<Loaded, Error> {
    use crate::access::{Access, InputKind};
    let access = Access::new(path);
    let text = access.read_text(path, InputKind::Review, None)?;
    let label = path.display().to_string();
    let config: ReviewConfig = crate::input::yaml::from_str(&text, &label)?;
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    // Every file and folder REVIEW.yaml names is an input from now on: no
    // output may replace it, whatever is read later.
    let named = |p: &str| dir.join(p);
    if let Some(p) = &config.profile {
        access.declare(&named(&p.value), InputKind::Profile);
    }
    if let Some(t) = &config.templates {
        access.allow(&named(&t.value));
    }
    for e in &config.counties {
        let plan = named(&e.plan.value);
        access.declare(&plan, InputKind::Plan);
        if let Some(folder) = plan.parent() {
            access.allow(folder);
        }
        for r in e.reported.iter().flat_map(|r| r.items()) {
            access.declare(&named(&r.value), InputKind::Reported);
        }
    }
    let loaded = Loaded {
        config,
        label,
        dir,
        access: std::sync::Arc::new(access),
    };
    loaded.check()?;
    Ok(loaded)
}

impl Loaded {
    /// What serde cannot say: an empty list, a zero sample, a county twice.
    fn check(&self) -> Result<(), Error> {
        let c = &self.config;
        let mut errors = Vec::new();
        let yaml = |at: YamlRef, message: String| Error::Yaml { at, message };
        if c.body.trim().is_empty() {
            errors.push(Error::Other(format!(
                "{}：body（复核单位）不能为空",
                self.label
            )));
        }
        if c.counties.is_empty() {
            errors.push(Error::Other(format!(
                "{}：counties 没有列出任何县（市、区）",
                self.label
            )));
        }
        if c.sample.per_county.value == 0 {
            errors.push(yaml(
                self.at(&c.sample.per_county),
                "sample.per_county（每县抽查学校数）应为正整数".into(),
            ));
        }
        let w = c.sample.fail_weight.value;
        if !(w.is_finite() && w >= 1.0) {
            errors.push(yaml(
                self.at(&c.sample.fail_weight),
                "sample.fail_weight（未达标学校的抽取权重）应为不小于 1 的数".into(),
            ));
        }
        if let Some(t) = &c.report_templates
            && t.value == ReportTemplates::Review
            && c.templates.is_none()
        {
            errors.push(yaml(
                self.at(t),
                "report_templates: review 要用复核单位的模板，但没有写 templates（模板文件夹）"
                    .into(),
            ));
        }
        let mut seen: Vec<PathBuf> = Vec::new();
        for e in &c.counties {
            let p = self.resolve(&e.plan.value);
            let key = std::fs::canonicalize(&p).unwrap_or(p);
            if seen.contains(&key) {
                errors.push(yaml(
                    self.at(&e.plan),
                    format!("计划文件“{}”重复列出", e.plan.value),
                ));
            }
            seen.push(key);
        }
        Error::from_list(errors)
    }
}

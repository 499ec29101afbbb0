//! dudao（督导）：县域义务教育优质均衡发展自评报告生成工具。
//!
//! A pipeline with one module per stage, data flowing one way:
//! [`input`] → [`model`] → [`evaluate`] → [`output`] / `render`.
//!
//! The PDF side (`render`, `report`, and the `cli`/`init` that drive it) is
//! the `report` feature, on by default; without it the loaders and the
//! evaluation build without typst, which is what the fuzz targets use.

pub mod access;
#[cfg(feature = "report")]
pub mod cli;
pub mod error;
pub mod evaluate;
pub mod guard;
#[cfg(feature = "report")]
pub mod init;
pub mod input;
pub mod ledger;
pub mod model;
pub mod output;
pub mod profile;
#[cfg(feature = "report")]
pub mod render;
#[cfg(feature = "report")]
pub mod report;
#[cfg(feature = "report")]
pub mod review;
/// Without `report`, only the reader of a county's reported figures: the
/// fuzz targets drive it, and it needs nothing of typst.
#[cfg(not(feature = "report"))]
pub mod review {
    pub mod reported;
}
pub mod source;
pub mod synth;
pub mod units;

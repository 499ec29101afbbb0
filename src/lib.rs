//! dudao（督导）：县域义务教育优质均衡发展自评报告生成工具。
//!
//! A pipeline with one module per stage, data flowing one way:
//! [`input`] → [`model`] → [`evaluate`] → [`output`] / [`render`].

pub mod access;
pub mod cli;
pub mod error;
pub mod evaluate;
pub mod init;
pub mod input;
pub mod model;
pub mod output;
pub mod profile;
pub mod render;
pub mod report;
pub mod source;
pub mod synth;

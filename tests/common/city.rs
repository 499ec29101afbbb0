//! A city of synthetic counties (`dudao init 市 --sample-counties n`) and
//! the `dudao` binary run in its folder: shared by the review tests.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn dudao(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dudao"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("run dudao")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `dudao init 市 --sample-counties n` in a new temporary folder.
pub fn city(n: usize) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = dudao(
        tmp.path(),
        &["init", "市", "--sample-counties", &n.to_string()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dir = tmp.path().join("市");
    (tmp, dir)
}

/// `dudao review REVIEW --format json` run in `cwd`, which must succeed.
pub fn review_json(cwd: &Path, review: &str) -> Value {
    let out = dudao(cwd, &["review", review, "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

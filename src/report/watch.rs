//! `dudao watch`: the report re-rendered whenever one of its inputs is
//! saved, for drafting with the PDF open beside the editor.
//!
//! One process keeps typst's memoisation caches between compiles (only
//! entries unused for a few compiles are evicted, as typst-cli does), so a
//! one-sentence edit re-lays out only what changed. The fonts are scanned
//! once. What is watched is what the last render read (the plan, its
//! workbooks, the county's templates, project files), so a workbook added
//! to the plan is watched from the next render on. A broken edit prints its
//! located error and leaves the last good report in place: every render
//! writes all its files or none.
//!
//! A template that runs past its limits (`crate::guard`) ends the watch:
//! its compile cannot be stopped and would go on using a core and memory,
//! so the error is printed and the command exits; the last good report
//! stays in place.

use super::{RenderOptions, Stages, render_once};
use crate::error::Error;
use crate::render::FontSet;
use notify::{EventKind, RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a burst of file events (an editor's save: write, rename,
/// chmod) is allowed to settle before rendering.
const SETTLE: Duration = Duration::from_millis(80);

/// Compiles that may pass before an unused cache entry is evicted.
const CACHE_GENERATIONS: usize = 10;

pub fn run(args: &RenderOptions) -> Result<(), Error> {
    let mut args = args.clone();
    let fonts = std::sync::Arc::new(FontSet::new(&args.font_paths, !args.no_system_fonts));
    let plan = std::fs::canonicalize(&args.plan).unwrap_or_else(|_| args.plan.clone());
    let mut watched: BTreeSet<PathBuf> = BTreeSet::from([plan.clone()]);
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |e| {
        let _ = tx.send(e);
    })
    .map_err(|e| Error::Other(format!("无法监视文件的修改：{e}")))?;
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();

    // The plan's folder is watched before the first render, and every
    // folder a render read before its result is printed: an edit saved
    // right after the message is never missed.
    let mut watch_dirs = |watched: &BTreeSet<PathBuf>| -> Result<(), Error> {
        for dir in watched.iter().filter_map(|p| p.parent()) {
            if dirs.insert(dir.to_path_buf()) {
                // Folders, not files: an editor that saves by renaming
                // replaces the file, and a watch on the old one goes quiet.
                watcher
                    .watch(dir, RecursiveMode::NonRecursive)
                    .map_err(|e| Error::Other(format!("无法监视 {}：{e}", dir.display())))?;
            }
        }
        Ok(())
    };
    watch_dirs(&watched)?;
    eprintln!("正在监视计划文件、学校统计表和报告模板的修改；按 Ctrl+C 结束。");
    let mut changed: Vec<PathBuf> = Vec::new();
    loop {
        let start = Instant::now();
        let mut clock = Stages::new();
        let result = render_once(&args, &fonts, &mut clock);
        let took = start.elapsed().as_secs_f64();
        if crate::guard::runaway() {
            // The runaway compile goes on in its thread; only the exit of
            // the process ends it.
            let e = result.err().map(|e| e.to_string()).unwrap_or_default();
            return Err(Error::Other(format!(
                "{e}\n监视已停止：失控的模板无法中途终止，上一次生成的文件保持不变；改正模板后请重新运行 dudao watch"
            )));
        }
        typst::comemo::evict(CACHE_GENERATIONS);
        match result {
            Ok(done) => {
                watched = done.inputs.iter().cloned().collect();
                watched.insert(plan.clone());
                watch_dirs(&watched)?;
                let what = if changed.is_empty() {
                    "已生成".to_string()
                } else {
                    format!("{} 已修改，已重新生成", names(&changed))
                };
                eprintln!(
                    "{what}：{}（{}），用时 {took:.2} 秒",
                    done.out.display(),
                    done.extent
                );
                for w in &done.warnings {
                    eprintln!("提醒：{w}");
                }
                // Later renders keep writing where the first one did.
                args.output = Some(done.out.clone());
            }
            Err(e) => {
                eprintln!("错误：{e}");
                eprintln!("报告未更新，上一次生成的文件保持不变；改正后保存即重新生成。");
            }
        }
        changed = wait_for_change(&rx, &watched)?;
    }
}

/// Blocks until one of `watched` changes; gives the changed files.
fn wait_for_change(
    rx: &mpsc::Receiver<notify::Result<notify::Event>>,
    watched: &BTreeSet<PathBuf>,
) -> Result<Vec<PathBuf>, Error> {
    let mut hit: BTreeSet<PathBuf> = BTreeSet::new();
    loop {
        let event = if hit.is_empty() {
            rx.recv()
                .map_err(|_| Error::Other("文件监视已停止".into()))?
        } else {
            match rx.recv_timeout(SETTLE) {
                Ok(e) => e,
                Err(mpsc::RecvTimeoutError::Timeout) => return Ok(hit.into_iter().collect()),
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(Error::Other("文件监视已停止".into()));
                }
            }
        };
        let Ok(event) = event else { continue };
        if matches!(event.kind, EventKind::Access(_)) {
            continue;
        }
        for p in event.paths {
            let p = canonical_in_parent(&p);
            if watched.contains(&p) {
                hit.insert(p);
            }
        }
    }
}

/// The path with its folder canonicalised: the file itself may be gone
/// for a moment while an editor replaces it.
fn canonical_in_parent(p: &Path) -> PathBuf {
    match (p.parent(), p.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir)
            .map(|d| d.join(name))
            .unwrap_or_else(|_| p.to_path_buf()),
        _ => p.to_path_buf(),
    }
}

fn names(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("、")
}

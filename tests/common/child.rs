//! The real binary run under a hard deadline, and a folder's snapshot: for
//! the tests that prove a hostile input ends (never hangs) and leaves every
//! file as it was. One copy, so that every such test kills its child the
//! same way and compares folders the same way.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs the binary in `cwd` with no standard input, killing it and failing
/// the test after `limit`; gives its output and how long it took.
pub fn dudao_within(cwd: &Path, args: &[&str], limit: Duration) -> (Output, Duration) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dudao"))
        .current_dir(cwd)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The pipes are drained on other threads so a chatty child cannot block.
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            pipe.read_to_end(&mut v).unwrap();
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("dudao {args:?} did not end within {limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = start.elapsed();
    let output = Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    (output, took)
}

/// Every file below `dir` with its bytes; folders, links and FIFOs by kind
/// (reading a FIFO blocks), a link with its target.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    walk(dir, &mut out);
    out
}

fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let meta = std::fs::symlink_metadata(&p).unwrap();
        if meta.is_dir() {
            out.insert(p.clone(), b"<dir>".to_vec());
            walk(&p, out);
        } else if meta.is_file() {
            out.insert(p.clone(), std::fs::read(&p).unwrap());
        } else {
            let to = std::fs::read_link(&p).ok();
            out.insert(p, format!("{:?} {to:?}", meta.file_type()).into_bytes());
        }
    }
}

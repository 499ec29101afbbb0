//! `dudao watch` as a drafter uses it: the report is written, a saved edit
//! of the plan re-renders it, a broken edit prints its located error and
//! leaves the last good PDF in place, and the fix renders again. Waits are
//! bounded (the command is killed at the end); nothing here times the
//! renders — that is `scripts/bench-watch.sh`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

struct Watch {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Watch {
    /// Waits for a stderr line containing `what`, giving it.
    fn wait_for(&mut self, what: &str) -> String {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(180)) {
                Ok(l) => {
                    self.seen.push(l.clone());
                    if l.contains(what) {
                        return l;
                    }
                }
                Err(_) => panic!(
                    "no “{what}” from dudao watch; it printed:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn copy_example(dir: &Path) {
    for f in std::fs::read_dir("examples/sixian").unwrap() {
        let f = f.unwrap().path();
        if f.is_file() {
            std::fs::copy(&f, dir.join(f.file_name().unwrap())).unwrap();
        }
    }
}

/// Saves as many editors do: a new file renamed over the old one.
fn save(path: &Path, text: &str) {
    let tmp = path.with_extension("yaml.swp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn a_saved_edit_re_renders_and_a_broken_one_keeps_the_last_good_pdf() {
    let dir = tempfile::tempdir().unwrap();
    copy_example(dir.path());
    let plan = dir.path().join("plan.yaml");
    let out = dir.path().join("报告.pdf");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dudao"))
        .arg("watch")
        .arg(&plan)
        .args(["--school-pages", "none", "--no-system-fonts", "-o"])
        .arg(&out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut w = Watch {
        child,
        lines: rx,
        seen: Vec::new(),
    };

    let first = w.wait_for("已生成：");
    assert!(first.contains("页）") && first.contains("用时"), "{first}");
    let v1 = std::fs::read(&out).unwrap();

    // One sentence edited and saved.
    let text = std::fs::read_to_string(&plan).unwrap();
    assert!(text.contains("县委、县政府坚持"));
    let edited = text.replacen("县委、县政府坚持", "县委、县政府始终坚持", 1);
    save(&plan, &edited);
    let again = w.wait_for("已重新生成");
    assert!(again.starts_with("plan.yaml 已修改"), "{again}");
    let v2 = std::fs::read(&out).unwrap();
    assert_ne!(v1, v2, "the edit did not reach the PDF");

    // A broken edit: the located error, the last good PDF untouched.
    let broken = edited.replacen("report:", "report: [", 1);
    save(&plan, &broken);
    let err = w.wait_for("错误：");
    assert!(err.contains("plan.yaml:") && err.contains("YAML"), "{err}");
    w.wait_for("报告未更新，上一次生成的文件保持不变");
    assert_eq!(std::fs::read(&out).unwrap(), v2);

    // Fixed: rendered again, the same bytes as before the break.
    save(&plan, &edited);
    w.wait_for("已重新生成");
    assert_eq!(std::fs::read(&out).unwrap(), v2);
}

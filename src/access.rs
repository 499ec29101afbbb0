//! What a run may read, and what it must never write over.
//!
//! Plans, templates and workbooks come from county staff, and a template
//! that reads `/etc/passwd` into the PDF, or a FIFO given as a workbook that
//! blocks the run forever, must not be possible. So every file the tool
//! reads — the plan, the workbooks, the province's profile, the templates,
//! files a typst template loads — is granted here first: only below the
//! plan's folder or a path the plan or the command line names explicitly,
//! and only if it is a regular file (checked before any open: opening a
//! FIFO blocks). Every grant is recorded, so that an output path that is,
//! or resolves to (through symlinks or hard links), one of the run's inputs
//! is refused before anything is written: a bureau's only copy of its data
//! must not become a PDF.

use crate::error::Error;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// What an input is, for messages: “本次读取的输入文件（学校统计表）”.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Plan,
    Workbook,
    Profile,
    Template,
    Font,
    /// A file a typst template reads (an image, a data file).
    ProjectFile,
}

impl InputKind {
    pub fn zh(self) -> &'static str {
        match self {
            InputKind::Plan => "计划文件",
            InputKind::Workbook => "学校统计表",
            InputKind::Profile => "标准文件",
            InputKind::Template => "报告模板",
            InputKind::Font => "字体文件",
            InputKind::ProjectFile => "项目文件",
        }
    }
}

/// One file the run read.
#[derive(Debug, Clone)]
struct Input {
    path: PathBuf,
    kind: InputKind,
    /// Device and inode, so that a hard link to an input is recognised.
    id: Option<(u64, u64)>,
}

/// The read permissions of one run, and the record of what it read.
#[derive(Debug)]
pub struct Access {
    /// Canonical folders below which anything may be read.
    roots: Vec<PathBuf>,
    /// Canonical files named explicitly (a workbook outside the folder).
    files: Vec<PathBuf>,
    /// The plan's folder, as given, for messages.
    shown_root: PathBuf,
    read: Mutex<Vec<Input>>,
}

impl Access {
    /// The permissions of a run of the plan at `plan_path`: its folder.
    pub fn new(plan_path: &Path) -> Access {
        let dir = plan_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Access::for_root(dir)
    }

    /// Permissions to read below `root` only (the typst World of a render).
    pub fn for_root(root: &Path) -> Access {
        Access {
            // A folder that cannot be canonicalised (missing) grants nothing.
            roots: std::fs::canonicalize(root).into_iter().collect(),
            files: Vec::new(),
            shown_root: root.to_path_buf(),
            read: Mutex::new(Vec::new()),
        }
    }

    /// A path the plan or the command line names explicitly: a folder
    /// grants what is below it, a file itself. A missing path grants
    /// nothing; reading it then says it does not exist.
    pub fn allow(&mut self, path: &Path) {
        let Ok(canonical) = std::fs::canonicalize(path) else {
            return;
        };
        if canonical.is_dir() {
            self.roots.push(canonical);
        } else {
            self.files.push(canonical);
        }
    }

    fn allowed(&self, canonical: &Path) -> bool {
        self.roots.iter().any(|r| canonical.starts_with(r))
            || self.files.iter().any(|f| f == canonical)
    }

    /// May `path` be read? Gives the canonical path to open, and records it
    /// as an input of the run. Refuses paths outside the granted folders and
    /// anything but a regular file, before opening it.
    pub fn check_read(&self, path: &Path, kind: InputKind) -> Result<PathBuf, Error> {
        let canonical = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
        if !self.allowed(&canonical) {
            let via = if canonical != path {
                format!("（指向 {}）", canonical.display())
            } else {
                String::new()
            };
            return Err(Error::File {
                file: path.display().to_string(),
                message: format!(
                    "{via}在项目目录之外（项目目录即计划文件所在的文件夹 {}），拒绝读取；本工具只读取项目目录中的文件和计划文件、命令行明确指定的文件",
                    self.shown_root.display()
                ),
            });
        }
        let meta = std::fs::metadata(&canonical).map_err(|e| Error::io(path, e))?;
        if let Some(what) = not_regular(&meta) {
            return Err(Error::File {
                file: path.display().to_string(),
                message: format!("这是{what}，不是普通文件，拒绝读取"),
            });
        }
        self.record(canonical.clone(), kind, &meta);
        Ok(canonical)
    }

    /// Record a file read elsewhere (a font the render used), so that no
    /// output overwrites it.
    pub fn record_input(&self, path: &Path, kind: InputKind) {
        if let Ok(canonical) = std::fs::canonicalize(path)
            && let Ok(meta) = std::fs::metadata(&canonical)
        {
            self.record(canonical, kind, &meta);
        }
    }

    fn record(&self, path: PathBuf, kind: InputKind, meta: &std::fs::Metadata) {
        let mut read = self.read.lock().unwrap_or_else(|e| e.into_inner());
        if !read.iter().any(|i| i.path == path) {
            read.push(Input {
                path,
                kind,
                id: file_id(meta),
            });
        }
    }

    /// The files this run read, in the order first read, leaving out the
    /// kinds named.
    pub fn inputs(&self, except: &[InputKind]) -> Vec<PathBuf> {
        let read = self.read.lock().unwrap_or_else(|e| e.into_inner());
        read.iter()
            .filter(|i| !except.contains(&i.kind))
            .map(|i| i.path.clone())
            .collect()
    }

    /// Refuse an output that is, or resolves to, an input of this run.
    /// A file that does not exist yet resolves through its folder.
    pub fn check_output(&self, out: &Path) -> Result<(), Error> {
        let resolved = resolve(out);
        let id = std::fs::metadata(out).ok().as_ref().and_then(file_id);
        let read = self.read.lock().unwrap_or_else(|e| e.into_inner());
        let hit = read.iter().find(|i| {
            resolved.as_deref() == Some(i.path.as_path()) || (id.is_some() && id == i.id)
        });
        match hit {
            Some(i) => Err(Error::Other(format!(
                "输出文件 {} 就是本次读取的输入文件（{}），拒绝覆盖；请换一个输出文件名",
                out.display(),
                i.kind.zh()
            ))),
            None => Ok(()),
        }
    }

    /// Refuse an output folder that holds an input of this run: it is
    /// replaced whole.
    pub fn check_output_dir(&self, dir: &Path) -> Result<(), Error> {
        let Some(resolved) = resolve(dir) else {
            return Ok(());
        };
        let read = self.read.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = read.iter().find(|i| i.path.starts_with(&resolved)) {
            return Err(Error::Other(format!(
                "输出文件夹 {} 中有本次读取的输入文件（{}：{}），拒绝写入；请换一个新的文件夹",
                dir.display(),
                i.kind.zh(),
                i.path.display()
            )));
        }
        Ok(())
    }
}

/// The canonical path of an existing file, or of the existing folder of a
/// new one joined with its name.
fn resolve(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Some(p);
    }
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::canonicalize(parent).ok().map(|p| p.join(name))
}

/// The kind of a file that is not a regular one, in Chinese. The workbook
/// reader asks too, for callers that read without an [`Access`].
pub fn not_regular(meta: &std::fs::Metadata) -> Option<&'static str> {
    if meta.is_file() {
        return None;
    }
    if meta.is_dir() {
        return Some("一个文件夹");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return Some("一个管道（FIFO）");
        }
        if t.is_socket() {
            return Some("一个套接字");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("一个设备文件");
        }
    }
    Some("一个特殊文件")
}

#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(_meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// A template name (`body.typ.j2`, `parts/a.typ.j2`) as a path inside the
/// templates folder: plain components only, no absolute path, no `..`.
pub fn confined_name(name: &str) -> Option<PathBuf> {
    let p = Path::new(name);
    if name.is_empty() || name.contains('\\') {
        return None;
    }
    p.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_names_stay_inside() {
        assert!(confined_name("body.typ.j2").is_some());
        assert!(confined_name("parts/a.typ.j2").is_some());
        assert!(confined_name("/etc/passwd").is_none());
        assert!(confined_name("../secret.txt").is_none());
        assert!(confined_name("a/../../b").is_none());
        assert!(confined_name("").is_none());
    }

    #[test]
    fn refuses_outside_and_special_files() {
        let dir = tempfile::tempdir().unwrap();
        let plan = dir.path().join("plan.yaml");
        std::fs::write(&plan, "x").unwrap();
        let access = Access::new(&plan);
        access.check_read(&plan, InputKind::Plan).unwrap();
        let e = access
            .check_read(Path::new("/etc/hostname"), InputKind::Workbook)
            .unwrap_err()
            .to_string();
        assert!(e.contains("在项目目录之外"), "{e}");
        let e = access
            .check_read(dir.path(), InputKind::Workbook)
            .unwrap_err()
            .to_string();
        assert!(e.contains("这是一个文件夹"), "{e}");
        let e = access.check_output(&plan).unwrap_err().to_string();
        assert!(e.contains("（计划文件），拒绝覆盖"), "{e}");
        access.check_output(&dir.path().join("out.pdf")).unwrap();
        assert!(access.check_output_dir(dir.path()).is_err());
    }
}

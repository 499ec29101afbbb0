//! What a run may read, and what it must never write over.
//!
//! Plans, templates and workbooks come from county staff, and a template
//! that reads `/etc/passwd` into the PDF, or a FIFO given as a workbook that
//! blocks the run forever, must not be possible. So every file the tool
//! reads — the plan, the workbooks, the province's profile, the templates,
//! REVIEW.yaml, last year's data, files a typst template loads — is granted
//! and read here ([`Access::read_text`], [`Access::read_bytes`]; files a
//! user named directly, [`read_file`]): only below the plan's folder or a
//! path the plan or the command line names explicitly, only a regular file
//! (checked before any open: opening a FIFO blocks), and no more than the
//! cap of its kind in [`crate::input::limits`], counted while reading. A
//! test (tests/nothing_lost.rs) fails on a file opened anywhere else.
//!
//! Every grant is recorded, and every file the plan names counts as an
//! input from the start ([`Access::declare`]), so that an output path that
//! is, or resolves to (through symlinks or hard links), one of the run's
//! inputs — or an output folder that holds one — is refused before anything
//! is written: a bureau's only copy of its data must not become a PDF. A
//! review gathers the records of all its counties ([`Access::absorb`]).

use crate::error::Error;
use crate::input::limits;
use crate::source::YamlRef;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// What an input is, for messages (“本次读取的输入文件（学校统计表）”) and
/// for its size cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Plan,
    Workbook,
    Profile,
    Template,
    Font,
    /// A file a typst template reads (an image, a data file).
    ProjectFile,
    /// REVIEW.yaml.
    Review,
    /// Last year's evaluation JSON (`data.previous.evaluation`).
    PreviousEvaluation,
    /// A county's reported figures (REVIEW.yaml `reported:`).
    Reported,
    /// The list of files an output folder holds, written by the tool.
    Manifest,
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
            InputKind::Review => "复核配置文件",
            InputKind::PreviousEvaluation => "上年评估结果 JSON",
            InputKind::Reported => "上报数据文件",
            InputKind::Manifest => "输出清单",
        }
    }

    /// The largest file of this kind read at all: far above any real one,
    /// far below what would hurt the machine (see [`limits`]).
    pub fn max_bytes(self) -> u64 {
        match self {
            InputKind::Plan => limits::MAX_PLAN_BYTES,
            InputKind::Workbook => limits::MAX_FILE_BYTES,
            InputKind::Profile => limits::MAX_PROFILE_BYTES,
            InputKind::Template => limits::MAX_TEMPLATE_BYTES,
            InputKind::Font => limits::MAX_FONT_BYTES,
            InputKind::ProjectFile => limits::MAX_PROJECT_FILE_BYTES,
            InputKind::Review => limits::MAX_REVIEW_BYTES,
            InputKind::PreviousEvaluation | InputKind::Reported => {
                limits::MAX_EVALUATION_JSON_BYTES
            }
            InputKind::Manifest => limits::MAX_MANIFEST_BYTES,
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

/// What may be read: canonical folders and files.
#[derive(Debug, Default)]
struct Grants {
    /// Canonical folders below which anything may be read.
    roots: Vec<PathBuf>,
    /// Canonical files named explicitly (a workbook outside the folder).
    files: Vec<PathBuf>,
}

/// The read permissions of one run, and the record of what it read.
#[derive(Debug)]
pub struct Access {
    grants: Mutex<Grants>,
    /// The plan's folder, as given, for messages.
    shown_root: PathBuf,
    read: Mutex<Vec<Input>>,
}

impl Access {
    /// The permissions of a run of the plan (or REVIEW.yaml) at
    /// `plan_path`: its folder.
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
            grants: Mutex::new(Grants {
                // A folder that cannot be canonicalised (missing) grants nothing.
                roots: std::fs::canonicalize(root).into_iter().collect(),
                files: Vec::new(),
            }),
            shown_root: root.to_path_buf(),
            read: Mutex::new(Vec::new()),
        }
    }

    fn grants(&self) -> std::sync::MutexGuard<'_, Grants> {
        self.grants.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A path the plan or the command line names explicitly: a folder
    /// grants what is below it, a file itself. A missing path grants
    /// nothing; reading it then says it does not exist.
    pub fn allow(&self, path: &Path) {
        let Ok(canonical) = std::fs::canonicalize(path) else {
            return;
        };
        let mut g = self.grants();
        if canonical.is_dir() {
            g.roots.push(canonical);
        } else {
            g.files.push(canonical);
        }
    }

    /// [`Access::allow`] a file the run will read, and count it as an
    /// input from now on: an output checked before the read comes is
    /// refused already.
    pub fn declare(&self, path: &Path, kind: InputKind) {
        self.allow(path);
        self.record_input(path, kind);
    }

    fn allowed(&self, canonical: &Path) -> bool {
        let g = self.grants();
        g.roots.iter().any(|r| canonical.starts_with(r)) || g.files.iter().any(|f| f == canonical)
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

    /// The bytes of `path`, granted, recorded and read under the rules of
    /// its kind (see [`read_file`]). `at` is where a YAML file named it:
    /// the error then points there.
    pub fn read_bytes(
        &self,
        path: &Path,
        kind: InputKind,
        at: Option<&YamlRef>,
    ) -> Result<Vec<u8>, Error> {
        let granted = self
            .check_read(path, kind)
            .map_err(|e| located(e, kind, at))?;
        read_granted(&granted, path, kind, at)
    }

    /// [`Access::read_bytes`] as UTF-8 text.
    pub fn read_text(
        &self,
        path: &Path,
        kind: InputKind,
        at: Option<&YamlRef>,
    ) -> Result<String, Error> {
        text(self.read_bytes(path, kind, at)?, path, kind, at)
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
        self.push(Input {
            path,
            kind,
            id: file_id(meta),
        });
    }

    fn push(&self, input: Input) {
        let mut read = self.read.lock().unwrap_or_else(|e| e.into_inner());
        if !read.iter().any(|i| i.path == input.path) {
            read.push(input);
        }
    }

    /// Take over what `other` granted and read: a review checks its
    /// output against every county's inputs, also a county that failed.
    pub fn absorb(&self, other: &Access) {
        let inputs: Vec<Input> = other.read.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for i in inputs {
            self.push(i);
        }
        let roots = other.grants().roots.clone();
        self.grants().roots.extend(roots);
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

    /// Refuse an output folder that would be replaced whole while it
    /// holds an input of this run, a folder the run reads from (a plan's
    /// folder, a templates folder), or a hard link to an input.
    pub fn check_output_dir(&self, dir: &Path) -> Result<(), Error> {
        let Some(resolved) = resolve(dir) else {
            return Ok(());
        };
        let refuse = |what: &str, path: &Path| {
            Err(Error::Other(format!(
                "输出文件夹 {} 中有本次读取的{what}（{}），拒绝写入；请换一个新的文件夹",
                dir.display(),
                path.display()
            )))
        };
        let read = self.read.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(i) = read.iter().find(|i| i.path.starts_with(&resolved)) {
            return refuse(&format!("输入文件（{}）", i.kind.zh()), &i.path);
        }
        let roots = self.grants().roots.clone();
        if let Some(r) = roots.iter().find(|r| r.starts_with(&resolved)) {
            return refuse("文件夹", r);
        }
        // A hard link to an input has another name: only its inode tells.
        let ids: Vec<(u64, u64)> = read.iter().filter_map(|i| i.id).collect();
        let mut budget = MAX_LINK_WALK;
        if let Some(p) = find_inode(&resolved, &ids, &mut budget) {
            return refuse("输入文件的硬链接", &p);
        }
        Ok(())
    }
}

/// Entries of an output folder looked at for hard links to inputs; past
/// this, the folder cannot be an earlier output and is refused anyway.
const MAX_LINK_WALK: usize = 100_000;

/// A file below `dir` (links not followed) whose device and inode are
/// one of `ids`.
fn find_inode(dir: &Path, ids: &[(u64, u64)], budget: &mut usize) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    for entry in entries.flatten() {
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_dir() {
            if let Some(p) = find_inode(&entry.path(), ids, budget) {
                return Some(p);
            }
        } else if file_id(&meta).is_some_and(|id| ids.contains(&id)) {
            return Some(entry.path());
        }
    }
    None
}

/// An error of reading `kind`, pointed at the YAML line:column that named
/// the file when there is one.
fn located(e: Error, kind: InputKind, at: Option<&YamlRef>) -> Error {
    let Some(at) = at else { return e };
    let message = match e {
        Error::File { file, message } => format!("{}“{file}”：{message}", kind.zh()),
        e => format!("{}：{e}", kind.zh()),
    };
    Error::Yaml {
        at: at.clone(),
        message,
    }
}

/// Read a file a user named directly (REVIEW.yaml's `reported:`, the
/// tool's own output list), without a grant of an [`Access`] but under
/// the same rules: a regular file only, checked before it is opened and
/// again on the open file, and no more than the cap of its `kind`,
/// counted while reading (a file may grow; `/dev/zero` never ends).
pub fn read_file(path: &Path, kind: InputKind, at: Option<&YamlRef>) -> Result<Vec<u8>, Error> {
    read_granted(path, path, kind, at)
}

/// [`read_file`] as UTF-8 text.
pub fn read_file_text(path: &Path, kind: InputKind, at: Option<&YamlRef>) -> Result<String, Error> {
    text(read_file(path, kind, at)?, path, kind, at)
}

fn text(
    bytes: Vec<u8>,
    shown: &Path,
    kind: InputKind,
    at: Option<&YamlRef>,
) -> Result<String, Error> {
    String::from_utf8(bytes).map_err(|_| {
        located(
            Error::File {
                file: shown.display().to_string(),
                message:
                    "内容不是有效的 UTF-8 文本；请用 UTF-8 编码保存（记事本“另存为”时选 UTF-8）"
                        .into(),
            },
            kind,
            at,
        )
    })
}

/// Read `path` (shown to the user as `shown`) under the rules of `kind`.
fn read_granted(
    path: &Path,
    shown: &Path,
    kind: InputKind,
    at: Option<&YamlRef>,
) -> Result<Vec<u8>, Error> {
    let refuse = |message: String| {
        located(
            Error::File {
                file: shown.display().to_string(),
                message,
            },
            kind,
            at,
        )
    };
    let io = |e: std::io::Error| located(Error::io(shown, e), kind, at);
    let cap = kind.max_bytes();
    let too_big = || {
        refuse(format!(
            "文件大小超过上限 {}（{}），拒绝读取；请检查是否选错了文件",
            size_zh(cap),
            kind.zh()
        ))
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if let Some(what) = not_regular(&meta) {
        return Err(refuse(format!("这是{what}，不是普通文件，拒绝读取")));
    }
    if meta.len() > cap {
        return Err(too_big());
    }
    let file = open_nonblocking(path).map_err(io)?;
    // Swapped for a FIFO or a device since the check: the open did not
    // block (O_NONBLOCK), and the open file says what it is.
    let meta = file.metadata().map_err(io)?;
    if let Some(what) = not_regular(&meta) {
        return Err(refuse(format!("这是{what}，不是普通文件，拒绝读取")));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(cap) as usize);
    file.take(cap + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > cap {
        return Err(too_big());
    }
    Ok(bytes)
}

/// The size and a fingerprint (FNV-1a, 64 bits) of a regular file's
/// content, read in pieces: how an output folder's list tells that a file
/// is still the one the tool wrote. Not a defence against forgery, only
/// against replacing a file someone edited.
pub fn fingerprint(path: &Path) -> std::io::Result<Option<(u64, u64)>> {
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.is_file() {
        return Ok(None);
    }
    let mut file = open_nonblocking(path)?;
    if !file.metadata()?.is_file() {
        return Ok(None);
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut size = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        for &b in &buf[..n] {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    Ok(Some((size, hash)))
}

/// Open for reading without blocking on a FIFO that has no writer: a path
/// checked as a regular file may have been swapped for one since.
pub fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    o.open(path)
}

/// `64 MB`, `512 KB`.
fn size_zh(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes / 1024 / 1024)
    } else {
        format!("{} KB", bytes / 1024)
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

    #[cfg(unix)]
    #[test]
    fn reads_are_regular_capped_located_and_never_block() {
        let dir = tempfile::tempdir().unwrap();
        let at = YamlRef {
            file: "REVIEW.yaml".into(),
            line: 3,
            column: 10,
        };
        // A FIFO without a writer: refused at once, where it was named.
        let fifo = dir.path().join("管道.yaml");
        let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only reads it.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        let e = read_file(&fifo, InputKind::Profile, Some(&at))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("REVIEW.yaml:3:10：标准文件“"), "{e}");
        assert!(e.contains("管道（FIFO），不是普通文件"), "{e}");
        // A device through a link.
        let zero = dir.path().join("零.json");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let e = read_file(&zero, InputKind::Reported, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("设备文件"), "{e}");
        // One byte over the cap of its kind, not over another's.
        let big = dir.path().join("上年.json");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(limits::MAX_EVALUATION_JSON_BYTES + 1)
            .unwrap();
        let e = read_file(&big, InputKind::PreviousEvaluation, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("文件大小超过上限 64 MB（上年评估结果 JSON）"),
            "{e}"
        );
        let e = read_file(&big, InputKind::Template, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("4 MB（报告模板）"), "{e}");
        // Text that is not UTF-8 says so.
        let gbk = dir.path().join("gbk.yaml");
        std::fs::write(&gbk, [0xc4, 0xe3, 0xba, 0xc3, 0xff]).unwrap();
        let e = read_file_text(&gbk, InputKind::Plan, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("UTF-8"), "{e}");
        std::fs::write(&gbk, "县名: 泗县").unwrap();
        assert_eq!(
            read_file_text(&gbk, InputKind::Plan, None).unwrap(),
            "县名: 泗县"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_review_takes_over_what_its_counties_read() {
        let dir = tempfile::tempdir().unwrap();
        let county = dir.path().join("甲县");
        let data = dir.path().join("数据");
        std::fs::create_dir_all(&county).unwrap();
        std::fs::create_dir_all(&data).unwrap();
        let plan = county.join("plan.yaml");
        let book = data.join("学校.xlsx");
        std::fs::write(&plan, "x").unwrap();
        std::fs::write(&book, "x").unwrap();
        let review = Access::for_root(dir.path().join("市").as_path());
        let one = Access::new(&plan);
        // Named by the plan, not yet read: an input already.
        one.declare(&book, InputKind::Workbook);
        review.absorb(&one);
        let e = review.check_output_dir(&data).unwrap_err().to_string();
        assert!(e.contains("本次读取的输入文件（学校统计表）"), "{e}");
        // The county's folder too, though nothing in it was read.
        assert!(review.check_output_dir(&county).is_err());
        // A hard link to an input in a folder that would be replaced.
        let out = dir.path().join("复核");
        std::fs::create_dir(&out).unwrap();
        std::fs::hard_link(&book, out.join("a.xlsx")).unwrap();
        let e = review.check_output_dir(&out).unwrap_err().to_string();
        assert!(e.contains("硬链接"), "{e}");
        std::fs::remove_file(out.join("a.xlsx")).unwrap();
        review.check_output_dir(&out).unwrap();
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

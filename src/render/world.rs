//! The typst [`World`] for one report render.
//!
//! Modelled on typst-cli's world but deliberately narrower, because report
//! templates come from county staff and must not reach beyond their project:
//! generated sources live in memory, user files (logos, images) are read only
//! from below the project directory (symlinks out of it are refused), there
//! are no packages, and `today()` is the report date so that rendering the
//! same input twice gives the same bytes.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use chrono::Datelike;
use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::files::{FileLoader, FileStore};

use super::diag::RenderError;
use super::fonts::FontSet;
use crate::access::{Access, InputKind};

/// Virtual path of the main source.
pub const MAIN_PATH: &str = "/main.typ";

/// A world compiling one in-memory main source.
pub struct ReportWorld<'a> {
    library: LazyHash<Library>,
    fonts: &'a FontSet,
    main: FileId,
    files: FileStore<Loader>,
    today: Datetime,
}

impl<'a> ReportWorld<'a> {
    /// Builds the world. `files` maps virtual paths (`/style.typ`) to their
    /// contents; they shadow project files of the same path. Fails if a
    /// virtual path is malformed or the date out of typst's range.
    pub fn new(
        main: &str,
        files: &BTreeMap<String, Vec<u8>>,
        project_root: &Path,
        date: chrono::NaiveDate,
        fonts: &'a FontSet,
        target: Target,
    ) -> Result<ReportWorld<'a>, RenderError> {
        let invalid = |path: &str| RenderError::InvalidPath(path.to_string());
        let main_id = project_file(MAIN_PATH).map_err(|_| invalid(MAIN_PATH))?;
        let mut memory = HashMap::new();
        for (path, data) in files {
            let id = project_file(path).map_err(|_| invalid(path))?;
            memory.insert(id, Bytes::new(data.clone()));
        }
        memory.insert(main_id, Bytes::from_string(main.to_string()));

        // A root that cannot be canonicalised (e.g. missing) just means no
        // user file can be read; templates that need none still render.
        let root = fs::canonicalize(project_root).ok();
        let access = Access::for_root(project_root);
        let today = u8::try_from(date.month())
            .ok()
            .zip(u8::try_from(date.day()).ok())
            .and_then(|(m, d)| Datetime::from_ymd(date.year(), m, d))
            .ok_or_else(|| RenderError::InvalidDate(date.to_string()))?;

        Ok(ReportWorld {
            library: LazyHash::new(library(target)),
            fonts,
            main: main_id,
            files: FileStore::new(Loader {
                memory,
                root,
                access,
                project_root: project_root.to_path_buf(),
            }),
            today,
        })
    }
}

/// What a world compiles for: the PDF, or the HTML tree the DOCX writer
/// walks. `style.typ` reads `sys.inputs.dudao-format` to tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Pdf,
    Docx,
}

fn library(target: Target) -> Library {
    use typst::foundations::{Dict, IntoValue};
    let mut inputs = Dict::new();
    let name = match target {
        Target::Pdf => "pdf",
        Target::Docx => "docx",
    };
    inputs.insert("dudao-format".into(), name.into_value());
    // The html module is there for both, so that the style's Word branch
    // parses the same way whichever output is made.
    Library::builder()
        .with_inputs(inputs)
        .with_features([typst::Feature::Html].into_iter().collect())
        .build()
}

fn project_file(path: &str) -> Result<FileId, typst::syntax::PathError> {
    let vpath = VirtualPath::new(path)?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl World for ReportWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.files.source(id)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.file(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    /// The report date, whatever the offset: reproducible output matters
    /// more than the wall clock.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

/// Serves in-memory files first, then confined project files.
struct Loader {
    memory: HashMap<FileId, Bytes>,
    /// Canonical project root, if it exists.
    root: Option<PathBuf>,
    /// Decides which project files may be read.
    access: Access,
    /// The root as given, for messages.
    project_root: PathBuf,
}

impl FileLoader for Loader {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        match id.root() {
            VirtualRoot::Package(spec) => Err(FileError::Package(PackageError::Other(Some(
                format!("不支持导入外部包 {spec}：报告模板只能使用内置样式和项目目录中的文件")
                    .into(),
            )))),
            VirtualRoot::Project => {
                if let Some(bytes) = self.memory.get(&id) {
                    return Ok(bytes.clone());
                }
                self.load_project(id.vpath())
            }
        }
    }
}

impl Loader {
    fn load_project(&self, vpath: &VirtualPath) -> FileResult<Bytes> {
        if self.root.is_none() {
            return Err(FileError::Other(Some(
                format!(
                    "项目目录 {} 不存在，无法读取 {}",
                    self.project_root.display(),
                    vpath.get_with_slash()
                )
                .into(),
            )));
        }
        // `realize` refuses lexical escapes (`..`); the access module then
        // refuses links out of the project and anything but a regular file.
        let path = vpath.realize(&self.project_root)?;
        if let Err(e) = fs::symlink_metadata(&path) {
            return Err(FileError::from_io(e, &path));
        }
        self.access
            .read_bytes(&path, InputKind::ProjectFile, None)
            .map(Bytes::new)
            .map_err(|e| FileError::Other(Some(e.to_string().into())))
    }
}

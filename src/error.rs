//! Errors that the users (bureau staff, not programmers) read. Every message
//! is Chinese and names the place: file, sheet and cell, or YAML line:column.

use crate::source::{CellRef, YamlRef};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}：无法读取文件：{}", .path.display(), io_zh(.source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}：无法写入文件：{}", .path.display(), io_zh(.source))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{at}：{message}")]
    Yaml { at: YamlRef, message: String },
    #[error("{file}：{message}")]
    File { file: String, message: String },
    #[error("{at}：{message}")]
    Cell { at: CellRef, message: String },
    #[error("{0}")]
    Other(String),
    /// Several independent problems, all reported at once.
    #[error("{}", join_many(.0))]
    Many(Vec<Error>),
    #[error("生成报告失败：{0}")]
    Render(String),
}

/// The operating system's reason, in Chinese for the common cases.
fn io_zh(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "文件或文件夹不存在".into(),
        PermissionDenied => "没有权限".into(),
        AlreadyExists => "已经存在".into(),
        IsADirectory => "这是一个文件夹，不是文件".into(),
        NotADirectory => "路径中有一段不是文件夹".into(),
        StorageFull => "磁盘已满".into(),
        ReadOnlyFilesystem => "磁盘只读".into(),
        InvalidData => "内容不是有效的 UTF-8 文本".into(),
        // ENAMETOOLONG is reported as InvalidFilename.
        InvalidFilename => "文件名过长或含有不允许的字符".into(),
        DirectoryNotEmpty => "文件夹不是空的".into(),
        CrossesDevices => "不能跨磁盘移动".into(),
        FileTooLarge => "文件过大".into(),
        ResourceBusy => "文件正被其他程序占用".into(),
        TooManyLinks => "链接过多".into(),
        _ => e.to_string(),
    }
}

fn join_many(errors: &[Error]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn write(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Write {
            path: path.into(),
            source,
        }
    }

    pub fn cell(at: &CellRef, message: impl Into<String>) -> Self {
        Error::Cell {
            at: at.clone(),
            message: message.into(),
        }
    }

    /// How many distinct problems this error carries.
    pub fn count(&self) -> usize {
        match self {
            Error::Many(v) => v.iter().map(Error::count).sum(),
            _ => 1,
        }
    }

    /// Collapse a list: none is Ok, one is itself, more are `Many`.
    pub fn from_list(mut errors: Vec<Error>) -> Result<(), Error> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(Error::Many(errors)),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

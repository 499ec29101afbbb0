//! Fonts for rendering.
//!
//! The report must come out complete on a bare machine, so the open Fandol
//! fonts are compiled into the binary. Bureau PCs usually have the official
//! commercial fonts (方正小标宋简体, 仿宋_GB2312, …) installed, and reviewers
//! prefer them, so installed fonts and `--font-path` directories are scanned
//! as well; `style.typ` asks for the official family first and falls back to
//! Fandol. This module also reports which fonts a finished document actually
//! used, so the CLI can tell the user whether the official fonts were found.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use typst::foundations::Bytes;
use typst::layout::{Frame, FrameItem};
use typst::text::{Font, FontBook, FontInfo, FontStyle, FontWeight};
use typst::utils::LazyHash;
use typst_kit::fonts::{FontPath, FontSource, FontStore};
use typst_layout::PagedDocument;

/// The bundled font files (file name, data). Committed under `fonts/`.
const EMBEDDED_FILES: [(&str, &[u8]); 6] = [
    (
        "FandolSong-Regular.otf",
        include_bytes!("../../fonts/FandolSong-Regular.otf"),
    ),
    (
        "FandolSong-Bold.otf",
        include_bytes!("../../fonts/FandolSong-Bold.otf"),
    ),
    (
        "FandolFang-Regular.otf",
        include_bytes!("../../fonts/FandolFang-Regular.otf"),
    ),
    (
        "FandolHei-Regular.otf",
        include_bytes!("../../fonts/FandolHei-Regular.otf"),
    ),
    (
        "FandolHei-Bold.otf",
        include_bytes!("../../fonts/FandolHei-Bold.otf"),
    ),
    (
        "FandolKai-Regular.otf",
        include_bytes!("../../fonts/FandolKai-Regular.otf"),
    ),
];

/// Embedded fonts parsed once per process: parsing computes glyph coverage,
/// which is worth doing only once when several reports are rendered.
static EMBEDDED: LazyLock<Vec<(Font, FontInfo)>> = LazyLock::new(|| {
    EMBEDDED_FILES
        .iter()
        .flat_map(|(_, data)| Font::iter(Bytes::new(*data)))
        .map(|font| {
            let info = font.info().clone();
            (font, info)
        })
        .collect()
});

/// Where a font came from; shown to the user next to the family name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FontOrigin {
    /// Compiled into the binary (the Fandol fonts).
    Embedded,
    /// Found in a `--font-path` directory.
    FontPath(PathBuf),
    /// Installed on the system.
    System(PathBuf),
}

impl FontOrigin {
    /// Short Chinese description, e.g. `内置开源字体`.
    pub fn label(&self) -> &'static str {
        match self {
            FontOrigin::Embedded => "内置开源字体",
            FontOrigin::FontPath(_) => "--font-path 字体",
            FontOrigin::System(_) => "系统字体",
        }
    }

    /// The font file, if the font was loaded from disk.
    pub fn path(&self) -> Option<&Path> {
        match self {
            FontOrigin::Embedded => None,
            FontOrigin::FontPath(p) | FontOrigin::System(p) => Some(p),
        }
    }
}

/// The typefaces the GB/T 9704 style uses. Each has a preference list
/// (official font first, bundled Fandol font last) that must match the
/// `font-*` variables at the top of `report_templates/style.typ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FontRole {
    /// 仿宋: body text and level 3/4 headings.
    Body,
    /// 小标宋: document and attachment titles.
    Title,
    /// 黑体: level 1 headings, attachment labels, table headers.
    Hei,
    /// 楷体: level 2 headings.
    Kai,
    /// 宋体: page numbers and tables.
    Song,
}

impl FontRole {
    /// All roles, in the order they are reported.
    pub const ALL: [FontRole; 5] = [
        FontRole::Body,
        FontRole::Title,
        FontRole::Hei,
        FontRole::Kai,
        FontRole::Song,
    ];

    /// What the role is used for, in Chinese.
    pub fn label(self) -> &'static str {
        match self {
            FontRole::Title => "标题",
            FontRole::Body => "正文",
            FontRole::Hei => "一级标题",
            FontRole::Kai => "二级标题",
            FontRole::Song => "页码和表格",
        }
    }

    /// The name of the variable in `style.typ` holding this role's list.
    pub fn style_variable(self) -> &'static str {
        match self {
            FontRole::Title => "font-xiaobiaosong",
            FontRole::Body => "font-fangsong",
            FontRole::Hei => "font-heiti",
            FontRole::Kai => "font-kaiti",
            FontRole::Song => "font-songti",
        }
    }

    /// Family names in preference order, as typst sees them (typst uses the
    /// first name-table entry, normally the English one; the Chinese names
    /// are kept for fonts that only carry Chinese names).
    pub fn families(self) -> &'static [&'static str] {
        match self {
            FontRole::Title => &[
                "FZXiaoBiaoSong-B05S",
                "方正小标宋简体",
                "FZXiaoBiaoSong-B05",
                "方正小标宋_GBK",
                "FandolSong",
            ],
            FontRole::Body => &[
                "FangSong_GB2312",
                "仿宋_GB2312",
                "FangSong",
                "仿宋",
                "FandolFang R",
            ],
            FontRole::Hei => &["SimHei", "黑体", "FandolHei"],
            FontRole::Kai => &["KaiTi_GB2312", "楷体_GB2312", "KaiTi", "楷体", "FandolKai"],
            FontRole::Song => &["SimSun", "宋体", "FandolSong"],
        }
    }
}

/// Official font names that `style.typ` lists before a Fandol fallback.
/// Typst warns "unknown font family" for each of them that is not installed;
/// those warnings are expected and dropped, while an unknown family *not* in
/// this list (a typo in a template) is an error.
pub fn is_optional_family(name: &str) -> bool {
    FontRole::ALL.iter().any(|role| {
        let families = role.families();
        // The last entry is the bundled fallback, which is never optional.
        families[..families.len() - 1]
            .iter()
            .any(|f| f.eq_ignore_ascii_case(name))
    })
}

/// All fonts available to a render: embedded, `--font-path` and system fonts.
///
/// Order matters when two fonts share family and style (typst takes the
/// first): `--font-path` fonts win because the user asked for them, then the
/// embedded fonts, so that a differently versioned Fandol installed on the
/// system cannot change the output.
pub struct FontSet {
    store: FontStore,
    origins: Vec<FontOrigin>,
}

impl FontSet {
    /// Embedded fonts, then every `font_paths` directory (recursively), then,
    /// if `system` is set, the installed fonts. Fonts on disk are only read
    /// when a document uses them.
    pub fn new(font_paths: &[PathBuf], system: bool) -> FontSet {
        let mut set = FontSet {
            store: FontStore::new(),
            origins: Vec::new(),
        };
        for dir in font_paths {
            set.extend_paths(typst_kit::fonts::scan(dir), FontOrigin::FontPath);
        }
        for (font, info) in EMBEDDED.iter() {
            set.store.push((font.clone(), info.clone()));
            set.origins.push(FontOrigin::Embedded);
        }
        if system {
            set.extend_paths(typst_kit::fonts::system(), FontOrigin::System);
        }
        set
    }

    /// Only the bundled fonts: fully reproducible output.
    pub fn embedded_only() -> FontSet {
        FontSet::new(&[], false)
    }

    fn extend_paths(
        &mut self,
        fonts: impl Iterator<Item = (FontPath, FontInfo)>,
        origin: fn(PathBuf) -> FontOrigin,
    ) {
        for (path, info) in fonts {
            self.origins.push(origin(path.path.clone()));
            self.store.push((
                CappedFont {
                    path: path.path,
                    index: path.index,
                },
                info,
            ));
        }
    }

    /// Metadata of all fonts, for `World::book`.
    pub fn book(&self) -> &LazyHash<FontBook> {
        self.store.book()
    }

    /// Loads the font with this book index, for `World::font`.
    pub fn font(&self, index: usize) -> Option<Font> {
        self.store.font(index)
    }

    /// Where the font with this book index came from.
    /// The font files found in `--font-path` folders: inputs that no
    /// output may overwrite.
    pub fn font_path_files(&self) -> impl Iterator<Item = &Path> {
        self.origins.iter().filter_map(|o| match o {
            FontOrigin::FontPath(p) => Some(p.as_path()),
            _ => None,
        })
    }

    pub fn origin(&self, index: usize) -> Option<&FontOrigin> {
        self.origins.get(index)
    }

    /// Whether typst resolves this family name (case-insensitive, as typst).
    pub fn has_family(&self, family: &str) -> bool {
        self.book().contains_family(&family.to_lowercase())
    }

    /// The family typst will pick for a role: the first one available.
    pub fn resolve(&self, role: FontRole) -> Option<&'static str> {
        role.families()
            .iter()
            .copied()
            .find(|family| self.has_family(family))
    }

    /// The distinct family names known to the set, sorted.
    pub fn families(&self) -> Vec<String> {
        self.book()
            .families()
            .map(|(name, _)| name.to_string())
            .collect()
    }

    /// Finds the origin of a font typst used, by matching its metadata
    /// against the book entries of its family (which avoids loading fonts).
    fn origin_of(&self, font: &Font) -> FontOrigin {
        let info = font.info();
        self.book()
            .select_family(&info.family.to_lowercase())
            .find(|&i| self.book().info(i) == Some(info))
            .and_then(|i| self.origin(i).cloned())
            // Unreachable in practice: every font typst uses comes from the book.
            .unwrap_or(FontOrigin::Embedded)
    }
}

/// A font file on disk, loaded when a document first uses it: through the
/// access module's reader, so a regular file only and no more than
/// [`crate::input::limits::MAX_FONT_BYTES`] (typst-kit's own loader reads
/// whatever the path holds, however large). A font that cannot be loaded is
/// one typst does not have, and its fallback is used, as for any broken font.
struct CappedFont {
    path: PathBuf,
    index: u32,
}

impl FontSource for CappedFont {
    fn load(&self) -> Option<Font> {
        let data =
            crate::access::read_file(&self.path, crate::access::InputKind::Font, None).ok()?;
        Font::new(Bytes::new(data), self.index)
    }
}

/// One font family a document used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontUse {
    /// Family name as typst sees it, e.g. `FandolFang R`.
    pub family: String,
    /// Where the font came from.
    pub origin: FontOrigin,
    /// Styles used, e.g. `["常规", "粗体"]`.
    pub styles: Vec<String>,
    /// The style roles this family currently fills (empty for fonts only
    /// reached through typst's per-character fallback).
    pub roles: Vec<FontRole>,
}

impl fmt::Display for FontUse {
    /// `FandolFang R（内置开源字体）`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}（{}）", self.family, self.origin.label())
    }
}

/// Collects the fonts used by a laid-out document, in order of role then
/// family name.
pub fn fonts_used(document: &PagedDocument, fonts: &FontSet) -> Vec<FontUse> {
    let mut seen: BTreeSet<(String, FontOrigin, String)> = BTreeSet::new();
    for page in document.pages() {
        collect_frame(&page.frame, fonts, &mut seen);
    }

    let mut uses: Vec<FontUse> = Vec::new();
    for (family, origin, style) in seen {
        match uses
            .iter_mut()
            .find(|u| u.family == family && u.origin == origin)
        {
            Some(existing) => existing.styles.push(style),
            None => {
                let roles = FontRole::ALL
                    .iter()
                    .copied()
                    .filter(|&role| fonts.resolve(role) == Some(family.as_str()))
                    .collect();
                uses.push(FontUse {
                    family,
                    origin,
                    styles: vec![style],
                    roles,
                });
            }
        }
    }
    uses.sort_by(|a, b| {
        let key = |u: &FontUse| u.roles.first().copied();
        // Fonts with a role first, in role order; fallback-only fonts last.
        (key(a).is_none(), key(a), &a.family).cmp(&(key(b).is_none(), key(b), &b.family))
    });
    uses
}

fn collect_frame(
    frame: &Frame,
    fonts: &FontSet,
    seen: &mut BTreeSet<(String, FontOrigin, String)>,
) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(group) => collect_frame(&group.frame, fonts, seen),
            FrameItem::Text(text) => {
                let font = text.font.font();
                let info = font.info();
                seen.insert((
                    info.family.clone(),
                    fonts.origin_of(font),
                    style_name(info.variant.weight, info.variant.style),
                ));
            }
            _ => {}
        }
    }
}

fn style_name(weight: FontWeight, style: FontStyle) -> String {
    let weight = if weight >= FontWeight::SEMIBOLD {
        "粗体"
    } else {
        "常规"
    };
    match style {
        FontStyle::Normal => weight.to_string(),
        _ => format!("{weight}斜体"),
    }
}

/// One line for the CLI, e.g.
/// `正文 FandolFang R（内置开源字体）；标题、页码和表格 FandolSong（内置开源字体）`.
/// Fallback-only fonts are listed as `其他 …`.
pub fn summary(uses: &[FontUse]) -> String {
    uses.iter()
        .map(|u| {
            let roles: Vec<&str> = u.roles.iter().map(|r| r.label()).collect();
            let roles = if roles.is_empty() {
                "其他".to_string()
            } else {
                roles.join("、")
            };
            format!("{roles} {u}")
        })
        .collect::<Vec<_>>()
        .join("；")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The family names typst derives from the bundled files; `style.typ`
    /// and [`FontRole::families`] depend on them.
    #[test]
    fn embedded_family_names() {
        let names: Vec<(String, String)> = EMBEDDED_FILES
            .iter()
            .map(|(file, data)| {
                let font = Font::new(Bytes::new(*data), 0).expect("bundled font parses");
                let info = font.info();
                (
                    file.to_string(),
                    format!("{} {:?}", info.family, info.variant.weight),
                )
            })
            .collect();
        let expect = [
            ("FandolSong-Regular.otf", "FandolSong FontWeight(400)"),
            ("FandolSong-Bold.otf", "FandolSong FontWeight(700)"),
            ("FandolFang-Regular.otf", "FandolFang R FontWeight(400)"),
            ("FandolHei-Regular.otf", "FandolHei FontWeight(400)"),
            ("FandolHei-Bold.otf", "FandolHei FontWeight(700)"),
            ("FandolKai-Regular.otf", "FandolKai FontWeight(400)"),
        ];
        let expect: Vec<(String, String)> = expect
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(names, expect);
    }

    /// A font on disk loads through the capped reader; a file past the cap,
    /// or one that is not a regular file, is a font typst does not have.
    #[test]
    fn fonts_on_disk_are_read_within_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("a.otf");
        std::fs::write(&good, EMBEDDED_FILES[0].1).unwrap();
        let font = |path: &Path| {
            CappedFont {
                path: path.to_path_buf(),
                index: 0,
            }
            .load()
        };
        assert_eq!(font(&good).unwrap().info().family, "FandolSong");
        let huge = dir.path().join("huge.otf");
        let f = std::fs::File::create(&huge).unwrap();
        f.set_len(crate::input::limits::MAX_FONT_BYTES + 1).unwrap();
        assert!(font(&huge).is_none());
        assert!(font(dir.path()).is_none());
    }

    #[test]
    fn every_role_resolves_to_a_bundled_font() {
        let set = FontSet::embedded_only();
        for role in FontRole::ALL {
            let fallback = role.families().last().copied();
            assert_eq!(set.resolve(role), fallback, "{role:?}");
        }
    }

    #[test]
    fn optional_families() {
        assert!(is_optional_family("fangsong_gb2312"));
        assert!(is_optional_family("方正小标宋简体"));
        assert!(!is_optional_family("FandolFang R"));
        assert!(!is_optional_family("FandolFang"));
    }

    /// The Rust preference lists must be the ones `style.typ` declares.
    #[test]
    fn style_font_lists_match() {
        let style = super::super::STYLE_TYP;
        for role in FontRole::ALL {
            let quoted: Vec<String> = role.families().iter().map(|f| format!("\"{f}\"")).collect();
            let line = format!("#let {} = ({})", role.style_variable(), quoted.join(", "));
            assert!(style.contains(&line), "style.typ lacks `{line}`");
        }
    }
}

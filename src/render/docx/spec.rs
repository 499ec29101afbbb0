//! The GB/T 9704 values of a 公文 in Word terms (shared/docx.md), in one
//! place: they were checked by rendering in LibreOffice, not in Word or WPS,
//! so a correction must be one edit here.
//!
//! Lengths are twips (1/20 pt) unless named otherwise; font sizes are
//! half-points, as WordprocessingML writes them.

/// One millimetre in twips.
pub const MM: f64 = 56.693;

/// A4 in twips, portrait.
pub const PAGE_W: u32 = 11906;
pub const PAGE_H: u32 = 16838;

/// Portrait margins: 37 / 26 / 35 / 28 mm.
pub const MARGIN_TOP: u32 = 2098;
pub const MARGIN_RIGHT: u32 = 1474;
pub const MARGIN_BOTTOM: u32 = 1984;
pub const MARGIN_LEFT: u32 = 1587;
/// The page number's baseline about 7 mm below the text block.
pub const FOOTER_DISTANCE: u32 = 1304;

/// The text block: 156 mm wide portrait, 225 mm wide on a landscape page.
pub const TEXT_W: u32 = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT;
pub const TEXT_W_LANDSCAPE: u32 = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM;

/// 22 lines in 225 mm: 12,756 twips ÷ 22 rounds to 580, which overflows
/// to 21 lines, so the pitch is 579.
pub const LINE_PITCH: u32 = 579;
/// The line pitch Word shows for pages off the grid (the 一校一表 forms).
pub const FORM_LINE_PITCH: u32 = 312;
/// Added to the 16 pt character cell in 1/4096 pt: 15.79 pt cells, 28 to
/// the 156 mm line (Word shows 每行 28 字).
pub const CHAR_SPACE: i32 = -849;
/// One character cell of body text, in twips (for indents counted in
/// characters: 16 pt + the grid's adjustment).
pub const CHAR_W: f64 = 320.0 + CHAR_SPACE as f64 * 20.0 / 4096.0;

/// Body text: 三号 (16 pt).
pub const BODY_SIZE: u32 = 32;
/// Title: 二号 (22 pt).
pub const TITLE_SIZE: u32 = 44;
/// Cover title: 一号 (26 pt).
pub const COVER_TITLE_SIZE: u32 = 52;
/// Page number: 四号 (14 pt).
pub const PAGE_NUMBER_SIZE: u32 = 28;
/// Tables and notes never go below 五号 (10.5 pt).
pub const MIN_SIZE: u32 = 21;
/// One 四号 character: how far the page number sits in from the edge.
pub const PAGE_NUMBER_INDENT: u32 = 280;

/// East Asian fonts by role; `ascii`/`hAnsi` are Times New Roman throughout.
pub const LATIN: &str = "Times New Roman";
pub const FANGSONG: &str = "仿宋_GB2312";
pub const HEITI: &str = "黑体";
pub const KAITI: &str = "楷体_GB2312";
pub const XIAOBIAOSONG: &str = "方正小标宋简体";
pub const SONGTI: &str = "宋体";

/// `word/fontTable.xml`: name, the name Windows 10+ ships it under, and
/// whether it is a serif (roman) face.
pub const FONT_TABLE: &[(&str, Option<&str>, &str)] = &[
    (LATIN, None, "roman"),
    (FANGSONG, Some("仿宋"), "modern"),
    (HEITI, None, "modern"),
    (KAITI, Some("楷体"), "modern"),
    (XIAOBIAOSONG, None, "script"),
    (SONGTI, None, "auto"),
];

/// Cell shading of a failing value (▲) and of one below the standard only
/// (△), as in the PDF's luma(205) / luma(235).
pub const FAIL_FILL: &str = "CDCDCD";
pub const SHORT_FILL: &str = "EBEBEB";

/// Table cell margins (left/right) and the table rule width (eighths of a
/// point: 4 = 0.5 pt).
pub const CELL_MARGIN: u32 = 85;
pub const RULE: u32 = 4;

/// The fonts the document names, by use, for the command's report.
pub fn font_summary() -> String {
    format!(
        "正文 {FANGSONG}；标题 {XIAOBIAOSONG}；一级标题 {HEITI}；二级标题 {KAITI}；表格和页码 {SONGTI}；数字和字母 {LATIN}"
    )
}

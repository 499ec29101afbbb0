//! What a workbook file really is, from its bytes. Offices rename files
//! freely and web systems export ".xls" files that are an HTML table or
//! Excel 2003 XML, so the extension is only a tie-breaker; a file that is no
//! table at all is named for what it seems to be.

use std::io::{Cursor, Read};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xlsb,
    Ods,
    Xls,
    /// A password-protected Office file (OLE with an encrypted package, or
    /// an xls whose FILEPASS record calamine reports).
    Encrypted,
    Html,
    SpreadsheetMl,
    /// Delimited text (csv, or Excel's tab-separated "Unicode text").
    Text,
}

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The format of `bytes`, or what the file seems to be if it is no table.
pub fn sniff(bytes: &[u8], file_name: &str) -> Result<Format, String> {
    let ext = std::path::Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if bytes.is_empty() {
        return Err("文件是空的（0 字节）".into());
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return sniff_zip(bytes);
    }
    if bytes.starts_with(OLE_MAGIC) {
        return sniff_ole(bytes);
    }
    if let Some(what) = binary_kind(bytes) {
        return Err(format!("这是{what}，不是表格文件"));
    }
    let head = text_head(bytes);
    let trimmed = head.trim_start_matches('\u{feff}').trim_start();
    let lower = trimmed.to_ascii_lowercase();
    if ext != "csv" && ext != "txt" && trimmed.starts_with('<') {
        if lower.contains("urn:schemas-microsoft-com:office:spreadsheet")
            && (lower.starts_with("<?xml") || lower.starts_with("<workbook"))
        {
            return Ok(Format::SpreadsheetMl);
        }
        if lower.contains("<table")
            || lower.contains("<html")
            || lower.starts_with("<!doctype html")
        {
            return Ok(Format::Html);
        }
        if lower.starts_with("<?xml") {
            return Err("这是 XML 文件，但不是 Excel 2003 XML 表格（SpreadsheetML）".into());
        }
    }
    if is_text(bytes) {
        return Ok(Format::Text);
    }
    if ext == "csv" || ext == "txt" {
        return Err("不是文本格式的 csv 文件（含有二进制内容）".into());
    }
    Err("不是可读取的工作簿，文件可能已损坏或不是表格文件（支持 xlsx、xlsm、xls、xlsb、ods、csv，以及网页系统导出的 HTML 表格和 Excel 2003 XML）".into())
}

fn sniff_zip(bytes: &[u8]) -> Result<Format, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("是 zip 格式，但压缩结构已损坏（技术信息：{e}）"))?;
    let has = |zip: &zip::ZipArchive<_>, name: &str| zip.index_for_name(name).is_some();
    if has(&zip, "xl/workbook.xml") {
        return Ok(Format::Xlsx);
    }
    if has(&zip, "xl/workbook.bin") {
        return Ok(Format::Xlsb);
    }
    if let Ok(m) = zip.by_name("mimetype") {
        let mut mime = String::new();
        // A mimetype is a few dozen bytes; never read more than that.
        let _ = m.take(200).read_to_string(&mut mime);
        let mime = mime.trim();
        if mime == "application/vnd.oasis.opendocument.spreadsheet" {
            return Ok(Format::Ods);
        }
        if mime.starts_with("application/vnd.oasis.opendocument.text") {
            return Err("这是 OpenDocument 文字文档（odt），不是表格".into());
        }
        return Err(format!("这是 OpenDocument 文件（{mime}），不是表格"));
    }
    if has(&zip, "word/document.xml") {
        return Err("这是 Word 文档（docx），不是表格".into());
    }
    if has(&zip, "ppt/presentation.xml") {
        return Err("这是 PowerPoint 演示文稿（pptx），不是表格".into());
    }
    Err("这是 zip 压缩包，里面没有工作簿；请解压后指定其中的表格文件".into())
}

/// OLE directory entries name their streams in UTF-16LE.
fn sniff_ole(bytes: &[u8]) -> Result<Format, String> {
    let has = |name: &str| {
        let needle: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        bytes.windows(needle.len()).any(|w| w == needle.as_slice())
    };
    if has("EncryptedPackage") || has("EncryptionInfo") {
        return Ok(Format::Encrypted);
    }
    if has("Workbook") || has("Book") {
        return Ok(Format::Xls);
    }
    if has("WordDocument") {
        return Err("这是 Word 文档（doc），不是表格".into());
    }
    if has("PowerPoint Document") {
        return Err("这是 PowerPoint 演示文稿（ppt），不是表格".into());
    }
    Err("这是 Office 复合文档，但里面没有工作簿".into())
}

fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    let kinds: &[(&[u8], &str)] = &[
        (b"%PDF", "PDF 文件"),
        (b"\x89PNG", "PNG 图片"),
        (b"\xFF\xD8\xFF", "JPEG 图片"),
        (b"GIF8", "GIF 图片"),
        (b"Rar!", "RAR 压缩包"),
        (b"7z\xBC\xAF", "7z 压缩包"),
        (b"\x1F\x8B", "gzip 压缩包"),
        (b"{\\rtf", "RTF 文档"),
    ];
    kinds
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, what)| *what)
}

/// The first few KB as text, whatever the encoding (UTF-16 with BOM, or
/// bytes as Latin-1 for the ASCII markers looked for).
fn text_head(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    if let Some((enc, _)) = encoding_rs::Encoding::for_bom(head)
        && enc != encoding_rs::UTF_8
    {
        return enc.decode_without_bom_handling(head).0.into_owned();
    }
    head.iter().map(|&b| b as char).collect()
}

/// Text has no NUL bytes, unless it is UTF-16 with its BOM.
fn is_text(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) || !bytes.contains(&0)
}

/// Markup (HTML, XML) or text as a string: the BOM's encoding, else the one
/// the file declares (`<meta charset=gb2312>`, `encoding="GBK"`), else UTF-8
/// if valid, else GB18030 (which covers GBK and GB2312).
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned();
    }
    if let Some(enc) = declared_encoding(&bytes[..bytes.len().min(4096)])
        && enc != encoding_rs::UTF_8
    {
        return enc.decode_without_bom_handling(bytes).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

fn declared_encoding(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let lower: Vec<u8> = head.to_ascii_lowercase();
    for key in [&b"charset="[..], &b"encoding="[..]] {
        if let Some(at) = lower.windows(key.len()).position(|w| w == key) {
            let rest = &lower[at + key.len()..];
            let rest = rest
                .strip_prefix(b"\"")
                .or_else(|| rest.strip_prefix(b"'"))
                .unwrap_or(rest);
            let end = rest
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_'))
                .unwrap_or(rest.len());
            if let Some(enc) = encoding_rs::Encoding::for_label(&rest[..end]) {
                return Some(enc);
            }
        }
    }
    None
}

//! The data dictionary: canonical headers, their built-in aliases and units.
//! Statistics offices, schools and WPS templates name columns differently;
//! this is the one place that knows all the names.

use crate::model::Measure;
use std::collections::BTreeMap;

/// A column the reader understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Name,
    SchoolType,
    Section,
    Ownership,
    Locality,
    Township,
    Number(Measure),
}

impl Field {
    pub fn all() -> Vec<Field> {
        let mut v = vec![
            Field::Name,
            Field::SchoolType,
            Field::Section,
            Field::Ownership,
            Field::Locality,
            Field::Township,
        ];
        v.extend(Measure::ALL.into_iter().map(Field::Number));
        v
    }

    /// The canonical header.
    pub fn zh(self) -> &'static str {
        match self {
            Field::Name => "学校名称",
            Field::SchoolType => "学校类型",
            Field::Section => "学段",
            Field::Ownership => "办学性质",
            Field::Locality => "城乡类别",
            Field::Township => "所在乡镇",
            Field::Number(m) => m.zh(),
        }
    }

    /// Built-in alternative names (canonical first).
    pub fn aliases(self) -> &'static [&'static str] {
        use Measure::*;
        match self {
            Field::Name => &[
                "学校名称",
                "学校",
                "校名",
                "学校名",
                "单位名称",
                "学校（机构）名称",
                "学校(机构)名称",
            ],
            Field::SchoolType => &["学校类型", "办学类型", "学校类别", "学校办学类型", "类型"],
            Field::Section => &["学段", "部别", "学部", "学段（部）", "所属学段"],
            Field::Ownership => &["办学性质", "举办性质", "举办者类型", "公办民办", "性质"],
            Field::Locality => &["城乡类别", "城乡属性", "城乡分类", "城乡", "城乡类型"],
            Field::Township => &[
                "所在乡镇",
                "乡镇",
                "所属乡镇",
                "乡镇街道",
                "镇街",
                "所在镇街",
            ],
            Field::Number(m) => match m {
                Students => &[
                    "学生数",
                    "在校生数",
                    "在校学生数",
                    "学生人数",
                    "在校生",
                    "在校生人数",
                ],
                Classes => &["班级数", "班数", "教学班数", "班级"],
                LargestClass => &["最大班额", "最大班级人数", "最大班额人数"],
                FullTimeTeachers => &["专任教师数", "专任教师", "专任教师人数", "专任教师合计"],
                TeachersAboveDegree => &[
                    "高于规定学历教师数",
                    "高于规定学历专任教师数",
                    "高学历教师数",
                    "高于规定学历教师",
                ],
                BackboneTeachers => &[
                    "县级以上骨干教师数",
                    "县级及以上骨干教师数",
                    "骨干教师数",
                    "县级以上骨干教师",
                ],
                PeArtTeachers => &[
                    "体育艺术专任教师数",
                    "体育、艺术（美术、音乐）专任教师数",
                    "体艺专任教师数",
                    "体育艺术教师数",
                    "体艺教师数",
                ],
                PeTeachers => &["体育专任教师数", "体育教师数"],
                MusicTeachers => &["音乐专任教师数", "音乐教师数"],
                ArtTeachers => &["美术专任教师数", "美术教师数"],
                CertifiedTeachers => &[
                    "持证专任教师数",
                    "持证教师数",
                    "持有教师资格证专任教师数",
                    "持证上岗教师数",
                ],
                TeachingArea => &[
                    "教学及辅助用房面积",
                    "教学及辅助用房",
                    "教学辅助用房面积",
                    "生均教学及辅助用房总面积",
                ],
                SportsArea => &[
                    "体育运动场馆面积",
                    "体育运动场馆",
                    "运动场馆面积",
                    "体育场馆面积",
                ],
                EquipmentValue => &[
                    "教学仪器设备值",
                    "教学仪器设备总值",
                    "仪器设备值",
                    "教学仪器设备资产值",
                ],
                MultimediaRooms => &["网络多媒体教室数", "网络多媒体教室", "多媒体教室数"],
                MusicRooms => &[
                    "音乐专用教室数",
                    "音乐专用教室间数",
                    "音乐教室数",
                    "音乐教室间数",
                ],
                MusicRoomArea => &["音乐专用教室面积", "音乐专用教室总面积", "音乐教室面积"],
                ArtRooms => &[
                    "美术专用教室数",
                    "美术专用教室间数",
                    "美术教室数",
                    "美术教室间数",
                ],
                ArtRoomArea => &["美术专用教室面积", "美术专用教室总面积", "美术教室面积"],
            },
        }
    }

    pub fn is_required(self) -> bool {
        matches!(
            self,
            Field::Name | Field::SchoolType | Field::Number(Measure::Students)
        )
    }
}

/// Header text reduced to what identifies it: no spaces, line breaks,
/// punctuation or unit remarks in brackets. `教学仪器设备值（万元）` and
/// `教学仪器 设备值` both become `教学仪器设备值`.
pub fn normalize_header(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut bracket = String::new();
    for ch in s.chars() {
        match ch {
            '（' | '(' | '[' | '【' => {
                depth += 1;
                bracket.clear();
            }
            '）' | ')' | ']' | '】' => {
                // Keep bracketed words that are not units: 体育、艺术（美术、音乐）.
                if depth == 1 && unit_in(&bracket).is_none() && !is_count_unit(&bracket) {
                    out.push_str(&bracket);
                }
                depth = depth.saturating_sub(1);
                bracket.clear();
            }
            c if c.is_whitespace() || "、，,:：*＊/／·.-—_".contains(c) => {}
            c if depth > 0 => bracket.push(c),
            c => out.push(c),
        }
    }
    out
}

/// A cell of the row some forms put under the header: a column number
/// (甲, 乙, 1, 2 …) or a unit (人, ㎡, 万元). It names no column itself.
pub fn is_label(s: &str) -> bool {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    !t.is_empty()
        && (t
            .chars()
            .all(|c| c.is_ascii_digit() || "甲乙丙丁戊己庚辛".contains(c))
            || matches!(
                t.as_str(),
                "人" | "个"
                    | "间"
                    | "所"
                    | "名"
                    | "班"
                    | "元"
                    | "万元"
                    | "㎡"
                    | "平方米"
                    | "m2"
                    | "m²"
            ))
}

fn is_count_unit(s: &str) -> bool {
    matches!(
        s.trim(),
        "人" | "个" | "间" | "所" | "名" | "班" | "间数" | "人数"
    )
}

/// A unit named in a header, as the factor to the canonical unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    /// 元
    Yuan,
    /// 万元 → ×10,000
    WanYuan,
    /// ㎡ / 平方米
    SquareMetre,
}

impl Unit {
    pub fn factor(self) -> f64 {
        match self {
            Unit::WanYuan => 10_000.0,
            _ => 1.0,
        }
    }
}

/// The unit a header names, if any.
pub fn unit_in(header: &str) -> Option<Unit> {
    let h = header.replace(' ', "");
    if h.contains("万元") {
        Some(Unit::WanYuan)
    } else if h.contains('元') {
        Some(Unit::Yuan)
    } else if h.contains('㎡') || h.contains("平方米") || h.contains("m2") || h.contains("m²")
    {
        Some(Unit::SquareMetre)
    } else {
        None
    }
}

/// Normalised header name → field, built-in aliases plus the plan's own.
pub struct Dictionary {
    names: BTreeMap<String, Field>,
}

impl Dictionary {
    /// `extra` maps a canonical header to more names for it.
    pub fn new(extra: &BTreeMap<String, Vec<String>>) -> Result<Self, String> {
        let mut names = BTreeMap::new();
        for f in Field::all() {
            for a in f.aliases() {
                names.insert(normalize_header(a), f);
            }
        }
        for (canonical, more) in extra {
            let Some(f) = Field::all().into_iter().find(|f| f.zh() == canonical) else {
                return Err(format!("“{canonical}”不是数据字典中的列名"));
            };
            for a in more {
                names.insert(normalize_header(a), f);
            }
        }
        Ok(Dictionary { names })
    }

    pub fn lookup(&self, header: &str) -> Option<Field> {
        let n = normalize_header(header);
        if n.is_empty() {
            return None;
        }
        self.names.get(&n).copied()
    }

    /// A column under a two-row header: try the parent and child together,
    /// then the child completed by a teacher parent, then the child alone.
    pub fn lookup_pair(&self, parent: &str, child: &str) -> Option<Field> {
        let p = normalize_header(parent);
        let c = normalize_header(child);
        if c.is_empty() {
            return self.lookup(parent);
        }
        if matches!(c.as_str(), "合计" | "小计" | "总计" | "总数") {
            return self.lookup(parent);
        }
        let mut candidates = vec![format!("{p}{c}")];
        if p.contains("教师") {
            candidates.push(format!("{c}教师数"));
            candidates.push(format!("{c}专任教师数"));
        }
        let label = is_label(&c);
        candidates.push(c);
        candidates
            .into_iter()
            .find_map(|k| self.names.get(&k).copied())
            .or_else(|| if label { self.lookup(parent) } else { None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_normalise() {
        assert_eq!(normalize_header("教学仪器设备值（万元）"), "教学仪器设备值");
        assert_eq!(normalize_header(" 学生数\n(人) "), "学生数");
        assert_eq!(
            normalize_header("体育、艺术（美术、音乐）专任教师数"),
            "体育艺术美术音乐专任教师数"
        );
    }

    #[test]
    fn aliases_and_pairs() {
        let d = Dictionary::new(&BTreeMap::new()).unwrap();
        assert_eq!(
            d.lookup("在校生数（人）"),
            Some(Field::Number(Measure::Students))
        );
        assert_eq!(
            d.lookup("体育、艺术（美术、音乐）专任教师数"),
            Some(Field::Number(Measure::PeArtTeachers))
        );
        assert_eq!(
            d.lookup_pair("教师（人）", "县级以上骨干"),
            Some(Field::Number(Measure::BackboneTeachers))
        );
        assert_eq!(
            d.lookup_pair("音乐专用教室", "面积（㎡）"),
            Some(Field::Number(Measure::MusicRoomArea))
        );
        assert_eq!(
            d.lookup_pair("专任教师", "体育"),
            Some(Field::Number(Measure::PeTeachers))
        );
        assert_eq!(unit_in("教学仪器设备值（万元）"), Some(Unit::WanYuan));
    }
}

//! The checked model of one county: what the input stage produces and the
//! evaluation reads. Plain data: no I/O, no computation of indicators.

use crate::input::plan::Plan;
use crate::profile::Profile;
use crate::source::{CellRef, Figure};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A 学段 of compulsory education. A 九年一贯制 school is two of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    Primary,
    Junior,
}

impl Section {
    pub const ALL: [Section; 2] = [Section::Primary, Section::Junior];

    pub fn zh(self) -> &'static str {
        match self {
            Section::Primary => "小学",
            Section::Junior => "初中",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Section::Primary => "primary",
            Section::Junior => "junior",
        }
    }
}

/// What a workbook row describes: one 学段 of a school, the school's 高中部
/// (only its students matter, for apportioning), or the whole school (shared
/// resources not split by 部).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowPart {
    Section(Section),
    HighSchool,
    WholeSchool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SchoolType {
    /// 小学 (完全小学, 中心小学 …)
    Primary,
    /// 初级中学
    Junior,
    /// 九年一贯制学校
    NineYear,
    /// 十二年一贯制学校
    TwelveYear,
    /// 完全中学: counts only through its 初中部
    Complete,
    /// 教学点
    TeachingPoint,
    /// 特殊教育学校
    Special,
    /// 职业学校 and anything else outside compulsory education
    Other(String),
}

impl SchoolType {
    pub fn zh(&self) -> &str {
        match self {
            SchoolType::Primary => "小学",
            SchoolType::Junior => "初中",
            SchoolType::NineYear => "九年一贯制学校",
            SchoolType::TwelveYear => "十二年一贯制学校",
            SchoolType::Complete => "完全中学",
            SchoolType::TeachingPoint => "教学点",
            SchoolType::Special => "特殊教育学校",
            SchoolType::Other(s) => s,
        }
    }

    /// 一贯制 schools are judged whole for school size (G4).
    pub fn is_through_train(&self) -> bool {
        matches!(self, SchoolType::NineYear | SchoolType::TwelveYear)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ownership {
    /// 公办
    Public,
    /// 民办
    Private,
}

impl Ownership {
    pub fn zh(self) -> &'static str {
        match self {
            Ownership::Public => "公办",
            Ownership::Private => "民办",
        }
    }
}

/// 城乡类别, as the statistics forms code it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Locality {
    /// 城区
    Urban,
    /// 镇区
    Town,
    /// 乡村
    Rural,
}

impl Locality {
    pub fn zh(self) -> &'static str {
        match self {
            Locality::Urban => "城区",
            Locality::Town => "镇区",
            Locality::Rural => "乡村",
        }
    }
}

/// The numeric columns of the data dictionary, in canonical units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Measure {
    /// 学生数 (人)
    Students,
    /// 班级数 (个)
    Classes,
    /// 最大班额 (人)
    LargestClass,
    /// 专任教师数 (人)
    FullTimeTeachers,
    /// 高于规定学历教师数 (人)
    TeachersAboveDegree,
    /// 县级以上骨干教师数 (人)
    BackboneTeachers,
    /// 体育艺术专任教师数 (人), or the sum of the three below
    PeArtTeachers,
    PeTeachers,
    MusicTeachers,
    ArtTeachers,
    /// 持证专任教师数 (人)
    CertifiedTeachers,
    /// 教学及辅助用房面积 (m²)
    TeachingArea,
    /// 体育运动场馆面积 (m²)
    SportsArea,
    /// 教学仪器设备值 (元)
    EquipmentValue,
    /// 网络多媒体教室数 (间)
    MultimediaRooms,
    /// 音乐专用教室数 (间)
    MusicRooms,
    /// 音乐专用教室面积 (m², all rooms together)
    MusicRoomArea,
    /// 美术专用教室数 (间)
    ArtRooms,
    /// 美术专用教室面积 (m², all rooms together)
    ArtRoomArea,
}

impl Measure {
    pub const ALL: [Measure; 19] = [
        Measure::Students,
        Measure::Classes,
        Measure::LargestClass,
        Measure::FullTimeTeachers,
        Measure::TeachersAboveDegree,
        Measure::BackboneTeachers,
        Measure::PeArtTeachers,
        Measure::PeTeachers,
        Measure::MusicTeachers,
        Measure::ArtTeachers,
        Measure::CertifiedTeachers,
        Measure::TeachingArea,
        Measure::SportsArea,
        Measure::EquipmentValue,
        Measure::MultimediaRooms,
        Measure::MusicRooms,
        Measure::MusicRoomArea,
        Measure::ArtRooms,
        Measure::ArtRoomArea,
    ];

    /// Canonical header, as in the data dictionary.
    pub fn zh(self) -> &'static str {
        match self {
            Measure::Students => "学生数",
            Measure::Classes => "班级数",
            Measure::LargestClass => "最大班额",
            Measure::FullTimeTeachers => "专任教师数",
            Measure::TeachersAboveDegree => "高于规定学历教师数",
            Measure::BackboneTeachers => "县级以上骨干教师数",
            Measure::PeArtTeachers => "体育艺术专任教师数",
            Measure::PeTeachers => "体育专任教师数",
            Measure::MusicTeachers => "音乐专任教师数",
            Measure::ArtTeachers => "美术专任教师数",
            Measure::CertifiedTeachers => "持证专任教师数",
            Measure::TeachingArea => "教学及辅助用房面积",
            Measure::SportsArea => "体育运动场馆面积",
            Measure::EquipmentValue => "教学仪器设备值",
            Measure::MultimediaRooms => "网络多媒体教室数",
            Measure::MusicRooms => "音乐专用教室数",
            Measure::MusicRoomArea => "音乐专用教室面积",
            Measure::ArtRooms => "美术专用教室数",
            Measure::ArtRoomArea => "美术专用教室面积",
        }
    }

    /// The measure a canonical header names.
    pub fn from_zh(name: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.zh() == name)
    }

    pub fn unit(self) -> &'static str {
        match self {
            Measure::TeachingArea
            | Measure::SportsArea
            | Measure::MusicRoomArea
            | Measure::ArtRoomArea => "平方米",
            Measure::EquipmentValue => "元",
            Measure::MultimediaRooms | Measure::MusicRooms | Measure::ArtRooms => "间",
            Measure::Classes => "个",
            _ => "人",
        }
    }

    /// Counts of people and rooms must be whole numbers.
    pub fn is_count(self) -> bool {
        !matches!(
            self,
            Measure::TeachingArea
                | Measure::SportsArea
                | Measure::MusicRoomArea
                | Measure::ArtRoomArea
                | Measure::EquipmentValue
        )
    }

    /// Resources a 一贯制 school shares between its 部 and may report only for
    /// the whole school; they are apportioned by weighted students.
    pub fn is_shared_resource(self) -> bool {
        matches!(
            self,
            Measure::TeachingArea
                | Measure::SportsArea
                | Measure::EquipmentValue
                | Measure::MultimediaRooms
                | Measure::MusicRooms
                | Measure::MusicRoomArea
                | Measure::ArtRooms
                | Measure::ArtRoomArea
        )
    }
}

/// One row of a school workbook: one 部 of a school, as read and checked.
#[derive(Debug, Clone, Serialize)]
pub struct SchoolRow {
    pub part: RowPart,
    /// Numeric columns present in the row (a missing value is absent, not 0).
    pub figures: BTreeMap<Measure, Figure>,
    /// The row's 学校名称 cell.
    pub at: CellRef,
    /// Value columns the table has but this row leaves blank: where a
    /// missing value is to be filled in. Not in the JSON contract.
    #[serde(skip)]
    pub blank: BTreeMap<Measure, CellRef>,
}

impl SchoolRow {
    pub fn get(&self, m: Measure) -> Option<&Figure> {
        self.figures.get(&m)
    }
}

/// A school with its 部 rows, in workbook order. A 小学 has one row; a
/// 九年一贯制 school a 小学部 and an 初中部 row, maybe a 全校 row.
#[derive(Debug, Clone, Serialize)]
pub struct School {
    /// 学校名称 as the statistics office spells it, without a 部 suffix.
    pub name: String,
    pub school_type: SchoolType,
    pub ownership: Ownership,
    pub locality: Option<Locality>,
    /// 所在乡镇, for sums by township.
    pub township: Option<String>,
    pub rows: Vec<SchoolRow>,
    /// Figures given only for the whole school (a 全校 row or a value cell
    /// merged across the 部 rows): shared resources to apportion.
    pub whole: BTreeMap<Measure, Figure>,
}

impl School {
    pub fn row(&self, part: RowPart) -> Option<&SchoolRow> {
        self.rows.iter().find(|r| r.part == part)
    }

    pub fn section_rows(&self) -> impl Iterator<Item = (Section, &SchoolRow)> {
        self.rows.iter().filter_map(|r| match r.part {
            RowPart::Section(s) => Some((s, r)),
            _ => None,
        })
    }
}

/// Why a workbook row was passed over.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedRow {
    pub at: CellRef,
    pub reason: String,
    /// What the row looked like: its first few non-empty cells, quoted, so
    /// the user can find it without opening the file.
    pub looked: String,
}

/// Something implausible but not impossible: reported, never fatal.
#[derive(Debug, Clone, Serialize)]
pub struct Warning {
    pub at: Option<CellRef>,
    pub message: String,
}

/// A workbook file that was read.
#[derive(Debug, Clone, Serialize)]
pub struct SourceFile {
    pub path: PathBuf,
    pub sheets: Vec<String>,
}

/// Everything the evaluation needs, checked.
#[derive(Debug, Clone, Serialize)]
pub struct County {
    pub plan: Plan,
    pub profile: Profile,
    pub schools: Vec<School>,
    pub skipped: Vec<SkippedRow>,
    pub warnings: Vec<Warning>,
    pub files: Vec<SourceFile>,
    /// Directory of the plan YAML; relative paths resolve against it.
    pub project_dir: PathBuf,
    /// What this run may read and has read: later stages ask it before
    /// reading templates and before writing any output.
    #[serde(skip)]
    pub access: std::sync::Arc<crate::access::Access>,
    /// Last year's data, when the plan names it (`data.previous`).
    #[serde(skip)]
    pub previous: Option<crate::evaluate::previous::PreviousInput>,
}

//! The command line: argument parsing and the commands, in Chinese. Each
//! command runs the pipeline stages it needs and nothing else.

use crate::error::Error;
use crate::evaluate::Evaluation;
use crate::model::County;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

/// Help in Chinese: clap's headings are replaced through the template and
/// its built-in `-h`/`-V` flags by our own.
const HELP_TEMPLATE: &str = "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

#[derive(Parser, Debug)]
#[command(
    name = "dudao",
    version,
    about = "督导：县域义务教育优质均衡发展自评报告生成工具",
    long_about = "督导：县域义务教育优质均衡发展自评报告生成工具\n\n读取学校统计表和县级实施方案（plan.yaml），按国家督导评估办法逐项计算指标，生成自评报告、复核计算表和一校一表。",
    disable_help_subcommand = true,
    disable_help_flag = true,
    disable_version_flag = true,
    help_template = HELP_TEMPLATE,
    subcommand_help_heading = "命令",
    subcommand_value_name = "命令",
    after_help = "示例：\n  dudao check examples/sixian/plan.yaml\n  dudao evaluate examples/sixian/plan.yaml --format xlsx -o 计算表.xlsx\n  dudao render examples/sixian/plan.yaml -o 泗县自评报告.pdf\n  dudao render examples/sixian/plan.yaml -o 泗县自评报告.docx\n  dudao watch examples/sixian/plan.yaml -o 泗县自评报告.pdf"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// 显示帮助
    #[arg(short = 'h', long = "help", action = clap::ArgAction::Help, global = true, help_heading = "选项")]
    help: Option<bool>,
    /// 显示版本
    #[arg(short = 'V', long = "version", action = clap::ArgAction::Version, help_heading = "选项")]
    version: Option<bool>,
}

#[derive(Subcommand, Debug)]
#[command(help_template = HELP_TEMPLATE, next_help_heading = "选项", disable_help_flag = true)]
pub enum Command {
    /// 检查计划文件和学校统计表，汇总学校、学生、跳过的行、错误与提醒
    #[command(help_template = HELP_TEMPLATE)]
    Check(InputArgs),
    /// 逐项计算指标：终端表格、JSON 或复核用 Excel 计算表
    #[command(help_template = HELP_TEMPLATE)]
    Evaluate {
        #[command(flatten)]
        input: InputArgs,
        /// 输出格式：table 终端表格；json 完整结果；xlsx 复核用计算表
        #[arg(long, value_enum, default_value_t = Format::Table, value_name = "格式", hide_possible_values = true)]
        format: Format,
        /// 输出文件（xlsx 必须指定；table、json 不指定时输出到终端）
        #[arg(short, long, value_name = "文件")]
        output: Option<PathBuf>,
    },
    /// 生成自评报告 PDF 或 Word 文档（含附表和一校一表）
    #[command(help_template = HELP_TEMPLATE)]
    Render(RenderArgs),
    /// 边改边看：计划文件、学校统计表或报告模板一保存就重新生成报告（Ctrl+C 结束）
    #[command(help_template = HELP_TEMPLATE)]
    Watch(RenderArgs),
    /// 生成整改台账（Excel）；用 --ledger 读入上次的台账，保留已填写的内容并按新数据销号
    #[command(help_template = HELP_TEMPLATE)]
    Ledger {
        #[command(flatten)]
        input: InputArgs,
        /// 输出的台账文件（默认：计划文件所在文件夹中的 整改台账.xlsx）
        #[arg(short, long, value_name = "文件")]
        output: Option<PathBuf>,
        /// 上次生成并经填写的台账
        #[arg(long, value_name = "文件")]
        ledger: Option<PathBuf>,
        /// 允许 --ledger 给出的台账属于别的县（默认拒绝：合并后它的问题都会被当作已整改）
        #[arg(long, requires = "ledger")]
        ledger_any_county: bool,
    },
    /// 生成责任清单：按牵头单位、责任单位列出任务、目标、时限和整改问题（PDF 和 Excel）
    #[command(help_template = HELP_TEMPLATE)]
    Units {
        #[command(flatten)]
        input: InputArgs,
        /// 输出：.pdf 或 .xlsx 文件，或一个文件夹（两种都写；默认计划文件所在文件夹）
        #[arg(short, long, value_name = "文件或文件夹")]
        output: Option<PathBuf>,
        /// 上次的台账，问题的状态按台账计
        #[arg(long, value_name = "文件")]
        ledger: Option<PathBuf>,
        /// 允许 --ledger 给出的台账属于别的县（默认拒绝）
        #[arg(long, requires = "ledger")]
        ledger_any_county: bool,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// 新建一个可直接编辑的项目文件夹（计划文件、学校统计表模板）
    #[command(help_template = HELP_TEMPLATE)]
    Init {
        /// 项目文件夹
        #[arg(value_name = "文件夹")]
        dir: PathBuf,
        /// 填入 N 所合成的示例学校（确定性生成，用于试用和性能测试）
        #[arg(long, value_name = "N")]
        sample_schools: Option<usize>,
        /// 生成 N 个合成县的示例复核项目（review.yaml 和各县计划文件、学校统计表）
        #[arg(long, value_name = "N")]
        sample_counties: Option<usize>,
        /// 只把内置报告模板复制到该文件夹，供修改
        #[arg(long)]
        templates: bool,
    },
    /// 复核（市、省督导办）：按同一标准重算各县，核对上报数据，抽取实地核查学校
    #[command(help_template = HELP_TEMPLATE)]
    Review(ReviewArgs),
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "选项")]
pub struct ReviewArgs {
    /// 复核项目文件（review.yaml）
    #[arg(value_name = "复核文件")]
    pub review: PathBuf,
    /// 输出文件夹（复核材料：review.json 等）
    #[arg(short, long, value_name = "文件夹")]
    pub output: Option<PathBuf>,
    /// json：只把复核结果 JSON 输出到终端
    #[arg(long, value_enum, value_name = "格式", hide_possible_values = true)]
    pub format: Option<ReviewFormat>,
    /// 材料不全或有误的县标为“材料不全”，其余照常复核
    #[arg(long)]
    pub keep_going: bool,
    /// 同时把每个县（市、区）的自评报告 PDF 写进输出文件夹（需 -o）
    #[arg(long, requires = "output")]
    pub with_reports: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Limits on a template run (see `crate::guard`): report templates are
/// the county's to edit, so a loop that never ends or a value of
/// gigabytes ends in a Chinese error, not a hang or an abort.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "选项")]
pub struct LimitArgs {
    /// 每次运行报告模板（渲染或排版）最多用时，超过即停止并报错（默认 600 秒）
    #[arg(long, value_name = "秒", default_value_t = crate::guard::DEFAULT_TEMPLATE_TIMEOUT_SECS, hide_default_value = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub template_timeout: u64,
    /// 本程序最多使用的内存，超过即停止并报错（默认 8192 MB）
    #[arg(long, value_name = "MB", default_value_t = crate::guard::DEFAULT_MEMORY_LIMIT_MB, hide_default_value = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub memory_limit: u64,
}

impl LimitArgs {
    /// Puts the limits in force for the rest of the run.
    pub fn apply(&self) {
        crate::guard::set_template_timeout(self.template_timeout);
        crate::guard::set_memory_limit(self.memory_limit);
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewFormat {
    /// 复核结果 JSON
    Json,
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "选项")]
pub struct InputArgs {
    /// 计划文件（plan.yaml）
    #[arg(value_name = "计划文件")]
    pub plan: PathBuf,
    /// 学校统计表（可多次指定），替代计划文件中 data.schools 所列文件
    #[arg(long = "schools", value_name = "文件")]
    pub schools: Vec<PathBuf>,
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "选项")]
pub struct RenderArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// 输出文件（默认：计划文件所在文件夹，以报告标题命名）；以 .docx 结尾即输出 Word 文档
    #[arg(short, long, value_name = "文件")]
    pub output: Option<PathBuf>,
    /// 输出格式：pdf（默认）；docx 可在 Word、WPS 中修改的文档，与 PDF 出自同一套模板
    #[arg(long, value_enum, value_name = "格式", hide_possible_values = true)]
    pub format: Option<ReportFormatArg>,
    /// 同时把 typst 源文件写到此文件夹，可用 typst compile 复现或手工润色
    #[arg(long, value_name = "文件夹")]
    pub emit_typ: Option<PathBuf>,
    /// 另外的字体文件夹（可多次指定），如装有方正小标宋、仿宋_GB2312 的文件夹
    #[arg(long, value_name = "文件夹")]
    pub font_path: Vec<PathBuf>,
    /// 不使用本机安装的字体，只用内置开源字体和 --font-path
    #[arg(long)]
    pub no_system_fonts: bool,
    /// 输出 PDF/A-2b（长期存档）
    #[arg(long)]
    pub pdf_a: bool,
    /// 输出带标签的 PDF（便于读屏软件，文件更大、更慢）
    #[arg(long)]
    pub tagged: bool,
    /// 一校一表：appendix 附在报告后；separate 每校单独成文件；none 不出（默认按计划文件）
    #[arg(long, value_enum, value_name = "方式", hide_possible_values = true)]
    pub school_pages: Option<SchoolPagesArg>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

impl RenderArgs {
    /// The report module's options: nothing below this module knows clap.
    pub fn options(&self) -> crate::report::RenderOptions {
        use crate::input::plan::SchoolPages;
        crate::report::RenderOptions {
            plan: self.input.plan.clone(),
            schools: self.input.schools.clone(),
            output: self.output.clone(),
            format: self.format.map(|f| match f {
                ReportFormatArg::Pdf => crate::report::ReportFormat::Pdf,
                ReportFormatArg::Docx => crate::report::ReportFormat::Docx,
            }),
            emit_typ: self.emit_typ.clone(),
            font_paths: self.font_path.clone(),
            no_system_fonts: self.no_system_fonts,
            pdf_a: self.pdf_a,
            tagged: self.tagged,
            school_pages: self.school_pages.map(|a| match a {
                SchoolPagesArg::Appendix => SchoolPages::Appendix,
                SchoolPagesArg::Separate => SchoolPages::Separate,
                SchoolPagesArg::None => SchoolPages::None,
            }),
            templates: crate::report::TemplateChoice::Plan,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormatArg {
    Pdf,
    Docx,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchoolPagesArg {
    Appendix,
    Separate,
    None,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// 终端表格
    Table,
    /// 完整结果（JSON，稳定的数据接口）
    Json,
    /// 复核用 Excel 计算表
    Xlsx,
}

/// Run a parsed command; the error is printed by `main`.
pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Check(input) => check(&input),
        Command::Evaluate {
            input,
            format,
            output,
        } => evaluate(&input, format, output.as_deref()),
        Command::Render(args) => {
            args.limits.apply();
            crate::report::run(&args.options())
        }
        Command::Watch(args) => {
            args.limits.apply();
            crate::report::watch::run(&args.options())
        }
        Command::Ledger {
            input,
            output,
            ledger,
            ledger_any_county,
        } => crate::ledger::run(
            &input.plan,
            &input.schools,
            output.as_deref(),
            ledger.as_deref(),
            ledger_any_county,
        ),
        Command::Units {
            input,
            output,
            ledger,
            ledger_any_county,
            limits,
        } => {
            limits.apply();
            crate::units::run(
                &input.plan,
                &input.schools,
                output.as_deref(),
                ledger.as_deref(),
                ledger_any_county,
            )
        }
        Command::Init {
            dir,
            sample_schools,
            sample_counties,
            templates,
        } => crate::init::run(&dir, sample_schools, sample_counties, templates),
        Command::Review(a) => {
            a.limits.apply();
            crate::review::run(&crate::review::ReviewOptions {
                json: a.format == Some(ReviewFormat::Json),
                review: a.review,
                output: a.output,
                keep_going: a.keep_going,
                with_reports: a.with_reports,
            })
        }
    }
}

pub fn load(input: &InputArgs) -> Result<County, Error> {
    crate::input::load(&input.plan, &input.schools)
}

fn check(input: &InputArgs) -> Result<(), Error> {
    let county = load(input)?;
    print!("{}", crate::output::table::check_summary(&county));
    Ok(())
}

fn evaluate(input: &InputArgs, format: Format, output: Option<&Path>) -> Result<(), Error> {
    let county = load(input)?;
    let eval: Evaluation = crate::evaluate::evaluate(&county);
    let bytes = match format {
        Format::Table => crate::output::table::evaluation(&eval).into_bytes(),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&eval)
                .map_err(|e| Error::Other(format!("无法生成 JSON：{e}")))?;
            s.push('\n');
            s.into_bytes()
        }
        Format::Xlsx => {
            let Some(out) = output else {
                return Err(Error::Other(
                    "--format xlsx 需要用 -o 指定输出文件，例如 -o 计算表.xlsx".into(),
                ));
            };
            county.access.check_output(out)?;
            let bytes = crate::output::xlsx::workbook(&eval)?;
            crate::output::write_file(out, &bytes)?;
            eprintln!("已写出复核计算表：{}", out.display());
            return Ok(());
        }
    };
    match output {
        Some(out) => {
            county.access.check_output(out)?;
            crate::output::write_file(out, &bytes)?;
            eprintln!("已写出：{}", out.display());
        }
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a message.
            let _ = stdout.write_all(&bytes);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// The help states the limits' defaults in its text: they must be the
    /// guard's.
    #[test]
    fn help_states_the_guards_defaults() {
        let mut cmd = Cli::command();
        let help = cmd
            .find_subcommand_mut("render")
            .unwrap()
            .render_help()
            .to_string();
        let timeout = crate::guard::DEFAULT_TEMPLATE_TIMEOUT_SECS;
        let memory = crate::guard::DEFAULT_MEMORY_LIMIT_MB;
        assert!(help.contains(&format!("（默认 {timeout} 秒）")), "{help}");
        assert!(help.contains(&format!("（默认 {memory} MB）")), "{help}");
    }
}

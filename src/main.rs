use clap::Parser;
use clap::error::ErrorKind;
use std::process::ExitCode;

/// Counts live heap bytes against `--memory-limit` (see `dudao::guard`).
#[global_allocator]
static ALLOCATOR: dudao::guard::Counting = dudao::guard::Counting;

fn main() -> ExitCode {
    reset_sigpipe();
    dudao::guard::set_memory_limit(dudao::guard::DEFAULT_MEMORY_LIMIT_MB);
    let cli = match dudao::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    match dudao::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let n = e.count();
            eprintln!("错误：{e}");
            if n > 1 {
                eprintln!("共 {n} 处错误，未生成任何输出。");
            }
            ExitCode::FAILURE
        }
    }
}

/// Rust ignores SIGPIPE, so printing into a pipe whose reader has gone
/// (`dudao init 市 --sample-counties 100 | head`) panics; with the default
/// action the process ends quietly, as `cat` and `grep` do. Files are
/// written before anything is printed, and staged, so none is left half
/// written.
fn reset_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread is started;
    // SIG_DFL is a valid action for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// clap's own errors, in Chinese; help and version print as they are.
fn usage_error(e: clap::Error) -> ExitCode {
    let what = match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::from(2);
        }
        ErrorKind::InvalidSubcommand => "没有这个命令",
        ErrorKind::UnknownArgument => "不认识的选项",
        ErrorKind::MissingRequiredArgument => "缺少必需的参数",
        ErrorKind::InvalidValue => "参数取值无效",
        ErrorKind::ValueValidation => "参数取值无效",
        ErrorKind::TooManyValues | ErrorKind::ArgumentConflict => "参数重复或过多",
        ErrorKind::MissingSubcommand => "缺少命令",
        _ => "命令行有误",
    };
    let detail = e
        .to_string()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Usage") && !l.starts_with("For more"))
        .map(|l| l.trim_start_matches("error: "))
        .collect::<Vec<_>>()
        .join(" ");
    eprintln!("错误：{what}（{detail}）\n用 dudao --help 查看用法。");
    ExitCode::from(2)
}

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = dudao::cli::Cli::parse();
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

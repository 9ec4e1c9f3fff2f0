fn main() -> std::process::ExitCode {
    kubeward::cli::main()
}

//! Errors that stop a run (exit code 2). Problems with single files are findings instead.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read `{path}`: {source}")]
    Path {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write `{path}`: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("refusing to write the baseline `{path}`: {reason}")]
    BaselineTarget { path: String, reason: String },
    #[error("cannot read standard input: {0}")]
    Stdin(#[source] std::io::Error),
    #[error("unknown rule `{0}` (see `kubeward rules`)")]
    UnknownRule(String),
    #[error("cannot start {threads} worker threads: {message}")]
    Threads { threads: usize, message: String },
    #[error("invalid config: {0}")]
    Config(String),
    #[error("invalid policy {path}: {message}")]
    Policy { path: String, message: String },
    #[error("invalid baseline {path}: {message}")]
    Baseline { path: String, message: String },
    #[error("{0}")]
    Usage(String),
    #[error("cannot write the report: {0}")]
    Output(#[source] std::io::Error),
    #[error("cannot write `{path}`: {source}")]
    WriteFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the job summary to `{path}`: {source}")]
    StepSummary {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

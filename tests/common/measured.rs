//! Runs of the binary whose memory is measured: the child's peak RSS from `wait4` (not a
//! timing: RSS does not depend on the machine's load), every run wrapped in `timeout` so that a
//! hang fails the test instead of blocking CI forever. Also `mkfifo`, for special files.

// wait4 (peak RSS of a child) and mkfifo through libc: Cargo.toml denies unsafe code, the
// library and the binary forbid it; only this module of the test harness makes system calls.
#![allow(unsafe_code)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

/// A finished run of kubeward.
pub(crate) struct Run {
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    /// Peak resident set size of the kubeward process, in bytes.
    pub(crate) peak_rss: u64,
}

impl Run {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}\n{}", self.stdout, self.stderr))
    }

    /// (path, rule, message) of every finding of a JSON report.
    pub(crate) fn findings(&self) -> Vec<(String, String, String)> {
        self.json()["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap_or_default().to_string(),
                    f["rule"].as_str().unwrap_or_default().to_string(),
                    f["message"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    pub(crate) fn rules_for(&self, path: &str) -> Vec<String> {
        self.findings()
            .into_iter()
            .filter(|f| f.0 == path)
            .map(|f| f.1)
            .collect()
    }

    pub(crate) fn message_for(&self, path: &str, rule: &str) -> String {
        self.findings()
            .into_iter()
            .find(|f| f.0 == path && f.1 == rule)
            .map(|f| f.2)
            .unwrap_or_else(|| panic!("no {rule} for {path}: {}", self.stdout))
    }

    /// No panic message, no crash, a normal exit code.
    pub(crate) fn assert_clean(&self) {
        assert!(
            matches!(self.code, Some(0 | 1)),
            "exit {:?}\nstderr: {}",
            self.code,
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        assert!(!self.stdout.contains("internal-error"), "{}", self.stdout);
    }
}

/// Runs kubeward (under `timeout 300`) with `args` in `cwd` and measures its peak RSS.
// The child is waited for with `wait4` (for its rusage), not `Child::wait`.
#[allow(clippy::zombie_processes)]
pub(crate) fn kubeward_measured(args: &[&str], cwd: &Path) -> Run {
    let mut command = Command::new("timeout");
    command
        .arg("300")
        .arg(env!("CARGO_BIN_EXE_kubeward"))
        .args(args)
        .current_dir(cwd);
    super::plain_environment(&mut command);
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kubeward");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let mut stderr = Vec::new();
    let _ = err.read_to_end(&mut stderr);
    let stdout = reader.join().expect("stdout reader");
    let (code, _, peak_rss) = wait_with_rusage(child.id());
    // 124: `timeout` killed it.
    assert_ne!(code, Some(124), "kubeward {args:?} did not finish in 300 s");
    Run {
        code,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        peak_rss,
    }
}

/// Waits for the process and returns its exit code, the signal that killed it, and its peak
/// RSS in bytes. `wait4` reports the largest RSS of the process and the children it waited for
/// (kubeward, under `timeout`).
pub(crate) fn wait_with_rusage(pid: u32) -> (Option<i32>, Option<i32>, u64) {
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: plain system call on our own child's pid, with valid pointers.
    let pid = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    assert!(pid > 0, "wait4 failed");
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    let signal = libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status));
    (code, signal, usage.ru_maxrss as u64 * 1024)
}

/// Makes a named pipe at `path`.
pub(crate) fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

#![forbid(unsafe_code)]

// See Cargo.toml: faster than the system allocator on the loader's many small allocations.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    kubeward::cli::main()
}

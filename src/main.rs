//! Native command-line entry point (see `cli`).

/// mimalloc instead of the system allocator (see Cargo.toml): faster training on the CPU backend.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(gan_playground::cli::main());
}

//! Native command-line entry point (see `cli`).

fn main() {
    std::process::exit(gan_playground::cli::main());
}

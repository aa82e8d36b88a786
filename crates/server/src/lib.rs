//! The language server and the `check` command, over the core and the
//! workspace layer: one loop owns the state; the protocol's types appear
//! only here, converted in one place.

pub mod cli;
pub mod server;

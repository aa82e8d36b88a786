//! Command-line front ends over the same core as the server.

pub mod check;
pub mod fix;

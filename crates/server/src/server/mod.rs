//! The language server: thin glue that converts between LSP and the core,
//! owns the state and schedules work.
//!
//! A change flows like this: a notification handler queues a [`event::Change`]
//! (before any `.await`, so changes queue in arrival order); the analysis
//! loop ([`publish`]) owns the open documents and the index: it applies an
//! editor's change at once (the document's text, parsed once, and its
//! summary in the index), stores the new snapshot, and 50 ms after the last
//! edit rechecks the files it may affect and publishes the diagnostic sets
//! that differ from what the client has. Requests read the snapshot that
//! holds every editor change sent before them.

mod backend;
mod convert;
mod disk;
mod documents;
mod event;
mod features;
mod folder_watcher;
mod framing;
mod guard;
mod lock;
mod publish;
mod scan;
mod scan_end;
mod serve;
mod session;
mod shared;
mod state;
mod watch;

pub use serve::{run_stdio, serve, serve_with};
pub use shared::ServeOptions;

//! Renderers: [`crate::results::Results`] in, bytes out.
//!
//! Every renderer returns bytes (so that a pack can hash them before writing
//! them) and sees nothing but the results. Numbers go through [`format`](mod@format):
//! shortest round-trip decimals in machine-readable outputs, fixed decimals
//! in human-readable ones.

pub mod csv;
pub mod format;
pub mod html;
pub mod json;
pub mod markdown;
pub mod table;

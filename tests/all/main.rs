//! Integration tests, compiled into one binary.

mod cli;
mod counts;
mod disclosure;
mod fixtures;
mod golden;
mod harness;
mod html;
mod input_errors;
mod interrupts;
mod laws;
mod layers;
mod pack;
mod reliability;
mod uncertainty;

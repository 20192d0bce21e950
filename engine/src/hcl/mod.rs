//! The `.tf` side: the source index of a tree ([`source`]), byte-exact edits that keep every
//! other byte ([`edit`]), inserting attributes and blocks ([`insert`]), and the parse guard every
//! HCL parse goes through ([`guard`]).

pub mod diff;
pub mod edit;
pub mod guard;
pub mod insert;
pub mod literal;
pub mod source;

//! What Terraform gives us: plan and state files as read from disk ([`input`]), the borrowed
//! parse of a plan ([`plan`]) or a state ([`state`]), resource addresses ([`address`]), attribute
//! views over the raw JSON ([`values`]) and the region a resource is priced in ([`region`]).

pub mod address;
pub mod input;
pub mod plan;
pub mod region;
pub mod state;
pub mod values;

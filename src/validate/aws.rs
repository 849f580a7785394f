//! Code validators (request signing): none yet. AWS needs the key id and the secret key
//! together (SigV4 GetCallerIdentity), and findings carry one value; left for the companion
//! capture work.

use super::Validator;
use crate::rules::RuleSpec;

/// The code validator for a rule, if there is one.
pub fn for_rule(_rule: &RuleSpec) -> Option<Box<dyn Validator>> {
    None
}

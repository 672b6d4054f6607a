//! Objective hyper-parameters as the validator, the UI and the objectives see them: specs, validated values, field errors.

use std::collections::BTreeMap;

use serde::Serialize;

/// A field that failed validation, with a message naming the accepted range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Every error of one validation, joined by `separator` (`"; "` on one line, a newline in the CLI).
pub fn describe(errors: &[FieldError], separator: &str) -> String {
    errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(separator)
}

/// Shortens user text quoted in messages so a 10 kB value does not flood the page.
pub fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

/// One tunable hyper-parameter of an objective, as the UI and the validator see it.
#[derive(Debug, Clone, Serialize)]
pub struct ParamSpec {
    /// Identifier used in configs and URLs (e.g. `label_smoothing`).
    pub key: &'static str,
    /// Human label for the control.
    pub label: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    /// `true` for a 0/1 toggle.
    pub toggle: bool,
    /// `true` for a count (e.g. critic steps): only whole numbers are accepted.
    pub integer: bool,
    /// One sentence of help.
    pub help: &'static str,
}

/// Validated objective-specific values, keyed by `ParamSpec::key`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ParamValues(pub BTreeMap<String, f64>);

impl ParamValues {
    pub fn get(&self, key: &str) -> Option<f64> {
        self.0.get(key).copied()
    }
}

/// What an objective reads its values through: the given value, or the spec's default (written once,
/// in the spec). A key the objective did not declare reads as NaN, which the training tests catch.
pub struct Params<'a> {
    values: &'a ParamValues,
    specs: &'static [ParamSpec],
}

impl<'a> Params<'a> {
    pub fn new(values: &'a ParamValues, specs: &'static [ParamSpec]) -> Self {
        Params { values, specs }
    }

    pub fn get(&self, key: &str) -> f64 {
        self.values.get(key).or_else(|| self.specs.iter().find(|s| s.key == key).map(|s| s.default)).unwrap_or(f64::NAN)
    }

    /// A toggle's state.
    pub fn on(&self, key: &str) -> bool {
        self.get(key) != 0.0
    }

    /// A count of at least 1.
    pub fn count(&self, key: &str) -> usize {
        self.get(key).max(1.0) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[ParamSpec] = &[
        ParamSpec { key: "w", label: "w", default: 0.5, min: 0.0, max: 1.0, toggle: false, integer: false, help: "" },
        ParamSpec { key: "n", label: "n", default: 3.0, min: 1.0, max: 9.0, toggle: false, integer: true, help: "" },
    ];

    #[test]
    fn a_given_value_wins_then_the_spec_default_and_an_undeclared_key_is_nan() {
        let values = ParamValues([("w".to_string(), 0.25)].into_iter().collect());
        let p = Params::new(&values, SPECS);
        assert_eq!(p.get("w"), 0.25);
        assert_eq!(p.get("n"), 3.0);
        assert_eq!(p.count("n"), 3);
        assert!(p.on("w"));
        assert!(p.get("missing").is_nan());
    }

    #[test]
    fn errors_are_joined_once_and_long_text_is_shortened() {
        let errs = [FieldError::new("batch", "must be 1 – 512"), FieldError::new("seed", "must be whole")];
        assert_eq!(describe(&errs, "; "), "batch: must be 1 – 512; seed: must be whole");
        assert_eq!(shorten(&"x".repeat(50)).chars().count(), 41);
    }
}

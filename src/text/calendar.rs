//! Month and weekday names: the one list that the dateline reader, the entity
//! recognizer's features and the anchoring of relative dates share.

/// Month names, lower case, January first.
pub const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Weekday names, lower case, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Month number (1–12) of a month name or its usual abbreviation, in any case, with
/// or without a full stop: "January", "jan.", "Sept".
pub fn month_of(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    if w == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| *m == w || (w.len() == 3 && m.starts_with(&w)))
        .map(|i| i as u32 + 1)
}

/// Weekday number (0 = Monday) of a weekday name or its three-letter abbreviation.
pub fn weekday_of(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    WEEKDAYS
        .iter()
        .position(|d| *d == w || (w.len() == 3 && d.starts_with(&w)))
        .map(|i| i as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_abbreviations() {
        assert_eq!(month_of("January"), Some(1));
        assert_eq!(month_of("jan."), Some(1));
        assert_eq!(month_of("Sept"), Some(9));
        assert_eq!(month_of("May"), Some(5));
        assert_eq!(month_of("Ma"), None);
        assert_eq!(month_of("Janu"), None);
        assert_eq!(weekday_of("Monday"), Some(0));
        assert_eq!(weekday_of("sun"), Some(6));
        assert_eq!(weekday_of("mo"), None);
    }
}

//! Calendar dates in news text, anchored on the publication date: "January 2"
//! in an article of 2022-01-10 is 2022-01-02; "on Monday" is the Monday before.

use std::fmt;

/// A proleptic Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date { year, month, day })
    }

    /// `YYYY-MM-DD`.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let mut it = s.get(..10)?.split('-');
        let y = it.next()?.parse().ok()?;
        let m = it.next()?.parse().ok()?;
        let d = it.next()?.parse().ok()?;
        Date::new(y, m, d)
    }

    /// Days since 1970-01-01 (civil-from-days inverse, after H. Hinnant).
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days(z: i64) -> Date {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        Date {
            year: (y + i64::from(m <= 2)) as i32,
            month: m,
            day: d,
        }
    }

    /// 0 = Monday … 6 = Sunday.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        ((self.to_days() + 3).rem_euclid(7)) as u32
    }

    pub fn add_days(self, n: i64) -> Date {
        Date::from_days(self.to_days() + n)
    }
}

pub use crate::text::calendar::month_of;
use crate::text::calendar::weekday_of;

/// What a date expression resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateValue {
    /// A full date (`xsd:date`).
    Full(Date),
    /// Month and day with the year unknown (`xsd:gMonthDay`, `--MM-DD`).
    MonthDay(u32, u32),
}

impl DateValue {
    /// The lexical form: `2022-01-02` or `--01-02`.
    pub fn lexical(&self) -> String {
        match self {
            DateValue::Full(d) => d.to_string(),
            DateValue::MonthDay(m, d) => format!("--{m:02}-{d:02}"),
        }
    }
}

/// Resolves a date expression ("January 2", "2 Jan 2021", "Jan. 7, 2022",
/// "on Monday", "yesterday") against the publication date, if known. A month
/// and day without a year take the anchor's year, or the year before when that
/// would put them more than a month after publication (news reports the past).
pub fn resolve(expr: &str, anchor: Option<Date>) -> Option<DateValue> {
    let words: Vec<String> = expr
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_owned())
        .collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    // Relative words.
    if let Some(a) = anchor {
        for w in &lower {
            match w.as_str() {
                "today" => return Some(DateValue::Full(a)),
                "yesterday" => return Some(DateValue::Full(a.add_days(-1))),
                "tomorrow" => return Some(DateValue::Full(a.add_days(1))),
                _ => {}
            }
        }
    }
    let num = |w: &str| -> Option<u32> {
        let w = w.trim_end_matches(['.', ',']);
        let w = w
            .strip_suffix("st")
            .or_else(|| w.strip_suffix("nd"))
            .or_else(|| w.strip_suffix("rd"))
            .or_else(|| w.strip_suffix("th"))
            .unwrap_or(w);
        (!w.is_empty() && w.len() <= 4 && w.bytes().all(|b| b.is_ascii_digit()))
            .then(|| w.parse().ok())
            .flatten()
    };
    for (i, w) in words.iter().enumerate() {
        let Some(month) = month_of(w) else { continue };
        // "January 2[, 2022]" or "2 January[ 2022]".
        let after = words
            .get(i + 1)
            .and_then(|w| num(w))
            .filter(|d| (1..=31).contains(d));
        let before = i
            .checked_sub(1)
            .and_then(|j| num(&words[j]))
            .filter(|d| (1..=31).contains(d));
        let (day, year_at) = match (after, before) {
            (Some(d), _) => (d, i + 2),
            (None, Some(d)) => (d, i + 1),
            (None, None) => continue,
        };
        let year = words
            .get(year_at)
            .and_then(|w| num(w))
            .filter(|y| (1000..=2999).contains(y))
            .map(|y| y as i32);
        return Some(match (year, anchor) {
            (Some(y), _) => DateValue::Full(Date::new(y, month, day)?),
            (None, Some(a)) => {
                let this = Date::new(a.year, month, day)?;
                if this.to_days() - a.to_days() > 31 {
                    DateValue::Full(Date::new(a.year - 1, month, day)?)
                } else {
                    DateValue::Full(this)
                }
            }
            (None, None) => {
                if day > days_in_month(2000, month) {
                    return None;
                }
                DateValue::MonthDay(month, day)
            }
        });
    }
    // "on Monday": the last such day before publication (news reports the past).
    if let Some(a) = anchor {
        for w in &words {
            if let Some(wd) = weekday_of(w) {
                let back = (i64::from(a.weekday()) - i64::from(wd)).rem_euclid(7);
                let back = if back == 0 { 7 } else { back };
                return Some(DateValue::Full(a.add_days(-back)));
            }
        }
    }
    None
}

/// A `YYYY-MM-DD` inside a file name (`tass-2022-01-10-kazakhstan.txt`).
pub fn date_in_name(name: &str) -> Option<Date> {
    let b = name.as_bytes();
    (0..b.len().saturating_sub(9)).find_map(|i| {
        let s = name.get(i..i + 10)?;
        let ok = s.bytes().enumerate().all(|(k, c)| match k {
            4 | 7 => c == b'-',
            _ => c.is_ascii_digit(),
        });
        let bounded = i == 0 || !b[i - 1].is_ascii_digit();
        if ok && bounded {
            Date::parse_iso(s)
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    #[test]
    fn day_arithmetic_round_trips() {
        for s in [
            "1970-01-01",
            "2000-02-29",
            "2022-01-10",
            "1999-12-31",
            "2100-03-01",
        ] {
            assert_eq!(Date::from_days(d(s).to_days()), d(s));
        }
        assert_eq!(d("2022-01-10").weekday(), 0, "2022-01-10 was a Monday");
        assert_eq!(d("2022-03-01").add_days(-1), d("2022-02-28"));
    }

    #[test]
    fn month_day_takes_the_publication_year() {
        let a = Some(d("2022-01-10"));
        assert_eq!(
            resolve("January 2", a),
            Some(DateValue::Full(d("2022-01-02")))
        );
        assert_eq!(
            resolve("the morning of January 7", a).unwrap().lexical(),
            "2022-01-07"
        );
        assert_eq!(resolve("7 Jan.", a).unwrap().lexical(), "2022-01-07");
        // December in a January article is last year's.
        assert_eq!(resolve("December 28", a).unwrap().lexical(), "2021-12-28");
        assert_eq!(resolve("Jan. 7, 2019", a).unwrap().lexical(), "2019-01-07");
        assert_eq!(resolve("January 10", None).unwrap().lexical(), "--01-10");
        assert_eq!(resolve("February 30", None), None);
        assert_eq!(resolve("May", a), None);
    }

    #[test]
    fn weekdays_and_relative_words() {
        let a = Some(d("2022-01-10")); // a Monday
        assert_eq!(resolve("on Monday", a).unwrap().lexical(), "2022-01-03");
        assert_eq!(resolve("on Friday", a).unwrap().lexical(), "2022-01-07");
        assert_eq!(resolve("yesterday", a).unwrap().lexical(), "2022-01-09");
        assert_eq!(resolve("on Monday", None), None);
    }

    #[test]
    fn dates_in_file_names() {
        assert_eq!(
            date_in_name("tass-2022-01-10-kazakhstan.txt"),
            Some(d("2022-01-10"))
        );
        assert_eq!(date_in_name("report.txt"), None);
        assert_eq!(date_in_name("12022-01-10"), None);
    }
}

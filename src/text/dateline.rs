//! News datelines: `BEIJING, March 3. /Xinhua/.`, `WASHINGTON (Reuters) -`,
//! `LONDON, Jan 5 (AP) —`, `KYIV, Ukraine (AP) —`.
//!
//! Recognised only at the start of a paragraph: an all-capitals place (optionally
//! followed by a capitalised region), then a date and/or an agency in brackets or
//! slashes, then a full stop or a dash. The dateline is metadata of the story, so it is
//! kept out of the sentences (a parser would otherwise see "BEIJING, March 3." as
//! a sentence and an extractor might invent facts from it).

/// A recognised dateline; byte offsets into the document text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dateline {
    /// The place as written, region included (`KYIV, Ukraine`).
    pub place: String,
    /// The date as written (`March 3`), if any.
    pub date_text: Option<String>,
    /// The agency without brackets or slashes (`Xinhua`, `Reuters`), if any.
    pub agency: Option<String>,
    pub start: usize,
    /// End of the dateline including its terminator (trailing spaces excluded).
    pub end: usize,
}

/// A capitalised month name or abbreviation ("January", "Jan", "Sept"), as datelines
/// write them.
fn is_month(word: &str) -> bool {
    word.starts_with(|c: char| c.is_uppercase()) && super::calendar::month_of(word).is_some()
}

/// A capitalised weekday name ("Monday").
fn is_weekday(word: &str) -> bool {
    word.starts_with(|c: char| c.is_uppercase())
        && super::calendar::WEEKDAYS.contains(&word.to_lowercase().as_str())
}

struct Cur<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Cur<'a> {
    fn peek(&self) -> Option<char> {
        self.s[self.i..].chars().next()
    }
    fn rest(&self) -> &'a str {
        &self.s[self.i..]
    }
    fn skip_spaces(&mut self) {
        while let Some(c) = self.peek() {
            if c == ' ' || c == '\t' || c == '\u{a0}' {
                self.i += c.len_utf8();
            } else {
                break;
            }
        }
    }
    fn eat(&mut self, p: &str) -> bool {
        if self.rest().starts_with(p) {
            self.i += p.len();
            true
        } else {
            false
        }
    }
    /// Consumes a run of chars satisfying `f`, returns it.
    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let start = self.i;
        while let Some(c) = self.peek() {
            if f(c) {
                self.i += c.len_utf8();
            } else {
                break;
            }
        }
        &self.s[start..self.i]
    }
}

/// Parses a date such as `January 10`, `Jan. 5, 2024`, `10 January`, `Monday`.
fn parse_date(c: &mut Cur) -> Option<(usize, usize)> {
    let start = c.i;
    let word = c.take_while(|ch| ch.is_alphabetic());
    if is_month(word) {
        c.eat(".");
        let save = c.i;
        c.skip_spaces();
        let day = c.take_while(|ch| ch.is_ascii_digit());
        if day.is_empty() || day.len() > 2 {
            c.i = save;
            return None;
        }
        let save = c.i;
        if c.eat(",") {
            c.skip_spaces();
            let y = c.take_while(|ch| ch.is_ascii_digit());
            if y.len() != 4 {
                c.i = save;
            }
        }
        return Some((start, c.i));
    }
    if is_weekday(word) {
        return Some((start, c.i));
    }
    c.i = start;
    let day = c.take_while(|ch| ch.is_ascii_digit());
    if !day.is_empty() && day.len() <= 2 {
        c.skip_spaces();
        let m = c.take_while(|ch| ch.is_alphabetic());
        if is_month(m) {
            c.eat(".");
            return Some((start, c.i));
        }
    }
    c.i = start;
    None
}

/// Parses `(Reuters)`, `/Xinhua/`, `[AFP]`; returns the agency span without brackets.
fn parse_agency(c: &mut Cur) -> Option<(usize, usize)> {
    let start = c.i;
    let close = match c.peek()? {
        '(' => ')',
        '/' => '/',
        '[' => ']',
        _ => return None,
    };
    c.i += 1;
    let a = c.i;
    let name = c.take_while(|ch| ch != close && ch != '\n' && ch != '(' && ch != ')');
    if name.is_empty()
        || name.len() > 40
        || !name.chars().next().is_some_and(|ch| ch.is_uppercase())
        || !c.eat(&close.to_string())
    {
        c.i = start;
        return None;
    }
    Some((a, a + name.len()))
}

/// Dash terminators: hyphen(s), en/em dash.
fn eat_dash(c: &mut Cur) -> bool {
    c.eat("--") || c.eat("-") || c.eat("\u{2014}") || c.eat("\u{2013}") || c.eat("\u{2015}")
}

/// Detects a dateline at the start of `p` (a paragraph); offsets relative to `p`.
pub fn detect(p: &str) -> Option<Dateline> {
    let mut c = Cur { s: p, i: 0 };
    c.skip_spaces();
    let start = c.i;
    // PLACE: capitals, spaces, hyphens, full stops, apostrophes
    if !c.peek().is_some_and(|ch| ch.is_uppercase()) {
        return None;
    }
    let place_raw = c.take_while(|ch| {
        ch.is_uppercase() || ch == ' ' || ch == '-' || ch == '.' || ch == '\'' || ch == '\u{2019}'
    });
    if c.peek()
        .is_some_and(|ch| ch.is_lowercase() || ch.is_ascii_digit())
    {
        return None;
    }
    let place_trim = place_raw.trim_end_matches([' ', '-']);
    let caps = place_trim.chars().filter(|ch| ch.is_uppercase()).count();
    if caps < 2
        || place_trim.len() > 40
        || place_trim.split(' ').filter(|w| !w.is_empty()).count() > 4
    {
        return None;
    }
    // a dash right after the place (NEW DELHI - ...) was swallowed by take_while; rewind
    c.i = start + place_trim.len();
    let mut place_end = c.i;
    let mut date = None;
    // optional region (", Ukraine") and date (", January 10")
    for _ in 0..2 {
        let save = c.i;
        if !c.eat(",") {
            break;
        }
        c.skip_spaces();
        if let Some(d) = parse_date(&mut c) {
            date = Some(d);
            break;
        }
        if date.is_none() && c.peek().is_some_and(|ch| ch.is_uppercase()) {
            let region = c.take_while(|ch| ch.is_alphabetic() || ch == ' ' || ch == '.');
            let region = region.trim_end();
            if region.len() <= 25 && region.split(' ').count() <= 3 {
                c.i = c.i - (c.s[..c.i].len() - (c.s[..c.i].trim_end().len()));
                place_end = c.i;
                continue;
            }
        }
        c.i = save;
        break;
    }
    let mut terminated = false;
    if date.is_some() && c.eat(".") {
        terminated = true;
    }
    c.skip_spaces();
    let agency = parse_agency(&mut c);
    let save = c.i;
    c.skip_spaces();
    let mut dash = false;
    if eat_dash(&mut c) {
        dash = true;
    } else if c.eat(".") || c.eat(":") {
        terminated = true;
    } else {
        c.i = save;
    }
    let valid = agency.is_some() || dash || (date.is_some() && terminated);
    if !valid {
        return None;
    }
    // must be followed by whitespace or the end
    if c.peek().is_some_and(|ch| !ch.is_whitespace()) {
        return None;
    }
    let end = c.i;
    Some(Dateline {
        place: p[start..place_end].to_string(),
        date_text: date.map(|(a, b)| p[a..b].to_string()),
        agency: agency.map(|(a, b)| p[a..b].to_string()),
        start,
        end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tass() {
        let d = detect("NUR-SULTAN, January 10. /TASS/. Kazakh President said").unwrap();
        assert_eq!(d.place, "NUR-SULTAN");
        assert_eq!(d.date_text.as_deref(), Some("January 10"));
        assert_eq!(d.agency.as_deref(), Some("TASS"));
        assert_eq!(
            &"NUR-SULTAN, January 10. /TASS/. Kazakh"[d.end..],
            " Kazakh"
        );
    }

    #[test]
    fn reuters_ap() {
        let d = detect("WASHINGTON (Reuters) - The U.S. said").unwrap();
        assert_eq!(d.place, "WASHINGTON");
        assert_eq!(d.agency.as_deref(), Some("Reuters"));
        assert_eq!(d.date_text, None);
        let d = detect("LONDON, Jan 5 (AP) \u{2014} Britain").unwrap();
        assert_eq!(d.date_text.as_deref(), Some("Jan 5"));
        assert_eq!(d.agency.as_deref(), Some("AP"));
        let d = detect("KYIV, Ukraine (AP) \u{2014} Russia").unwrap();
        assert_eq!(d.place, "KYIV, Ukraine");
        let d = detect("NEW YORK \u{2014} Stocks fell").unwrap();
        assert_eq!(d.place, "NEW YORK");
    }

    #[test]
    fn not_datelines() {
        assert!(detect("The U.S. said so.").is_none());
        assert!(detect("NATO said on Monday it would act.").is_none());
        assert!(detect("I think so.").is_none());
        assert!(detect("BREAKING: markets fall").is_none());
        assert!(detect("").is_none());
        assert!(detect("US, UK agree").is_none());
    }
}

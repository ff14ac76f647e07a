//! Abbreviation and word lists for the tokenizer and sentence splitter.
//!
//! `TREEBANK` lists the tokens of the form `[A-Za-z][A-Za-z.]*\.` seen at least twice in
//! EWT train + GUM train (single capital initials excluded, they are handled by rule);
//! `GENERAL` adds common English/news abbreviations (titles, months, states, corporate
//! suffixes). Both are matched case-sensitively after trying the exact form, then with
//! the first letter lower-cased.

/// Abbreviations learned from the treebanks (see module doc).
const TREEBANK: &[&str] = &[
    "Mr.", "Dr.", "U.S.", "St.", "etc.", "vs.", "Sept.", "i.e.", "e.g.", "Inc.", "a.m.", "Ms.",
    "Mrs.", "No.", "al.", "D.C.", "Ft.", "Oct.", "Dec.", "p.m.", "Jr.", "P.S.", "c.", "Nov.",
    "Co.", "T.V.", "Feb.", "Corp.", "Wed.", "Sat.", "Ph.D.", "Gen.", "U.N.", "Lt.", "Rev.", "Jan.",
    "Gov.", "M.D.", "La.", "Ltd.", "U.T.", "Thur.", "Fri.", "Sun.", "Mon.", "Tues.", "S.D.",
    "Attn.", "F.O.B.", "Reps.", "P.O.", "E.g.", "P.M.", "A.M.", "L.A.", "Mlle.", "div.", "O.J.",
];

/// General English and news abbreviations.
const GENERAL: &[&str] = &[
    // titles and ranks
    "Messrs.", "Mmes.", "Sr.", "Prof.", "Sen.", "Rep.", "Gov.", "Pres.", "Amb.", "Adm.", "Brig.",
    "Capt.", "Cmdr.", "Col.", "Cpl.", "Gen.", "Lt.", "Maj.", "Sgt.", "Pvt.", "Supt.", "Insp.",
    "Det.", "Hon.", "Rt.", "Fr.", "Msgr.", "Sec.", "Atty.", "Dept.", "Univ.", "Assn.", "Bros.",
    "Cos.", "Corp.", "Inc.", "Ltd.", "Co.", "Plc.", "LLC.", "Esq.", // months and days
    "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.", "Oct.", "Nov.",
    "Dec.", "Mon.", "Tue.", "Tues.", "Wed.", "Thu.", "Thur.", "Thurs.", "Fri.", "Sat.", "Sun.",
    // US states (AP style) and places
    "Ala.", "Ariz.", "Ark.", "Calif.", "Colo.", "Conn.", "Del.", "Fla.", "Ga.", "Ill.", "Ind.",
    "Kan.", "Ky.", "La.", "Md.", "Mass.", "Mich.", "Minn.", "Miss.", "Mo.", "Mont.", "Neb.",
    "Nev.", "Okla.", "Ore.", "Pa.", "Tenn.", "Tex.", "Va.", "Vt.", "Wash.", "Wis.", "Wyo.", "Mt.",
    "Ave.", "Blvd.", "Rd.", "Hwy.", "U.K.", "U.S.A.", "E.U.", // misc
    "approx.", "est.", "fig.", "Fig.", "no.", "nos.", "Nos.", "vol.", "Vol.", "pp.", "ca.", "cf.",
    "viz.", "ed.", "eds.", "Ed.", "op.", "Op.", "incl.", "excl.", "min.", "max.", "mln.", "bln.",
    "Ph.D.", "B.A.", "M.A.", "B.Sc.", "M.Sc.", "a.k.a.", "Jr.", "Sr.",
];

/// Abbreviations that are (almost) never the last word of a sentence: they precede a
/// name, a number or a date. After these a full stop never ends a sentence.
const NON_FINAL: &[&str] = &[
    "Mr.", "Mrs.", "Ms.", "Dr.", "Messrs.", "Mmes.", "Prof.", "Sen.", "Rep.", "Reps.", "Gov.",
    "Pres.", "Amb.", "Adm.", "Brig.", "Capt.", "Cmdr.", "Col.", "Cpl.", "Gen.", "Lt.", "Maj.",
    "Sgt.", "Pvt.", "Supt.", "Insp.", "Det.", "Hon.", "Rt.", "Fr.", "Msgr.", "Rev.", "Atty.",
    "St.", "Mt.", "Ft.", "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.",
    "Oct.", "Nov.", "Dec.", "No.", "Nos.", "no.", "vs.", "v.", "e.g.", "E.g.", "i.e.", "cf.",
    "viz.", "approx.", "ca.", "c.", "Fig.", "fig.", "Vol.", "vol.", "pp.", "Attn.", "Mlle.",
    "Mon.", "Tue.", "Tues.", "Wed.", "Thu.", "Thur.", "Thurs.", "Fri.", "Sat.",
];

/// Words that often open a sentence: after a final-capable abbreviation (`U.S.`, `Inc.`)
/// a boundary is assumed only before one of these (a following "The" means a new
/// sentence; a following "Army" does not).
const OPENERS: &[&str] = &[
    "The",
    "A",
    "An",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "You",
    "In",
    "On",
    "At",
    "But",
    "And",
    "Or",
    "So",
    "This",
    "That",
    "These",
    "Those",
    "There",
    "His",
    "Her",
    "Their",
    "Its",
    "Our",
    "My",
    "As",
    "For",
    "If",
    "When",
    "While",
    "After",
    "Before",
    "According",
    "However",
    "Meanwhile",
    "Also",
    "Some",
    "Many",
    "Most",
    "No",
    "Not",
    "What",
    "Why",
    "How",
    "Who",
    "Where",
    "Yet",
    "Still",
    "Then",
    "Now",
    "Today",
    "Yesterday",
    "Last",
    "Earlier",
    "Later",
    "Since",
    "Although",
    "Though",
    "Because",
    "Despite",
    "During",
    "Under",
    "Over",
    "With",
    "Without",
    "By",
    "From",
    "To",
    "One",
    "Two",
    "Both",
    "All",
    "Each",
    "Such",
    "Other",
    "Another",
    "Here",
    "Thus",
];

fn contains(list: &[&str], w: &str) -> bool {
    list.contains(&w)
}

/// True when `w` (ending in '.') is a known abbreviation.
pub fn is_abbreviation(w: &str) -> bool {
    if w.len() > 12 || !w.ends_with('.') {
        return false;
    }
    if contains(TREEBANK, w) || contains(GENERAL, w) {
        return true;
    }
    // Capitalised variant of a lower-case entry ("Etc.", "Vs.")
    let mut lower = String::with_capacity(w.len());
    let mut chars = w.chars();
    if let Some(c) = chars.next() {
        lower.extend(c.to_lowercase());
        lower.push_str(chars.as_str());
    }
    contains(TREEBANK, &lower) || contains(GENERAL, &lower) || is_initials(w)
}

/// Initials and dotted acronyms: `J.`, `U.S.`, `a.m.`, `U.S.A.` (letters each followed
/// by a full stop).
pub fn is_initials(w: &str) -> bool {
    let b: Vec<char> = w.chars().collect();
    if b.len() < 2 || !b.len().is_multiple_of(2) {
        return false;
    }
    b.chunks(2).all(|p| p[0].is_alphabetic() && p[1] == '.')
}

/// True when a full stop after `w` cannot end a sentence.
pub fn is_non_final(w: &str) -> bool {
    if contains(NON_FINAL, w) {
        return true;
    }
    // a single capital initial ("J.") precedes a surname
    let mut c = w.chars();
    matches!((c.next(), c.next(), c.next()), (Some(a), Some('.'), None) if a.is_uppercase())
}

/// True when `w` commonly starts a sentence.
pub fn is_opener(w: &str) -> bool {
    contains(OPENERS, w)
}

/// Bound prefixes that keep their hyphen (`non-profit`, `re-elect`, `co-founder`): the
/// first parts of hyphenated tokens kept whole in EWT+GUM train (each ≥ 2 whole, more
/// often whole than split), plus a few more of the same kind.
pub const HYPHEN_PREFIXES: &[&str] = &[
    "e", "non", "re", "anti", "pre", "co", "mid", "pro", "cross", "post", "counter", "over",
    "semi", "ex", "sub", "multi", "mini", "neo", "socio", "psycho", "inter", "intra", "micro",
    "macro", "ultra", "pseudo", "quasi", "extra", "infra", "trans", "bi", "tri", "mis", "un", "de",
    "hyper", "meta", "uni", "geo", "bio", "eco", "cyber", "mega", "euro", "afro", "indo",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        assert!(is_abbreviation("Mr."));
        assert!(is_abbreviation("U.S."));
        assert!(is_abbreviation("Etc."));
        assert!(is_abbreviation("J."));
        assert!(!is_abbreviation("dog."));
        assert!(is_non_final("Gen."));
        assert!(is_non_final("K."));
        assert!(!is_non_final("Inc."));
        assert!(is_initials("a.m."));
        assert!(!is_initials("ab."));
        assert!(is_opener("The"));
    }
}

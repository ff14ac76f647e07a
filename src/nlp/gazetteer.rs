//! Country gazetteer: names, official names, alternative spellings, demonyms/adjectival
//! forms and capitals, each mapped to one canonical country (or capital city).
//!
//! Why a gazetteer at all: the NER model sees "Kazakh" as an adjective and cannot know that
//! "the Russian Federation" and "Russia" are one country; coreference needs both facts to
//! give a country one node and to turn "Kazakh President X" into "X be_president_of
//! Kazakhstan". The data is `data/gazetteer/countries.json` (mledoze/countries, ODbL) plus a
//! small curated `demonyms-extra.tsv` of adjectival forms the JSON lacks ("Kazakh").
//!
//! Lookups are case-insensitive over whitespace-normalized phrases, with a leading "the"
//! ignored. Two- and three-letter country codes are *not* names ("IN", "IT", "AM" are
//! English words); only a short list of well-known upper-case abbreviations is kept, and
//! those match case-sensitively.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Errors loading the gazetteer; every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: malformed: {message}")]
    Malformed { path: PathBuf, message: String },
    #[error("{path}: file is empty (no countries)")]
    Empty { path: PathBuf },
}

/// What a gazetteer phrase denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlaceKind {
    Country,
    /// A capital city (its country is in `GazEntry::country`).
    City,
}

/// One resolved gazetteer entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GazEntry {
    /// Canonical name: the country's common name, or the capital's name.
    pub canonical: String,
    pub kind: PlaceKind,
    /// Canonical name of the country (the entry itself for a country).
    pub country: String,
    /// Wikidata QID when the data file carries one (`"wikidata"` key); the shipped
    /// mledoze file does not, so this is usually `None`.
    pub qid: Option<String>,
}

#[derive(Debug, Clone)]
struct Country {
    common: String,
    /// Sovereign state (`"independent": true`); wins ties over territories that share a
    /// demonym or name ("French": France, not French Southern Lands).
    independent: bool,
    qid: Option<String>,
    capitals: Vec<String>,
}

/// The loaded gazetteer. Deterministic: all maps are ordered.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    countries: Vec<Country>,
    /// normalized name -> country index (names, official names, spellings).
    names: BTreeMap<String, usize>,
    /// case-sensitive short abbreviations (USA, UK…) -> country index.
    abbrevs: BTreeMap<String, usize>,
    /// normalized adjective/demonym -> country index.
    demonyms: BTreeMap<String, usize>,
    /// normalized capital -> (country index, capital display name).
    capitals: BTreeMap<String, (usize, String)>,
}

/// Abbreviations accepted even though they are short (matched case-sensitively).
const KEEP_ABBREVS: &[&str] = &["USA", "US", "UK", "UAE", "DRC", "DPRK", "PRC", "ROK"];

/// Lowercases, collapses whitespace, drops a leading "the", and unifies apostrophes.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in w.chars() {
            let c = if c == '’' { '\'' } else { c };
            out.extend(c.to_lowercase());
        }
    }
    if let Some(rest) = out.strip_prefix("the ") {
        return rest.to_string();
    }
    out
}

impl Gazetteer {
    /// Loads `countries.json` and, when present, `demonyms-extra.tsv` from `dir`.
    pub fn load(dir: &Path) -> Result<Gazetteer, GazetteerError> {
        let path = dir.join("countries.json");
        let json = std::fs::read_to_string(&path).map_err(|source| GazetteerError::Io {
            path: path.clone(),
            source,
        })?;
        let extra_path = dir.join("demonyms-extra.tsv");
        let extra = match std::fs::read_to_string(&extra_path) {
            Ok(s) => Some(s),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(GazetteerError::Io {
                    path: extra_path,
                    source,
                });
            }
        };
        let mut g = Gazetteer::from_json_str(&json, &path)?;
        if let Some(tsv) = extra {
            g.add_extra_tsv(&tsv, &extra_path)?;
        }
        Ok(g)
    }

    /// Parses the mledoze/countries JSON format (array of objects with `name.common`,
    /// `name.official`, `altSpellings`, `demonyms.eng.{m,f}`, `capital`). `path` is only
    /// used in error messages.
    pub fn from_json_str(json: &str, path: &Path) -> Result<Gazetteer, GazetteerError> {
        let bad = |message: String| GazetteerError::Malformed {
            path: path.to_path_buf(),
            message,
        };
        if json.trim().is_empty() {
            return Err(GazetteerError::Empty {
                path: path.to_path_buf(),
            });
        }
        let v: serde_json::Value = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
        let arr = v
            .as_array()
            .ok_or_else(|| bad("expected a JSON array of countries".into()))?;
        if arr.is_empty() {
            return Err(GazetteerError::Empty {
                path: path.to_path_buf(),
            });
        }
        let mut g = Gazetteer::default();
        for (i, c) in arr.iter().enumerate() {
            let common = c
                .pointer("/name/common")
                .and_then(|x| x.as_str())
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| bad(format!("entry {i}: missing name.common")))?
                .to_string();
            let idx = g.countries.len();
            let qid = c
                .get("wikidata")
                .and_then(|x| x.as_str())
                .map(str::to_string);
            let capitals: Vec<String> = c
                .get("capital")
                .and_then(|x| x.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            let independent = c
                .get("independent")
                .and_then(|x| x.as_bool())
                .unwrap_or(true);
            g.countries.push(Country {
                common: common.clone(),
                independent,
                qid,
                capitals: capitals.clone(),
            });
            g.add_name(&common, idx);
            if let Some(o) = c.pointer("/name/official").and_then(|x| x.as_str()) {
                g.add_name(o, idx);
            }
            if let Some(alts) = c.get("altSpellings").and_then(|x| x.as_array()) {
                for a in alts.iter().filter_map(|x| x.as_str()) {
                    g.add_name(a, idx);
                }
            }
            for key in ["/demonyms/eng/m", "/demonyms/eng/f"] {
                if let Some(d) = c.pointer(key).and_then(|x| x.as_str()) {
                    let slot = g.demonyms.entry(normalize(d)).or_insert(idx);
                    if independent && !g.countries[*slot].independent {
                        *slot = idx;
                    }
                }
            }
            for cap in &capitals {
                let n = normalize(cap);
                if !n.is_empty() {
                    g.capitals.entry(n).or_insert((idx, cap.clone()));
                }
            }
        }
        Ok(g)
    }

    fn add_name(&mut self, name: &str, idx: usize) {
        let trimmed = name.trim();
        // Only Latin-script-ish names: non-ASCII letters are fine ("Côte d'Ivoire"), but
        // skip names with no ASCII letter at all (native scripts are never in English text
        // and would only slow lookups down).
        if !trimmed.chars().any(|c| c.is_ascii_alphabetic()) {
            return;
        }
        let letters = trimmed.chars().filter(|c| c.is_alphanumeric()).count();
        if letters <= 4 && trimmed.chars().all(|c| c.is_ascii_uppercase() || c == '.') {
            if KEEP_ABBREVS.contains(&trimmed) {
                self.abbrevs.entry(trimmed.to_string()).or_insert(idx);
            }
            return;
        }
        // "Korea, Republic of" style inverted names are index forms, not running text.
        if trimmed.contains(", ") {
            return;
        }
        let slot = self.names.entry(normalize(trimmed)).or_insert(idx);
        if self.countries[idx].independent && !self.countries[*slot].independent {
            *slot = idx;
        }
    }

    /// Adds curated forms: one `form<TAB>country common name[<TAB>adj|name|capital]` per line
    /// (default `adj`);
    /// `#` comments and blank lines ignored. Unknown countries are an error naming the line.
    pub fn add_extra_tsv(&mut self, tsv: &str, path: &Path) -> Result<(), GazetteerError> {
        for (ln, line) in tsv.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split('\t');
            let (Some(adj), Some(country)) = (parts.next(), parts.next()) else {
                return Err(GazetteerError::Malformed {
                    path: path.to_path_buf(),
                    message: format!("line {}: expected `adjective<TAB>country`", ln + 1),
                });
            };
            let Some(&idx) = self.names.get(&normalize(country)) else {
                return Err(GazetteerError::Malformed {
                    path: path.to_path_buf(),
                    message: format!("line {}: unknown country {country:?}", ln + 1),
                });
            };
            match parts.next().map(str::trim).unwrap_or("adj") {
                "adj" => {
                    self.demonyms.insert(normalize(adj), idx);
                }
                "name" => {
                    self.names.insert(normalize(adj), idx);
                }
                "capital" => {
                    self.capitals
                        .insert(normalize(adj), (idx, adj.trim().to_string()));
                    self.countries[idx].capitals.push(adj.trim().to_string());
                }
                other => {
                    return Err(GazetteerError::Malformed {
                        path: path.to_path_buf(),
                        message: format!(
                            "line {}: unknown kind {other:?} (adj, name or capital)",
                            ln + 1
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// Number of countries loaded.
    pub fn len(&self) -> usize {
        self.countries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.countries.is_empty()
    }

    fn entry_country(&self, idx: usize) -> GazEntry {
        let c = &self.countries[idx];
        GazEntry {
            canonical: c.common.clone(),
            kind: PlaceKind::Country,
            country: c.common.clone(),
            qid: c.qid.clone(),
        }
    }

    /// A country (by any name or kept abbreviation) or a capital city.
    pub fn lookup(&self, phrase: &str) -> Option<GazEntry> {
        if let Some(&i) = self.abbrevs.get(phrase.trim()) {
            return Some(self.entry_country(i));
        }
        let n = normalize(phrase);
        if let Some(&i) = self.names.get(&n) {
            return Some(self.entry_country(i));
        }
        if let Some((i, cap)) = self.capitals.get(&n) {
            return Some(GazEntry {
                canonical: cap.clone(),
                kind: PlaceKind::City,
                country: self.countries[*i].common.clone(),
                qid: None,
            });
        }
        None
    }

    /// The country an adjective/demonym refers to ("Kazakh" -> Kazakhstan).
    pub fn demonym(&self, word: &str) -> Option<GazEntry> {
        self.demonyms
            .get(&normalize(word))
            .map(|&i| self.entry_country(i))
    }

    /// All lowercase phrases the gazetteer knows, tagged with a class name
    /// ("country", "capital", "demonym"), in sorted order. Used to build NER features.
    pub fn phrases(&self) -> Vec<(String, &'static str)> {
        let mut v: Vec<(String, &'static str)> = Vec::new();
        v.extend(self.names.keys().map(|k| (k.clone(), "country")));
        v.extend(self.abbrevs.keys().map(|k| (k.to_lowercase(), "country")));
        v.extend(self.capitals.keys().map(|k| (k.clone(), "capital")));
        v.extend(self.demonyms.keys().map(|k| (k.clone(), "demonym")));
        v.sort();
        v.dedup();
        v
    }

    /// Capitals of a country (by canonical name).
    pub fn capitals_of(&self, country: &str) -> Vec<String> {
        self.countries
            .iter()
            .find(|c| c.common == country)
            .map(|c| c.capitals.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const SAMPLE: &str = r#"[
      {"name":{"common":"American Samoa","official":"American Samoa"},"independent":false,
       "altSpellings":["AS"],"demonyms":{"eng":{"f":"American Samoan","m":"American"}},"capital":["Pago Pago"]},
      {"name":{"common":"Kazakhstan","official":"Republic of Kazakhstan"},
       "altSpellings":["KZ","Qazaqstan","Republic of Kazakhstan"],
       "demonyms":{"eng":{"f":"Kazakhstani","m":"Kazakhstani"}},"capital":["Astana"]},
      {"name":{"common":"Russia","official":"Russian Federation"},
       "altSpellings":["RU","Russian Federation"],
       "demonyms":{"eng":{"f":"Russian","m":"Russian"}},"capital":["Moscow"]},
      {"name":{"common":"United States","official":"United States of America"},
       "altSpellings":["US","USA","United States of America"],
       "demonyms":{"eng":{"f":"American","m":"American"}},"capital":["Washington D.C."]},
      {"name":{"common":"Italy","official":"Italian Republic"},
       "altSpellings":["IT","Italian Republic"],
       "demonyms":{"eng":{"f":"Italian","m":"Italian"}},"capital":["Rome"]}
    ]"#;

    pub(crate) fn sample() -> Gazetteer {
        let mut g = Gazetteer::from_json_str(SAMPLE, Path::new("t.json")).unwrap();
        g.add_extra_tsv(
            "# comment\nKazakh\tKazakhstan\nAmerica\tUnited States\tname\n",
            Path::new("x.tsv"),
        )
        .unwrap();
        g
    }

    #[test]
    fn names_spellings_demonyms_capitals() {
        let g = sample();
        assert_eq!(
            g.lookup("the Russian Federation").unwrap().canonical,
            "Russia"
        );
        assert_eq!(g.lookup("russia").unwrap().kind, PlaceKind::Country);
        assert_eq!(g.lookup("USA").unwrap().canonical, "United States");
        assert_eq!(g.demonym("Kazakh").unwrap().canonical, "Kazakhstan");
        assert_eq!(g.demonym("Kazakhstani").unwrap().canonical, "Kazakhstan");
        let m = g.lookup("Moscow").unwrap();
        assert_eq!((m.kind, m.country.as_str()), (PlaceKind::City, "Russia"));
        assert!(g.lookup("Atlantis").is_none());
        assert_eq!(g.lookup("America").unwrap().canonical, "United States");
        // A demonym shared with a territory goes to the sovereign state.
        assert_eq!(g.demonym("American").unwrap().canonical, "United States");
    }

    #[test]
    fn short_codes_are_not_names() {
        let g = sample();
        assert!(g.lookup("IT").is_none());
        assert!(g.lookup("it").is_none());
        assert!(
            g.lookup("usa").is_none(),
            "abbreviations are case-sensitive"
        );
    }

    #[test]
    fn empty_and_malformed_files_are_clear_errors() {
        let e = Gazetteer::from_json_str("", Path::new("data/countries.json")).unwrap_err();
        assert!(e.to_string().contains("data/countries.json"), "{e}");
        assert!(matches!(e, GazetteerError::Empty { .. }));
        let e = Gazetteer::from_json_str("[]", Path::new("c.json")).unwrap_err();
        assert!(matches!(e, GazetteerError::Empty { .. }));
        let e = Gazetteer::from_json_str("{not json", Path::new("c.json")).unwrap_err();
        assert!(matches!(e, GazetteerError::Malformed { .. }) && e.to_string().contains("c.json"));
        let e = Gazetteer::from_json_str(r#"[{"name":{}}]"#, Path::new("c.json")).unwrap_err();
        assert!(e.to_string().contains("name.common"), "{e}");
        let mut g = sample();
        let e = g
            .add_extra_tsv("Foo\tNowhere\n", Path::new("x.tsv"))
            .unwrap_err();
        assert!(
            e.to_string().contains("x.tsv") && e.to_string().contains("Nowhere"),
            "{e}"
        );
    }

    #[test]
    fn load_missing_dir_names_the_file() {
        let e = Gazetteer::load(Path::new("/nonexistent-kg-dir")).unwrap_err();
        assert!(e.to_string().contains("countries.json"), "{e}");
    }
}

//! Behaviour tests of the text front end.

use super::*;

fn toks(d: &Doc) -> Vec<&str> {
    d.tokens().iter().map(|t| d.token_text(t)).collect()
}

fn words(d: &Doc) -> Vec<&str> {
    d.words().iter().map(|w| d.word_form(w)).collect()
}

fn sents(d: &Doc) -> Vec<&str> {
    d.sentences().iter().map(|s| d.sentence_text(s)).collect()
}

#[test]
fn clitics_are_multiword_tokens() {
    let d = Doc::new("I don't know why it won't work, but the CSTO's role can't grow. Parents' rights? I cannot say.".into());
    assert_eq!(
        words(&d),
        vec![
            "I", "do", "n't", "know", "why", "it", "wo", "n't", "work", ",", "but", "the", "CSTO",
            "'s", "role", "ca", "n't", "grow", ".", "Parents", "'", "rights", "?", "I", "can",
            "not", "say", "."
        ]
    );
    let t = d.tokens();
    assert_eq!(d.token_text(&t[1]), "don't");
    assert!(t[1].is_multiword());
    let ws = d.token_words(&t[1]);
    assert_eq!((ws[0].start, ws[1].end), (t[1].start, t[1].end));
}

#[test]
fn curly_apostrophes_and_no_apostrophe_spellings() {
    let d = Doc::new("It\u{2019}s fine, dont worry, we\u{2019}re gonna win.".into());
    assert_eq!(
        words(&d),
        vec![
            "It",
            "\u{2019}s",
            "fine",
            ",",
            "do",
            "nt",
            "worry",
            ",",
            "we",
            "\u{2019}re",
            "gon",
            "na",
            "win",
            "."
        ]
    );
}

#[test]
fn hyphens_split_like_the_treebanks() {
    let d = Doc::new("The Russia-led bloc and Kassym-Jomart Tokayev met a non-profit co-founder; call 713-853-1696 or e-mail.".into());
    let t = toks(&d);
    assert!(t.windows(3).any(|w| w == ["Russia", "-", "led"]), "{t:?}");
    assert!(
        t.windows(3).any(|w| w == ["Kassym", "-", "Jomart"]),
        "{t:?}"
    );
    assert!(
        t.contains(&"non-profit")
            && t.contains(&"co-founder")
            && t.contains(&"713-853-1696")
            && t.contains(&"e-mail"),
        "{t:?}"
    );
    // names rebuilt from offsets, not by joining tokens
    let k = d
        .tokens()
        .iter()
        .position(|x| d.token_text(x) == "Kassym")
        .unwrap();
    let (a, b) = (d.tokens()[k].start, d.tokens()[k + 2].end);
    assert_eq!(&d.text()[a..b], "Kassym-Jomart");
    assert!(!d.tokens()[k].space_after);
}

#[test]
fn abbreviations_initials_decimals() {
    let d = Doc::new("Mr. Smith met Gen. J. R. Allen in the U.S. on Jan. 5 at 3.5 p.m. The talks, at No. 10, lasted 2.5 hours. They ended.".into());
    assert_eq!(
        sents(&d),
        vec![
            "Mr. Smith met Gen. J. R. Allen in the U.S. on Jan. 5 at 3.5 p.m.",
            "The talks, at No. 10, lasted 2.5 hours.",
            "They ended."
        ]
    );
    let t = toks(&d);
    assert!(
        t.contains(&"U.S.") && t.contains(&"3.5") && t.contains(&"p.m.") && t.contains(&"J."),
        "{t:?}"
    );
}

#[test]
fn quotes_and_brackets_after_full_stop() {
    let d = Doc::new(
        "\u{201c}We will win.\u{201d} He left (quietly.) \"Go!\" she said. Then nothing.".into(),
    );
    assert_eq!(
        sents(&d),
        vec![
            "\u{201c}We will win.\u{201d}",
            "He left (quietly.)",
            "\"Go!\" she said.",
            "Then nothing."
        ]
    );
}

#[test]
fn dateline_is_metadata() {
    let text = "NUR-SULTAN, January 10. /TASS/. Kazakh President Kassym-Jomart Tokayev thanked the CSTO. It helped.";
    let d = Doc::new(text.into());
    assert_eq!(d.datelines().len(), 1);
    let dl = &d.datelines()[0];
    assert_eq!(dl.place, "NUR-SULTAN");
    assert_eq!(dl.agency.as_deref(), Some("TASS"));
    assert_eq!(dl.date_text.as_deref(), Some("January 10"));
    assert_eq!(
        sents(&d),
        vec![
            "Kazakh President Kassym-Jomart Tokayev thanked the CSTO.",
            "It helped."
        ]
    );
    let d = Doc::new(
        "WASHINGTON (Reuters) - The U.S. agreed.\n\nLONDON, Jan 5 (AP) \u{2014} Britain agreed."
            .into(),
    );
    assert_eq!(d.datelines().len(), 2);
    assert_eq!(sents(&d), vec!["The U.S. agreed.", "Britain agreed."]);
}

#[test]
fn paragraphs_and_newlines_are_boundaries() {
    let d = Doc::new(
        "Headline without stop\n\nFirst line of text\nSecond Line, third\nwraps here.".into(),
    );
    assert_eq!(
        sents(&d),
        vec![
            "Headline without stop",
            "First line of text",
            "Second Line, third\nwraps here."
        ]
    );
    assert_eq!(d.sentences()[0].paragraph, 0);
    assert_eq!(d.sentences()[1].paragraph, 1);
}

#[test]
fn non_ascii_offsets_round_trip() {
    let text =
        "\u{201c}Путин\u{201d} met Zelenskyy \u{2014} 👍 caf\u{e9}s\u{2019} owners. Ünïcode ok.";
    let d = Doc::new(text.into());
    for t in d.tokens() {
        let c0 = d.char_offset(t.start);
        let c1 = d.char_offset(t.end);
        let by_chars: String = text.chars().skip(c0).take(c1 - c0).collect();
        assert_eq!(by_chars, d.token_text(t));
        assert_eq!(d.byte_offset(c0), t.start);
        assert_eq!(d.byte_offset(c1), t.end);
    }
    assert!(toks(&d).contains(&"Путин") && toks(&d).contains(&"👍"));
    assert_eq!(d.char_offset(text.len()), text.chars().count());
    // long non-ASCII text: table lookups stay exact across checkpoints
    let long = "é".repeat(1000) + " x";
    let d = Doc::new(long.clone());
    assert_eq!(d.char_offset(long.len()), 1002);
    assert_eq!(d.char_offset(2000), 1000);
}

#[test]
fn bad_inputs_do_not_panic() {
    for t in [
        "",
        "   \n\t \n",
        "\u{0}\u{1}\u{7f}abc\u{0}def",
        "...",
        "'",
        "-",
        "--",
        "\"",
        "'s",
        "a.",
        ".a",
        "$",
        "$5",
        "5%",
        "!!!?",
        "\u{2026}",
    ] {
        let d = Doc::new(t.to_string());
        for tok in d.tokens() {
            assert!(tok.start < tok.end && tok.end <= t.len());
            assert!(!d.token_text(tok).chars().any(|c| c.is_control()));
        }
    }
    assert!(Doc::new(String::new()).sentences().is_empty());
    assert!(Doc::new("  \n \n".into()).tokens().is_empty());
    let d = Doc::new("no final punctuation here".into());
    assert_eq!(d.sentences().len(), 1);
}

/// A quadratic pass over a line would not finish here; speed itself is a
/// benchmark (`make bench`), not a test.
#[test]
fn ten_megabyte_line() {
    let big = "ab-cd".repeat(2_000_000); // 10 MB, no spaces
    let d = Doc::new(big);
    assert_eq!(d.tokens().len(), 4_000_001); // 2M+1 word segments, 2M hyphens
    let big2 = "word ".repeat(2_000_000);
    let d = Doc::new(big2);
    assert_eq!(d.sentences().len(), 1);
}

#[test]
fn decode_lossy_reports_first_bad_byte() {
    let (s, bad) = decode_lossy(b"abc\xffdef\xfe");
    assert_eq!(bad, Some(3));
    assert_eq!(s, "abc\u{fffd}def\u{fffd}");
    assert_eq!(decode_lossy("ok é".as_bytes()), ("ok é".to_string(), None));
}

#[test]
fn lines_mode() {
    let d = Doc::from_lines("One. Two.\nThree\n\nFour".into());
    assert_eq!(sents(&d), vec!["One. Two.", "Three", "Four"]);
}

#[test]
fn space_after_and_currency() {
    let d = Doc::new("It cost $5 (about 10%).".into());
    assert_eq!(
        toks(&d),
        vec!["It", "cost", "$", "5", "(", "about", "10", "%", ")", "."]
    );
    let sa: Vec<bool> = d.tokens().iter().map(|t| t.space_after).collect();
    assert_eq!(
        sa,
        vec![
            true, true, false, true, false, true, false, false, false, true
        ]
    );
}

/// Runs of millions of one punctuation mark (a quadratic scan would not finish).
#[test]
fn long_punctuation_runs() {
    for t in [
        "a\u{2014}".to_string() + &"-".repeat(3_000_000) + "b",
        "a\u{2014}".to_string() + &".".repeat(3_000_000) + "b",
        "x".to_string() + &"'".repeat(1_000_000),
    ] {
        let d = Doc::new(t);
        assert!(!d.tokens().is_empty());
    }
}

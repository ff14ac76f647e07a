//! Construction-by-construction tests on hand-written gold-style trees.

use super::*;
use crate::nlp::conllu::parse_str;

/// Builds a sentence from `form/UPOS/head/deprel[/lemma[/xpos[/feats]]]` items.
fn sent(spec: &str) -> Sentence {
    let mut text = String::new();
    for (i, item) in spec.split_whitespace().enumerate() {
        let f: Vec<&str> = item.split('/').collect();
        let form = f[0].replace('_', " ");
        let lemma = f
            .get(4)
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string())
            .unwrap_or_else(|| form.to_lowercase());
        let xpos = f.get(5).copied().unwrap_or("_");
        let feats = f.get(6).copied().unwrap_or("_");
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t_\t_\n",
            i + 1,
            form,
            lemma,
            f[1],
            xpos,
            feats,
            f[2],
            f[3]
        ));
    }
    parse_str(&text).expect("test tree").remove(0)
}

fn tuples(spec: &str) -> Vec<String> {
    let s = sent(spec);
    extract(&s)
        .expect("extract")
        .iter()
        .map(|p| {
            let mut v = vec![p.surface.relation.clone()];
            v.extend(p.surface.args.iter().map(|a| a.text.clone()));
            v.join(" | ")
        })
        .collect()
}

fn props(spec: &str) -> Vec<Proposition> {
    extract(&sent(spec)).expect("extract")
}

#[test]
fn svo_with_obl() {
    let t = tuples(
        "Tokayev/PROPN/2/nsubj thanked/VERB/0/root/thank Putin/PROPN/2/obj for/ADP/6/case the/DET/6/det help/NOUN/2/obl ./PUNCT/2/punct",
    );
    assert_eq!(t, vec!["thanked | Tokayev | Putin | for the help"]);
}

fn find<'a>(ps: &'a [Proposition], rel: &str) -> &'a Proposition {
    ps.iter()
        .find(|p| p.surface.relation == rel)
        .unwrap_or_else(|| {
            panic!(
                "no `{rel}` in {:?}",
                ps.iter().map(|p| &p.surface.relation).collect::<Vec<_>>()
            )
        })
}

#[test]
fn copular_predicates() {
    // The situation remains in Almaty .  (SVA, extended copular)
    let t = tuples(
        "The/DET/2/det situation/NOUN/3/nsubj remains/VERB/0/root/remain in/ADP/5/case Almaty/PROPN/3/obl ./PUNCT/3/punct",
    );
    assert_eq!(t, vec!["remains in | The situation | Almaty"]);
    // Bush is the president of the club .
    let ps = props(
        "Bush/PROPN/4/nsubj is/AUX/4/cop/be the/DET/4/det president/NOUN/0/root of/ADP/7/case the/DET/7/det club/NOUN/4/nmod ./PUNCT/4/punct",
    );
    let p = find(&ps, "is");
    assert_eq!(p.surface.args[1].text, "the president of the club");
    assert_eq!(p.canonical.lemma, "be_president_of");
    assert_eq!(p.canonical.objects[0].text, "the club");
    assert_eq!(p.kind, PropKind::Copular);
    // PP predicate: It is in Paris .
    let t =
        tuples("It/PRON/4/nsubj is/AUX/4/cop/be in/ADP/4/case Paris/PROPN/0/root ./PUNCT/4/punct");
    assert_eq!(t, vec!["is in | It | Paris"]);
}

#[test]
fn clausal_complement_and_attribution() {
    // The leader noted that all countries formed a front .
    let ps = props(
        "The/DET/2/det leader/NOUN/3/nsubj noted/VERB/0/root/note that/SCONJ/7/mark all/DET/6/det countries/NOUN/7/nsubj formed/VERB/3/ccomp/form a/DET/9/det front/NOUN/7/obj ./PUNCT/3/punct",
    );
    let outer = find(&ps, "noted that");
    assert_eq!(outer.surface.args[1].text, "all countries formed a front");
    let inner = find(&ps, "formed");
    assert_eq!(inner.surface.args[0].text, "all countries");
    assert_eq!(
        inner.attribution.as_ref().map(|a| a.text.as_str()),
        Some("The leader")
    );
    assert_eq!(inner.quantity.as_deref(), Some("all"));
}

#[test]
fn xcomp_chain_merged() {
    // He wants to go to Paris .
    let t = tuples(
        "He/PRON/2/nsubj wants/VERB/0/root/want to/PART/4/mark go/VERB/2/xcomp to/ADP/6/case Paris/PROPN/4/obl ./PUNCT/2/punct",
    );
    assert_eq!(t, vec!["wants to go to | He | Paris"]);
    let ps = props(
        "He/PRON/2/nsubj wants/VERB/0/root/want to/PART/4/mark go/VERB/2/xcomp to/ADP/6/case Paris/PROPN/4/obl ./PUNCT/2/punct",
    );
    assert_eq!(ps[0].canonical.lemma, "want_to_go_to");
}

#[test]
fn relative_clauses_borrow_the_noun() {
    // The man who owns the plant thanked Pat .
    let ps = props(
        "The/DET/2/det man/NOUN/7/nsubj who/PRON/4/nsubj/who/WP/PronType=Rel owns/VERB/2/acl:relcl/own the/DET/6/det plant/NOUN/4/obj thanked/VERB/0/root/thank Pat/PROPN/7/obj ./PUNCT/7/punct",
    );
    let own = find(&ps, "owns");
    assert_eq!(own.surface.args[0].text, "The man");
    assert_eq!(own.surface.args[1].text, "the plant");
    let th = find(&ps, "thanked");
    assert_eq!(th.surface.args[0].text, "The man");
    // object relative: the plant that Chris owns
    let ps = props(
        "I/PRON/2/nsubj saw/VERB/0/root/see the/DET/4/det plant/NOUN/2/obj that/PRON/7/obj/that/WDT/PronType=Rel Chris/PROPN/7/nsubj owns/VERB/4/acl:relcl/own ./PUNCT/2/punct",
    );
    let own = find(&ps, "owns");
    assert_eq!(
        (
            own.surface.args[0].text.as_str(),
            own.surface.args[1].text.as_str()
        ),
        ("Chris", "the plant")
    );
    // reduced relative: the session held in video format
    let ps = props(
        "They/PRON/2/nsubj attended/VERB/0/root/attend the/DET/4/det session/NOUN/2/obj held/VERB/4/acl/hold/VBN/Tense=Past|VerbForm=Part|Voice=Pass in/ADP/8/case video/NOUN/8/compound format/NOUN/5/obl ./PUNCT/2/punct",
    );
    let held = find(&ps, "held in");
    assert_eq!(held.surface.args[0].text, "the session");
    assert_eq!(held.surface.args[1].text, "video format");
    // the participle stays in the surface argument (CaRB's gold keeps such modifiers)
    assert_eq!(
        find(&ps, "attended").surface.args[1].text,
        "the session held in video format"
    );
}

#[test]
fn gerund_noun_complement_does_not_borrow() {
    // the issue of sending troops : no (issue; sending; troops)
    let ps = props(
        "They/PRON/2/nsubj discussed/VERB/0/root/discuss the/DET/4/det issue/NOUN/2/obj of/SCONJ/6/mark sending/VERB/4/acl/send troops/NOUN/6/obj ./PUNCT/2/punct",
    );
    assert!(
        ps.iter().all(|p| p.surface.relation != "sending"),
        "{:?}",
        ps.iter().map(|p| &p.surface.relation).collect::<Vec<_>>()
    );
}

#[test]
fn conjoined_predicates_share_subject_and_object() {
    // Chris bought and sold stocks .
    let t = tuples(
        "Chris/PROPN/2/nsubj bought/VERB/0/root/buy and/CCONJ/4/cc sold/VERB/2/conj/sell stocks/NOUN/2/obj ./PUNCT/2/punct",
    );
    assert!(t.contains(&"bought | Chris | stocks".to_string()), "{t:?}");
    assert!(t.contains(&"sold | Chris | stocks".to_string()), "{t:?}");
}

#[test]
fn conjoined_arguments_expand_unless_non_distributive() {
    let t = tuples(
        "Tokayev/PROPN/2/nsubj thanked/VERB/0/root/thank Putin/PROPN/2/obj and/CCONJ/5/cc Pashinyan/PROPN/3/conj ./PUNCT/2/punct",
    );
    assert_eq!(
        t,
        vec!["thanked | Tokayev | Putin", "thanked | Tokayev | Pashinyan"]
    );
    // Law and order was restored .
    let t = tuples(
        "Law/NOUN/5/nsubj:pass/law and/CCONJ/3/cc order/NOUN/1/conj was/AUX/5/aux:pass/be restored/VERB/0/root/restore ./PUNCT/5/punct",
    );
    assert_eq!(t, vec!["was restored | Law and order"]);
    // a border between X and Y
    let t = tuples(
        "It/PRON/2/nsubj flows/VERB/0/root/flow between/ADP/4/case Brest/PROPN/2/obl and/CCONJ/6/cc Minsk/PROPN/4/conj ./PUNCT/2/punct",
    );
    assert_eq!(t, vec!["flows between | It | Brest and Minsk"]);
}

#[test]
fn passive_with_agent() {
    let ps = props(
        "The/DET/2/det bloc/NOUN/4/nsubj:pass is/AUX/4/aux:pass/be led/VERB/0/root/lead/VBN/Tense=Past|VerbForm=Part|Voice=Pass by/ADP/6/case Russia/PROPN/4/obl:agent ./PUNCT/4/punct",
    );
    let p = find(&ps, "is led by");
    assert_eq!(p.surface.args[1].text, "Russia");
    assert_eq!(p.canonical.lemma, "be_led_by");
    assert_eq!(p.clause_type, ClauseType::SVA);
}

#[test]
fn prepositions_kept_and_qualifiers_typed() {
    // Protests erupted in several cities on January 2 .
    let ps = props(
        "Protests/NOUN/2/nsubj/protest erupted/VERB/0/root/erupt in/ADP/5/case several/ADJ/5/amod cities/NOUN/2/obl/city on/ADP/7/case January/PROPN/2/obl 2/NUM/7/nummod ./PUNCT/2/punct",
    );
    let p = &ps[0];
    // the first adverbial is taken as obligatory (ClausIE's conservative SVA), the second is a qualifier
    assert_eq!(p.surface.relation, "erupted in");
    assert_eq!(p.qualifiers.len(), 1);
    assert_eq!(p.qualifiers[0].kind, QualifierKind::Time);
    assert_eq!(p.qualifiers[0].arg.text, "on January 2");
    // He thanked Putin for help in Moscow yesterday : object present, all adverbials are qualifiers
    let ps = props(
        "He/PRON/2/nsubj thanked/VERB/0/root/thank Putin/PROPN/2/obj for/ADP/5/case help/NOUN/2/obl in/ADP/7/case Moscow/PROPN/2/obl yesterday/NOUN/2/obl:unmarked ./PUNCT/2/punct",
    );
    let kinds: Vec<QualifierKind> = ps[0].qualifiers.iter().map(|q| q.kind).collect();
    assert_eq!(
        kinds,
        vec![
            QualifierKind::Purpose,
            QualifierKind::Place,
            QualifierKind::Time
        ]
    );
    assert_eq!(ps[0].clause_type, ClauseType::SVO);
    assert_eq!(
        ps[0]
            .surface
            .args
            .iter()
            .map(|a| a.text.as_str())
            .collect::<Vec<_>>(),
        vec!["He", "Putin", "for help", "in Moscow", "yesterday"]
    );
}

#[test]
fn turn_to_is_one_relation() {
    let ps = props(
        "Tokayev/PROPN/3/nsubj subsequently/ADV/3/advmod turned/VERB/0/root/turn to/ADP/5/case CSTO/PROPN/3/obl ./PUNCT/3/punct",
    );
    assert_eq!(ps[0].canonical.lemma, "turn_to");
    assert_eq!(ps[0].surface.relation, "subsequently turned to");
}

#[test]
fn negation_and_modality() {
    let ps = props(
        "He/PRON/4/nsubj did/AUX/4/aux/do not/PART/4/advmod/not/RB/Polarity=Neg sign/VERB/0/root/sign it/PRON/4/obj ./PUNCT/4/punct",
    );
    assert!(ps[0].negated);
    assert_eq!(ps[0].surface.relation, "did not sign");
    let ps = props(
        "They/PRON/3/nsubj might/AUX/3/aux/might leave/VERB/0/root/leave Paris/PROPN/3/obj ./PUNCT/3/punct",
    );
    assert_eq!(ps[0].modality, Modality::Possibility);
    // performative "would like to express" stays certain
    let ps = props(
        "I/PRON/3/nsubj would/AUX/3/aux/would like/VERB/0/root/like to/PART/5/mark express/VERB/3/xcomp gratitude/NOUN/5/obj ./PUNCT/3/punct",
    );
    assert_eq!(ps[0].modality, Modality::Certainty);
    assert_eq!(ps[0].canonical.lemma, "like_to_express");
}

#[test]
fn attribution_according_to_and_parenthetical() {
    // According to the president , the republic went through a crisis .
    let ps = props(
        "According/VERB/4/case/accord to/ADP/1/fixed the/DET/4/det president/NOUN/8/obl ,/PUNCT/4/punct the/DET/7/det republic/NOUN/8/nsubj went/VERB/0/root/go through/ADP/11/case a/DET/11/det crisis/NOUN/8/obl ./PUNCT/8/punct",
    );
    let p = find(&ps, "went through");
    assert_eq!(
        p.attribution.as_ref().map(|a| a.text.as_str()),
        Some("the president")
    );
    assert!(p.surface.args.iter().all(|a| !a.text.contains("According")));
    // Order was restored , authorities affirm .
    let ps = props(
        "Order/NOUN/3/nsubj:pass was/AUX/3/aux:pass/be restored/VERB/0/root/restore ,/PUNCT/6/punct authorities/NOUN/6/nsubj/authority affirm/VERB/3/parataxis/affirm ./PUNCT/3/punct",
    );
    assert_eq!(
        ps.len(),
        1,
        "{:?}",
        ps.iter().map(|p| &p.surface.relation).collect::<Vec<_>>()
    );
    assert_eq!(
        ps[0].attribution.as_ref().map(|a| a.text.as_str()),
        Some("authorities")
    );
}

#[test]
fn titles_appositions_acronyms() {
    // Kazakh President Kassym-Jomart Tokayev thanked Putin .
    let ps = props(
        "Kazakh/ADJ/2/amod President/PROPN/3/nmod:desc/president Kassym-Jomart/PROPN/5/nsubj Tokayev/PROPN/3/flat thanked/VERB/0/root/thank Putin/PROPN/5/obj ./PUNCT/5/punct",
    );
    let title = ps
        .iter()
        .find(|p| p.kind == PropKind::Title)
        .expect("title");
    assert_eq!(title.surface.args[0].text, "Kassym-Jomart Tokayev");
    assert_eq!(title.surface.args[1].text, "Kazakh President");
    assert_eq!(title.canonical.lemma, "be_president_of");
    assert_eq!(title.canonical.objects[0].text, "Kazakh");
    assert_eq!(
        find(&ps, "thanked").surface.args[0].text,
        "Kazakh President Kassym-Jomart Tokayev"
    );
    // Armenian Prime Minister Nikol Pashinyan
    let ps = props(
        "He/PRON/2/nsubj thanked/VERB/0/root/thank Armenian/ADJ/5/amod Prime/ADJ/5/amod Minister/PROPN/6/nmod:desc/minister Nikol/PROPN/2/obj Pashinyan/PROPN/6/flat ./PUNCT/2/punct",
    );
    let title = ps
        .iter()
        .find(|p| p.kind == PropKind::Title)
        .expect("title");
    assert_eq!(title.surface.args[1].text, "Armenian Prime Minister");
    assert_eq!(title.canonical.lemma, "be_prime_minister_of");
    // apposition: Smith , the director , left .
    let ps = props(
        "Smith/PROPN/6/nsubj ,/PUNCT/4/punct the/DET/4/det director/NOUN/1/appos ,/PUNCT/4/punct left/VERB/0/root/leave ./PUNCT/6/punct",
    );
    let ap = ps
        .iter()
        .find(|p| p.kind == PropKind::Apposition)
        .expect("appos");
    assert_eq!(
        (
            ap.surface.args[0].text.as_str(),
            ap.surface.args[1].text.as_str()
        ),
        ("Smith", "the director")
    );
    let left = find(&ps, "left");
    assert_eq!(left.surface.args[0].text, "Smith , the director");
    assert_eq!(left.canonical.subject.text, "Smith");
    // acronym in brackets
    let ps = props(
        "the/DET/3/det Security/PROPN/3/compound Organization/PROPN/7/nsubj (/PUNCT/5/punct CSTO/PROPN/3/appos )/PUNCT/5/punct met/VERB/0/root/meet ./PUNCT/7/punct",
    );
    let ac = ps
        .iter()
        .find(|p| p.kind == PropKind::Acronym)
        .expect("acronym");
    assert_eq!(ac.canonical.lemma, "have_acronym");
    assert_eq!(
        (
            ac.surface.args[0].text.as_str(),
            ac.surface.args[1].text.as_str()
        ),
        ("the Security Organization", "CSTO")
    );
}

#[test]
fn possessives_and_led_participles() {
    // Kazakhstan 's request ; the Russia - led bloc
    let ps = props(
        "They/PRON/2/nsubj backed/VERB/0/root/back Kazakhstan/PROPN/5/nmod:poss 's/PART/3/case request/NOUN/2/obj ./PUNCT/2/punct",
    );
    let p = ps
        .iter()
        .find(|p| p.kind == PropKind::Possessive)
        .expect("poss");
    assert_eq!(
        (
            p.surface.relation.as_str(),
            p.surface.args[0].text.as_str(),
            p.surface.args[1].text.as_str()
        ),
        ("has", "Kazakhstan", "request")
    );
    let ps = props(
        "He/PRON/2/nsubj joined/VERB/0/root/join the/DET/7/det Russia/PROPN/6/obl:npmod -/PUNCT/6/punct led/VERB/7/amod/lead/VBN/Tense=Past|VerbForm=Part bloc/NOUN/2/obj ./PUNCT/2/punct",
    );
    let p = ps
        .iter()
        .find(|p| p.kind == PropKind::Participle)
        .expect("led");
    assert_eq!(p.canonical.lemma, "be_led_by");
    assert_eq!(
        (
            p.surface.args[0].text.as_str(),
            p.surface.args[1].text.as_str()
        ),
        ("the bloc", "Russia")
    );
    // relational noun with pronoun possessor is not a "has" fact, but keeps the noun
    let ps = props(
        "He/PRON/2/nsubj thanked/VERB/0/root/thank his/PRON/4/nmod:poss/he counterpart/NOUN/2/obj ./PUNCT/2/punct",
    );
    assert!(ps.iter().all(|p| p.kind != PropKind::Possessive));
}

#[test]
fn svoc_object_complement() {
    // He declared January 10 the day of mourning .
    let ps = props(
        "He/PRON/2/nsubj declared/VERB/0/root/declare January/PROPN/2/obj 10/NUM/3/nummod the/DET/6/det day/NOUN/2/xcomp of/ADP/8/case mourning/NOUN/6/nmod ./PUNCT/2/punct",
    );
    let p = find(&ps, "declared");
    assert_eq!(p.clause_type, ClauseType::SVOC);
    assert_eq!(
        p.surface
            .args
            .iter()
            .map(|a| a.text.as_str())
            .collect::<Vec<_>>(),
        vec!["He", "January 10", "the day of mourning"]
    );
}

#[test]
fn bad_input() {
    // empty sentence
    assert!(extract(&Sentence::default()).unwrap().is_empty());
    // cycle
    let mut s = sent("a/NOUN/2/nsubj b/VERB/0/root");
    s.words[1].head = 1;
    assert!(matches!(extract(&s), Err(ExtractError::Tree { .. })));
    // missing head
    let mut s = sent("a/NOUN/2/nsubj b/VERB/0/root");
    s.words[0].head = 9;
    let e = extract(&s).unwrap_err().to_string();
    assert!(e.contains("head 9"), "{e}");
    // no verb
    let t = tuples("The/DET/2/det weather/NOUN/0/root ./PUNCT/2/punct");
    assert!(t.is_empty());
    // unclosed quote
    let t = tuples(
        "He/PRON/2/nsubj said/VERB/0/root/say \"/PUNCT/5/punct it/PRON/5/nsubj rained/VERB/2/ccomp/rain",
    );
    assert!(
        t.iter()
            .any(|x| x.starts_with("said | He | it rained")
                || x.starts_with("said | He | \" it rained")),
        "{t:?}"
    );
    // 300-token sentence: a long chain of conjoined clauses
    let mut spec = String::from("He/PRON/2/nsubj ran/VERB/0/root/run");
    for i in 0..149 {
        let id = 3 + 2 * i;
        spec.push_str(&format!(" and/CCONJ/{}/cc ran/VERB/2/conj/run", id + 1));
    }
    let s = sent(&spec);
    assert_eq!(s.words.len(), 300);
    let ps = extract(&s).unwrap();
    assert_eq!(ps.len(), 1, "identical tuples are merged");
    for p in &ps {
        assert!((0.0..=1.0).contains(&p.confidence));
    }
}

#[test]
fn carb_line_format() {
    let ps =
        props("Tokayev/PROPN/2/nsubj thanked/VERB/0/root/thank Putin/PROPN/2/obj ./PUNCT/2/punct");
    let line = to_carb_line("Tokayev thanked Putin .", &ps[0]);
    let f: Vec<&str> = line.split('\t').collect();
    assert_eq!(f[0], "Tokayev thanked Putin .");
    assert!(f[1].parse::<f64>().is_ok());
    assert_eq!(&f[2..], &["thanked", "Tokayev", "Putin"]);
    // round trip through the scorer's reader
    let sys = crate::eval::carb::parse_system_tab(&line, "x").unwrap();
    assert_eq!(sys.n_extractions(), 1);
}

#[test]
fn prepositional_verb_keeps_its_preposition_before_an_object() {
    // "She turned to her brother asking help ." with the participle misread as a noun
    // object: the complement of "turn to" still joins the relation and comes first.
    let ps = props(
        "She/PRON/2/nsubj turned/VERB/0/root/turn to/ADP/5/case her/PRON/5/nmod:poss brother/NOUN/2/obl asking/NOUN/7/compound/asking help/NOUN/2/obj ./PUNCT/2/punct",
    );
    let p = find(&ps, "turned to");
    assert_eq!(p.canonical.lemma, "turn_to");
    assert_eq!(p.canonical.objects[0].text, "her brother");
    assert_eq!(p.surface.args[1].text, "her brother");
    // an ordinary verb with an object after its adverbial keeps the adverbial optional
    let ps = props(
        "She/PRON/2/nsubj sold/VERB/0/root/sell in/ADP/4/case town/NOUN/2/obl her/PRON/6/nmod:poss car/NOUN/2/obj ./PUNCT/2/punct",
    );
    let p = find(&ps, "sold");
    assert_eq!(p.canonical.lemma, "sell");
    assert_eq!(p.canonical.objects[0].text, "her car");
}

#[test]
fn misparsed_preposition_inside_an_object_becomes_a_qualifier() {
    // "They sought our support amid heavy storms ." with "amid" tagged as an adjective of
    // "storms" and the whole span read as one object
    let ps = props(
        "They/PRON/2/nsubj sought/VERB/0/root/seek our/PRON/7/nmod:poss support/NOUN/7/compound amid/ADJ/7/amod heavy/ADJ/7/amod storms/NOUN/2/obj ./PUNCT/2/punct",
    );
    let p = find(&ps, "sought");
    assert_eq!(p.canonical.objects.len(), 1);
    assert_eq!(p.canonical.objects[0].text, "our support");
    assert_eq!(p.qualifiers.len(), 1);
    assert_eq!(p.qualifiers[0].marker.as_deref(), Some("amid"));
    assert_eq!(p.qualifiers[0].arg.text, "amid heavy storms");
    // a correctly tagged preposition is left alone
    let ps = props(
        "They/PRON/2/nsubj sought/VERB/0/root/seek support/NOUN/2/obj amid/ADP/5/case storms/NOUN/2/obl ./PUNCT/2/punct",
    );
    let p = find(&ps, "sought");
    assert_eq!(p.qualifiers[0].arg.text, "amid storms");
}

#[test]
fn confidence_ranks_by_pattern_and_completeness() {
    // explicit verb with an object > noun-mediated "has" > subject-only proposition
    let ps = props(
        "The/DET/2/det firm/NOUN/3/nsubj hired/VERB/0/root/hire Ann/PROPN/3/obj ./PUNCT/3/punct",
    );
    let verbal = find(&ps, "hired").confidence;
    let ps = props(
        "Ann/PROPN/3/nmod:poss 's/PART/1/case brother/NOUN/4/nsubj left/VERB/0/root/leave ./PUNCT/4/punct",
    );
    let unary = find(&ps, "left").confidence;
    let poss = ps
        .iter()
        .find(|p| p.kind == PropKind::Possessive)
        .map(|p| p.confidence);
    assert!(unary < verbal);
    if let Some(c) = poss {
        assert!(unary < c && c < verbal);
    }
    assert!(
        ps.iter()
            .chain(&props("x/NOUN/0/root"))
            .all(|p| (0.0..=1.0).contains(&p.confidence))
    );
}

fn surface(p: &Proposition) -> String {
    let mut v = vec![p.surface.relation.clone()];
    v.extend(p.surface.args.iter().map(|a| a.text.clone()));
    v.join(" | ")
}

#[test]
fn possessive_takes_the_tense_of_its_clause() {
    // Maria 's garden was large .
    let ps = props(
        "Maria/PROPN/3/nmod:poss 's/PART/1/case garden/NOUN/5/nsubj was/AUX/5/cop/be/VBD/Tense=Past|VerbForm=Fin large/ADJ/0/root ./PUNCT/5/punct",
    );
    let p = ps
        .iter()
        .find(|p| p.kind == PropKind::Possessive)
        .expect("poss");
    assert_eq!(surface(p), "had | Maria | garden");
    // present tense keeps "has"
    let ps = props(
        "Maria/PROPN/3/nmod:poss 's/PART/1/case garden/NOUN/5/nsubj is/AUX/5/cop/be/VBZ/Tense=Pres|VerbForm=Fin large/ADJ/0/root ./PUNCT/5/punct",
    );
    let p = ps
        .iter()
        .find(|p| p.kind == PropKind::Possessive)
        .expect("poss");
    assert_eq!(surface(p), "has | Maria | garden");
}

#[test]
fn possessive_pronoun_resolved_to_named_subject() {
    // Anna sold her bicycle .
    let ps = props(
        "Anna/PROPN/2/nsubj sold/VERB/0/root/sell/VBD/Tense=Past|VerbForm=Fin her/PRON/4/nmod:poss/she bicycle/NOUN/2/obj ./PUNCT/2/punct",
    );
    let p = ps
        .iter()
        .find(|p| p.kind == PropKind::Possessive)
        .expect("poss");
    assert_eq!(surface(p), "had | Anna | bicycle");
    assert!(p.confidence < find(&ps, "sold").confidence);
}

#[test]
fn noun_attached_with_phrase() {
    // They bought a house with gardens .
    let t = tuples(
        "They/PRON/2/nsubj bought/VERB/0/root/buy a/DET/4/det house/NOUN/2/obj with/ADP/6/case gardens/NOUN/4/nmod ./PUNCT/2/punct",
    );
    assert!(
        t.contains(&"be with | a house | gardens".to_string()),
        "{t:?}"
    );
}

#[test]
fn borrowed_gerund_ranks_below_its_host_clause() {
    // Engineers left the site , taking the tools .
    let ps = props(
        "Engineers/NOUN/2/nsubj left/VERB/0/root/leave/VBD/Tense=Past|VerbForm=Fin the/DET/4/det site/NOUN/2/obj ,/PUNCT/6/punct taking/VERB/2/advcl/take/VBG/VerbForm=Ger the/DET/8/det tools/NOUN/6/obj ./PUNCT/2/punct",
    );
    let host = find(&ps, "left");
    let adjunct = find(&ps, "taking");
    assert_eq!(surface(adjunct), "taking | Engineers | the tools");
    assert!(adjunct.features.borrowed_gerund);
    assert!(!host.features.borrowed_gerund);
    assert!(adjunct.confidence < host.confidence);
}

#[test]
fn apposition_of_a_name_to_a_common_noun_puts_the_name_first() {
    // They met the doctor , Erasistratus .
    let t = tuples(
        "They/PRON/2/nsubj met/VERB/0/root/meet the/DET/4/det doctor/NOUN/2/obj ,/PUNCT/6/punct Erasistratus/PROPN/4/appos ./PUNCT/2/punct",
    );
    assert!(
        t.contains(&"be | Erasistratus | the doctor".to_string()),
        "{t:?}"
    );
    // a name with a descriptive apposition keeps its order
    let t = tuples(
        "They/PRON/2/nsubj visited/VERB/0/root/visit Lyon/PROPN/2/obj ,/PUNCT/6/punct the/DET/6/det city/NOUN/3/appos ./PUNCT/2/punct",
    );
    assert!(t.contains(&"be | Lyon | the city".to_string()), "{t:?}");
}

#[test]
fn title_name_has_no_leading_punctuation() {
    // Trek 's president , Dick Burke , resigned .
    let ps = props(
        "Trek/PROPN/3/nmod:poss 's/PART/1/case president/NOUN/6/nmod:desc ,/PUNCT/5/punct Dick/PROPN/6/compound Burke/PROPN/7/nsubj resigned/VERB/0/root/resign ./PUNCT/7/punct",
    );
    let p = ps
        .iter()
        .find(|p| p.kind == PropKind::Title)
        .expect("title");
    assert_eq!(p.surface.args[0].text, "Dick Burke", "{}", surface(p));
}

#[test]
fn appositions_expand_conjuncts() {
    // Ann and Bo , the presenters , spoke .
    let t = tuples(
        "Ann/PROPN/8/nsubj and/CCONJ/3/cc Bo/PROPN/1/conj ,/PUNCT/6/punct the/DET/6/det presenters/NOUN/1/appos ,/PUNCT/6/punct spoke/VERB/0/root/speak ./PUNCT/8/punct",
    );
    assert!(
        t.contains(&"be | Ann | the presenters".to_string()),
        "{t:?}"
    );
    assert!(t.contains(&"be | Bo | the presenters".to_string()), "{t:?}");
    // They praised Lee , a writer and director .
    let t = tuples(
        "They/PRON/2/nsubj praised/VERB/0/root/praise Lee/PROPN/2/obj ,/PUNCT/6/punct a/DET/6/det writer/NOUN/3/appos and/CCONJ/8/cc director/NOUN/6/conj ./PUNCT/2/punct",
    );
    assert!(t.contains(&"be | Lee | a writer".to_string()), "{t:?}");
    assert!(t.contains(&"be | Lee | director".to_string()), "{t:?}");
}

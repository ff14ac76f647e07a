//! General English word lists used by the rules (no word of any benchmark sentence or
//! article is special-cased; these are closed classes and well-known verb classes).

/// Reporting verbs (MinIE's certainty list extended with news verbs): a `ccomp` under one of
/// these is attributed to the verb's subject.
pub const REPORTING: &[&str] = &[
    "say", "add", "claim", "write", "publish", "know", "remember", "learn", "discover", "forget",
    "admit", "prove", "show", "explain", "confirm", "acknowledge", "recall", "note", "emphasize",
    "emphasise", "affirm", "stress", "declare", "state", "report", "announce", "tell", "insist",
    "argue", "warn", "reveal", "indicate", "assert", "maintain", "mention", "reply", "respond",
    "point", "observe", "comment", "contend", "testify", "underline", "underscore", "reiterate",
    "deny", "allege", "describe", "estimate", "predict", "ask", "complain", "conclude",
];

/// Verbs of belief/guessing: the attributed clause is only possible, not certain.
pub const POSSIBILITY_VERBS: &[&str] = &[
    "think", "believe", "suggest", "suspect", "predict", "guess", "assume", "expect", "hope",
    "fear", "doubt", "speculate", "suppose", "imagine", "feel", "estimate", "presume",
];

/// Modal auxiliaries signalling possibility (MinIE); `will`/`shall` are treated as certain.
pub const POSSIBILITY_MODALS: &[&str] =
    &["might", "may", "could", "can", "would", "should", "must", "ought", "'d"];

/// Adverbs of possibility.
pub const POSSIBILITY_ADVERBS: &[&str] = &[
    "probably", "possibly", "perhaps", "maybe", "likely", "apparently", "presumably",
    "allegedly", "reportedly", "supposedly", "seemingly", "potentially",
];

/// Verbs that after "would" form a polite performative, not a hypothetical.
pub const PERFORMATIVE_AFTER_WOULD: &[&str] = &["like", "love", "prefer"];

/// Negation words (besides `Polarity=Neg`).
pub const NEGATION: &[&str] = &["not", "n't", "never", "no", "neither", "nor", "nt"];

/// Relative words that stand for the antecedent of a relative clause.
pub const RELATIVE_PRONOUNS: &[&str] = &["who", "whom", "which", "that", "whose"];

/// Extended-copular verbs (ClausIE): a following adverbial is obligatory (SVA).
pub const EXTENDED_COPULAR: &[&str] = &[
    "be", "remain", "stay", "live", "lie", "come", "go", "become", "seem", "appear", "reside",
    "sit", "stand", "belong", "rank", "range", "consist", "lead", "result", "depend", "rely",
    "refer", "turn", "move", "return", "arrive", "work", "serve", "specialize", "specialise",
    "participate", "engage", "differ", "emerge", "originate", "settle", "head", "travel",
];

/// Titles and roles (noun-mediated "X is <title> of Y" facts).
pub const TITLES: &[&str] = &[
    "president", "minister", "premier", "chancellor", "king", "queen", "prince", "princess",
    "emperor", "governor", "mayor", "senator", "representative", "ambassador", "secretary",
    "chairman", "chairwoman", "chair", "chief", "director", "ceo", "cfo", "coo", "founder",
    "leader", "head", "spokesman", "spokeswoman", "spokesperson", "general", "colonel",
    "captain", "commander", "admiral", "sergeant", "lieutenant", "major", "officer", "judge",
    "justice", "attorney", "lawyer", "professor", "pope", "bishop",
    "archbishop", "cardinal", "rabbi", "imam", "coach", "manager", "editor", "author",
    "vice", "deputy", "counterpart", "envoy", "diplomat", "official", "commissioner",
    "lawmaker", "legislator", "congressman", "congresswoman", "mp", "sheikh", "sultan",
    "emir", "prime", "foreign", "defense", "defence", "interior", "finance", "economy",
    "spokesman", "analyst", "economist", "scientist", "researcher", "actor", "actress",
    "singer", "player", "striker", "midfielder", "goalkeeper", "owner", "partner", "boss",
    "president-elect", "candidate", "nominee", "member", "son", "daughter", "wife",
    "husband", "brother", "sister", "father", "mother", "friend", "colleague",
];

/// Relational nouns whose possessor is a real argument ("his counterpart", "X's wife").
pub const RELATIONAL_NOUNS: &[&str] = &[
    "counterpart", "wife", "husband", "son", "daughter", "brother", "sister", "father",
    "mother", "friend", "colleague", "partner", "leader", "president", "head", "chief",
    "member", "ally", "rival", "neighbour", "neighbor", "capital", "founder", "owner",
    "successor", "predecessor", "spokesman", "spokeswoman", "minister", "ceo", "director",
    "subsidiary", "parent", "child", "children", "uncle", "aunt", "cousin", "boss",
];

/// Non-distributive coordinations and fixed pairs: never split into separate tuples.
pub const FIXED_PAIRS: &[(&str, &str)] = &[
    ("law", "order"), ("research", "development"), ("bread", "butter"), ("salt", "pepper"),
    ("trial", "error"), ("pros", "cons"), ("supply", "demand"), ("peace", "security"),
    ("rock", "roll"), ("black", "white"), ("checks", "balances"), ("profit", "loss"),
    ("mergers", "acquisitions"), ("arts", "crafts"), ("health", "safety"), ("war", "peace"),
];

/// Predicates that relate the members of a coordination to each other (collective).
pub const COLLECTIVE_WORDS: &[&str] = &[
    "between", "among", "amongst", "together", "jointly", "mutually", "each", "team",
    "couple", "pair", "partners", "meet", "met", "agree", "merge", "collaborate", "marry",
];

/// Nouns and adverbs of time (qualifier typing).
pub const TIME_WORDS: &[&str] = &[
    "year", "years", "month", "months", "week", "weeks", "day", "days", "hour", "hours",
    "minute", "minutes", "decade", "decades", "century", "centuries", "morning", "evening",
    "night", "afternoon", "today", "yesterday", "tomorrow", "tonight", "now", "then",
    "season", "spring", "summer", "autumn", "fall", "winter", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "time",
    "period", "era", "age", "moment", "date", "weekend", "past", "future", "recently",
    "later", "earlier", "soon", "once", "ago", "since", "subsequently", "already",
];

/// Prepositions whose object is a time.
pub const TIME_PREPS: &[&str] =
    &["during", "since", "until", "till", "before", "after", "throughout", "by", "from", "ago"];

/// Prepositions whose object is a place (when the object is not a time).
pub const PLACE_PREPS: &[&str] = &[
    "in", "at", "near", "inside", "outside", "across", "throughout", "within", "around",
    "beside", "behind", "above", "below", "under", "over", "into", "onto", "toward", "towards",
];

pub fn contains(list: &[&str], w: &str) -> bool {
    list.contains(&w)
}

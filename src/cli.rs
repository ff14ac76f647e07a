//! Command-line definitions (clap derive). Doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit status: 0 success; 1 ran, but some input failed (each failure is reported on stderr);
2 usage error or fatal error (nothing was written).

Data goes to stdout, messages and progress to stderr. The store is a directory
(default ./kg-store, or $KG_STORE) that Oxigraph's own tools can open too.";

/// kg: English news text in, a knowledge graph out.
///
/// Builds an RDF knowledge graph (entities, facts, and the exact sentence behind
/// every fact) in an embedded Oxigraph store, answers SPARQL over it, and exports
/// it for Graphviz, Gephi, yEd, NetworkX, Neo4j, Cytoscape and RDF tools.
#[derive(Debug, Parser)]
#[command(name = "kg", version, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args, Clone)]
pub struct Global {
    /// Store directory (created by `ingest` and `load` when missing).
    #[arg(
        long,
        global = true,
        env = "KG_STORE",
        default_value = "kg-store",
        value_name = "DIR"
    )]
    pub store: PathBuf,
    /// Use a fresh in-memory store instead (nothing is kept after the command).
    #[arg(long, global = true, conflicts_with = "store")]
    pub memory: bool,
    /// Base IRI of the entities, relations and facts kg mints.
    #[arg(long, global = true, default_value = crate::kg::DEFAULT_BASE_IRI, value_name = "IRI")]
    pub base_iri: String,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail about what is done.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read news text into the store: facts, entities and their evidence.
    ///
    /// Inputs: text files (one article each), directories (recursively: *.txt,
    /// *.jsonl), JSON Lines files (one {"id","text","url","date","title"} object
    /// per line; other fields are kept as metadata), and `-` for stdin. New
    /// documents are written with atomic bulk loads (all or nothing), committed every
    /// 32 million quads (about 28,000 news articles) and at the end; re-ingesting a
    /// document replaces what it contributed, in one transaction, and
    /// a document already stored by the same models is skipped. A failing document is
    /// reported and counted (exit 1); the rest go in.
    #[command(
        after_help = "Examples:\n  kg ingest data/articles/\n  kg ingest news.jsonl --store corpus-store\n  curl -s https://example.org/a.txt | kg ingest - --date 2022-01-10"
    )]
    Ingest(IngestArgs),
    /// Run the pipeline as a stream filter: text in, facts out, no store.
    ///
    /// `nq` (default) writes what `ingest` would store, as N-Quads that `kg load`
    /// bulk-loads (shards from many machines merge); `tsv` and `jsonl` write one
    /// proposition per line; `carb` writes the CaRB benchmark format
    /// (sentence, confidence, relation, arguments).
    Extract(ExtractArgs),
    /// Retrain the models from the treebanks (deterministic; see data/models/*.md).
    #[command(after_help = "Example:\n  kg train all --ud ../shared/data/ud --out data/models")]
    Train(TrainArgs),
    /// Measure kg on public benchmarks (UD treebanks, CaRB).
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Analyse text and print CoNLL-U: tokens, tags, lemmas, dependency trees, and
    /// named entities in MISC (NER=B-PER …).
    Parse(ParseArgs),
    /// Run a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE).
    ///
    /// The prefixes rdf rdfs xsd owl schema prov nif itsrdf wd ent rel fact concept
    /// kgv are predeclared, so `SELECT * { ?s rel:thank ?o }` works as it is.
    #[command(
        after_help = "Examples:\n  kg query 'SELECT ?s ?o { ?s rel:thank ?o }'\n  kg query --file queries/facts-with-sources.rq --format csv\n  echo 'ASK { ?s ?p ?o }' | kg query"
    )]
    Query(QueryArgs),
    /// Export the graph for other tools.
    ///
    /// dot (Graphviz), graphml (yEd, Gephi, NetworkX), csv (Neo4j bulk import: writes
    /// nodes.csv and relationships.csv into --output DIR), cyjs (Cytoscape.js JSON), and
    /// the RDF syntaxes nt, ttl, nq, trig, rdf (RDF/XML), jsonld. Filters apply to the
    /// graph formats (dot, graphml, csv, cyjs).
    #[command(
        after_help = "Examples:\n  kg export --format dot --entity 'Vladimir Putin' --depth 2 | dot -Tsvg > putin.svg\n  kg export --format graphml --output kg.graphml\n  kg export --format csv --output neo4j/"
    )]
    Export(ExportArgs),
    /// Import RDF files into the store (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD).
    ///
    /// All files are loaded in one atomic commit: if one has a syntax error, it is
    /// reported with its line and column and the store is left unchanged.
    Load(LoadArgs),
    /// Count documents, sentences, entities by type, facts and relations.
    Stats(StatsArgs),
}

/// Result formats for `kg query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryFormat {
    /// Aligned columns with prefixed names (default on a terminal).
    Table,
    /// SPARQL 1.1 Query Results JSON.
    Json,
    /// SPARQL Query Results XML.
    Xml,
    /// SPARQL 1.1 Query Results CSV.
    Csv,
    /// SPARQL 1.1 Query Results TSV (default when stdout is not a terminal).
    Tsv,
    /// Turtle (CONSTRUCT/DESCRIBE).
    Ttl,
    /// N-Triples (CONSTRUCT/DESCRIBE).
    Nt,
    /// RDF/XML (CONSTRUCT/DESCRIBE).
    Rdf,
    /// JSON-LD (CONSTRUCT/DESCRIBE).
    Jsonld,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The query text; read from --file or stdin when absent.
    pub query: Option<String>,
    /// Read the query from this file (`-` for stdin).
    #[arg(long, short = 'f', value_name = "FILE.rq", conflicts_with = "query")]
    pub file: Option<PathBuf>,
    /// Output format (table on a terminal, tsv otherwise; ttl for CONSTRUCT/DESCRIBE).
    #[arg(long, value_enum)]
    pub format: Option<QueryFormat>,
    /// Cancel the query after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
}

/// Options shared by the commands that run the language pipeline.
#[derive(Debug, Args, Clone)]
pub struct PipelineArgs {
    /// Directory holding models/ and gazetteer/ (default: the data/ directory of
    /// the source tree kg was built from, or $KG_DATA).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Every input line is one sentence (benchmark files).
    #[arg(long)]
    pub lines: bool,
    /// Publication date (YYYY-MM-DD) for documents that carry none; anchors
    /// relative dates such as "January 2" or "on Monday".
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Treat stdin as JSON Lines.
    #[arg(long)]
    pub jsonl: bool,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files, directories, or - for stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// Re-process documents even when the store has them from the same models.
    #[arg(long)]
    pub force: bool,
    /// Documents handed to the store writer together; the analysis runs ahead by at
    /// most two batches (and 64 MB of text). Larger batches make fewer, larger store
    /// files but hold more analysed documents in memory (about 1 MB each for a 3 KB
    /// text); the store commits new documents every 32 million quads and at the end.
    #[arg(long, value_name = "N", default_value_t = crate::ingest::DEFAULT_BATCH,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=65536))]
    pub batch: usize,
    /// Commit new documents to the store every N quads (about 1,150 per news
    /// article) and at the end. Smaller: less work lost if the run is killed (what
    /// was not committed is redone by running it again); larger: fewer store files
    /// for RocksDB to merge, so a faster ingest.
    #[arg(long, value_name = "N", default_value_t = crate::ingest::DEFAULT_COMMIT_QUADS)]
    pub commit_every: usize,
}

/// Output formats of `kg extract`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExtractFormat {
    /// N-Quads of the kg model (what ingest stores).
    Nq,
    /// One proposition per line: doc, sentence, subject, relation, object, confidence, surface.
    Tsv,
    /// One JSON object per proposition.
    Jsonl,
    /// CaRB: sentence, confidence, relation, arg1, arg2, ….
    Carb,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Files, directories, or - for stdin (the default).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    #[arg(long, value_enum, default_value_t = ExtractFormat::Nq)]
    pub format: ExtractFormat,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Files, or - for stdin (the default).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// The input is CoNLL-U with gold tokens: keep its tokens and sentence ids.
    #[arg(long)]
    pub conllu_in: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// dot, graphml, csv, cyjs, nt, ttl, nq, trig, rdf, jsonld
    #[arg(long, value_name = "FORMAT")]
    pub format: String,
    /// Write here instead of stdout (a directory for csv).
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Keep only the neighbourhood of this entity (label or alternate name).
    #[arg(long, value_name = "NAME")]
    pub entity: Option<String>,
    /// Radius of the neighbourhood around --entity.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub depth: usize,
    /// Drop facts whose best confidence is below this.
    #[arg(long, value_name = "C")]
    pub min_confidence: Option<f64>,
    /// Keep at most N entities (the --entity first, then the most connected).
    #[arg(long, value_name = "N")]
    pub max_nodes: Option<usize>,
    /// Leave out concept nodes (non-named arguments such as "assistance").
    #[arg(long)]
    pub no_concepts: bool,
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// RDF files; the format comes from the extension unless --format is given.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// ttl, nt, nq, trig, rdf, jsonld (for every file).
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// CoNLL 2018 shared-task metrics against a gold CoNLL-U file: tokens,
    /// sentences, words, UPOS, XPOS, UFeats, lemmas, UAS, LAS, CLAS, MLAS, BLEX.
    Ud {
        /// The gold treebank (CoNLL-U).
        #[arg(long, value_name = "FILE.conllu")]
        gold: PathBuf,
        /// Start from the gold tokens instead of the raw text.
        #[arg(long)]
        gold_tokens: bool,
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// Named entities and coreference: NER span F1 on GUM dev and UNER EWT dev,
    /// CoNLL-2012 coreference (MUC, B³, CEAF-e) on GUM dev's named-entity clusters.
    Entities {
        /// Directory with the UD treebanks (GUM dev, EWT dev).
        #[arg(long, value_name = "DIR", default_value = "../shared/data/ud")]
        ud: PathBuf,
        /// UNER English EWT dev (IOB2).
        #[arg(
            long,
            value_name = "FILE",
            default_value = "../shared/data/uner/en_ewt-ud-dev.iob2"
        )]
        uner: PathBuf,
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// The sample article against its hand-made gold: which of the gold entities
    /// came out as one node with the right type, which gold facts were asserted.
    Sample {
        /// The article (plain text).
        #[arg(
            long,
            value_name = "FILE",
            default_value = "data/articles/tass-2022-01-10-kazakhstan-csto.txt"
        )]
        article: PathBuf,
        /// Its gold entities and facts (tab-separated; see the file's header).
        #[arg(
            long,
            value_name = "FILE.tsv",
            default_value = "data/articles/tass-2022-01-10-kazakhstan-csto.gold.tsv"
        )]
        gold: PathBuf,
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// CaRB Open IE scores (the official scorer's algorithm) on a benchmark split.
    Carb {
        /// Gold tuples (CaRB TSV).
        #[arg(long, value_name = "FILE.tsv")]
        gold: PathBuf,
        /// Sentences, one per line, to run kg's extractor on.
        #[arg(long, value_name = "FILE.txt", required_unless_present = "system")]
        sentences: Option<PathBuf>,
        /// Score this system output instead of running kg.
        #[arg(long, value_name = "FILE", conflicts_with = "sentences")]
        system: Option<PathBuf>,
        /// Format of --system: carb (tab-separated) or openie5.
        #[arg(long, default_value = "carb", value_name = "FORMAT")]
        system_format: String,
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
}

/// Models `kg train` can rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrainWhat {
    /// Tagger and lemmatizer.
    Tagger,
    /// Dependency parser (trains taggers for jack-knifed tags first).
    Parser,
    /// Named-entity recognizer.
    Ner,
    /// All of them.
    All,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// What to train.
    #[arg(value_enum, default_value_t = TrainWhat::All)]
    pub what: TrainWhat,
    /// Directory with the UD English EWT and GUM train/dev CoNLL-U files.
    #[arg(long, value_name = "DIR", default_value = "../shared/data/ud")]
    pub ud: PathBuf,
    /// Where the models go.
    #[arg(long, value_name = "DIR", default_value = "data/models")]
    pub out: PathBuf,
    /// The gazetteer directory: countries.json and the NER word lists (given-names.txt,
    /// cities.tsv, english-words.txt), compiled into the NER model.
    #[arg(long, value_name = "DIR", default_value = "data/gazetteer")]
    pub gazetteer: PathBuf,
    /// Folds for the parser's jack-knifed training tags.
    #[arg(long, default_value_t = 5, value_name = "K")]
    pub folds: usize,
}

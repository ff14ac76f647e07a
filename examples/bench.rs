//! `make bench`: store write rate, bulk-load rate and the latency of every
//! query in `queries/` on a generated store of at least 1M quads.
//!
//! The corpus is generated deterministically (a fixed-seed generator over a
//! pool of names and verbs), so runs are comparable. Times are medians; this
//! machine is shared and noisy, so read ratios, not absolute numbers.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kg::kg::{CharSpan, Document, DocumentGraph, Entity, EntityType, Fact, Iris, Mention};
use kg::store::{Mode, Store};

/// The allocator of the `kg` binary, so in-process stage timings match it.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// SplitMix64: tiny, deterministic.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const FIRST: &[&str] = &[
    "Anna", "Boris", "Chen", "Dana", "Emil", "Farah", "Goran", "Hana", "Ivan", "Jamal", "Kira",
    "Luis", "Maya", "Nikolai", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tomas",
];
const LAST: &[&str] = &[
    "Abenov", "Baker", "Costa", "Dutta", "Engel", "Fischer", "Garcia", "Horvat", "Ivanova",
    "Jensen", "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Petrov", "Quist", "Rossi",
    "Silva", "Tanaka", "Uddin", "Varga", "Weber", "Yilmaz", "Zhou",
];
const VERBS: &[(&str, &str)] = &[
    ("thanked", "thank"),
    ("met", "meet"),
    ("criticized", "criticize"),
    ("called", "call"),
    ("praised", "praise"),
    ("visited", "visit"),
    ("supported", "support"),
    ("accused", "accuse"),
];

fn generate(doc_no: usize, rng: &mut Rng) -> DocumentGraph {
    let mut text = format!("Report {doc_no}. ");
    let mut g = DocumentGraph::default();
    let ent = |name: String, g: &mut DocumentGraph| -> usize {
        match g.entities.iter().position(|e| e.name == name) {
            Some(i) => i,
            None => {
                g.entities.push(Entity {
                    name,
                    kind: EntityType::Person,
                    same_as: None,
                });
                g.entities.len() - 1
            }
        }
    };
    for _ in 0..12 {
        let a = format!(
            "{} {}",
            FIRST[rng.below(FIRST.len())],
            LAST[rng.below(LAST.len())]
        );
        let b = format!(
            "{} {}",
            FIRST[rng.below(FIRST.len())],
            LAST[rng.below(LAST.len())]
        );
        if a == b {
            continue;
        }
        let (surface, lemma) = VERBS[rng.below(VERBS.len())];
        let begin = text.chars().count();
        let sentence = format!("{a} {surface} {b} on day {}.", rng.below(365));
        text.push_str(&sentence);
        text.push(' ');
        let end = begin + sentence.chars().count();
        g.sentences.push(CharSpan { begin, end });
        let s = ent(a.clone(), &mut g);
        let o = ent(b.clone(), &mut g);
        let a_len = a.chars().count();
        let b_begin = begin + a_len + 1 + surface.len() + 1;
        g.mentions.push(Mention {
            span: CharSpan {
                begin,
                end: begin + a_len,
            },
            entity: s,
        });
        g.mentions.push(Mention {
            span: CharSpan {
                begin: b_begin,
                end: b_begin + b.chars().count(),
            },
            entity: o,
        });
        g.facts.push(Fact {
            subject: s,
            relation: lemma.to_owned(),
            object: o,
            sentence: g.sentences.len() - 1,
            confidence: 0.5 + (rng.below(50) as f64) / 100.0,
            surface: format!("{a}; {surface}; {b}"),
            qualifiers: Default::default(),
        });
    }
    g.document = Document {
        text,
        ..Default::default()
    };
    g
}

/// The ingest settings `kg ingest` uses by default (no PROV run).
fn ingest_options() -> kg::ingest::IngestOptions {
    kg::ingest::IngestOptions {
        options: kg::ingest::Options::default(),
        force: false,
        batch: kg::ingest::DEFAULT_BATCH,
        commit_quads: kg::ingest::DEFAULT_COMMIT_QUADS,
        run: None,
    }
}

/// Copy `i` of the article, made distinct by a closing sentence ("This is {what} {i}").
fn article_copy(article: &str, what: &str, i: usize) -> kg::ingest::RawDoc {
    kg::ingest::RawDoc {
        origin: format!("{}-{i}.txt", what.replace(' ', "-")),
        document: kg::kg::Document {
            text: format!("{article}\nThis is {what} {i} of the report."),
            ..Default::default()
        },
        warnings: vec![],
        input_end: 0,
    }
}

/// The middle value of a non-empty list (the upper middle for an even length).
fn median<T: Copy + PartialOrd>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[v.len() / 2]
}

fn peak_rss_mb() -> Option<f64> {
    rss_mb("VmHWM:")
}

/// `kg ingest` of 600 copies of the sample article confined to one core and to two
/// (`taskset`), so "one core" means one core for everything: analysis, the writer
/// thread and RocksDB's own threads. The rate is the one `kg ingest` reports (model
/// loading excluded). Skipped when `taskset` or the `kg` binary is missing.
fn pinned_ingest(
    root: &Path,
    work: &Path,
    article: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let exe = std::env::current_exe()?;
    let Some(kg) = exe.parent().and_then(Path::parent).map(|d| d.join("kg")) else {
        return Ok(());
    };
    let taskset = std::process::Command::new("taskset").arg("-V").output();
    if !kg.is_file() || taskset.is_err() {
        println!(
            "| end to end, pinned to one / two cores | skipped (needs the kg binary and taskset) |"
        );
        return Ok(());
    }
    const COPIES: usize = 600;
    let corpus = work.join("pinned.jsonl");
    let mut lines = String::new();
    for i in 0..COPIES {
        let text = format!("{article}\nThis is pinned copy {i} of the report.");
        lines.push_str(&serde_json::json!({ "id": format!("p{i}"), "text": text }).to_string());
        lines.push('\n');
    }
    fs::write(&corpus, lines)?;
    // Rounds alternate one core and two cores, so a drift in this (virtual) machine's
    // speed hits both sides of a round alike; the ratio reported is the median of the
    // rounds' ratios. On a shared 2-vCPU machine one round's ratio swings by ±0.2, so
    // a median of three rounds of 2 s each was too noisy to compare with the 1.8×
    // floor; seven rounds of twice the text (about 4 s and 2 s) take a minute.
    const ROUNDS: usize = 7;
    let mut rates: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut merges: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut tokens = 0usize;
    let mut ratios = Vec::new();
    for round in 0..ROUNDS {
        for (k, (cores, cpus)) in [(1, "0"), (2, "0,1")].into_iter().enumerate() {
            let out = std::process::Command::new("taskset")
                .args(["-c", cpus])
                .arg(&kg)
                .arg("-v") // for the time of the final merge
                .arg("--store")
                .arg(work.join(format!("pinned-{cores}-{round}")))
                .arg("ingest")
                .arg("--data")
                .arg(root.join("data"))
                .args(["-j", &cores.to_string()])
                .arg(&corpus)
                .output()?;
            let stderr = String::from_utf8_lossy(&out.stderr);
            // "ingested 600 documents (… tokens …) in 5.56s, 22697 tokens/s; …"
            let rate = stderr
                .split(" tokens/s")
                .next()
                .and_then(|s| s.rsplit(' ').next())
                .and_then(|s| s.parse::<f64>().ok());
            let Some(rate) = rate.filter(|_| out.status.success()) else {
                println!(
                    "| end to end, pinned to {cores} core(s) | failed: {} |",
                    stderr.trim()
                );
                return Ok(());
            };
            rates[k].push(rate);
            // "kg: merged the store's table files in 0.91s"
            let merge = stderr
                .lines()
                .find_map(|l| l.strip_prefix("kg: merged the store's table files in "))
                .and_then(|s| s.trim_end_matches('s').parse::<f64>().ok());
            merges[k].push(merge.unwrap_or(0.0));
            // "(10800 sentences, 252600 tokens, 18000 facts)"
            if let Some(n) = stderr
                .split(" tokens, ")
                .next()
                .and_then(|s| s.rsplit(' ').next())
                .and_then(|s| s.parse::<usize>().ok())
            {
                tokens = n;
            }
        }
        ratios.push(rates[1][round] / rates[0][round]);
    }
    let list = |v: &[f64], f: &dyn Fn(f64) -> String| {
        v.iter().map(|&x| f(x)).collect::<Vec<_>>().join(", ")
    };
    for (k, cores) in [1, 2].into_iter().enumerate() {
        println!(
            "| end to end, `kg ingest -j {cores}` pinned to {cores} core{} | median {:.0} words/s ({ROUNDS} rounds: {}) |",
            if cores == 1 { "" } else { "s" },
            median(rates[k].clone()),
            list(&rates[k], &|x| format!("{x:.0}"))
        );
    }
    // The run's last step merges the table files of the fresh store (see
    // `Store::needs_merge`): RocksDB's work, on one thread whatever the cores.
    println!(
        "| of which the final merge of the store's table files (one thread) | median {:.2} s on 1 core, {:.2} s on 2 cores |",
        median(merges[0].clone()),
        median(merges[1].clone())
    );
    // Diagnostic: what the cores do before that serial step. A rate is tokens per
    // second of the whole run, so its time is 1/rate per token.
    let before_merge: Vec<f64> = (0..ROUNDS)
        .map(|r| {
            let time = |k: usize| 1.0 / rates[k][r] - merges[k][r] / tokens as f64;
            time(0) / time(1)
        })
        .collect();
    println!(
        "| 2 cores / 1 core up to the final merge (diagnostic) | median {:.2}× |",
        median(before_merge)
    );
    println!(
        "| 2 cores / 1 core (pinned) | median {:.2}× (per round: {}) |",
        median(ratios.clone()),
        list(&ratios, &|x| format!("{x:.2}×"))
    );
    // A busy host only ever takes time away, and a run on two vCPUs loses whenever
    // either of them is taken while a run on one loses only with that one: the
    // fastest rounds are the least disturbed estimate of what the code scales to.
    let best = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    println!(
        "| 2 cores / 1 core, fastest rounds (pinned) | {:.2}× ({:.0} / {:.0} words/s) |",
        best(&rates[1]) / best(&rates[0]),
        best(&rates[1]),
        best(&rates[0])
    );
    Ok(())
}

/// CPU time (user + system, all threads) of this process so far, from
/// /proc/self/stat (clock ticks of 10 ms: read it around runs of seconds).
fn cpu_seconds() -> Option<f64> {
    let stat = fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// A memory line of /proc/self/status (`VmRSS:` now, `VmHWM:` peak) in MB.
fn rss_mb(field: &str) -> Option<f64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Per-stage and end-to-end throughput of the language pipeline on one core,
/// and the 2-core speed-up of end-to-end ingestion.
fn pipeline_bench(root: &Path, work: &Path) -> Result<(), Box<dyn std::error::Error>> {
    use kg::ingest::{Pipeline, RawDoc};
    let ud = std::env::var("UD")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("../shared/data/ud"));
    let mut gold = Vec::new();
    for f in ["en_ewt-ud-dev.conllu", "en_gum-ud-dev.conllu"] {
        gold.extend(kg::nlp::conllu::read_file(&ud.join(f))?);
    }
    let text = kg::eval::suite::raw_text(&gold);
    let pipeline = Pipeline::load(&root.join("data"))?;
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let reps = 3;
    let mut times: Vec<(&str, Vec<Duration>)> = vec![
        ("tokenize + sentence split", vec![]),
        ("tag + lemmatize", vec![]),
        ("parse", vec![]),
        ("named entities", vec![]),
        ("coreference", vec![]),
        ("open IE", vec![]),
    ];
    let mut tokens = 0usize;
    let mut sentences = 0usize;
    one.install(|| {
        for _ in 0..reps {
            let t = Instant::now();
            let doc = kg::text::Doc::new(text.clone());
            times[0].1.push(t.elapsed());
            let t = Instant::now();
            let mut sents = pipeline.analyzer.analyze(&doc);
            times[1].1.push(t.elapsed());
            let t = Instant::now();
            for s in &mut sents {
                pipeline.parser.parse(&mut s.sentence);
            }
            times[2].1.push(t.elapsed());
            let t = Instant::now();
            let ner: Vec<_> = sents
                .iter()
                .map(|s| pipeline.ner.tag(&s.sentence))
                .collect();
            times[3].1.push(t.elapsed());
            let t = Instant::now();
            let _ =
                kg::nlp::coref::resolve_with_facts(doc.text(), &sents, &ner, &pipeline.gazetteer);
            times[4].1.push(t.elapsed());
            let t = Instant::now();
            for s in &sents {
                let _ = kg::extract::extract(&s.sentence);
            }
            times[5].1.push(t.elapsed());
            tokens = sents.iter().map(|s| s.sentence.words.len()).sum();
            sentences = sents.len();
        }
    });
    println!(
        "kg bench — pipeline on EWT dev + GUM dev raw text ({} MB, {sentences} sentences, {tokens} words), one core, median of {reps}",
        text.len() / 1_000_000
    );
    println!();
    println!("| stage | words/s | sentences/s |");
    println!("|---|---|---|");
    let mut total = Duration::ZERO;
    // Issue 3's speed target is the front end as a whole: tokens in, tagged and
    // lemmatized CoNLL-U words out (the median of the per-run sums).
    let front: Vec<Duration> = times[0]
        .1
        .iter()
        .zip(&times[1].1)
        .map(|(a, b)| *a + *b)
        .collect();
    let front = median(front);
    for (name, t) in times {
        let m = median(t);
        total += m;
        println!(
            "| {name} | {:.0} | {:.0} |",
            tokens as f64 / m.as_secs_f64(),
            sentences as f64 / m.as_secs_f64()
        );
    }
    println!(
        "| front end: tokenize + tag + lemmatize | {:.0} | {:.0} |",
        tokens as f64 / front.as_secs_f64(),
        sentences as f64 / front.as_secs_f64()
    );
    println!(
        "| all stages (sum) | {:.0} | {:.0} |",
        tokens as f64 / total.as_secs_f64(),
        sentences as f64 / total.as_secs_f64()
    );

    // End to end into an on-disk store: 1 thread vs 2 threads, the sample article
    // replicated with a distinguishing line so every document is new.
    let article =
        fs::read_to_string(root.join("data/articles/tass-2022-01-10-kazakhstan-csto.txt"))?;
    let iris = Iris::default();
    let mut rates = Vec::new();
    for threads in [1usize, 2] {
        let store = Store::open(&work.join(format!("e2e-{threads}")), Mode::ReadWrite)?;
        let docs: Vec<Result<RawDoc, kg::ingest::InputError>> = (0..300)
            .map(|i| Ok(article_copy(&article, "copy", i)))
            .collect();
        let bytes: usize = docs
            .iter()
            .map(|d| d.as_ref().map(|d| d.document.text.len()).unwrap_or(0))
            .sum();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        let opts = ingest_options();
        let t = Instant::now();
        let cpu = cpu_seconds();
        let summary = pool.install(|| {
            kg::ingest::ingest(
                &store,
                &iris,
                &pipeline,
                docs.into_iter(),
                &opts,
                &mut |_, _| {},
            )
        })?;
        let secs = t.elapsed().as_secs_f64();
        let cpu = cpu_seconds().zip(cpu).map(|(b, a)| b - a);
        rates.push(summary.tokens as f64 / secs);
        println!(
            "| end to end, text → facts in the store, {threads} analysis thread{} (+ the writer) | {:.0} words/s, {:.0} sentences/s, {:.2} MB/s ({} documents); {} |",
            if threads == 1 { "" } else { "s" },
            summary.tokens as f64 / secs,
            summary.sentences as f64 / secs,
            bytes as f64 / secs / 1e6,
            summary.written,
            match cpu {
                Some(c) => format!(
                    "{:.0} words per CPU-second (all threads, RocksDB's included)",
                    summary.tokens as f64 / c
                ),
                None => "CPU time not available".to_owned(),
            }
        );
    }
    println!("| 2 threads / 1 thread | {:.2}× |", rates[1] / rates[0]);
    pinned_ingest(root, work, &article)?;

    // Memory: distinct documents streamed in (never all in memory), RSS sampled
    // each time a group of analysed documents goes to the writer (one commit at
    // the end: 1.3M quads). The peak is reset first so it is this ingest's.
    let _ = fs::write("/proc/self/clear_refs", "5");
    let store = Store::open(&work.join("e2e-memory"), Mode::ReadWrite)?;
    let n_docs = 1200;
    let docs = (0..n_docs).map(|i| Ok(article_copy(&article, "streamed copy", i)));
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build()?;
    let opts = ingest_options();
    let mut samples: Vec<(usize, f64)> = Vec::new();
    let summary = pool.install(|| {
        kg::ingest::ingest(&store, &iris, &pipeline, docs, &opts, &mut |e, _| {
            if let kg::ingest::Event::Analysed { documents, .. } = e {
                samples.push((*documents, rss_mb("VmRSS:").unwrap_or(0.0)));
            }
        })
    })?;
    let at = |share: f64| {
        samples
            .iter()
            .find(|(d, _)| *d as f64 >= share * n_docs as f64)
            .map(|x| x.1)
            .unwrap_or(0.0)
    };
    println!(
        "| memory, ingesting {:.1} MB of text (streamed, 2 threads) | peak RSS {:.0} MB; RSS after 25% of the input {:.0} MB, after 50% {:.0} MB, after the last document {:.0} MB |",
        summary.bytes as f64 / 1e6,
        rss_mb("VmHWM:").unwrap_or(0.0),
        at(0.25),
        at(0.5),
        at(1.0)
    );
    println!();
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target_quads: usize = std::env::var("KG_BENCH_QUADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_050_000);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::Builder::new().prefix("kg-bench").tempdir()?;
    let iris = Iris::default();

    if std::env::var("KG_BENCH_SKIP_PIPELINE").is_err() {
        pipeline_bench(&root, work.path())?;
    }
    println!("kg bench — store ({} quads target)", target_quads);
    println!();

    // 1. Per-document transactions (what `kg ingest` does for a document that
    // replaces a stored version; new documents go in bulk, see the pipeline rows).
    let store = Store::open(&work.path().join("ingest"), Mode::ReadWrite)?;
    let mut rng = Rng(42);
    let start = Instant::now();
    let mut docs = 0usize;
    let mut written = 0usize;
    while written < target_quads {
        let g = generate(docs, &mut rng);
        let q = kg::rdf::document_quads(&iris, &g, None)?;
        written += q.quads.len() + q.asserted.len() + q.relations.len();
        store.replace_document(&iris, &q)?;
        docs += 1;
    }
    store.flush()?;
    let tx_secs = start.elapsed().as_secs_f64();
    let total = store.len()?;
    println!("| stage | measure |");
    println!("|---|---|");
    println!(
        "| store write, one transaction per document | {docs} documents, {total} quads in {tx_secs:.1}s: {:.0} quads/s, {:.0} docs/s |",
        written as f64 / tx_secs,
        docs as f64 / tx_secs
    );

    // 2. Bulk load of the same data from N-Quads.
    let nq = work.path().join("all.nq");
    {
        let mut f = std::io::BufWriter::new(fs::File::create(&nq)?);
        store.dump(&iris, oxigraph::io::RdfFormat::NQuads, &mut f)?;
    }
    let bulk = Store::open(&work.path().join("bulk"), Mode::ReadWrite)?;
    let start = Instant::now();
    let (_, progress) = kg::store::progress_counter();
    let n = bulk.load_files(
        &[(nq.clone(), oxigraph::io::RdfFormat::NQuads)],
        None,
        progress,
    )?;
    bulk.merge_tables()?; // as `kg load` into an empty store
    let secs = start.elapsed().as_secs_f64();
    println!(
        "| bulk load (`kg load`, N-Quads) | {n} quads in {secs:.1}s: {:.0} quads/s |",
        n as f64 / secs
    );
    drop(bulk);

    // 3. Query latency, median of 5 runs after one warm-up.
    let mut files: Vec<PathBuf> = fs::read_dir(root.join("queries"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rq"))
        .collect();
    files.sort();
    for f in files {
        let text = fs::read_to_string(&f)?;
        let run = |text: &str| -> Result<(Duration, usize), Box<dyn std::error::Error>> {
            let t = Instant::now();
            let rows = match store.query(&iris, text, Some(Duration::from_secs(120)))? {
                oxigraph::sparql::QueryResults::Solutions(s) => s.count(),
                oxigraph::sparql::QueryResults::Boolean(_) => 1,
                oxigraph::sparql::QueryResults::Graph(g) => g.count(),
            };
            Ok((t.elapsed(), rows))
        };
        let (_, rows) = run(&text)?;
        let times: Vec<Duration> = (0..5)
            .map(|_| run(&text).map(|r| r.0))
            .collect::<Result<_, _>>()?;
        println!(
            "| query {} | {:.1} ms median, {rows} rows |",
            name(&f),
            median(times).as_secs_f64() * 1e3
        );
    }
    if let Some(mb) = peak_rss_mb() {
        println!("| peak memory (RSS) | {mb:.0} MB |");
    }
    Ok(())
}

fn name(p: &Path) -> String {
    p.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

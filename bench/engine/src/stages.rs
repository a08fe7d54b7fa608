//! The measured stages, each a function from input to a number derived from its output (so
//! the work cannot be optimised away), and the CPU-time harness.

use html5ever::buffer_queue::BufferQueue;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    Token as Html5everToken, TokenSink, TokenSinkResult, Tokenizer as Html5everTokenizer,
    TokenizerOpts,
};
use htmlguard::engine::EngineKind;
use htmlguard::parser::parse::parse_fragment;
use htmlguard::parser::token::Token;
use htmlguard::parser::tokenizer::Tokenizer;
use htmlguard::parser::tree::{ContextElement, Opts};
use htmlguard::policy::presets::preset_spec;
use htmlguard::policy::CompiledPolicy;

/// CPU seconds used by this thread (immune to other processes' load, unlike wall time).
pub fn cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// One pass of `f` over `docs`: the function callgrind counts
/// (`--toggle-collect=htmlguard_engine_bench::stages::pass`, no wildcard: the stages'
/// closures have names below it and would toggle collection off again).
#[inline(never)]
pub fn pass(f: &dyn Fn(&str) -> usize, docs: &[String]) -> usize {
    docs.iter().map(|d| f(std::hint::black_box(d))).sum()
}

/// Median MB (10^6 bytes) per CPU-second of `f` over all `docs`, from `runs` timed passes
/// after one warm-up pass.
pub fn throughput(docs: &[String], runs: usize, f: &dyn Fn(&str) -> usize) -> f64 {
    let bytes: usize = docs.iter().map(String::len).sum();
    std::hint::black_box(pass(f, docs));
    let mut rates: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let t = cpu_seconds();
            std::hint::black_box(pass(f, docs));
            bytes as f64 / 1e6 / (cpu_seconds() - t)
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

/// Median ratio of `f`'s throughput to `base`'s, timing the two alternately pass by pass so
/// that load from other processes hits both alike.
pub fn paired_ratio(
    docs: &[String],
    runs: usize,
    base: &dyn Fn(&str) -> usize,
    f: &dyn Fn(&str) -> usize,
) -> f64 {
    let time = |g: &dyn Fn(&str) -> usize| {
        let t = cpu_seconds();
        std::hint::black_box(pass(g, docs));
        cpu_seconds() - t
    };
    time(base);
    time(f);
    let mut ratios: Vec<f64> = (0..runs.max(1)).map(|_| time(base) / time(f)).collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

struct Discard;

impl TokenSink for Discard {
    type Handle = ();
    fn process_token(&self, token: Html5everToken, _line: u64) -> TokenSinkResult<()> {
        std::hint::black_box(&token);
        TokenSinkResult::Continue
    }
}

/// html5ever's tokenizer with a sink that drops every token (no state changes from a tree
/// builder: `<script>` content is tokenized as markup, as in our tokenizer's stage).
fn html5ever_tokens(html: &str) -> usize {
    let tok = Html5everTokenizer::new(Discard, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tok.feed(&input);
    tok.end();
    html.len()
}

/// Our tokenizer alone, every token dropped.
fn our_tokens(html: &str) -> usize {
    let mut tok = Tokenizer::new(html);
    let mut n = 0;
    while !matches!(std::hint::black_box(tok.next_token()), Token::Eof) {
        n += 1;
    }
    n
}

pub type Stage<'a> = (&'static str, Box<dyn Fn(&str) -> usize + 'a>);

/// The ugc preset compiled for each engine: (ammonia, ours).
pub fn policies() -> (CompiledPolicy, CompiledPolicy) {
    let compile = |engine| {
        preset_spec("ugc")
            .expect("the ugc preset")
            .compile_with(engine)
            .expect("ugc compiles")
    };
    (compile(EngineKind::Html5ever), compile(EngineKind::Native))
}

/// Every stage, html5ever's beside ours.
pub fn stages<'a>(ammonia: &'a CompiledPolicy, ours: &'a CompiledPolicy) -> Vec<Stage<'a>> {
    vec![
        (
            "byte scan (count '<')",
            Box::new(|h: &str| h.bytes().filter(|&b| b == b'<').count()),
        ),
        ("html5ever tokenizer", Box::new(html5ever_tokens)),
        ("our tokenizer", Box::new(our_tokens)),
        (
            "html5ever parse (ammonia's rcdom)",
            Box::new(|h: &str| {
                let f = htmlguard::engine::parse::parse_fragment(h, htmlguard::html::MAX_DEPTH);
                let n = f.root().children.borrow().len();
                n
            }),
        ),
        (
            "our parse (arena)",
            Box::new(|h: &str| {
                parse_fragment(h, ContextElement::div(), Opts::default())
                    .nodes
                    .len()
            }),
        ),
        (
            "sanitize (ugc), ammonia engine",
            Box::new(|h: &str| ammonia.sanitize(h).expect("size").len()),
        ),
        (
            "sanitize (ugc), htmlguard engine",
            Box::new(|h: &str| ours.sanitize(h).expect("size").len()),
        ),
    ]
}

//! The measured stages, each a function from input to output length (so the work cannot
//! be optimised away), and the CPU-time harness.

use ammonia::rcdom::{RcDom, SerializableHandle};
use html5ever::buffer_queue::BufferQueue;
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tokenizer::{Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use html5ever::{local_name, ns, parse_fragment, ParseOpts, QualName};
use htmlguard::policy::CompiledPolicy;

use crate::arena;
use crate::walk::Walker;

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

/// Median MB (10^6 bytes) per CPU-second of `f` over all `docs`, from `runs` timed passes
/// after one warm-up pass.
pub fn throughput(docs: &[String], runs: usize, f: &dyn Fn(&str) -> usize) -> f64 {
    let bytes: usize = docs.iter().map(|d| d.len()).sum();
    let pass = || {
        docs.iter()
            .map(|d| f(std::hint::black_box(d)))
            .sum::<usize>()
    };
    std::hint::black_box(pass());
    let mut rates: Vec<f64> = (0..runs)
        .map(|_| {
            let t = cpu_seconds();
            std::hint::black_box(pass());
            bytes as f64 / 1e6 / (cpu_seconds() - t)
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

/// Median ratio of `f`'s throughput to `base`'s, timing the two alternately pass by pass so
/// that load from other processes hits both alike (the shared machine's noise otherwise
/// swamps differences of tens of percent between stages timed minutes apart).
pub fn paired_ratio(
    docs: &[String],
    runs: usize,
    base: &dyn Fn(&str) -> usize,
    f: &dyn Fn(&str) -> usize,
) -> f64 {
    let time = |g: &dyn Fn(&str) -> usize| {
        let t = cpu_seconds();
        std::hint::black_box(
            docs.iter()
                .map(|d| g(std::hint::black_box(d)))
                .sum::<usize>(),
        );
        cpu_seconds() - t
    };
    time(base);
    time(f);
    let mut ratios: Vec<f64> = (0..runs).map(|_| time(base) / time(f)).collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

struct Discard;

impl TokenSink for Discard {
    type Handle = ();
    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        std::hint::black_box(&token);
        TokenSinkResult::Continue
    }
}

pub fn tokenize(html: &str) -> usize {
    let tok = Tokenizer::new(Discard, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tok.feed(&input);
    tok.end();
    html.len()
}

/// html5ever's fragment parse into ammonia's rcdom, exactly as ammonia sets it up.
pub fn parse_rcdom(html: &str) -> RcDom {
    parse_fragment(
        RcDom::default(),
        ParseOpts::default(),
        QualName::new(None, ns!(html), local_name!("div")),
        vec![],
        false,
    )
    .one(html)
}

/// html5ever's own serializer over the rcdom fragment (the `<html>` root's children).
pub fn rcdom_serialize(dom: &RcDom) -> String {
    let root: SerializableHandle = dom.document.children.borrow()[0].clone().into();
    let mut out = Vec::new();
    html5ever::serialize::serialize(&mut out, &root, Default::default()).expect("in memory");
    String::from_utf8(out).expect("UTF-8")
}

pub type Stage<'a> = (&'static str, Box<dyn Fn(&str) -> usize + 'a>);

/// Every stage, cheapest first; the prototypes are last.
pub fn stages<'a>(
    policy: &'a CompiledPolicy,
    walker: &'a Walker<'a>,
    fast: &'a Walker<'a>,
) -> Vec<Stage<'a>> {
    vec![
        (
            "byte scan (count '<')",
            Box::new(|h: &str| h.bytes().filter(|&b| b == b'<').count()),
        ),
        ("html5ever tokenizer alone", Box::new(tokenize)),
        (
            "html5ever parse -> rcdom",
            Box::new(|h: &str| parse_rcdom(h).document.children.borrow().len()),
        ),
        (
            "html5ever parse -> rcdom + html5ever serialize",
            Box::new(|h: &str| rcdom_serialize(&parse_rcdom(h)).len()),
        ),
        (
            "ammonia clean (ugc), DOM only",
            Box::new(|h: &str| {
                let d = policy.builder.clean(h);
                std::hint::black_box(&d);
                1
            }),
        ),
        (
            "ammonia clean (ugc) + to_string",
            Box::new(|h: &str| policy.builder.clean(h).to_string().len()),
        ),
        (
            "htmlguard sanitize (ugc, production)",
            Box::new(|h: &str| policy.sanitize(h).expect("size").len()),
        ),
        (
            "(a) arena parse",
            Box::new(|h: &str| arena::parse(h).nodes.len()),
        ),
        (
            "(a) arena parse + serialize",
            Box::new(|h: &str| arena::serialize(&arena::parse(h)).len()),
        ),
        (
            "(b) arena + sanitizing walk (ugc)",
            Box::new(|h: &str| walker.sanitize(h).len()),
        ),
        (
            "(c) (b) + scheme pre-check before Url::parse",
            Box::new(|h: &str| fast.sanitize(h).len()),
        ),
    ]
}

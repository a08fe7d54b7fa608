//! The queue between `sanitize_async`'s callers and its background threads, and the loop
//! those threads run (the threads themselves are started by the bindings).
//!
//! A thread that has just finished a job keeps looking for the next one for a while (as
//! long as that job took, at most `SPIN_MAX`) before it sleeps: a sleeping thread on an
//! idle CPU takes tens of microseconds to wake, on some VMs more than a millisecond, more
//! than a caller's turnaround between two awaits. Only one thread looks at a time, and only
//! after doing work, so idle threads never spin (rayon's do, which on two cores slowed the
//! event loop's own thread), and a thread spins at most as long as it worked.
//!
//! `Pace` keeps how fast recent jobs went, so a caller can tell how long the next one will
//! take (the awaiting task polls for its answer about that long).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Work for a background thread.
pub type Job = Box<dyn FnOnce() + Send + 'static>;

/// The longest a thread looks for more work after a job before it sleeps. On a VM whose
/// idle vCPUs took 0.1-1.5 ms to wake (measured 2026-12-04, bench/ENGINE.md), a 100 µs
/// bound let the worker fall asleep during a slow machine's turnaround of 50-150 µs
/// between two awaits, and each call then paid a wake-up.
const SPIN_MAX: Duration = Duration::from_millis(2);

/// How long recent jobs took per input byte: an average weighted towards the latest
/// (each job counts for a quarter), shared by the threads without a lock (a lost update
/// between two threads only delays the average by one job).
#[derive(Default)]
pub struct Pace {
    /// Picoseconds per byte; 0 until a job has been timed.
    ps_per_byte: AtomicU64,
}

impl Pace {
    pub const fn new() -> Self {
        Pace {
            ps_per_byte: AtomicU64::new(0),
        }
    }

    /// A job of `bytes` bytes took `took`.
    pub fn record(&self, bytes: usize, took: Duration) {
        let Some(latest) = (took.as_nanos() * 1000).checked_div(bytes as u128) else {
            return;
        };
        let latest = u64::try_from(latest).unwrap_or(u64::MAX);
        let old = self.ps_per_byte.load(Ordering::Relaxed);
        let new = if old == 0 {
            latest
        } else {
            old - old / 4 + latest / 4
        };
        self.ps_per_byte.store(new, Ordering::Relaxed);
    }

    /// How long a job of `bytes` bytes should take at the recent pace (zero before any
    /// job was timed).
    pub fn expect(&self, bytes: usize) -> Duration {
        let ps = u128::from(self.ps_per_byte.load(Ordering::Relaxed)) * bytes as u128;
        Duration::from_nanos(u64::try_from(ps / 1000).unwrap_or(u64::MAX))
    }
}

pub enum Message {
    Run(Job),
    /// Ends the one thread that takes it.
    Stop,
}

#[derive(Default)]
pub struct Queue {
    messages: Mutex<VecDeque<Message>>,
    /// Signalled for a new message when no thread is looking.
    arrived: Condvar,
    /// `messages.len()`, readable without the lock by the thread that is looking.
    queued: AtomicUsize,
    /// Whether a thread is looking (at most one is).
    looking: AtomicBool,
}

impl Queue {
    pub fn push(&self, message: Message) {
        self.messages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(message);
        self.queued.fetch_add(1, Ordering::SeqCst);
        // A thread still looking sees the count; one that has stopped looking takes the
        // lock after this push and finds the message. Only then is no wake-up needed.
        if !self.looking.load(Ordering::SeqCst) {
            self.arrived.notify_one();
        }
    }

    /// The next message, looking for it until `until` (if no other thread is) before
    /// sleeping.
    fn next(&self, until: Option<Instant>) -> Message {
        if let Some(until) = until {
            if !self.looking.swap(true, Ordering::SeqCst) {
                while self.queued.load(Ordering::SeqCst) == 0 && Instant::now() < until {
                    std::hint::spin_loop();
                }
                self.looking.store(false, Ordering::SeqCst);
            }
        }
        let mut messages = self.messages.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(message) = messages.pop_front() {
                self.queued.fetch_sub(1, Ordering::SeqCst);
                // Messages pushed while a thread was looking woke no one: pass them on.
                if !messages.is_empty() {
                    self.arrived.notify_one();
                }
                return message;
            }
            messages = self
                .arrived
                .wait(messages)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// A background thread's life: run jobs until a `Stop`.
    pub fn serve(&self) {
        let mut until = None;
        loop {
            match self.next(until) {
                Message::Run(job) => {
                    let start = Instant::now();
                    job();
                    let end = Instant::now();
                    until = Some(end + (end - start).min(SPIN_MAX));
                }
                Message::Stop => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::sync::Arc;

    /// Jobs pushed from several threads at every kind of moment (while a thread looks,
    /// just as it stops looking, while all sleep) each run exactly once.
    #[test]
    fn every_job_runs_once_however_pushes_and_looks_interleave() {
        let queue = Arc::new(Queue::default());
        let threads: Vec<_> = (0..3)
            .map(|_| {
                let q = queue.clone();
                std::thread::spawn(move || q.serve())
            })
            .collect();
        let (done, results) = channel();
        let producers: Vec<_> = (0..3u64)
            .map(|p| {
                let (q, done) = (queue.clone(), done.clone());
                std::thread::spawn(move || {
                    for i in 0..2000u64 {
                        let done = done.clone();
                        let work = (i * 7 + p) % 5;
                        q.push(Message::Run(Box::new(move || {
                            // Jobs of 0 to ~40 µs, so that spins end at many points.
                            std::thread::sleep(Duration::from_micros(work * work * 2));
                            done.send(p * 10_000 + i).unwrap();
                        })));
                        // Gaps around the length of a spin, and none.
                        if i % 3 == 0 {
                            std::thread::sleep(Duration::from_micros((i % 11) * 20));
                        }
                    }
                })
            })
            .collect();
        drop(done);
        for p in producers {
            p.join().unwrap();
        }
        let mut seen: Vec<u64> = results.iter().take(6000).collect::<Vec<_>>();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 6000);
        for _ in &threads {
            queue.push(Message::Stop);
        }
        for t in threads {
            t.join().unwrap();
        }
    }

    #[test]
    fn pace_expects_what_recent_jobs_took_per_byte() {
        let pace = Pace::new();
        assert_eq!(pace.expect(1000), Duration::ZERO, "nothing timed yet");
        pace.record(0, Duration::from_millis(1)); // an empty job tells nothing
        assert_eq!(pace.expect(1000), Duration::ZERO);
        pace.record(10_000, Duration::from_micros(100)); // 10 ns per byte
        assert_eq!(pace.expect(20_000), Duration::from_micros(200));
        // A slower stretch moves the estimate a quarter of the way at each job.
        pace.record(10_000, Duration::from_micros(500)); // 50 ns per byte
        assert_eq!(pace.expect(1_000), Duration::from_nanos(20_000));
        for _ in 0..40 {
            pace.record(10_000, Duration::from_micros(500));
        }
        let after = pace.expect(1_000).as_nanos();
        assert!((49_000..=50_000).contains(&after), "{after}");
        // Huge values saturate instead of overflowing.
        pace.record(1, Duration::from_secs(u64::MAX / 2));
        assert!(pace.expect(usize::MAX) >= Duration::from_secs(1));
    }

    /// Jobs pushed while a thread looks wake no one; when the looker takes one, the rest
    /// are passed to a sleeping thread instead of waiting for the looker's next turn.
    #[test]
    fn jobs_pushed_while_a_thread_looks_are_passed_on() {
        let queue = Arc::new(Queue::default());
        let sleeper = {
            let q = queue.clone();
            std::thread::spawn(move || q.serve())
        };
        // Time for it to go to sleep on the empty queue.
        std::thread::sleep(Duration::from_millis(100));
        // This thread plays the looker: pushes see it and notify no one.
        queue.looking.store(true, Ordering::SeqCst);
        let (tx, rx) = channel();
        queue.push(Message::Run(Box::new(|| {})));
        queue.push(Message::Run(Box::new(move || tx.send(()).unwrap())));
        queue.looking.store(false, Ordering::SeqCst);
        // The looker takes the first job and holds it; only the sleeper can run the second.
        let _first = queue.next(None);
        rx.recv_timeout(Duration::from_secs(10))
            .expect("the second job was passed to the sleeping thread");
        queue.push(Message::Stop);
        sleeper.join().unwrap();
    }
}

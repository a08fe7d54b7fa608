//! The queue between `sanitize_async`'s callers and its background threads, and the loop
//! those threads run (the threads themselves are started by the bindings).
//!
//! A thread that has just finished a job keeps looking for the next one for a while (as
//! long as that job took, at most `SPIN_MAX`) before it sleeps: a sleeping thread on an
//! idle CPU takes tens of microseconds to wake, more than a caller's turnaround between two
//! awaits. Only one thread looks at a time, and only after doing work, so idle threads
//! never spin (rayon's do, which on two cores slowed the event loop's own thread).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Work for a background thread.
pub type Job = Box<dyn FnOnce() + Send + 'static>;

/// The longest a thread looks for more work after a job before it sleeps.
const SPIN_MAX: Duration = Duration::from_micros(100);

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

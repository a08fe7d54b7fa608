//! `_Stream`: a document sanitized as its bytes arrive (`engine/stream.rs`), for the CLI's
//! reading of large files in chunks. Each call releases the GIL while it works.

use std::sync::Arc;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::errors::{guarded, InputTooLargeError, InvalidUTF8Error};
use super::registry::resolve;
use crate::engine::stream::{InvalidUtf8, Stream, Utf8Decoder, SCAN_BYTES};
use crate::engine::InputTooLarge;
use crate::policy::CompiledPolicy;

/// A document sanitized as it arrives: ``feed`` it the bytes (UTF-8) in chunks of any
/// size, write what each call returns, then what ``finish`` returns; together they are
/// ``policy.sanitize(whole document)``, as UTF-8. Only the text after the document's last
/// exact cut point is held. ``errors="replace"`` turns invalid UTF-8 into U+FFFD, as
/// ``bytes.decode`` does; ``"strict"`` raises ``InvalidUTF8Error`` naming the byte offset.
/// After an error or ``finish`` the stream takes nothing more. ``scan_bytes``: the least
/// the held text grows by between two searches for a cut point (small in the tests, to
/// cut often).
#[pyclass(module = "htmlguard._core", name = "_Stream")]
pub struct PyStream {
    policy: Arc<CompiledPolicy>,
    decoder: Utf8Decoder,
    stream: Stream,
    /// Why the stream takes nothing more (an error, or finish), once it does not.
    closed: Option<&'static str>,
}

enum Failure {
    Decode(InvalidUtf8),
    TooLarge(InputTooLarge),
}

impl PyStream {
    fn check_open(&self) -> PyResult<()> {
        match self.closed {
            Some(why) => Err(PyValueError::new_err(format!("the stream is {why}"))),
            None => Ok(()),
        }
    }

    fn error(&mut self, failure: Failure) -> PyErr {
        self.closed = Some("closed by an earlier error");
        match failure {
            Failure::Decode(e) => InvalidUTF8Error::new_err(format!(
                "invalid UTF-8 at byte offset {} of the input",
                e.offset
            )),
            // Reading stopped there: the whole input may be longer.
            Failure::TooLarge(e) => InputTooLargeError::new_err(format!(
                "input is at least {} bytes (UTF-8), over this policy's max_input_bytes of {}",
                e.size, e.limit
            )),
        }
    }
}

#[pymethods]
impl PyStream {
    #[new]
    #[pyo3(signature = (policy, *, errors = "strict", scan_bytes = SCAN_BYTES))]
    fn new(policy: &Bound<'_, PyAny>, errors: &str, scan_bytes: usize) -> PyResult<Self> {
        let replace = match errors {
            "strict" => false,
            "replace" => true,
            other => {
                return Err(PyValueError::new_err(format!(
                    "errors must be \"strict\" or \"replace\", not {other:?}"
                )))
            }
        };
        Ok(PyStream {
            policy: resolve(policy)?,
            decoder: Utf8Decoder::new(replace),
            stream: Stream::with_scan(scan_bytes),
            closed: None,
        })
    }

    /// Take the next bytes of the document; return the output that is ready (often
    /// empty).
    fn feed<'py>(&mut self, py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        self.check_open()?;
        let (p, decoder, stream) = (&*self.policy, &mut self.decoder, &mut self.stream);
        let done = py.detach(|| {
            guarded(|| {
                let mut text = String::new();
                decoder.decode(data, &mut text).map_err(Failure::Decode)?;
                let mut out = String::new();
                stream.push(p, &text, &mut out).map_err(Failure::TooLarge)?;
                Ok(out)
            })
        });
        let done = done.inspect_err(|_| self.closed = Some("closed by an earlier error"))?;
        match done {
            Ok(out) => Ok(PyBytes::new(py, out.as_bytes())),
            Err(failure) => Err(self.error(failure)),
        }
    }

    /// The document is complete: return the rest of the output.
    fn finish<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        self.check_open()?;
        let (p, decoder, stream) = (&*self.policy, &mut self.decoder, &mut self.stream);
        let done = py.detach(|| {
            guarded(|| {
                let mut text = String::new();
                decoder.finish(&mut text).map_err(Failure::Decode)?;
                let mut out = String::new();
                stream.push(p, &text, &mut out).map_err(Failure::TooLarge)?;
                stream.finish(p, &mut out);
                Ok(out)
            })
        });
        let done = done.inspect_err(|_| self.closed = Some("closed by an earlier error"))?;
        match done {
            Ok(out) => {
                self.closed = Some("finished");
                Ok(PyBytes::new(py, out.as_bytes()))
            }
            Err(failure) => Err(self.error(failure)),
        }
    }

    /// UTF-8 bytes of text taken so far (after any replacement of invalid bytes).
    #[getter]
    fn size(&self) -> usize {
        self.stream.size()
    }
}

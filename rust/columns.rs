//! A bulk job's column in Arrow's string layout (a validity bitmap, row offsets, and the
//! rows' UTF-8 back to back), sanitized in one call: no Python `str` is made for a value
//! read or written, and the whole column goes through the shared pool with nothing shared
//! but the input. What `htmlguard.bulk` uses for Parquet, where the Python-object round
//! trip (Arrow to `str` and back) cost as much as a second core gives.

use crate::policy::CompiledPolicy;
use crate::report::Findings;

/// One column: rows `0..len` of an Arrow `string` (32-bit offsets) or `large_string`
/// (64-bit) array whose first row is at `offset` in its buffers (a slice of a bigger array).
pub struct Column<'a> {
    pub len: usize,
    pub offset: usize,
    /// The validity bitmap (bit `offset + i` set: row `i` is not null), if any.
    pub validity: Option<&'a [u8]>,
    /// Little-endian offsets, `offset + len + 1` of them at least.
    pub offsets: &'a [u8],
    pub wide: bool,
    pub data: &'a [u8],
}

/// What became of one row.
enum Row {
    Null,
    /// Kept as read: the policy left it alone, or it failed.
    Same,
    Changed(String),
}

/// The sanitized column, in the layout it was given (same offset width, no slice offset,
/// the input's validity applying to it unchanged), and what the bulk report needs.
#[derive(Default)]
pub struct Sanitized {
    pub offsets: Vec<u8>,
    pub data: Vec<u8>,
    pub changed: Vec<usize>,
    /// `(row, "Error: why")`, in row order. A failed row is written as it was read.
    pub failures: Vec<(usize, String)>,
    pub bytes_in: usize,
    pub bytes_out: usize,
    pub findings: Findings,
}

/// Why a column cannot be read at all (its buffers do not hold what its shape says).
#[derive(Debug, PartialEq, Eq)]
pub struct BadColumn(pub String);

impl Column<'_> {
    fn width(&self) -> usize {
        if self.wide {
            8
        } else {
            4
        }
    }

    fn offset_at(&self, i: usize) -> Result<usize, BadColumn> {
        let w = self.width();
        let at = (self.offset + i) * w;
        let raw = self
            .offsets
            .get(at..at + w)
            .ok_or_else(|| BadColumn(format!("offset {} is past the offsets buffer", i)))?;
        let v = if self.wide {
            i64::from_le_bytes(raw.try_into().expect("8 bytes"))
        } else {
            i64::from(i32::from_le_bytes(raw.try_into().expect("4 bytes")))
        };
        usize::try_from(v).map_err(|_| BadColumn(format!("offset {i} is negative")))
    }

    fn valid(&self, i: usize) -> Result<bool, BadColumn> {
        let Some(bits) = self.validity else {
            return Ok(true);
        };
        let bit = self.offset + i;
        let byte = bits
            .get(bit / 8)
            .ok_or_else(|| BadColumn("the validity bitmap is too short".into()))?;
        Ok(byte & (1 << (bit % 8)) != 0)
    }

    /// Each row's bytes, or None for a null; checked before any work starts.
    fn rows(&self) -> Result<Vec<Option<&[u8]>>, BadColumn> {
        let mut rows = Vec::with_capacity(self.len);
        let mut start = self.offset_at(0)?;
        for i in 0..self.len {
            let end = self.offset_at(i + 1)?;
            if end < start {
                return Err(BadColumn(format!("offsets go backwards at row {i}")));
            }
            let bytes = self
                .data
                .get(start..end)
                .ok_or_else(|| BadColumn(format!("row {i} is past the data buffer")))?;
            rows.push(self.valid(i)?.then_some(bytes));
            start = end;
        }
        Ok(rows)
    }
}

/// Sanitize every non-null row of `col` with `p` (counting removals), on the shared pool
/// when `threads > 1` and there is enough work. A row that is not UTF-8 or is over the
/// policy's size limit fails alone and is kept as read; a null stays null.
pub fn sanitize_column(
    p: &CompiledPolicy,
    col: &Column<'_>,
    threads: usize,
) -> Result<Sanitized, BadColumn> {
    let rows = col.rows()?;
    let one = |bytes: &Option<&[u8]>| -> (Row, Result<Findings, String>) {
        let Some(bytes) = bytes else {
            return (Row::Null, Ok(Findings::counts_only()));
        };
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let why = format!("UnicodeError: invalid UTF-8 at byte {}", e.valid_up_to());
                return (Row::Same, Err(why));
            }
        };
        if let Err(e) = p.check_size(text.len()) {
            return (Row::Same, Err(format!("InputTooLargeError: {e}")));
        }
        let (out, found) = crate::engine::count(p, text);
        let row = if out == text {
            Row::Same
        } else {
            Row::Changed(out)
        };
        (row, Ok(found))
    };
    let total: usize = rows.iter().flatten().map(|r| r.len()).sum();
    let done: Vec<(Row, Result<Findings, String>)> = crate::pool::map(&rows, threads, total, one);

    let mut out = Sanitized {
        findings: Findings::counts_only(),
        ..Sanitized::default()
    };
    let wide = col.wide;
    let push_offset = |offsets: &mut Vec<u8>, at: usize| -> Result<(), BadColumn> {
        if wide {
            offsets.extend_from_slice(&(at as i64).to_le_bytes());
        } else {
            let at = i32::try_from(at).map_err(|_| {
                BadColumn("the sanitized column is over 2 GiB: use large_string".into())
            })?;
            offsets.extend_from_slice(&at.to_le_bytes());
        }
        Ok(())
    };
    out.offsets.reserve((rows.len() + 1) * col.width());
    out.data.reserve(total + total / 8);
    push_offset(&mut out.offsets, 0)?;
    for (i, (bytes, (row, found))) in rows.iter().zip(done).enumerate() {
        if let Some(b) = bytes {
            out.bytes_in += b.len();
        }
        match found {
            Err(why) => out.failures.push((i, why)),
            Ok(f) => {
                out.findings.merge(f);
                match &row {
                    Row::Null => {}
                    Row::Same => out.bytes_out += bytes.map_or(0, <[u8]>::len),
                    Row::Changed(s) => out.bytes_out += s.len(),
                }
            }
        }
        match row {
            Row::Null => {}
            Row::Same => out.data.extend_from_slice(bytes.unwrap_or_default()),
            Row::Changed(s) => {
                out.changed.push(i);
                out.data.extend_from_slice(s.as_bytes());
            }
        }
        push_offset(&mut out.offsets, out.data.len())?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::presets::preset;

    /// An Arrow layout of `rows` (None: null), with `skip` rows before them.
    fn layout(rows: &[Option<&[u8]>], wide: bool, skip: usize) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let mut offsets = Vec::new();
        let mut data = Vec::new();
        let mut validity = vec![0u8; (skip + rows.len()).div_ceil(8)];
        let all: Vec<Option<&[u8]>> = std::iter::repeat_n(Some(&b"<i>skipped</i>"[..]), skip)
            .chain(rows.iter().copied())
            .collect();
        let put = |o: &mut Vec<u8>, at: usize| {
            if wide {
                o.extend_from_slice(&(at as i64).to_le_bytes());
            } else {
                o.extend_from_slice(&(at as i32).to_le_bytes());
            }
        };
        put(&mut offsets, 0);
        for (i, r) in all.iter().enumerate() {
            if let Some(b) = r {
                data.extend_from_slice(b);
                validity[i / 8] |= 1 << (i % 8);
            }
            put(&mut offsets, data.len());
        }
        (offsets, data, validity)
    }

    fn read(s: &Sanitized, wide: bool, rows: usize) -> Vec<Vec<u8>> {
        let w = if wide { 8 } else { 4 };
        let at = |i: usize| {
            let raw = &s.offsets[i * w..i * w + w];
            if wide {
                i64::from_le_bytes(raw.try_into().unwrap()) as usize
            } else {
                i32::from_le_bytes(raw.try_into().unwrap()) as usize
            }
        };
        (0..rows)
            .map(|i| s.data[at(i)..at(i + 1)].to_vec())
            .collect()
    }

    #[test]
    fn rows_are_sanitized_kept_or_failed_in_place() {
        let p = preset("basic").unwrap();
        let rows: Vec<Option<&[u8]>> = vec![
            Some(b"<b>fine</b>"),
            Some(b"<i onclick=x>click</i><script>s</script>"),
            None,
            Some(b"bad \xff byte <script>"),
            Some("caf\u{e9} \u{1F600}".as_bytes()),
        ];
        for wide in [false, true] {
            for skip in [0, 3, 9] {
                let (offsets, data, validity) = layout(&rows, wide, skip);
                let col = Column {
                    len: rows.len(),
                    offset: skip,
                    validity: Some(&validity),
                    offsets: &offsets,
                    wide,
                    data: &data,
                };
                for threads in [1, 2] {
                    let s = sanitize_column(&p, &col, threads).unwrap();
                    let got = read(&s, wide, rows.len());
                    assert_eq!(got[0], b"<b>fine</b>");
                    assert_eq!(
                        got[1],
                        p.sanitize("<i onclick=x>click</i><script>s</script>")
                            .unwrap()
                            .as_bytes()
                    );
                    assert_eq!(got[2], b"");
                    assert_eq!(
                        got[3], b"bad \xff byte <script>",
                        "a failed row is kept as read"
                    );
                    assert_eq!(got[4], "caf\u{e9} \u{1F600}".as_bytes());
                    assert_eq!(s.changed, vec![1]);
                    assert_eq!(
                        s.failures,
                        vec![(3, "UnicodeError: invalid UTF-8 at byte 4".to_string())]
                    );
                    assert_eq!(s.findings.by_tag.get("script"), Some(&1));
                    assert_eq!(s.findings.by_kind.values().sum::<usize>(), s.findings.total);
                    let read_bytes: usize = rows.iter().flatten().map(|r| r.len()).sum();
                    assert_eq!(s.bytes_in, read_bytes);
                }
            }
        }
    }

    #[test]
    fn the_pool_gives_what_one_thread_gives() {
        let p = preset("ugc").unwrap();
        let docs: Vec<String> = (0..400)
            .map(|i| {
                format!(
                    "<p onclick=x>{i}</p><a href='javascript:{i}'>l</a>{}",
                    "é<b>".repeat(i % 50)
                )
            })
            .collect();
        let rows: Vec<Option<&[u8]>> = docs.iter().map(|d| Some(d.as_bytes())).collect();
        let (offsets, data, _) = layout(&rows, false, 0);
        let col = Column {
            len: rows.len(),
            offset: 0,
            validity: None,
            offsets: &offsets,
            wide: false,
            data: &data,
        };
        let one = sanitize_column(&p, &col, 1).unwrap();
        let two = sanitize_column(&p, &col, 2).unwrap();
        assert_eq!(one.data, two.data);
        assert_eq!(one.offsets, two.offsets);
        assert_eq!(one.findings.by_tag, two.findings.by_tag);
        let got = read(&two, false, rows.len());
        for (d, g) in docs.iter().zip(got) {
            assert_eq!(p.sanitize(d).unwrap().as_bytes(), &g[..]);
        }
    }

    #[test]
    fn an_oversized_row_fails_alone() {
        let p = crate::policy::PolicySpec {
            max_input_bytes: Some(16),
            ..preset("basic").unwrap().spec.clone()
        }
        .compile()
        .unwrap();
        let rows: Vec<Option<&[u8]>> =
            vec![Some(b"<b>short</b>"), Some(b"<b>far too long for it</b>")];
        let (offsets, data, _) = layout(&rows, false, 0);
        let col = Column {
            len: 2,
            offset: 0,
            validity: None,
            offsets: &offsets,
            wide: false,
            data: &data,
        };
        let s = sanitize_column(&p, &col, 1).unwrap();
        assert_eq!(s.failures.len(), 1);
        assert_eq!(s.failures[0].0, 1);
        assert!(
            s.failures[0].1.starts_with("InputTooLargeError: "),
            "{}",
            s.failures[0].1
        );
        assert_eq!(read(&s, false, 2)[1], b"<b>far too long for it</b>");
    }

    #[test]
    fn malformed_buffers_are_an_error_not_a_panic() {
        let p = preset("basic").unwrap();
        let data = b"abcdef";
        let short: Vec<u8> = [0i32, 3].iter().flat_map(|v| v.to_le_bytes()).collect();
        let backwards: Vec<u8> = [0i32, 4, 2].iter().flat_map(|v| v.to_le_bytes()).collect();
        let past: Vec<u8> = [0i32, 40].iter().flat_map(|v| v.to_le_bytes()).collect();
        let negative: Vec<u8> = [-1i32, 2].iter().flat_map(|v| v.to_le_bytes()).collect();
        for (offsets, len) in [(&short, 2), (&backwards, 2), (&past, 1), (&negative, 1)] {
            let col = Column {
                len,
                offset: 0,
                validity: None,
                offsets,
                wide: false,
                data,
            };
            assert!(sanitize_column(&p, &col, 1).is_err());
        }
        let ok: Vec<u8> = [0i32, 3].iter().flat_map(|v| v.to_le_bytes()).collect();
        let col = Column {
            len: 1,
            offset: 0,
            validity: Some(&[]),
            offsets: &ok,
            wide: false,
            data,
        };
        assert!(
            sanitize_column(&p, &col, 1).is_err(),
            "validity bitmap too short"
        );
    }
}

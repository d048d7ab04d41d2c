//! The frames `defmt-decoder` must not be given: it trusts a frame's slice lengths and nesting,
//! and two kinds of bad frame take the whole process down rather than fail (no `catch_unwind`
//! helps):
//!
//! - a `{=[?]}` slice whose length is damaged: `defmt-decoder` reserves room for all its
//!   elements before reading one, and a length of 4 billion is an allocation the system refuses,
//!   which aborts;
//! - formats nested without end (`Option`'s `None|Some({=?})` naming itself again and again in
//!   the frame's bytes): its recursion overflows the stack, which aborts;
//! - slices of slices of elements that hold no data: each slice no longer than the frame, but
//!   their product is, and `defmt-decoder` would build every element.
//!
//! [`Formats::check`] walks a frame as `defmt-decoder`'s own `Decoder::decode_format` does (the
//! same format strings, through the same `defmt-parser`, the same argument sizes) without
//! decoding anything, and refuses a frame with a slice longer than the frame, formats nested
//! deeper than [`MAX_DEPTH`], or more slice and array elements in all than [`max_elements`]
//! allows. A real frame is none of these: every element of a slice but those of a type without
//! data (a unit struct) takes a byte of the frame at least. Anything else it leaves to `defmt-decoder`, which then decodes the frame
//! or says it is malformed: the walk never refuses a frame for being short or odd.

use std::collections::BTreeMap;

use defmt_parser::{Fragment, ParserMode, Type};
use object::{Object, ObjectSection, ObjectSymbol};

/// The deepest nesting of formats a frame may have (a struct in an enum in a slice is 3).
pub const MAX_DEPTH: usize = 64;

/// The most slice and array elements a frame of `len` bytes may hold in all.
pub fn max_elements(len: usize) -> usize {
    4 * len + 1024
}

/// The format strings of a firmware's `.defmt` table, by index, as `defmt-decoder` reads them
/// from the ELF's symbols.
#[derive(Debug, Default)]
pub struct Formats {
    /// Index -> (is a log statement with a level, format string).
    entries: BTreeMap<usize, (bool, String)>,
    timestamp: Option<String>,
}

/// The JSON name of a defmt symbol: what it is (`tag`) and its format string (`data`).
#[derive(serde::Deserialize)]
struct Symbol {
    tag: String,
    data: String,
}

impl Formats {
    /// The formats of the ELF `elf`, or `None` when they cannot be read (then frames are not
    /// checked).
    pub fn read(elf: &[u8]) -> Option<Self> {
        let file = object::File::parse(elf).ok()?;
        let sections: Vec<_> = file
            .sections()
            .filter(|s| {
                s.name()
                    .is_ok_and(|name| name == ".defmt" || name.starts_with(".defmt."))
            })
            .map(|s| s.index())
            .collect();
        let mut formats = Self::default();
        for symbol in file.symbols() {
            let Ok(name) = symbol.name() else { continue };
            if name.is_empty()
                || name == "$d"
                || name.starts_with("$d.")
                || name.starts_with("_defmt")
                || name.starts_with("__DEFMT_MARKER")
            {
                continue;
            }
            let Some(section) = symbol.section_index() else {
                continue;
            };
            if !sections.contains(&section) {
                continue;
            }
            let Ok(Symbol { tag, data }) = serde_json::from_str::<Symbol>(name) else {
                continue;
            };
            let level = matches!(
                tag.as_str(),
                "defmt_trace" | "defmt_debug" | "defmt_info" | "defmt_warn" | "defmt_error"
            );
            match tag.as_str() {
                "defmt_timestamp" => formats.timestamp = Some(data),
                "defmt_bitflags_value" => {}
                tag if tag.starts_with("defmt_") => {
                    let index = usize::try_from(symbol.address()).ok()?;
                    formats.entries.insert(index, (level, data));
                }
                _ => {}
            }
        }
        Some(formats)
    }

    /// `Err(why)` when `frame` (decoded from rzcobs, or the start of a raw stream) must not go
    /// to `defmt-decoder`; `Ok(())` otherwise, whether it will decode or not.
    pub fn check(&self, frame: &[u8]) -> Result<(), String> {
        let mut walk = Walk {
            formats: self,
            bytes: frame,
            frame_len: frame.len(),
            elements: max_elements(frame.len()),
        };
        match walk.frame() {
            Err(Stop::Refused(why)) => Err(why),
            Ok(()) | Err(Stop::LeaveToDecoder) => Ok(()),
        }
    }
}

enum Stop {
    /// Short or malformed: `defmt-decoder` says so itself, safely.
    LeaveToDecoder,
    /// A frame `defmt-decoder` must not see.
    Refused(String),
}

struct Walk<'a> {
    formats: &'a Formats,
    bytes: &'a [u8],
    frame_len: usize,
    /// Elements the frame may still hold.
    elements: usize,
}

impl Walk<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], Stop> {
        if self.bytes.len() < n {
            return Err(Stop::LeaveToDecoder);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn skip(&mut self, n: usize) -> Result<(), Stop> {
        self.take(n).map(drop)
    }

    fn u16(&mut self) -> Result<usize, Stop> {
        let b = self.take(2)?;
        Ok(usize::from(u16::from_le_bytes([b[0], b[1]])))
    }

    fn u32(&mut self) -> Result<usize, Stop> {
        let b = self.take(4)?;
        usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .map_err(|_| Stop::LeaveToDecoder)
    }

    fn frame(&mut self) -> Result<(), Stop> {
        let index = self.u16()?;
        let formats = self.formats;
        if let Some(timestamp) = &formats.timestamp {
            self.format(timestamp, 0)?;
        }
        // Any entry, as `Table::get_with_level` takes it.
        let (_, format) = formats.entries.get(&index).ok_or(Stop::LeaveToDecoder)?;
        self.format(format, 0)
    }

    fn variant<'f>(&mut self, format: &'f str) -> Result<&'f str, Stop> {
        let bars = format.chars().filter(|&c| c == '|').count();
        let discriminant = if u8::try_from(bars).is_ok() {
            usize::from(self.take(1)?[0])
        } else if u16::try_from(bars).is_ok() {
            self.u16()?
        } else {
            self.u32()?
        };
        format
            .split('|')
            .nth(discriminant)
            .ok_or(Stop::LeaveToDecoder)
    }

    fn slice_elements(&mut self, count: usize, depth: usize) -> Result<(), Stop> {
        let index = self.u16()?;
        let formats = self.formats;
        let format = match formats.entries.get(&index) {
            Some((false, format)) => format.as_str(),
            _ => return Err(Stop::LeaveToDecoder),
        };
        let is_enum = format.contains('|');
        self.elements = self.elements.checked_sub(count).ok_or_else(|| {
            Stop::Refused(format!(
                "more than {} slice elements in a frame of {} bytes",
                max_elements(self.frame_len),
                self.frame_len
            ))
        })?;
        for _ in 0..count {
            let element = if is_enum {
                self.variant(format)?
            } else {
                format
            };
            self.format(element, depth + 1)?;
        }
        Ok(())
    }

    fn format(&mut self, format: &str, depth: usize) -> Result<(), Stop> {
        if depth > MAX_DEPTH {
            return Err(Stop::Refused(format!(
                "formats nested more than {MAX_DEPTH} deep"
            )));
        }
        let formats = self.formats;
        for ty in params(format)? {
            match ty {
                Type::I8 | Type::U8 | Type::Bool => self.skip(1)?,
                Type::I16 | Type::U16 => self.skip(2)?,
                Type::I32 | Type::U32 | Type::Isize | Type::Usize | Type::F32 | Type::Char => {
                    self.skip(4)?
                }
                Type::I64 | Type::U64 | Type::F64 => self.skip(8)?,
                Type::I128 | Type::U128 => self.skip(16)?,
                Type::IStr => self.skip(2)?,
                Type::Str | Type::U8Slice => {
                    let len = self.u32()?;
                    self.skip(len)?;
                }
                Type::U8Array(len) => self.skip(len)?,
                Type::BitField(range) => {
                    let low = usize::from(range.start / 8);
                    let high =
                        usize::from(range.end.checked_sub(1).ok_or(Stop::LeaveToDecoder)? / 8);
                    let size = match high.checked_sub(low).map(|d| d + 1) {
                        Some(1) => 1,
                        Some(2) => 2,
                        Some(3..=4) => 4,
                        Some(5..=8) => 8,
                        Some(9..=16) => 16,
                        _ => return Err(Stop::LeaveToDecoder),
                    };
                    self.skip(size)?;
                }
                Type::Debug | Type::Display => {
                    let end = self
                        .bytes
                        .iter()
                        .position(|&b| b == 0xff)
                        .ok_or(Stop::LeaveToDecoder)?;
                    self.skip(end + 1)?;
                }
                Type::Format => {
                    let index = self.u16()?;
                    let format = match formats.entries.get(&index) {
                        Some((false, format)) => format.as_str(),
                        _ => return Err(Stop::LeaveToDecoder),
                    };
                    let inner = if format.contains('|') {
                        self.variant(format)?
                    } else {
                        format
                    };
                    self.format(inner, depth + 1)?;
                }
                Type::FormatSlice => {
                    let count = self.u32()?;
                    // Each element takes a byte at least (an enum's discriminant, a field), so
                    // a real slice is never longer than its frame.
                    if count > self.frame_len {
                        return Err(Stop::Refused(format!(
                            "a slice of {count} elements in a frame of {} bytes",
                            self.frame_len
                        )));
                    }
                    self.slice_elements(count, depth)?;
                }
                Type::FormatArray(len) => self.slice_elements(len, depth)?,
                Type::FormatSequence => loop {
                    let index = self.u16()?;
                    if index == 0 {
                        break;
                    }
                    let format = match formats.entries.get(&index) {
                        Some((false, format)) => format.as_str(),
                        _ => return Err(Stop::LeaveToDecoder),
                    };
                    self.format(format, depth + 1)?;
                },
            }
        }
        Ok(())
    }
}

/// The argument types of `format` in the order `defmt-decoder` reads them: bitfields of one
/// argument merged, sorted by argument index, each argument once.
fn params(format: &str) -> Result<Vec<Type>, Stop> {
    let fragments = defmt_parser::parse(format, ParserMode::ForwardsCompatible)
        .map_err(|_| Stop::LeaveToDecoder)?;
    let mut params: Vec<(usize, Type)> = fragments
        .into_iter()
        .filter_map(|fragment| match fragment {
            Fragment::Parameter(param) => Some((param.index, param.ty)),
            Fragment::Literal(_) => None,
        })
        .collect();
    // As `merge_bitfields`: the bitfields of each argument become one, appended at the end.
    let mut merged = Vec::new();
    let indices: Vec<usize> = params
        .iter()
        .filter(|(_, ty)| matches!(ty, Type::BitField(_)))
        .map(|(index, _)| *index)
        .collect();
    for index in indices {
        if merged.iter().any(|(i, _)| *i == index) {
            continue;
        }
        let ranges = params.iter().filter_map(|(i, ty)| match ty {
            Type::BitField(range) if *i == index => Some(range.clone()),
            _ => None,
        });
        let (start, end) = ranges.fold((u8::MAX, 0), |(start, end), r| {
            (start.min(r.start), end.max(r.end))
        });
        merged.push((index, Type::BitField(start..end)));
    }
    params.retain(|(_, ty)| !matches!(ty, Type::BitField(_)));
    params.extend(merged);
    params.sort_by_key(|(index, _)| *index);
    params.dedup_by_key(|(index, _)| *index);
    Ok(params.into_iter().map(|(_, ty)| ty).collect())
}

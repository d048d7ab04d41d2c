//! The streams a [`Session`](super::Session) has heard from, by id: a short list kept in id
//! order, found by a search of it (a link carries a few streams, and the frame loop looks one
//! up per frame).

use alloc::vec::Vec;

use super::StreamState;

/// Each stream's state, in id order.
#[derive(Debug, Default)]
pub(super) struct Streams(Vec<(u8, StreamState)>);

impl Streams {
    /// Stream `id`'s state, new if it was not heard from before.
    #[inline]
    pub(super) fn get_or_insert(&mut self, id: u8) -> &mut StreamState {
        let at = match self.0.binary_search_by_key(&id, |(k, _)| *k) {
            Ok(at) => at,
            Err(at) => {
                self.0.insert(at, (id, StreamState::default()));
                at
            }
        };
        &mut self.0[at].1
    }

    /// Stream `id`'s state, once heard from.
    pub(super) fn get(&self, id: u8) -> Option<&StreamState> {
        let at = self.0.binary_search_by_key(&id, |(k, _)| *k).ok()?;
        Some(&self.0[at].1)
    }

    /// Every stream, by id.
    pub(super) fn iter(&self) -> impl Iterator<Item = (u8, &StreamState)> {
        self.0.iter().map(|(id, s)| (*id, s))
    }

    /// Every stream, by id, to change.
    pub(super) fn iter_mut(&mut self) -> impl Iterator<Item = (u8, &mut StreamState)> {
        self.0.iter_mut().map(|(id, s)| (*id, s))
    }

    /// Every stream's state, by id.
    pub(super) fn values(&self) -> impl Iterator<Item = &StreamState> {
        self.0.iter().map(|(_, s)| s)
    }
}

//! [`SendOrder`]: the order the publisher's messages were first sent in, so that what the client
//! sends again after a reconnect goes in that order.
//!
//! rumqttc 0.25 lists its unacknowledged messages from the packet id after its last PUBACK,
//! which a QoS 2 exchange never sets: once the ids have wrapped, its list puts newer messages
//! before older ones, and the broker would deliver them out of order (the far end reading the
//! older sequence numbers as a target reset).

use std::collections::VecDeque;

use rumqttc::Request;

/// When each packet id's message was first sent, as a count of the messages sent before it.
#[derive(Debug)]
pub struct SendOrder {
    /// Per packet id, the message sent under it and not yet acknowledged (PUBACK, PUBREC).
    publish: Vec<u64>,
    /// Per packet id, the message whose PUBREL is owed or sent (PUBREC seen, PUBCOMP not yet).
    release: Vec<u64>,
    next: u64,
}

/// An id with no message.
const NONE: u64 = u64::MAX;

impl SendOrder {
    /// For packet ids `1..=ids`.
    pub fn new(ids: u16) -> Self {
        let len = usize::from(ids) + 1;
        Self {
            publish: vec![NONE; len],
            release: vec![NONE; len],
            next: 0,
        }
    }

    /// A PUBLISH went out under `pkid`: a new message, or one sent again (which keeps its
    /// place).
    pub fn sent(&mut self, pkid: u16) {
        if let Some(at) = self.publish.get_mut(usize::from(pkid))
            && *at == NONE
        {
            *at = self.next;
            self.next += 1;
        }
    }

    /// The broker acknowledged `pkid`'s message at QoS 1 (PUBACK): it is done.
    pub fn acknowledged(&mut self, pkid: u16) {
        if let Some(at) = self.publish.get_mut(usize::from(pkid)) {
            *at = NONE;
        }
    }

    /// The broker received `pkid`'s message at QoS 2 (PUBREC): its PUBREL is owed, and the id
    /// may carry a new message.
    pub fn received(&mut self, pkid: u16) {
        let i = usize::from(pkid);
        if let (Some(&at), Some(rel)) = (self.publish.get(i), self.release.get_mut(i)) {
            *rel = at;
            self.publish[i] = NONE;
        }
    }

    /// The broker completed `pkid`'s QoS 2 exchange (PUBCOMP).
    pub fn completed(&mut self, pkid: u16) {
        if let Some(rel) = self.release.get_mut(usize::from(pkid)) {
            *rel = NONE;
        }
    }

    /// A new session: the client dropped everything it had not sent whole.
    pub fn forget(&mut self) {
        self.publish.fill(NONE);
        self.release.fill(NONE);
    }

    /// Sorts what the client is to send again: the PUBRELs (their messages reached the broker
    /// first), then the messages not acknowledged, then the requests never sent, each in the
    /// order first sent (those never sent keep theirs).
    pub fn sort(&self, pending: &mut VecDeque<Request>) {
        let at = |ids: &[u64], pkid: u16| ids.get(usize::from(pkid)).copied().unwrap_or(NONE);
        pending
            .make_contiguous()
            .sort_by_key(|request| match request {
                Request::PubRel(rel) => (0, at(&self.release, rel.pkid)),
                Request::Publish(publish) if publish.pkid != 0 => {
                    (1, at(&self.publish, publish.pkid))
                }
                _ => (2, 0),
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rumqttc::{PubRel, Publish, QoS};

    fn publish(pkid: u16) -> Request {
        let mut p = Publish::new("t", QoS::ExactlyOnce, vec![pkid as u8]);
        p.pkid = pkid;
        Request::Publish(p)
    }

    fn ids(pending: &VecDeque<Request>) -> Vec<String> {
        pending
            .iter()
            .map(|r| match r {
                Request::Publish(p) => format!("pub {}", p.pkid),
                Request::PubRel(r) => format!("rel {}", r.pkid),
                _ => "other".into(),
            })
            .collect()
    }

    #[test]
    fn wrapped_ids_are_sent_again_oldest_first() {
        // Ids 1..=3: messages sent as 2, 3, 1 (the ids wrapped), 2 received (PUBREC).
        let mut order = SendOrder::new(3);
        for pkid in [2, 3, 1] {
            order.sent(pkid);
        }
        order.received(2);
        // As rumqttc lists them: from the id after its last PUBACK (none: 0), then the PUBRELs.
        let mut pending: VecDeque<Request> = [
            publish(1),
            publish(3),
            Request::PubRel(PubRel::new(2)),
            publish(0),
        ]
        .into();
        order.sort(&mut pending);
        assert_eq!(ids(&pending), ["rel 2", "pub 3", "pub 1", "pub 0"]);
    }

    #[test]
    fn a_message_sent_again_keeps_its_place() {
        let mut order = SendOrder::new(4);
        for pkid in [1, 2, 3] {
            order.sent(pkid);
        }
        // The first reconnect sends 1 again, then the connection fails once more.
        order.sent(1);
        let mut pending: VecDeque<Request> = [publish(2), publish(3), publish(1)].into();
        order.sort(&mut pending);
        assert_eq!(ids(&pending), ["pub 1", "pub 2", "pub 3"]);
    }

    #[test]
    fn an_id_acknowledged_carries_a_new_message_after_the_others() {
        let mut order = SendOrder::new(2);
        order.sent(1);
        order.sent(2);
        order.acknowledged(1);
        order.sent(1); // a new message under id 1, after 2
        let mut pending: VecDeque<Request> = [publish(1), publish(2)].into();
        order.sort(&mut pending);
        assert_eq!(ids(&pending), ["pub 2", "pub 1"]);
        // A PUBREL owed for a message under an id that now carries a newer one keeps its own
        // place, before every message not acknowledged.
        order.received(2);
        order.sent(2);
        let mut pending: VecDeque<Request> =
            [publish(2), publish(1), Request::PubRel(PubRel::new(2))].into();
        order.sort(&mut pending);
        assert_eq!(ids(&pending), ["rel 2", "pub 1", "pub 2"]);
        order.completed(2);
        order.forget();
        order.sent(2);
        order.sent(1);
        let mut pending: VecDeque<Request> = [publish(1), publish(2)].into();
        order.sort(&mut pending);
        assert_eq!(ids(&pending), ["pub 2", "pub 1"]);
    }
}

//! Push notifications: users register their phones' FCM tokens, and every inbox entry is also
//! pushed to each device of its recipient through Firebase Cloud Messaging (HTTP v1).
//!
//! The pushes of an entry are written with it, in the transaction of the change it announces
//! ([`outbox::enqueue`], called by `notifications::store::notify` when push is on), so none is
//! lost once the change commits. Every process's dispatcher ([`dispatch_due`]) sends the due
//! ones and retries failures on the webhooks' schedule ([`crate::retries`]); a token FCM
//! reports unregistered removes its device.

pub mod devices;
pub mod dispatch;
pub mod dto;
pub mod fcm;
pub mod outbox;
pub mod routes;

pub use dispatch::{Round, dispatch_due, spawn};
pub use fcm::Fcm;

/// Whether inbox entries are pushed: on when FCM credentials are configured. The code that
/// writes an entry passes it to `notify`, which queues pushes only when it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Push {
    On,
    Off,
}

//! The change feed of dossiers: creations and changes of status, in the order a reader can
//! rely on, after an opaque position.
//!
//! A feed read by "everything after the last row I saw" skips a row that commits after a
//! later one: on PostgreSQL transactions commit in any order. So the feed reads only below a
//! safe horizon: rows of transactions older than the oldest one still running
//! (`pg_snapshot_xmin`), ordered by (transaction id, seq). A transaction that has not yet
//! written gets a larger id when it does, so nothing can appear behind a position once it was
//! handed out. On SQLite one writer commits in `seq` order and every row's txid is 0.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use entity::{event, values::EventType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::Expr,
};

use crate::{auth::UnitScope, error::ApiError, pagination::invalid_cursor};

/// A place in the feed: after the row `seq` of transaction `txid`. Clients see it only as an
/// opaque string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    txid: i64,
    seq: i64,
}

/// The form of a position, marked with a version so that it can change.
const FORM: &str = "f1";

impl Position {
    pub fn after(row: &event::Model) -> Position {
        Position { txid: row.txid, seq: row.seq }
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{FORM}.{}.{}", self.txid, self.seq))
    }

    /// The position a client sent back; a string this server did not make is 422.
    pub fn decode(text: &str) -> Result<Position, ApiError> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid_cursor())?;
        let text = std::str::from_utf8(&bytes).map_err(|_| invalid_cursor())?;
        let mut parts = text.split('.');
        let (Some(FORM), Some(txid), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid_cursor());
        };
        let (txid, seq) =
            (txid.parse().map_err(|_| invalid_cursor())?, seq.parse().map_err(|_| invalid_cursor())?);
        if txid < 0 || seq < 0 {
            return Err(invalid_cursor());
        }
        Ok(Position { txid, seq })
    }
}

/// The dossier events of `units` after `after`, oldest first, at most `limit`.
pub async fn changes_after(
    db: &impl ConnectionTrait,
    units: &UnitScope,
    after: Position,
    limit: u64,
) -> Result<Vec<event::Model>, DbErr> {
    use event::Column;
    let later = Condition::any()
        .add(Column::Txid.gt(after.txid))
        .add(Column::Txid.eq(after.txid).and(Column::Seq.gt(after.seq)));
    let mut query = event::Entity::find()
        .filter(Column::EventType.is_in([EventType::DossierCreated, EventType::DossierStatusChanged]))
        .filter(later)
        .order_by_asc(Column::Txid)
        .order_by_asc(Column::Seq)
        .limit(limit);
    if db.get_database_backend() == DatabaseBackend::Postgres {
        query = query.filter(Expr::cust("txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint"));
    }
    if let UnitScope::Units(ids) = units {
        query = query.filter(Column::UnitId.is_in(ids.clone()));
    }
    query.all(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_comes_back_as_it_went_out() {
        let position = Position { txid: 8_123_456_789, seq: 42 };
        assert_eq!(Position::decode(&position.encode()).unwrap(), position);
        assert_eq!(Position::decode(&Position::default().encode()).unwrap(), Position::default());
    }

    #[test]
    fn a_position_the_server_did_not_make_is_refused() {
        for text in [
            "",
            "abc",
            &URL_SAFE_NO_PAD.encode("f1.1"),
            &URL_SAFE_NO_PAD.encode("f2.1.2"),
            &URL_SAFE_NO_PAD.encode("f1.-1.2"),
            &URL_SAFE_NO_PAD.encode("f1.1.2.3"),
            &URL_SAFE_NO_PAD.encode("f1.1.99999999999999999999"),
        ] {
            assert!(Position::decode(text).is_err(), "{text}");
        }
    }
}

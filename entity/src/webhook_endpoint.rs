//! The `webhook_endpoints` table.

use sea_orm::entity::prelude::*;

use crate::values::WebhookDisabledReason;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub url: String,
    pub description: Option<String>,
    /// `whsec_` and the base64 of the key: deliveries are signed with it, so it is kept as issued.
    pub secret: String,
    /// The secret before the last rotation, which signs too until `previous_secret_until`.
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<DateTimeUtc>,
    pub active: bool,
    pub disabled_at: Option<DateTimeUtc>,
    pub disabled_reason: Option<WebhookDisabledReason>,
    /// The first failure of the current run of failures.
    pub failing_since: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

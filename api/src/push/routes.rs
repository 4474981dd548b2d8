use poem::web::Data;
use poem_openapi::{ApiResponse, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::{
    devices::{self, Registered},
    dto::{Device, DeviceList, NewDevice},
};
use crate::{
    accounts::routes::NoContent,
    auth::BearerAuth,
    db::write_transaction,
    error::{ApiError, ApiResult},
    spec::ApiTags,
    state::AppState,
};

#[derive(ApiResponse)]
pub enum DeviceRegistered {
    /// Registered.
    #[oai(status = 201)]
    Created(Json<Device>),
    /// The caller had registered this token already: the same device.
    #[oai(status = 200)]
    Again(Json<Device>),
}

pub struct DevicesApi;

#[OpenApi(tag = "ApiTags::Me")]
impl DevicesApi {
    /// Register a device for pushes
    ///
    /// Every entry of the caller's inbox is then also pushed to this phone through Firebase
    /// Cloud Messaging. Registering the same token again answers 200 with the same device; a
    /// token another account registered moves to the caller (the phone changed hands). The
    /// device belongs to the session that registers it: when that session ends (logout, a
    /// sign-out from another device, a password change), pushes to it stop. Devices are kept
    /// while push is off on the server, and get pushes once it is on.
    #[oai(path = "/me/devices", method = "post", operation_id = "register_my_device")]
    async fn register(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<NewDevice>,
    ) -> ApiResult<DeviceRegistered> {
        let now = state.clock.now();
        let owner = devices::Owner { user_id: auth.0.id, session_id: auth.0.session };
        let registered = write_transaction(&state.writer, async |tx| {
            devices::register(tx, owner, body.platform, body.token.as_str(), now).await
        })
        .await?;
        Ok(match registered {
            Registered::New(device) => DeviceRegistered::Created(Json(device.into())),
            Registered::Again(device) => DeviceRegistered::Again(Json(device.into())),
        })
    }

    /// List my devices
    ///
    /// The phones the caller's inbox entries are pushed to, newest first.
    #[oai(path = "/me/devices", method = "get", operation_id = "list_my_devices")]
    async fn list(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<DeviceList>> {
        let items = devices::of_user(&state.db, auth.0.id).await?.into_iter().map(Device::from).collect();
        Ok(Json(DeviceList { items }))
    }

    /// Remove a device
    ///
    /// Stops pushes to one of the caller's devices, dropping those still queued for it.
    /// Another account's device is 404.
    #[oai(path = "/me/devices/:id", method = "delete", operation_id = "remove_my_device")]
    async fn remove(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<NoContent> {
        let removed =
            write_transaction(&state.writer, async |tx| devices::remove(tx, auth.0.id, id.0).await).await?;
        if !removed {
            return Err(ApiError::not_found());
        }
        Ok(NoContent::Done)
    }
}

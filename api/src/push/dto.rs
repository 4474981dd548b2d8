use chrono::{DateTime, Utc};
use entity::{device, values::DevicePlatform};
use poem_openapi::Object;
use uuid::Uuid;

use crate::input::DeviceToken;

/// A phone to push the caller's inbox entries to.
#[derive(Debug, Object)]
#[oai(example)]
pub struct NewDevice {
    /// `android` or `ios`.
    pub platform: DevicePlatform,
    /// The app's FCM registration token (printable ASCII, at most 4096 characters).
    pub token: DeviceToken,
}

/// A registered device. Its token is not shown again.
#[derive(Debug, Object)]
#[oai(example)]
pub struct Device {
    /// The device id, for `DELETE /me/devices/{id}`.
    pub id: Uuid,
    pub platform: DevicePlatform,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
}

impl From<device::Model> for Device {
    fn from(device: device::Model) -> Device {
        Device { id: device.id, platform: device.platform, created_at: device.created_at }
    }
}

/// The caller's devices, newest first.
#[derive(Debug, Object)]
#[oai(example)]
pub struct DeviceList {
    /// At most 100 devices.
    pub items: Vec<Device>,
}

impl poem_openapi::types::Example for NewDevice {
    fn example() -> Self {
        NewDevice {
            platform: DevicePlatform::Android,
            token: DeviceToken::parse("fMEP0vJqS0yV3sZ1:APA91bH7xQ2k9L").expect("a token"),
        }
    }
}

impl poem_openapi::types::Example for Device {
    fn example() -> Self {
        Device {
            id: Uuid::from_u128(0x0193_9a3e_6d20_7c4b_9f12_3a8e_5b7d_1c46),
            platform: DevicePlatform::Android,
            created_at: "2026-12-01T02:00:00Z".parse().expect("an instant"),
        }
    }
}

impl poem_openapi::types::Example for DeviceList {
    fn example() -> Self {
        DeviceList { items: vec![Device::example()] }
    }
}

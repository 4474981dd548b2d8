//! `GET /display/{code}`: the waiting-room screen, a page for a 1920×1080 display in the
//! waiting room that follows the unit's event stream (polling every 10 seconds while it is down) and
//! speaks each call in Vietnamese.

use poem::{
    IntoResponse, Response, handler,
    web::{Data, Html, Path},
};

use crate::{error::ApiError, state::AppState, units::store::unit_by_code};

const PAGE: &str = include_str!("page.html");

/// The page of a unit's screen; 404 for a unit that does not exist or is closed down.
#[handler]
pub async fn screen(state: Data<&AppState>, Path(code): Path<String>) -> Response {
    let code = code.to_ascii_uppercase();
    match unit_by_code(&state.db, &code).await {
        Ok(Some(unit)) if unit.active => {
            // A JSON string is a JavaScript string literal; `<` escaped so it cannot end the script.
            let literal = serde_json::Value::from(unit.code).to_string().replace('<', "\\u003c");
            Html(PAGE.replace("__UNIT_CODE__", &literal)).into_response()
        }
        Ok(_) => ApiError::not_found().into_response(),
        Err(err) => ApiError::from(err).into_response(),
    }
}

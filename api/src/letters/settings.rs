//! A unit's letter texts over HTTP: read (the unit's own or the shipped default) and saved by
//! its supervisors, checked before anything is written.

use entity::{
    letter_template,
    values::{AuditAction, LetterKind},
};
use poem::web::Data;
use poem_openapi::{OpenApi, param::Path, payload::Json};
use serde_json::json;

use super::{
    dto::{LetterTemplate, LetterTemplateInput},
    issue::{LetterText, text_of},
    store,
    templates::{self, PLACEHOLDERS, TemplateProblem},
};
use crate::{
    admin::{routes::audit_by, store::write_audit},
    auth::{BearerAuth, Role},
    db::write_transaction,
    error::{ApiError, ApiResult},
    i18n::Text,
    problems,
    spec::ApiTags,
    state::AppState,
    units::staff_unit,
};

fn view(unit_code: String, kind: LetterKind, text: LetterText) -> LetterTemplate {
    LetterTemplate {
        unit_code,
        kind,
        title: text.title,
        body: text.body,
        signer_name: text.signer_name,
        signer_title: text.signer_title,
        is_default: text.is_default,
        placeholders: PLACEHOLDERS.iter().map(|p| (*p).to_owned()).collect(),
        updated_at: text.updated_at,
    }
}

/// 422 `letter_template_invalid`, saying what is wrong.
fn invalid(problem: TemplateProblem) -> ApiError {
    let allowed = PLACEHOLDERS.join(", ");
    let detail = match problem {
        TemplateProblem::Statement => Text::new(
            "Mẫu thư không được chứa câu lệnh {% … %}; chỉ dùng {{ trường }}.",
            "A letter template may not hold statements ({% … %}); use {{ placeholder }} only.",
        ),
        TemplateProblem::Expression(expression) => Text::new(
            format!(
                "Biểu thức không được phép: {{{{ {expression} }}}}. Chỉ dùng {{{{ trường }}}}, có thể kèm upper, lower, title, capitalize, trim."
            ),
            format!(
                "Expression not allowed: {{{{ {expression} }}}}. Use {{{{ placeholder }}}}, optionally with upper, lower, title, capitalize or trim."
            ),
        ),
        TemplateProblem::Unknown(names) => {
            let names = names.join(", ");
            Text::new(
                format!("Trường không có trong danh sách: {names}. Các trường được dùng: {allowed}."),
                format!("Unknown placeholders: {names}. The placeholders are: {allowed}."),
            )
        }
        TemplateProblem::Syntax(error) => Text::new(
            format!("Mẫu thư sai cú pháp: {error}"),
            format!("The template does not parse: {error}"),
        ),
    };
    ApiError::of(&problems::LETTER_TEMPLATE_INVALID).with_detail(detail)
}

pub struct LetterTemplatesApi;

#[OpenApi(tag = "ApiTags::Letters")]
impl LetterTemplatesApi {
    /// A unit's letter text
    ///
    /// The text the unit writes letters of this kind with: its own, or the shipped default
    /// (`is_default`). Staff of the unit (and supervisors above it).
    #[oai(path = "/units/:code/letter-templates/:kind", method = "get", operation_id = "get_letter_template")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Path<String>,
        kind: Path<LetterKind>,
    ) -> ApiResult<Json<LetterTemplate>> {
        let unit = staff_unit(&state, &auth.0, &code, Role::Officer).await?;
        let text = text_of(&state.db, unit.id, kind.0).await?;
        Ok(Json(view(unit.code, kind.0, text)))
    }

    /// Save a unit's letter text
    ///
    /// Replaces the unit's text of this kind. The body may use only the fixed placeholders
    /// (see the schema); anything else is 422 `letter_template_invalid` naming it, and nothing
    /// is saved. Letters already issued keep their text. Supervisors of the unit or above.
    #[oai(path = "/units/:code/letter-templates/:kind", method = "put", operation_id = "put_letter_template")]
    async fn put(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        code: Path<String>,
        kind: Path<LetterKind>,
        body: Json<LetterTemplateInput>,
    ) -> ApiResult<Json<LetterTemplate>> {
        let caller = &auth.0;
        let unit = staff_unit(&state, caller, &code, Role::Supervisor).await?;
        templates::check(&body.body).map_err(invalid)?;
        let audit = audit_by(&state, caller);
        let saved = letter_template::Model {
            unit_id: unit.id,
            kind: kind.0,
            title: body.title.to_string(),
            body: body.body.to_string(),
            signer_name: body.signer_name.to_string(),
            signer_title: body.signer_title.to_string(),
            updated_by: Some(caller.id),
            updated_at: audit.at,
        };
        write_transaction(&state.writer, async |tx| {
            let before = store::template(tx, unit.id, kind.0)
                .await?
                .map(|t| json!({"title": t.title, "body": t.body}));
            store::save_template(tx, saved.clone()).await?;
            let after = json!({"kind": kind.0, "title": saved.title, "body": saved.body});
            let target =
                (format!("{}/{}", unit.code, after["kind"].as_str().unwrap_or_default()), Some(unit.id));
            write_audit(tx, &audit, AuditAction::LetterTemplateUpdate, target, before, after).await?;
            Ok::<_, ApiError>(())
        })
        .await?;
        let text = text_of(&state.db, unit.id, kind.0).await?;
        Ok(Json(view(unit.code, kind.0, text)))
    }
}

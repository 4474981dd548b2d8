//! Claiming a dossier: only from the applicant's own phone, unclaiming, and the desk linking a
//! dossier to an account after checking an identity document; each recorded.

use sea_orm::{ActiveEnum, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::{
    common::TestApp,
    dossiers::{OTHER_WARD, desk, take_in},
};

/// The applicant's phone of `intake_body`.
const APPLICANT: &str = "0912345678";

async fn citizen_of(app: &TestApp, code: &str) -> Option<uuid::Uuid> {
    api::dossiers::store::by_code(&app.db, code).await.unwrap().expect("the dossier").citizen_id
}

/// The audit entries of this action about this dossier: (actor, after state).
async fn audit_of(app: &TestApp, action: &str, code: &str) -> Vec<(Option<uuid::Uuid>, serde_json::Value)> {
    let action = entity::values::AuditAction::try_from_value(&action.to_owned()).unwrap();
    entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq(action))
        .filter(entity::audit_log::Column::TargetId.eq(code))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| (entry.actor_id, serde_json::from_str(entry.after_state.as_deref().unwrap()).unwrap()))
        .collect()
}

#[tokio::test]
async fn the_applicants_phone_claims_and_unclaims_and_is_recorded() {
    let (app, officer) = desk().await;
    let receipt = take_in(&app, &officer).await;
    let code = receipt["code"].as_str().unwrap();
    let citizen_id = app.create_user(APPLICANT, "citizen", None).await;
    let citizen = app.token_of(APPLICANT).await;
    let claim = json!({"code": code, "secret": receipt["lookup_secret"]});

    let claimed = app.post("/api/v1/me/dossiers/claim").bearer(&citizen).json(&claim).send().await;
    assert_eq!(claimed.assert_status(200)["applicant_name"], "Nguyễn Văn An", "unmasked to its holder");
    assert_eq!(citizen_of(&app, code).await, Some(citizen_id));
    app.post("/api/v1/me/dossiers/claim").bearer(&citizen).json(&claim).send().await.assert_status(200);
    let claims = audit_of(&app, "dossier.claim", code).await;
    assert_eq!(
        claims,
        vec![(Some(citizen_id), json!({"citizen_id": citizen_id}))],
        "claiming again is no event"
    );
    let mine = app.get("/api/v1/me/dossiers").bearer(&citizen).send().await;
    assert_eq!(mine.assert_status(200)["items"][0]["applicant_name"], "Nguyễn Văn An");
    let public = app.post("/api/v1/dossiers/lookup").json(&claim).send().await;
    assert_ne!(public.assert_status(200)["applicant"], "Nguyễn Văn An", "the public lookup stays masked");

    let unclaim = format!("/api/v1/me/dossiers/{code}/claim");
    app.delete(&unclaim).bearer(&citizen).send().await.assert_status(204);
    assert_eq!(citizen_of(&app, code).await, None);
    assert_eq!(
        audit_of(&app, "dossier.unclaim", code).await,
        vec![(Some(citizen_id), json!({"citizen_id": null}))]
    );
    app.delete(&unclaim).bearer(&citizen).send().await.assert_problem(404, "not_found");
    let mine = app.get("/api/v1/me/dossiers").bearer(&citizen).send().await;
    assert_eq!(mine.assert_status(200)["total"], 0);
    app.delete(&unclaim).bearer(&officer).send().await.assert_problem(403, "forbidden");
}

#[tokio::test]
async fn another_phone_is_sent_to_the_desk_and_nothing_is_written() {
    let (app, officer) = desk().await;
    let receipt = take_in(&app, &officer).await;
    let code = receipt["code"].as_str().unwrap();
    let neighbour = app.token_for("0987654321", "citizen", None).await;
    let claim = json!({"code": code, "secret": receipt["lookup_secret"]});

    let refused = app.post("/api/v1/me/dossiers/claim").bearer(&neighbour).json(&claim).send().await;
    assert!(
        refused.assert_problem(403, "claim_phone_mismatch")["detail"].as_str().unwrap().contains("một cửa")
    );
    let english =
        app.post("/api/v1/me/dossiers/claim").bearer(&neighbour).english().json(&claim).send().await;
    assert!(english.assert_problem(403, "claim_phone_mismatch")["detail"].as_str().unwrap().contains("desk"));
    assert_eq!(citizen_of(&app, code).await, None);
    assert!(audit_of(&app, "dossier.claim", code).await.is_empty());
    let theirs = app.get("/api/v1/me/dossiers").bearer(&neighbour).send().await;
    assert_eq!(theirs.assert_status(200)["total"], 0);
    // Nor does the neighbour's wrong claim leave anything to unclaim.
    let unclaim = format!("/api/v1/me/dossiers/{code}/claim");
    app.delete(&unclaim).bearer(&neighbour).send().await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn the_desk_links_a_dossier_to_the_account_of_a_phone_and_is_recorded() {
    let (app, officer) = desk().await;
    let officer_id =
        app.get("/api/v1/me").bearer(&officer).send().await.body["id"].as_str().unwrap().to_owned();
    let receipt = take_in(&app, &officer).await;
    let code = receipt["code"].as_str().unwrap();
    // The applicant's relative holds the account; the desk checked their papers.
    let relative_id = app.create_user("0987654321", "citizen", None).await;
    let relative = app.token_of("0987654321").await;
    let path = format!("/api/v1/dossiers/{code}/citizen");

    let unknown = app.put(&path).bearer(&officer).json(&json!({"phone": "0977 111 222"})).send().await;
    unknown.assert_problem(404, "no_citizen_account");
    let staff = app.put(&path).bearer(&officer).json(&json!({"phone": "0900000001"})).send().await;
    staff.assert_problem(404, "no_citizen_account");
    let elsewhere = app.token_for("0900000031", "officer", Some(OTHER_WARD)).await;
    let outside = app.put(&path).bearer(&elsewhere).json(&json!({"phone": "0987654321"})).send().await;
    outside.assert_problem(404, "not_found");
    assert_eq!(citizen_of(&app, code).await, None);

    app.put(&path).bearer(&officer).json(&json!({"phone": "0987 654 321"})).send().await.assert_status(204);
    assert_eq!(citizen_of(&app, code).await, Some(relative_id));
    let links = audit_of(&app, "dossier.link", code).await;
    assert_eq!(links, vec![(Some(officer_id.parse().unwrap()), json!({"citizen_id": relative_id}))]);
    let mine = app.get("/api/v1/me/dossiers").bearer(&relative).send().await;
    assert_eq!(mine.assert_status(200)["items"][0]["applicant_name"], "Nguyễn Văn An");

    // The desk outranks a claim: it may move the dossier to the applicant's own account.
    let applicant_id = app.create_user(APPLICANT, "citizen", None).await;
    app.put(&path).bearer(&officer).json(&json!({"phone": APPLICANT})).send().await.assert_status(204);
    assert_eq!(citizen_of(&app, code).await, Some(applicant_id));
    let theirs = app.get("/api/v1/me/dossiers").bearer(&relative).send().await;
    assert_eq!(theirs.assert_status(200)["total"], 0);
}

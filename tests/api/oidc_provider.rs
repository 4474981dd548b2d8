//! An OpenID provider for the single sign-on tests, on a loopback port: its discovery
//! document, its keys (which it can switch, as a provider rotating them does), and a token
//! endpoint that hands out the ID token a test prepared for a code, only to a client that
//! sends the PKCE verifier of the code's challenge.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use poem::{Request, Response, http::StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The client id the app is configured with.
pub const CLIENT_ID: &str = "motcua-app";

/// One of the test keys in `tests/fixtures/oidc/`.
#[derive(Clone, Copy)]
pub enum Key {
    One,
    Two,
}

impl Key {
    fn kid(self) -> &'static str {
        match self {
            Key::One => "key-1",
            Key::Two => "key-2",
        }
    }

    fn jwk(self) -> Value {
        let text = match self {
            Key::One => include_str!("../fixtures/oidc/jwk1.json"),
            Key::Two => include_str!("../fixtures/oidc/jwk2.json"),
        };
        serde_json::from_str(text).unwrap()
    }

    fn private(self) -> EncodingKey {
        let pem = match self {
            Key::One => include_str!("../fixtures/oidc/key1.pem"),
            Key::Two => include_str!("../fixtures/oidc/key2.pem"),
        };
        let body: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
        EncodingKey::from_rsa_der(&base64::engine::general_purpose::STANDARD.decode(body).unwrap())
    }
}

/// What the token endpoint gives for a code.
struct Grant {
    challenge: String,
    id_token: String,
}

#[derive(Default)]
struct Shared {
    /// The keys the JWKS endpoint publishes.
    published: Vec<Value>,
    jwks_fetches: usize,
    grants: HashMap<String, Grant>,
}

pub struct Provider {
    pub issuer: String,
    shared: Arc<Mutex<Shared>>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Provider {
    /// Starts a provider that publishes `Key::One`.
    pub async fn start() -> Provider {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let shared = Arc::new(Mutex::new(Shared { published: vec![Key::One.jwk()], ..Shared::default() }));
        let (state, base) = (shared.clone(), issuer.clone());
        let endpoint = poem::endpoint::make(move |req: Request| {
            let (state, base) = (state.clone(), base.clone());
            async move { answer(req, &state, &base).await }
        });
        let acceptor = poem::listener::TcpAcceptor::from_tokio(listener).unwrap();
        let server = tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(endpoint));
        Provider { issuer, shared, server }
    }

    /// Publishes only `key` from now on.
    pub fn rotate_to(&self, key: Key) {
        self.shared.lock().unwrap().published = vec![key.jwk()];
    }

    /// How many times the keys were fetched.
    pub fn jwks_fetches(&self) -> usize {
        self.shared.lock().unwrap().jwks_fetches
    }

    /// Gives `id_token` for `code` to the client that proves the PKCE `challenge`.
    pub fn grant(&self, code: &str, challenge: &str, id_token: String) {
        let grant = Grant { challenge: challenge.to_owned(), id_token };
        self.shared.lock().unwrap().grants.insert(code.to_owned(), grant);
    }

    /// Claims of a good ID token for `subject`, valid at `now` (the app's clock) for 5
    /// minutes, with the login's `nonce`.
    pub fn claims(&self, subject: &str, nonce: &str, now: chrono::DateTime<chrono::Utc>) -> Value {
        json!({
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": subject,
            "nonce": nonce,
            "iat": now.timestamp(),
            "exp": now.timestamp() + 300,
        })
    }
}

/// An ID token with `claims`, signed with `key` and naming `kid` as its key.
pub fn sign(claims: &Value, key: Key, kid: Key) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.kid().to_owned());
    jsonwebtoken::encode(&header, claims, &key.private()).unwrap()
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn answer(req: Request, shared: &Mutex<Shared>, issuer: &str) -> Response {
    match req.uri().path() {
        "/.well-known/openid-configuration" => json_response(
            200,
            &json!({
                "issuer": issuer,
                "authorization_endpoint": format!("{issuer}/authorize"),
                "token_endpoint": format!("{issuer}/token"),
                "jwks_uri": format!("{issuer}/jwks"),
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }),
        ),
        "/jwks" => {
            let mut shared = shared.lock().unwrap();
            shared.jwks_fetches += 1;
            json_response(200, &json!({ "keys": shared.published }))
        }
        "/token" => {
            let form = req.into_body().into_string().await.unwrap_or_default();
            let field = |name: &str| {
                form.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=')).unwrap_or("")
            };
            let grant = shared.lock().unwrap().grants.remove(field("code"));
            let proves = |grant: &Grant| {
                let digest = Sha256::digest(field("code_verifier").as_bytes());
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest) == grant.challenge
            };
            match grant {
                Some(grant) if field("grant_type") == "authorization_code" && proves(&grant) => {
                    json_response(
                        200,
                        &json!({
                            "access_token": "provider-access-token",
                            "token_type": "Bearer",
                            "expires_in": 300,
                            "id_token": grant.id_token,
                        }),
                    )
                }
                _ => json_response(400, &json!({ "error": "invalid_grant" })),
            }
        }
        _ => Response::builder().status(StatusCode::NOT_FOUND).finish(),
    }
}

fn json_response(status: u16, body: &Value) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .content_type("application/json")
        .body(body.to_string())
}

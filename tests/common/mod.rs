//! The test harness: a fresh database per test (a temporary SQLite file, or a fresh
//! PostgreSQL schema when `TEST_DATABASE_URL` is set), the whole app over it, and helpers
//! that read like the user stories the tests check.
#![allow(dead_code)]

use api::{
    AppState,
    clock::{Clock, FixedClock},
    config::Config,
};
use chrono::{DateTime, Utc};
use entity::values::{Role, UnitKind};
use poem::{
    EndpointExt, Response,
    endpoint::BoxEndpoint,
    http::{HeaderMap, Method, StatusCode},
    test::TestClient,
};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::Value;

/// Where the test's database lives, removed when the test ends.
pub enum Scratch {
    Sqlite(std::path::PathBuf),
    Postgres { admin_url: String, schema: String },
}

impl Drop for Scratch {
    fn drop(&mut self) {
        match self {
            Scratch::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm", "-lock"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Scratch::Postgres { admin_url, schema } => {
                let (url, schema) = (admin_url.clone(), schema.clone());
                // Drop runs inside the test's runtime: clean up from a thread with its own.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                    runtime.block_on(async {
                        if let Ok(db) = sea_orm::Database::connect(url).await {
                            let _ = db
                                .execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                                .await;
                            let _ = db.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// The database URL for a fresh scratch database, and what removes it.
pub async fn scratch_database() -> (String, Scratch) {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    match std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(admin_url) => {
            let schema = format!("test_{unique}");
            let admin =
                sea_orm::Database::connect(admin_url.clone()).await.expect("TEST_DATABASE_URL reachable");
            admin.execute_unprepared(&format!("CREATE SCHEMA {schema}")).await.expect("create schema");
            admin.close().await.ok();
            let separator = if admin_url.contains('?') { '&' } else { '?' };
            let url = format!("{admin_url}{separator}options=-c%20search_path%3D{schema}");
            (url, Scratch::Postgres { admin_url, schema })
        }
        None => {
            let path = std::env::temp_dir().join(format!("motcua-test-{unique}.db"));
            (format!("sqlite://{}?mode=rwc", path.display()), Scratch::Sqlite(path))
        }
    }
}

/// The password of accounts made with `TestApp::create_user`.
pub const PASSWORD: &str = "lúa chín vàng đồng";

/// A running app over its own fresh database.
pub struct TestApp {
    pub client: TestClient<BoxEndpoint<'static, Response>>,
    pub db: DatabaseConnection,
    pub state: AppState,
    /// The app's clock: it stands still at [`TestApp::START`] until a test moves it.
    pub clock: FixedClock,
    /// The database's removal; `None` in a second process over another's database.
    _scratch: Option<Scratch>,
    /// The removal of its uploaded files' folder, with the database's.
    _files: Option<FilesFolder>,
}

/// A folder of uploaded files, removed when the app that owns it is dropped.
struct FilesFolder(std::path::PathBuf);

impl Drop for FilesFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The header through which a test names the address its request comes from.
const TEST_PEER_HEADER: &str = "x-test-peer";

/// Gives a request the peer address its test named: the server sees it as a socket peer,
/// as it would a real client's.
async fn from_test_peer(req: poem::Request) -> poem::Result<poem::Request> {
    let Some(peer) = req.header(TEST_PEER_HEADER).and_then(|p| p.parse::<std::net::IpAddr>().ok()) else {
        return Ok(req);
    };
    let (parts, body) = req.into_parts();
    let mut builder =
        poem::http::Request::builder().method(parts.method).uri(parts.uri).version(parts.version);
    if let Some(headers) = builder.headers_mut() {
        *headers = parts.headers;
    }
    let (http_parts, ()) = builder.body(()).map_err(poem::error::InternalServerError)?.into_parts();
    let local = poem::web::LocalAddr(poem::Addr::SocketAddr(([127, 0, 0, 1], 8080).into()));
    let remote = poem::web::RemoteAddr(poem::Addr::SocketAddr((peer, 40000).into()));
    let parts = poem::RequestParts::from((http_parts, local, remote, poem::http::uri::Scheme::HTTP));
    Ok(poem::Request::from_parts(parts, body))
}

/// One response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts an RFC 9457 problem with this status and code, and returns it.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status.as_u16(), status, "status of {}", self.text);
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "{}", self.text);
        assert_eq!(self.body["code"], code, "{}", self.text);
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(self.body["detail"].as_str().is_some_and(|t| !t.is_empty()));
        &self.body
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        &self.body
    }
}

/// A request under construction.
pub struct Call<'a> {
    app: &'a TestApp,
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<(String, Vec<u8>)>,
}

impl<'a> Call<'a> {
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }

    /// Sends the request from this client address (the test client has none of its own).
    pub fn sent_from(self, address: &str) -> Self {
        self.header(TEST_PEER_HEADER, address)
    }

    pub fn english(self) -> Self {
        self.header("accept-language", "en")
    }

    pub fn json(mut self, body: &Value) -> Self {
        self.body = Some(("application/json".into(), serde_json::to_vec(body).unwrap()));
        self
    }

    pub fn raw(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some((content_type.into(), body.into()));
        self
    }

    pub async fn send(self) -> Reply {
        let mut request = self.app.client.request(self.method, self.path);
        for (name, value) in self.headers {
            request = request.header(name, value);
        }
        if let Some((content_type, body)) = self.body {
            request = request.content_type(content_type).body(body);
        }
        let response = request.send().await.0;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.into_body().into_string().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, headers, text, body }
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// Spawns with settings changed from the defaults (short windows, small limits, ...).
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> TestApp {
        // Warnings and errors the server logs (the cause of a 500) show beside a failed test.
        let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("warn").try_init();
        let (url, scratch) = scratch_database().await;
        let mut config = Config::for_database(url);
        configure(&mut config);
        TestApp::open(config, Some(scratch)).await.expect("secrets fit a new database")
    }

    /// An app over a database as it is (migrated first), with the secrets its settings name
    /// or else those of the secrets file beside it, checked as `motcua serve` checks them.
    pub async fn open(
        config: Config,
        scratch: Option<Scratch>,
    ) -> Result<TestApp, api::secrets::SecretsError> {
        api::db::migrate(&config.database).await.expect("migrations apply");
        let db = api::db::connect(&config.database).await.expect("connect to the test database");
        let clock = FixedClock::at(TestApp::START.parse().expect("an RFC 3339 instant"));
        let loaded = api::secrets::load(&config)?;
        let secrets = api::secrets::settle(&db, loaded, clock.now()).await?;
        let files = scratch.as_ref().map(|_| FilesFolder(config.files.data_dir.clone()));
        let state = AppState::new(db.clone(), config, &secrets, Clock::from(clock.clone()));
        let client = TestClient::new(api::build_app(state.clone()).before(from_test_peer).boxed());
        Ok(TestApp { client, db, state, clock, _scratch: scratch, _files: files })
    }

    /// Where every test's clock starts: Tuesday 1 December 2026, 09:00 in Hanoi, a working
    /// morning before the intake cut-off.
    pub const START: &'static str = "2026-12-01T09:00:00+07:00";

    /// The app's current instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Sets the app's clock to an RFC 3339 instant such as `2026-12-01T15:30:00+07:00`.
    pub fn set_time(&self, instant: &str) {
        self.clock.set(instant.parse().expect("an RFC 3339 instant"));
    }

    /// Creates a unit directly in the database (the admin API is tested on its own).
    pub async fn create_unit(&self, code: &str, parent: Option<&str>) -> uuid::Uuid {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set};
        let parent_id = match parent {
            Some(code) => Some(self.unit_id(code).await),
            None => None,
        };
        let now = self.now();
        let id = uuid::Uuid::now_v7();
        entity::unit::ActiveModel {
            id: Set(id),
            code: Set(code.to_owned()),
            name: Set(format!("Đơn vị {code}")),
            kind: Set(if parent.is_some() { UnitKind::Ward } else { UnitKind::Town }),
            parent_id: Set(parent_id),
            address: Set(None),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            // Desk settings start at the schema's defaults.
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .expect("insert unit");
        id
    }

    pub async fn unit_id(&self, code: &str) -> uuid::Uuid {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entity::unit::Entity::find()
            .filter(entity::unit::Column::Code.eq(code))
            .one(&self.db)
            .await
            .unwrap()
            .expect("unit exists")
            .id
    }

    /// Creates an account directly in the database with the password `PASSWORD`.
    pub async fn create_user(&self, phone: &str, role: &str, unit: Option<&str>) -> uuid::Uuid {
        let unit_id = match unit {
            Some(code) => Some(self.unit_id(code).await),
            None => None,
        };
        let hash = self.state.keys.passwords.hash(PASSWORD).await.unwrap();
        let phone = api::domain::account::PhoneNumber::parse(phone).expect("a valid test phone");
        let new = api::accounts::store::NewUser {
            phone: phone.as_str(),
            full_name: "Trần Thị Bình",
            password_hash: hash,
            role: Role::try_from_value(&role.to_owned()).expect("a role"),
            unit_id,
            phone_verified: true,
        };
        api::accounts::store::insert_user(&self.db, new, self.now()).await.expect("insert user").id
    }

    /// Makes an API key with these scopes (`"dossiers.read"`, ...), restricted to a unit or
    /// not, directly in the database (the admin API is tested on its own); answers the key.
    pub async fn api_key(&self, scopes: &[&str], unit: Option<&str>) -> String {
        use entity::values::ApiScope;
        const KEYS_ADMIN: &str = "0889999999";
        let admin = match entity::user::Entity::find()
            .filter(entity::user::Column::Phone.eq("+84889999999"))
            .one(&self.db)
            .await
            .unwrap()
        {
            Some(admin) => admin.id,
            None => self.create_user(KEYS_ADMIN, "admin", None).await,
        };
        let scopes: Vec<ApiScope> = scopes
            .iter()
            .map(|name| ApiScope::try_from_value(&(*name).to_owned()).expect("a scope"))
            .collect();
        let unit_id = match unit {
            Some(code) => Some(self.unit_id(code).await),
            None => None,
        };
        let new = api::integrations::keys::store::NewKey {
            name: "Cổng dịch vụ công tỉnh",
            scopes: &scopes,
            unit_id,
            rate_limit: None,
            expires_at: None,
            created_by: admin,
        };
        let (_, key) =
            api::integrations::keys::store::insert(&self.db, new, self.now()).await.expect("insert key");
        key.reveal()
    }

    /// Logs in and returns the token pair.
    pub async fn login(&self, phone: &str, password: &str) -> Value {
        let reply = self
            .post("/api/v1/auth/login")
            .json(&serde_json::json!({"phone": phone, "password": password}))
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::OK, "login failed: {}", reply.text);
        reply.body
    }

    /// Logs an existing account in again (after the clock moved past its token) and returns
    /// its access token.
    pub async fn token_of(&self, phone: &str) -> String {
        self.login(phone, PASSWORD).await["access_token"].as_str().unwrap().to_owned()
    }

    /// Creates an account of this role (in this unit) and returns its access token.
    pub async fn token_for(&self, phone: &str, role: &str, unit: Option<&str>) -> String {
        self.create_user(phone, role, unit).await;
        self.token_of(phone).await
    }

    /// `n` citizen accounts made at once (one password hash for all), with an access token
    /// each, signed as login would sign it: for tests that need a crowd.
    pub async fn citizens(&self, n: usize) -> Vec<String> {
        let hash = self.state.keys.passwords.hash(PASSWORD).await.unwrap();
        let mut tokens = Vec::with_capacity(n);
        for i in 0..n {
            let phone = api::domain::account::PhoneNumber::parse(&format!("0987{i:06}")).expect("a phone");
            let new = api::accounts::store::NewUser {
                phone: phone.as_str(),
                full_name: "Lê Văn Cường",
                password_hash: hash.clone(),
                role: Role::Citizen,
                unit_id: None,
                phone_verified: true,
            };
            let user =
                api::accounts::store::insert_user(&self.db, new, self.now()).await.expect("insert user");
            let claims = api::auth::tokens::claims_for(
                user.id,
                Role::Citizen,
                None,
                uuid::Uuid::new_v4(),
                self.now(),
                self.state.config.auth.access_ttl,
            );
            tokens.push(self.state.keys.tokens.sign(&claims).expect("a signed token"));
        }
        tokens
    }

    /// Another server process on the same database: the same settings, keys and clock, a
    /// connection pool and waiting-room screens of its own.
    pub async fn second_process(&self) -> TestApp {
        let db = api::db::connect(&self.state.config.database).await.expect("connect again");
        let state = AppState {
            writer: api::db::Writer::serving(&db),
            db: db.clone(),
            // Screens of its own: on PostgreSQL they follow the other's writes through NOTIFY.
            displays: Default::default(),
            // Its own copy of the revocations: what the other revokes, it learns from the
            // database.
            revoked_sessions: std::sync::Arc::new(api::sessions::revoked::RevokedSessions::new(
                self.state.config.sessions.revocation_cache,
                self.state.config.auth.access_ttl,
            )),
            ..self.state.clone()
        };
        let client = TestClient::new(api::build_app(state.clone()).before(from_test_peer).boxed());
        TestApp { client, db, state, clock: self.clock.clone(), _scratch: None, _files: None }
    }

    pub fn call(&self, method: Method, path: &str) -> Call<'_> {
        Call { app: self, method, path: path.to_owned(), headers: Vec::new(), body: None }
    }

    pub fn get(&self, path: &str) -> Call<'_> {
        self.call(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Call<'_> {
        self.call(Method::POST, path)
    }

    pub fn put(&self, path: &str) -> Call<'_> {
        self.call(Method::PUT, path)
    }

    pub fn patch(&self, path: &str) -> Call<'_> {
        self.call(Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> Call<'_> {
        self.call(Method::DELETE, path)
    }
}

/// Serves `state` on a free loopback port, for a real browser: the port, and the server task to
/// abort when done.
pub async fn serve_on_loopback(state: AppState) -> (u16, tokio::task::JoinHandle<std::io::Result<()>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let port = listener.local_addr().expect("its address").port();
    let acceptor = poem::listener::TcpAcceptor::from_tokio(listener).expect("an acceptor");
    (port, tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(api::build_app(state))))
}

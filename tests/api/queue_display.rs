//! The waiting-room screen: the public feed, the event stream (snapshot, ids, resuming with
//! `Last-Event-ID`, heartbeat, headers, another process's writes on PostgreSQL), and the page.

use std::time::Duration;

use futures_util::{StreamExt, stream::BoxStream};
use sea_orm::DatabaseBackend;
use serde_json::{Value, json};

use crate::{
    appointments::booking_desk_with,
    common::{TestApp, serve_on_loopback},
    dossiers::{BIRTH, WARD},
};

async fn screen_desk() -> (TestApp, String) {
    let (app, officer, _, _) = booking_desk_with(|config| {
        config.auth.access_ttl = Duration::from_secs(86_400);
        config.server.events_heartbeat = Duration::from_secs(1);
    })
    .await;
    (app, officer)
}

async fn post(app: &TestApp, officer: &str, path: &str, body: Value) -> Value {
    let reply = app.post(&format!("/api/v1{path}")).bearer(officer).json(&body).send().await;
    assert!(reply.status.is_success(), "{path}: {}", reply.text);
    reply.body
}

async fn display(app: &TestApp) -> Value {
    app.get(&format!("/api/v1/units/{WARD}/display")).send().await.assert_status(200).clone()
}

/// An open event stream, read as text.
struct Screen {
    body: BoxStream<'static, Result<String, std::io::Error>>,
    seen: String,
}

impl Screen {
    async fn open(app: &TestApp, last_event_id: Option<&str>) -> Screen {
        let mut request = app.client.get(format!("/api/v1/units/{WARD}/display/events"));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        let response = request.send().await.0;
        assert_eq!(response.status(), 200);
        let header =
            |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        assert_eq!(header("content-type").as_deref(), Some("text/event-stream"));
        assert_eq!(header("cache-control").as_deref(), Some("no-cache"));
        assert_eq!(header("x-accel-buffering").as_deref(), Some("no"));
        let text = response.into_body().into_bytes_stream();
        let body = text.map(|chunk| chunk.map(|bytes| String::from_utf8_lossy(&bytes).into_owned())).boxed();
        Screen { body, seen: String::new() }
    }

    /// Reads until the text read so far holds `wanted` (at most five seconds); then everything
    /// read is forgotten up to and including it, and the text read before it is returned.
    async fn until(&mut self, wanted: &str) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(at) = self.seen.find(wanted) {
                let before = self.seen[..at].to_owned();
                self.seen.drain(..at + wanted.len());
                return before;
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.next())
                .await
                .unwrap_or_else(|_| panic!("no {wanted:?} within 5 s; read {:?}", self.seen));
            let chunk = chunk.expect("the stream stays open").expect("a chunk");
            self.seen.push_str(&chunk);
        }
    }

    /// The next `display` event: its id and its data.
    async fn next_display(&mut self) -> (i64, Value) {
        self.until("event: display\n").await;
        let before = self.until("\n\n").await;
        let data = before.strip_prefix("data: ").expect("one data line");
        let shown: Value = serde_json::from_str(data).unwrap();
        (shown["event_id"].as_i64().unwrap(), shown)
    }
}

#[tokio::test]
async fn the_display_shows_the_calls_the_lines_the_counters_the_hours_and_the_catalogue() {
    let (app, officer) = screen_desk().await;
    let empty = display(&app).await;
    assert_eq!(empty["event_id"], 0);
    assert_eq!(empty["open_now"], true);
    assert_eq!(
        empty["hours_today"],
        json!([{"start": "07:30", "end": "11:30"}, {"start": "13:30", "end": "17:00"}])
    );
    assert!(empty.get("announcement").is_none());
    assert_eq!(empty["procedures"][0]["code"], BIRTH);
    assert_eq!(empty["procedures"][0]["processing_days"], 3.0);

    for _ in 0..4 {
        post(&app, &officer, &format!("/units/{WARD}/tickets"), json!({})).await;
    }
    let counter = |n: i32| format!("/api/v1/units/{WARD}/counters/{n}");
    app.put(&counter(1)).bearer(&officer).json(&json!({"state": "open"})).send().await.assert_status(200);
    let pause = json!({"state": "paused", "pause_reason": "Nghỉ giải lao"});
    app.put(&counter(2)).bearer(&officer).json(&pause).send().await.assert_status(200);
    let first = post(&app, &officer, &format!("/units/{WARD}/counters/1/next"), json!({})).await;
    post(&app, &officer, &format!("/tickets/{}/start", first["id"].as_str().unwrap()), json!({})).await;
    app.set_time("2026-12-01T09:06:00+07:00");
    post(&app, &officer, &format!("/tickets/{}/served", first["id"].as_str().unwrap()), json!({})).await;
    post(&app, &officer, &format!("/units/{WARD}/counters/1/next"), json!({})).await;

    let shown = display(&app).await;
    assert_eq!(shown["now_serving"], json!([{"counter": 1, "display_number": "A002", "status": "called"}]));
    let calls: Vec<_> =
        shown["recent_calls"].as_array().unwrap().iter().map(|c| c["display_number"].clone()).collect();
    assert_eq!(calls, [json!("A002"), json!("A001")]);
    assert_eq!(shown["announcement"]["vi"], "Mời số A002 đến quầy 1");
    assert_eq!(shown["announcement"]["en"], "Number A002, please come to counter 1");
    // Two wait behind one counter open, each about the six minutes A001 took.
    assert_eq!(
        shown["waiting"],
        json!([{"service_group": "general", "name": "Tiếp nhận và trả kết quả", "prefix": "A", "waiting": 2, "estimated_wait_minutes": 12}])
    );
    assert_eq!(
        shown["counters"][1],
        json!({"number": 2, "state": "paused", "pause_reason": "Nghỉ giải lao"})
    );
    assert_eq!(shown["counters"][2]["state"], "closed");
    assert!(shown["event_id"].as_i64().unwrap() > 0);
    app.get("/api/v1/units/000.99.99.H99/display").send().await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_screen_gets_the_display_then_every_change_and_resumes_without_repeats() {
    let (app, officer) = screen_desk().await;
    post(&app, &officer, &format!("/units/{WARD}/tickets"), json!({})).await;
    // On PostgreSQL the screen is another process's: the write reaches it through NOTIFY.
    let postgres = app.db.get_database_backend() == DatabaseBackend::Postgres;
    let other;
    let screens = if postgres {
        other = app.second_process().await;
        &other
    } else {
        &app
    };

    let mut screen = Screen::open(screens, None).await;
    assert_eq!(screen.until("retry: 3000\n").await, "");
    let (first, shown) = screen.next_display().await;
    assert_eq!(shown["waiting"][0]["waiting"], 1);
    assert!(screen.seen.is_empty() || screen.seen.starts_with(':'));

    post(&app, &officer, &format!("/units/{WARD}/tickets"), json!({})).await;
    let (second, shown) = screen.next_display().await;
    assert!(second > first, "{second} after {first}");
    assert_eq!(shown["waiting"][0]["waiting"], 2);
    // Nothing changes: the heartbeat keeps the stream alive.
    screen.until(":\n\n").await;

    // A screen that has the latest display gets nothing again, only the heartbeat; one that
    // missed a change gets the display at once.
    let mut current = Screen::open(screens, Some(&second.to_string())).await;
    assert_eq!(current.until(":\n\n").await, "");
    let mut ahead = Screen::open(screens, Some(&(second + 100).to_string())).await;
    assert_eq!(ahead.until(":\n\n").await, "");
    let mut behind = Screen::open(screens, Some(&first.to_string())).await;
    assert_eq!(behind.next_display().await.0, second);
}

#[tokio::test]
async fn the_screen_page_follows_the_stream_and_speaks_vietnamese() {
    let (app, _) = screen_desk().await;
    let page = app.get(&format!("/display/{WARD}")).send().await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    for needed in
        ["<html lang=\"vi\">", "EventSource", "speechSynthesis", "vi-VN", "const CODE = \"000.20.33.H12\";"]
    {
        assert!(page.text.contains(needed), "{needed}");
    }
    app.get("/display/000.99.99.H99").send().await.assert_problem(404, "not_found");
}

/// Where a page's picture goes (`target/pages/NAME`), for a person to look at.
pub(crate) fn screenshot_path(name: &str) -> std::path::PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| "target".into(), std::path::PathBuf::from);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(target).join("pages");
    std::fs::create_dir_all(&dir).expect("a folder for the screenshots");
    dir.join(name)
}

/// Runs Debian's headless Chromium on `url` with these arguments; what it prints.
pub(crate) fn chromium(url: &str, profile: &std::path::Path, args: &[&str]) -> String {
    let output = std::process::Command::new("/usr/bin/chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--window-size=1920,1080", "--hide-scrollbars", "--virtual-time-budget=4000"])
        .args(args)
        .arg(url)
        .output()
        .expect("Debian's Chromium at /usr/bin/chromium (apt-get install chromium; .ci/run installs it)");
    assert!(output.status.success(), "chromium: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_screen_page_shows_a_call_live_in_headless_chromium() {
    let (app, officer) = screen_desk().await;
    for _ in 0..5 {
        post(&app, &officer, &format!("/units/{WARD}/tickets"), json!({})).await;
    }
    for (n, state) in [
        (1, json!({"state": "open"})),
        (2, json!({"state": "open"})),
        (3, json!({"state": "paused", "pause_reason": "Nghỉ giải lao"})),
    ] {
        let counter = app.put(&format!("/api/v1/units/{WARD}/counters/{n}")).bearer(&officer).json(&state);
        counter.send().await.assert_status(200);
    }
    let first = post(&app, &officer, &format!("/units/{WARD}/counters/1/next"), json!({})).await;
    post(&app, &officer, &format!("/units/{WARD}/counters/2/next"), json!({})).await;

    let (port, server) = serve_on_loopback(app.state.clone()).await;
    let url = format!("http://127.0.0.1:{port}/display/{WARD}");
    let profile = std::env::temp_dir().join(format!("motcua-chromium-{}", uuid::Uuid::now_v7()));
    let shot = screenshot_path("display.png");
    let (dom_url, dom_profile) = (url.clone(), profile.join("dom"));
    let page = tokio::task::spawn_blocking(move || chromium(&dom_url, &dom_profile, &["--dump-dom"]));

    // Once the page follows the stream, A001 is served and counter 1 calls A003.
    let ward = app.unit_id(WARD).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while app.state.displays.screens(ward) == 0 {
        assert!(tokio::time::Instant::now() < deadline, "the page never opened the event stream");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    post(&app, &officer, &format!("/tickets/{}/served", first["id"].as_str().unwrap()), json!({})).await;
    post(&app, &officer, &format!("/units/{WARD}/counters/1/next"), json!({})).await;
    // The page has two seconds to show the call, through the stream alone: then this process
    // stops taking connections and ends its streams, as at shutdown, and the page is read.
    tokio::time::sleep(Duration::from_secs(2)).await;
    server.abort();
    app.state.displays.close();
    let dom = page.await.unwrap();
    for shown in [
        "Mời số A003 đến quầy 1",
        "A003",
        "A002",
        "Tạm dừng: Nghỉ giải lao",
        "2 người",
        "07:30 – 11:30",
        "Đăng ký khai sinh",
    ] {
        assert!(dom.contains(shown), "the page lacks {shown:?}");
    }

    // The picture, for a person to look at, from another process over the same database whose
    // streams end after their display (Chromium's virtual time waits for the network to rest).
    let mut config = (*app.state.config).clone();
    config.server.events_max = Duration::ZERO;
    let state = api::AppState {
        config: std::sync::Arc::new(config),
        displays: Default::default(),
        ..app.state.clone()
    };
    let (port, server) = serve_on_loopback(state).await;
    let url = format!("http://127.0.0.1:{port}/display/{WARD}");
    let shot = tokio::task::spawn_blocking(move || {
        chromium(&url, &profile.join("shot"), &[&format!("--screenshot={}", shot.display())]);
        let _ = std::fs::remove_dir_all(&profile);
        shot
    })
    .await
    .unwrap();
    server.abort();
    let png = std::fs::read(&shot).expect("the screenshot");
    assert_eq!(&png[1..4], b"PNG");
    assert!(png.len() > 20_000, "a screenshot of {} bytes is nearly blank", png.len());
}

//! Printable documents checked in a real browser: each is printed to PDF by headless Chromium
//! (Debian's `chromium`), must fill exactly one page of its paper, and is kept as PNG pictures
//! (poppler-utils' `pdftoppm`) under `{target}/pages/` for a person to look at.

use std::path::{Path, PathBuf};

use crate::{
    common::TestApp,
    documents::{apologise, documents_desk},
    dossiers::{desk_with, take_in, transition},
};

/// A paper size as `pdfinfo` reports it, in points.
#[derive(Debug, Clone, Copy)]
enum Paper {
    A4,
    A5,
}

impl Paper {
    fn points(self) -> (f64, f64) {
        match self {
            Paper::A4 => (595.3, 841.9),
            Paper::A5 => (419.5, 595.3),
        }
    }
}

fn pages_folder() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| "target".into(), std::path::PathBuf::from);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(target).join("pages");
    std::fs::create_dir_all(&dir).expect("a folder for the pictures");
    dir
}

/// Runs headless Chromium with a profile in `work` on a page of `work`, with these arguments.
fn chromium(work: &Path, page: &Path, args: &[&str]) {
    let profile = format!("--user-data-dir={}", work.join("profile").display());
    let url = format!("file://{}", page.display());
    let common = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars"];
    let quiet = ["--disable-background-networking", "--disable-component-update", "--disable-sync"];
    let all: Vec<&str> = common
        .iter()
        .chain(&quiet)
        .copied()
        .chain([profile.as_str()])
        .chain(args.iter().copied())
        .chain([url.as_str()])
        .collect();
    run("/usr/bin/chromium", &all);
}

fn run(program: &str, args: &[&str]) -> String {
    let output = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} (apt-get install chromium poppler-utils): {e}"));
    assert!(output.status.success(), "{program}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Prints a document's HTML to PDF in headless Chromium and checks that it takes one page of
/// `paper`; its pages are kept as `{name}-1.png`. Returns the PNG's path.
fn print_and_check(name: &str, html: &str, paper: Paper) -> PathBuf {
    let work = std::env::temp_dir().join(format!("motcua-print-{name}-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&work).unwrap();
    let (page, pdf) = (work.join(format!("{name}.html")), work.join(format!("{name}.pdf")));
    std::fs::write(&page, html).unwrap();
    let pdf_at = format!("--print-to-pdf={}", pdf.display());
    chromium(&work, &page, &["--no-pdf-header-footer", &pdf_at]);
    // The pictures first, so that a page that fails can be looked at.
    let picture = pages_folder().join(name);
    run(
        "/usr/bin/pdftoppm",
        &["-png", "-r", "80", &pdf.display().to_string(), &picture.display().to_string()],
    );
    let info = run("/usr/bin/pdfinfo", &[&pdf.display().to_string()]);
    let field = |key: &str| {
        info.lines().find_map(|line| line.strip_prefix(key)).map(str::trim).unwrap_or_default().to_owned()
    };
    assert_eq!(field("Pages:"), "1", "{name} takes more than one page:\n{info}");
    let size: Vec<f64> = field("Page size:").split_whitespace().filter_map(|w| w.parse().ok()).collect();
    let (width, height) = paper.points();
    assert!(
        size.len() == 2 && (size[0] - width).abs() < 1.5 && (size[1] - height).abs() < 1.5,
        "{name} is not {paper:?}:\n{info}"
    );
    let picture = pages_folder().join(name);
    run(
        "/usr/bin/pdftoppm",
        &["-png", "-r", "80", &pdf.display().to_string(), &picture.display().to_string()],
    );
    let _ = std::fs::remove_dir_all(&work);
    pages_folder().join(format!("{name}-1.png"))
}

/// Takes a picture of a public page as a phone shows it (390 × 844), kept as `{name}.png`.
fn phone_screenshot(name: &str, html: &str) -> PathBuf {
    let work = std::env::temp_dir().join(format!("motcua-screen-{name}-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&work).unwrap();
    let page = work.join(format!("{name}.html"));
    std::fs::write(&page, html).unwrap();
    let picture = pages_folder().join(format!("{name}.png"));
    let shot_at = format!("--screenshot={}", picture.display());
    chromium(&work, &page, &["--window-size=390,844", &shot_at]);
    let _ = std::fs::remove_dir_all(&work);
    picture
}

/// The HTML of a staff-only page of the API.
async fn html(app: &TestApp, token: &str, path: &str) -> String {
    let reply = app.get(path).bearer(token).send().await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.text);
    reply.text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_document_prints_on_one_page_of_its_paper_in_headless_chromium() {
    let (app, officer) =
        desk_with(|config| config.server.public_url = "https://motcua.thuanan.gov.vn".into()).await;
    documents_desk(&app).await;
    let receipt = take_in(&app, &officer).await;
    let code = receipt["code"].as_str().unwrap();
    let (_, apology) = apologise(&app, &officer, &receipt, 1).await;
    // A birth registration: once processed, its congratulation letter.
    transition(&app, &officer, code, "*", "in_progress").await.assert_status(200);
    transition(&app, &officer, code, "*", "processed").await.assert_status(200);
    let letters = app.get("/api/v1/letters").bearer(&officer).send().await;
    let letter = letters.assert_status(200)["items"][0]["id"].as_str().unwrap().to_owned();

    let documents = [
        ("receipt", receipt["receipt_html"].as_str().unwrap().to_owned(), Paper::A5),
        (
            "receipt-reprint",
            html(&app, &officer, &format!("/api/v1/dossiers/{code}/receipt?format=html")).await,
            Paper::A5,
        ),
        (
            "apology-slip",
            html(&app, &officer, &format!("/api/v1/dossiers/{code}/apologies/{apology}")).await,
            Paper::A4,
        ),
        ("letter", html(&app, &officer, &format!("/api/v1/letters/{letter}?format=html")).await, Paper::A4),
    ];
    let secret = receipt["lookup_secret"].as_str().unwrap();
    let lookup = app.get(&format!("/tra-cuu?code={code}&secret={secret}")).send().await;
    assert_eq!(lookup.status, 200);
    let printed = tokio::task::spawn_blocking(move || {
        let mut pictures: Vec<PathBuf> =
            documents.iter().map(|(name, page, paper)| print_and_check(name, page, *paper)).collect();
        pictures.push(phone_screenshot("lookup-page", &lookup.text));
        pictures
    })
    .await
    .unwrap();
    for picture in printed {
        assert!(picture.exists(), "no picture at {}", picture.display());
    }
}

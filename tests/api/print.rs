//! Printable documents checked in a real browser: each is printed to PDF by headless Chromium
//! (Debian's `chromium`), must fill exactly one page of its paper, and is kept as PNG pictures
//! (poppler-utils' `pdftoppm`) under `{target}/pages/` for a person to look at.

use std::path::{Path, PathBuf};

use crate::{
    common::TestApp,
    documents::{apologise, documents_desk},
    dossiers::{desk_with, take_in},
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
    run(
        "/usr/bin/chromium",
        &[
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", work.join("profile").display()),
            "--no-pdf-header-footer",
            &format!("--print-to-pdf={}", pdf.display()),
            &format!("file://{}", page.display()),
        ],
    );
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
        // A letter: ("letter", html(&app, &officer, &format!("/api/v1/letters/{id}?format=html")).await, Paper::A4),
    ];
    let printed = tokio::task::spawn_blocking(move || {
        documents.iter().map(|(name, page, paper)| print_and_check(name, page, *paper)).collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for picture in printed {
        assert!(picture.exists(), "no picture at {}", picture.display());
    }
}

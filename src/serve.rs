//! Serving the API until SIGINT or SIGTERM.

use anyhow::Context;
use api::AppState;

pub(crate) async fn serve(state: AppState) -> anyhow::Result<()> {
    use poem::{Server, listener::TcpListener};

    let bind = state.config.server.bind;
    let grace = state.config.server.shutdown_grace;
    // Background work every process shares with the others: due reminders, expired keys,
    // tickets left waiting at closing time, webhook deliveries, pushes.
    let reminders = api::appointments::reminders::spawn(state.clone());
    let sweep = api::queue::sweep::spawn(state.clone());
    let webhooks = api::webhooks::spawn(state.clone());
    let pushes = api::push::spawn(state.clone());
    let displays = state.displays.clone();
    let public_url = &state.config.server.public_url;
    if !public_url.starts_with("https://") {
        // Fine on a laptop; in production a receipt's QR code would send phones to plain http.
        tracing::warn!(%public_url, "MOTCUA_PUBLIC_URL is not https: receipts' QR codes link to it");
    }
    // One-time codes reach citizens only through a real gateway: say which sender is on.
    tracing::info!(sender = %state.sms.describe(), "SMS sender");
    let app = api::build_app(state);
    tracing::info!(%bind, "serving; docs at http://{bind}/docs");
    Server::new(TcpListener::bind(bind))
        .run_with_graceful_shutdown(
            app,
            async move {
                shutdown_signal().await;
                // Event streams never finish by themselves: end them, so the screens move on.
                displays.close();
            },
            Some(grace),
        )
        .await
        .context("server failed")?;
    reminders.abort();
    sweep.abort();
    webhooks.abort();
    if let Some(pushes) = pushes {
        pushes.abort();
    }
    Ok(())
}

/// Resolves on SIGINT or SIGTERM; the server then stops accepting and lets in-flight requests finish.
pub(crate) async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = interrupt => {},
            _ = terminate.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutting down: finishing in-flight requests");
}

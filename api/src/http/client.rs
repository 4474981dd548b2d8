//! The client's address: the peer, or the first untrusted hop of `X-Forwarded-For` when the
//! peer is a configured trusted proxy (never believed otherwise: anyone can send the header).

use std::net::IpAddr;

use poem::Request;

use crate::config::TrustedProxies;

pub fn client_ip(req: &Request, trusted: &TrustedProxies) -> Option<IpAddr> {
    let peer = req.remote_addr().as_socket_addr().map(|addr| addr.ip())?;
    if !trusted.contains(peer) {
        return Some(peer);
    }
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok()).unwrap_or_default();
    // Walk from the nearest hop back; the first address that is not one of our proxies is the client.
    forwarded
        .rsplit(',')
        .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
        .find(|ip| !trusted.contains(*ip))
        .or(Some(peer))
}

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

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use poem::{
        Addr, Body, RequestParts,
        http::uri::Scheme,
        web::{LocalAddr, RemoteAddr},
    };

    use super::*;

    fn request(peer: &str, forwarded: Option<&str>) -> Request {
        let mut builder = poem::http::Request::builder().uri("/");
        if let Some(value) = forwarded {
            builder = builder.header("x-forwarded-for", value);
        }
        let (parts, ()) = builder.body(()).unwrap().into_parts();
        let peer: SocketAddr = peer.parse().unwrap();
        let local = LocalAddr(Addr::SocketAddr("127.0.0.1:8080".parse().unwrap()));
        let parts = RequestParts::from((parts, local, RemoteAddr(Addr::SocketAddr(peer)), Scheme::HTTP));
        Request::from_parts(parts, Body::empty())
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let trusted: TrustedProxies = "10.0.0.0/8, 192.168.1.5".parse().unwrap();
        let client = |peer, forwarded| client_ip(&request(peer, forwarded), &trusted).unwrap().to_string();

        assert_eq!(client("203.0.113.7:5000", Some("1.2.3.4")), "203.0.113.7");
        assert_eq!(client("10.1.2.3:5000", Some("1.2.3.4")), "1.2.3.4");
        assert_eq!(client("10.1.2.3:5000", Some("6.6.6.6, 1.2.3.4, 10.9.9.9")), "1.2.3.4");
        assert_eq!(client("192.168.1.5:5000", None), "192.168.1.5");
        assert_eq!(client("10.1.2.3:5000", Some("garbage")), "10.1.2.3");
    }
}

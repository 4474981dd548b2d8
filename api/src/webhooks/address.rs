//! Where a webhook may be sent: the URL rules checked when an endpoint is saved, and the
//! addresses checked when a delivery connects.
//!
//! A hostname checked once and resolved again at connect time can be rebound to an internal
//! address in between, so the check sits in the HTTP client's resolver ([`GuardedResolver`]):
//! the addresses it lets through are the ones the client connects to. Every address a name
//! resolves to must be public, and a name that does not resolve is refused. An IP literal in
//! the URL never reaches a resolver and is checked on its own ([`literal_refused`]).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use reqwest::{
    Url,
    dns::{Addrs, Name, Resolve, Resolving},
};

use crate::error::FieldError;

/// Why a delivery was not sent: the only words an administrator sees of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("address not allowed")]
    NotAllowed,
    #[error("the host name did not resolve")]
    Unresolved,
}

/// IPv4 networks never reached unless private addresses are allowed.
const PRIVATE_V4: &[(Ipv4Addr, u8)] = &[
    (Ipv4Addr::new(10, 0, 0, 0), 8),
    (Ipv4Addr::new(100, 64, 0, 0), 10),
    (Ipv4Addr::new(127, 0, 0, 0), 8),
    (Ipv4Addr::new(169, 254, 0, 0), 16),
    (Ipv4Addr::new(172, 16, 0, 0), 12),
    (Ipv4Addr::new(192, 168, 0, 0), 16),
];

/// IPv4 networks never reached: "this network", protocol assignments, documentation,
/// benchmarking, multicast and the reserved block with the broadcast address.
const RESERVED_V4: &[(Ipv4Addr, u8)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8),
    (Ipv4Addr::new(192, 0, 0, 0), 24),
    (Ipv4Addr::new(192, 0, 2, 0), 24),
    (Ipv4Addr::new(198, 18, 0, 0), 15),
    (Ipv4Addr::new(198, 51, 100, 0), 24),
    (Ipv4Addr::new(203, 0, 113, 0), 24),
    (Ipv4Addr::new(224, 0, 0, 0), 4),
    (Ipv4Addr::new(240, 0, 0, 0), 4),
];

/// IPv6 networks never reached unless private addresses are allowed: loopback, unique-local,
/// link-local.
const PRIVATE_V6: &[(Ipv6Addr, u8)] = &[
    (Ipv6Addr::LOCALHOST, 128),
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10),
];

/// IPv6 networks never reached: unspecified, IPv4-compatible and IPv4-mapped (they reach IPv4
/// hosts by another name), NAT64, Teredo, 6to4, documentation, multicast.
const RESERVED_V6: &[(Ipv6Addr, u8)] = &[
    (Ipv6Addr::UNSPECIFIED, 128),
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 96),
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0), 96),
    (Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96),
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 32),
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32),
    (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16),
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),
];

fn in_any(ip: IpAddr, networks_v4: &[(Ipv4Addr, u8)], networks_v6: &[(Ipv6Addr, u8)]) -> bool {
    let net = |network: IpNet| network.contains(&ip);
    networks_v4.iter().any(|&(a, len)| Ipv4Net::new(a, len).is_ok_and(|n| net(n.into())))
        || networks_v6.iter().any(|&(a, len)| Ipv6Net::new(a, len).is_ok_and(|n| net(n.into())))
}

/// Whether a delivery may connect to `ip`. With `allow_private` (development and tests)
/// loopback, private, link-local, CGNAT and unique-local addresses are allowed, and an
/// IPv4-mapped address is judged by the IPv4 address it maps.
pub fn allowed(ip: IpAddr, allow_private: bool) -> bool {
    if let IpAddr::V6(v6) = ip
        && let Some(v4) = v6.to_ipv4_mapped()
    {
        return allow_private && allowed(IpAddr::V4(v4), true);
    }
    if allow_private && in_any(ip, PRIVATE_V4, PRIVATE_V6) {
        return true;
    }
    !in_any(ip, RESERVED_V4, RESERVED_V6)
        && ip != IpAddr::V4(Ipv4Addr::BROADCAST)
        && !in_any(ip, PRIVATE_V4, PRIVATE_V6)
}

/// The refusal of a URL whose host is an IP literal that may not be reached; `None` for an
/// allowed literal and for a host name (checked by the resolver).
pub fn literal_refused(url: &Url, allow_private: bool) -> Option<Refused> {
    let ip = match url.host()? {
        url::Host::Ipv4(v4) => IpAddr::V4(v4),
        url::Host::Ipv6(v6) => IpAddr::V6(v6),
        url::Host::Domain(_) => return None,
    };
    (!allowed(ip, allow_private)).then_some(Refused::NotAllowed)
}

/// Resolves host names for the delivery client and lets through only names whose every
/// address is allowed.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await.map_err(|_| Refused::Unresolved)?.collect();
            if found.is_empty() {
                return Err(Refused::Unresolved.into());
            }
            if !found.iter().all(|addr| allowed(addr.ip(), allow_private)) {
                return Err(Refused::NotAllowed.into());
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

/// The refusal behind a failed request, if the guard refused it.
pub fn refusal_in(error: &(dyn std::error::Error + 'static)) -> Option<Refused> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(refused) = error.downcast_ref::<Refused>() {
            return Some(*refused);
        }
        cause = error.source();
    }
    None
}

/// Checks an endpoint's URL: absolute, `https` (or `http` too with `allow_private`), a host,
/// no user name or password in it. Adds a field error to `errors` and gives `None` if not.
pub fn endpoint_url(text: &str, allow_private: bool, errors: &mut Vec<FieldError>) -> Option<Url> {
    let mut refuse = |vi, en| {
        errors.push(FieldError::new("url", vi, en));
        None
    };
    if text.len() > 2000 {
        return refuse("Địa chỉ dài quá 2000 ký tự.", "The URL is longer than 2000 characters.");
    }
    let Ok(url) = Url::parse(text.trim()) else {
        return refuse("Địa chỉ phải là một URL tuyệt đối.", "The URL must be absolute.");
    };
    let scheme_ok = url.scheme() == "https" || (allow_private && url.scheme() == "http");
    if !scheme_ok {
        return refuse("Địa chỉ phải dùng https.", "The URL must use https.");
    }
    if url.host().is_none() {
        return refuse("Địa chỉ phải có tên máy chủ.", "The URL must name a host.");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse(
            "Địa chỉ không được chứa tên đăng nhập hay mật khẩu.",
            "The URL must not contain a user name or password.",
        );
    }
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn public_addresses_are_allowed() {
        for public in ["8.8.8.8", "203.113.131.1", "2606:4700:4700::1111", "100.128.0.1", "172.32.0.1"] {
            assert!(allowed(ip(public), false), "{public}");
        }
    }

    #[test]
    fn internal_addresses_are_refused() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:8.8.8.8",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "2001:db8::1",
        ] {
            assert!(!allowed(ip(internal), false), "{internal}");
        }
    }

    #[test]
    fn allowing_private_addresses_still_refuses_the_unroutable() {
        for private in ["127.0.0.1", "10.0.0.1", "::1", "fd00::1", "::ffff:127.0.0.1", "169.254.1.1"] {
            assert!(allowed(ip(private), true), "{private}");
        }
        for never in ["0.0.0.0", "::", "224.0.0.1", "ff02::1", "255.255.255.255", "::ffff:0.0.0.0"] {
            assert!(!allowed(ip(never), true), "{never}");
        }
    }

    #[test]
    fn ip_literals_in_urls_are_checked() {
        let url = |text: &str| Url::parse(text).unwrap();
        assert_eq!(literal_refused(&url("https://127.0.0.1/hook"), false), Some(Refused::NotAllowed));
        assert_eq!(literal_refused(&url("https://[::ffff:10.0.0.1]/hook"), false), Some(Refused::NotAllowed));
        assert_eq!(literal_refused(&url("https://8.8.8.8/hook"), false), None);
        assert_eq!(literal_refused(&url("https://example.gov.vn/hook"), false), None);
        assert_eq!(literal_refused(&url("http://127.0.0.1:8080/hook"), true), None);
    }

    #[test]
    fn endpoint_urls_must_be_absolute_https_and_without_credentials() {
        let check = |text: &str, allow_private| {
            let mut errors = Vec::new();
            endpoint_url(text, allow_private, &mut errors).map(|url| url.to_string())
        };
        assert_eq!(
            check("https://portal.binhduong.gov.vn/hooks", false).as_deref(),
            Some("https://portal.binhduong.gov.vn/hooks")
        );
        assert_eq!(check("/hooks", false), None);
        assert_eq!(check("http://portal.binhduong.gov.vn/hooks", false), None);
        assert!(check("http://127.0.0.1:9000/hooks", true).is_some());
        assert_eq!(check("https://user:pass@portal.binhduong.gov.vn/hooks", false), None);
        assert_eq!(check("https://token@portal.binhduong.gov.vn/hooks", false), None);
        assert_eq!(check("ftp://portal.binhduong.gov.vn/hooks", true), None);
        assert_eq!(check("mailto:a@b.vn", true), None);
    }
}

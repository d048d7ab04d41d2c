//! `mqtt://[USER[:PASS]@]HOST[:PORT]/PREFIX[/BOARD|/+]`: where a broker is and which topics.

use std::fmt;

use anyhow::{Result, bail};

/// The port of `mqtt://` when none is given.
pub const MQTT_PORT: u16 = 1883;
/// The port of `mqtts://` (MQTT over TLS) when none is given.
pub const MQTTS_PORT: u16 = 8883;

/// The form every URL error names.
const FORM: &str = "mqtt[s]://[USER[:PASS]@]HOST[:PORT]/PREFIX";

/// A broker URL as `--publish` and `attach --mqtt` take it.
///
/// ```
/// use ph_tap::mqtt::MqttUrl;
/// let url = MqttUrl::parse("mqtt://ann:s%40fe@broker.lan/lab/farm").unwrap();
/// assert_eq!((url.host.as_str(), url.port, url.tls), ("broker.lan", 1883, false));
/// assert_eq!((url.user.as_deref(), url.password.as_deref()), (Some("ann"), Some("s@fe")));
/// assert_eq!(url.path, ["lab", "farm"]);
/// assert_eq!(url.to_string(), "mqtt://ann@broker.lan:1883/lab/farm"); // never the password
///
/// let url = MqttUrl::parse("mqtts://[::1]:9000/farm/+").unwrap();
/// assert_eq!((url.host.as_str(), url.port, url.tls), ("::1", 9000, true));
/// assert_eq!(url.subscription().unwrap(), ("farm".to_owned(), None));
///
/// let err = MqttUrl::parse("tcp://broker/farm").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "'tcp://broker/farm' is not an MQTT URL: give mqtt[s]://[USER[:PASS]@]HOST[:PORT]/PREFIX"
/// );
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct MqttUrl {
    /// `mqtts://`: TLS (rustls).
    pub tls: bool,
    /// The user name to log in with, if any.
    pub user: Option<String>,
    /// The password, if any (never shown: [`Display`](fmt::Display) leaves it out).
    pub password: Option<String>,
    /// The broker's host name or address (an IPv6 address without its brackets).
    pub host: String,
    /// The broker's port (1883, 8883 for `mqtts://`, unless given).
    pub port: u16,
    /// The topic levels after the host (at least one: the prefix).
    pub path: Vec<String>,
}

impl MqttUrl {
    /// Parses `url`; the error is one line saying the form to use.
    pub fn parse(url: &str) -> Result<Self> {
        let bad = |why: &str| -> anyhow::Error {
            anyhow::anyhow!("'{url}' is not an MQTT URL{why}: give {FORM}")
        };
        let (tls, rest) = if let Some(rest) = url.strip_prefix("mqtt://") {
            (false, rest)
        } else if let Some(rest) = url.strip_prefix("mqtts://") {
            (true, rest)
        } else {
            return Err(bad(""));
        };
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (login, hostport) = match authority.rsplit_once('@') {
            Some((login, hostport)) => (Some(login), hostport),
            None => (None, authority),
        };
        let (user, password) = match login {
            None => (None, None),
            Some(login) => {
                let (user, password) = match login.split_once(':') {
                    Some((user, password)) => (user, Some(password)),
                    None => (login, None),
                };
                if user.is_empty() {
                    return Err(bad(" (an empty USER before '@')"));
                }
                let user = percent_decode(user).ok_or_else(|| bad(" (a bad %XX in USER)"))?;
                let password = password
                    .map(|p| percent_decode(p).ok_or_else(|| bad(" (a bad %XX in PASS)")))
                    .transpose()?;
                (Some(user), password)
            }
        };
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let Some((host, after)) = v6.split_once(']') else {
                return Err(bad(" (an IPv6 address without its ']')"));
            };
            (host, after.strip_prefix(':'))
        } else {
            match hostport.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (hostport, None),
            }
        };
        if host.is_empty() {
            return Err(bad(" (no HOST)"));
        }
        let port = match port {
            None => {
                if tls {
                    MQTTS_PORT
                } else {
                    MQTT_PORT
                }
            }
            Some(port) => match port.parse::<u16>() {
                Ok(port) if port > 0 => port,
                _ => return Err(bad(&format!(" (PORT '{port}' is not 1-65535)"))),
            },
        };
        let path: Vec<String> = path
            .trim_end_matches('/')
            .split('/')
            .map(str::to_owned)
            .collect();
        if path.iter().any(String::is_empty) {
            return Err(bad(" (no PREFIX, or an empty topic level)"));
        }
        if path.iter().any(|level| level.contains('#')) {
            return Err(bad(" ('#' in the topic: use '+' for the board level)"));
        }
        Ok(Self {
            tls,
            user,
            password,
            host: host.to_owned(),
            port,
            path,
        })
    }

    /// `HOST:PORT`, for messages (an IPv6 address in brackets).
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The topic prefix to publish under (`PREFIX/<board>/wire`): the whole path, which must
    /// have no `+`.
    ///
    /// ```
    /// use ph_tap::mqtt::MqttUrl;
    /// assert_eq!(MqttUrl::parse("mqtt://h/lab/farm").unwrap().publish_prefix().unwrap(), "lab/farm");
    /// assert!(MqttUrl::parse("mqtt://h/farm/+").unwrap().publish_prefix().is_err());
    /// ```
    pub fn publish_prefix(&self) -> Result<String> {
        if self.path.iter().any(|level| level.contains('+')) {
            bail!(
                "--publish {self}: '+' is for subscribing (attach --mqtt); give the PREFIX to publish under, e.g. mqtt://{}/farm",
                self.address()
            );
        }
        Ok(self.path.join("/"))
    }

    /// What `attach --mqtt` subscribes to: the prefix and one board's name
    /// (`PREFIX/NAME`), or every board (`PREFIX/+`, the board `None`).
    ///
    /// ```
    /// use ph_tap::mqtt::MqttUrl;
    /// let one = MqttUrl::parse("mqtt://h/lab/farm/a").unwrap();
    /// assert_eq!(one.subscription().unwrap(), ("lab/farm".to_owned(), Some("a".to_owned())));
    /// assert!(MqttUrl::parse("mqtt://h/farm").unwrap().subscription().is_err());
    /// ```
    pub fn subscription(&self) -> Result<(String, Option<String>)> {
        let (last, prefix) = self.path.split_last().expect("parse keeps one level");
        if prefix.is_empty() || prefix.iter().any(|level| level.contains('+')) {
            bail!(
                "attach --mqtt {self}: give the PREFIX and the board level, PREFIX/+ for every board or PREFIX/NAME for one, e.g. mqtt://{}/farm/+",
                self.address()
            );
        }
        let board = match last.as_str() {
            "+" => None,
            name if name.contains('+') => {
                bail!("attach --mqtt {self}: '+' stands alone as the board level (PREFIX/+)")
            }
            name => Some(name.to_owned()),
        };
        Ok((prefix.join("/"), board))
    }
}

impl fmt::Display for MqttUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "mqtts" } else { "mqtt" };
        write!(f, "{scheme}://")?;
        if let Some(user) = &self.user {
            write!(f, "{user}@")?;
        }
        write!(f, "{}/{}", self.address(), self.path.join("/"))
    }
}

impl fmt::Debug for MqttUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MqttUrl({self})")
    }
}

/// `%XX` escapes decoded (for `@`, `:` or `/` in a user name or password); `None` when one is
/// cut short or not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(url: &str) -> String {
        MqttUrl::parse(url).unwrap_err().to_string()
    }

    #[test]
    fn defaults_and_explicit_parts() {
        let url = MqttUrl::parse("mqtts://u@127.0.0.1/p").unwrap();
        assert_eq!(
            (url.port, url.user.as_deref(), url.password),
            (8883, Some("u"), None)
        );
        let url = MqttUrl::parse("mqtt://127.0.0.1:4000/a/b/").unwrap();
        assert_eq!(
            (url.port, url.path.clone()),
            (4000, vec!["a".into(), "b".into()])
        );
    }

    #[test]
    fn bad_urls_say_the_form() {
        for (url, why) in [
            ("mqtt://", "(no HOST)"),
            ("mqtt://host", "(no PREFIX, or an empty topic level)"),
            ("mqtt://host:0/p", "(PORT '0' is not 1-65535)"),
            ("mqtt://host:x/p", "(PORT 'x' is not 1-65535)"),
            ("mqtt://:pw@host/p", "(an empty USER before '@')"),
            ("mqtt://u:%zz@host/p", "(a bad %XX in PASS)"),
            ("mqtt://host/a//b", "(no PREFIX, or an empty topic level)"),
            ("mqtt://host/a/#", "('#' in the topic"),
            ("mqtt://[::1/p", "(an IPv6 address without its ']')"),
        ] {
            let text = err(url);
            assert!(text.contains(why), "{url}: {text}");
            assert!(text.ends_with(FORM) || text.contains("use '+'"), "{text}");
        }
    }

    #[test]
    fn a_wildcard_inside_a_level_is_refused() {
        let url = MqttUrl::parse("mqtt://h/farm/a+").unwrap();
        assert!(url.subscription().is_err());
        assert!(url.publish_prefix().is_err());
    }
}

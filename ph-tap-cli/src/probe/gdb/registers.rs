//! Cortex-M core registers as probe-rs selects them (`DCRSR.REGSEL`) and as a GDB server
//! numbers them: from its target description (`target.xml` and the documents it includes),
//! else gdb's classic ARM numbering (`r0`..`pc` = 0..15, `cpsr` = 25).

use super::error::GdbError;

/// One register of the target description.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Reg {
    name: String,
    number: u32,
    bytes: usize,
}

/// How one `DCRSR.REGSEL` maps onto the server's registers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    /// One server register (its low 32 bits).
    Whole {
        /// gdb's register number.
        number: u32,
        /// Its size in bytes.
        bytes: usize,
    },
    /// `REGSEL` 20: CONTROL, FAULTMASK, BASEPRI and PRIMASK, a byte each (bits 31..24 down
    /// to 7..0); the ones the server lacks read as 0.
    Packed([Option<u32>; 4]),
    /// A single-precision register that the server only offers as half of a double one.
    Half {
        /// gdb's number of the double register.
        number: u32,
        /// The upper half (odd `S` register).
        high: bool,
    },
}

/// The server's registers by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterMap {
    regs: Vec<Reg>,
}

/// How deep `xi:include`s may nest.
const MAX_INCLUDE_DEPTH: usize = 4;

impl RegisterMap {
    /// gdb's classic ARM numbering, for servers without a target description.
    ///
    /// ```
    /// # use ph_tap::probe::gdb::registers::{Access, RegisterMap};
    /// let map = RegisterMap::classic();
    /// assert_eq!(map.access(16), Some(Access::Whole { number: 25, bytes: 4 })); // xPSR
    /// ```
    pub fn classic() -> Self {
        let mut regs: Vec<Reg> = (0..13).map(|n| reg(&format!("r{n}"), n, 4)).collect();
        regs.extend([
            reg("sp", 13, 4),
            reg("lr", 14, 4),
            reg("pc", 15, 4),
            reg("cpsr", 25, 4),
        ]);
        Self { regs }
    }

    /// The registers of target description `top`, fetching each `xi:include`d document
    /// through `fetch` (numbering runs on through the included documents, as in gdb).
    ///
    /// ```
    /// # use ph_tap::probe::gdb::registers::{Access, RegisterMap};
    /// let xml = r#"<target><feature name="org.gnu.gdb.arm.m-profile">
    ///   <reg name="r0" bitsize="32"/><reg name="pc" bitsize="32" regnum="15"/>
    ///   <reg name="xpsr" bitsize="32" regnum="25"/></feature></target>"#;
    /// let map = RegisterMap::from_target_xml(xml, &mut |_| unreachable!()).unwrap();
    /// assert_eq!(map.access(15), Some(Access::Whole { number: 15, bytes: 4 }));
    /// assert_eq!(map.access(1), None);
    /// ```
    pub fn from_target_xml(
        top: &str,
        fetch: &mut dyn FnMut(&str) -> Result<String, GdbError>,
    ) -> Result<Self, GdbError> {
        let mut regs = Vec::new();
        let mut next = 0;
        parse(top, fetch, &mut next, &mut regs, 0)?;
        Ok(Self { regs })
    }

    fn find(&self, names: &[&str]) -> Option<&Reg> {
        names
            .iter()
            .find_map(|name| self.regs.iter().find(|r| r.name.eq_ignore_ascii_case(name)))
    }

    /// How probe-rs's register `regsel` (`DCRSR.REGSEL`) is read and written, or `None` if
    /// the server does not offer it.
    pub fn access(&self, regsel: u8) -> Option<Access> {
        let whole = |r: &Reg| Access::Whole {
            number: r.number,
            bytes: r.bytes,
        };
        let names: &[&str] = match regsel {
            0..=12 => return self.find(&[&format!("r{regsel}")]).map(whole),
            13 => &["sp", "r13"],
            14 => &["lr", "r14"],
            15 => &["pc", "r15"],
            16 => &["xpsr", "cpsr"],
            17 => &["msp"],
            18 => &["psp"],
            20 => {
                let parts = ["control", "faultmask", "basepri", "primask"]
                    .map(|name| self.find(&[name]).map(|r| r.number));
                return parts
                    .iter()
                    .any(Option::is_some)
                    .then_some(Access::Packed(parts));
            }
            0x21 => &["fpscr"],
            0x40..=0x5f => {
                let s = regsel - 0x40;
                if let Some(r) = self.find(&[&format!("s{s}")]) {
                    return Some(whole(r));
                }
                return self.find(&[&format!("d{}", s / 2)]).map(|r| Access::Half {
                    number: r.number,
                    high: s % 2 == 1,
                });
            }
            _ => return None,
        };
        self.find(names).map(whole)
    }
}

fn reg(name: &str, number: u32, bytes: usize) -> Reg {
    Reg {
        name: name.to_owned(),
        number,
        bytes,
    }
}

fn parse(
    doc: &str,
    fetch: &mut dyn FnMut(&str) -> Result<String, GdbError>,
    next: &mut u32,
    regs: &mut Vec<Reg>,
    depth: usize,
) -> Result<(), GdbError> {
    let mut rest = doc;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>').unwrap_or(after.len());
        let tag = &after[..end];
        rest = &after[end..];
        if let Some(attrs) = tag
            .strip_prefix("reg")
            .filter(|a| a.starts_with(char::is_whitespace))
        {
            let Some(name) = attr(attrs, "name") else {
                continue;
            };
            let number = attr(attrs, "regnum")
                .and_then(|n| n.parse().ok())
                .unwrap_or(*next);
            let bits: usize = attr(attrs, "bitsize")
                .and_then(|n| n.parse().ok())
                .unwrap_or(32);
            regs.push(reg(name, number, bits.div_ceil(8)));
            *next = number + 1;
        } else if let Some(attrs) = tag.strip_prefix("xi:include")
            && let Some(href) = attr(attrs, "href")
            && depth < MAX_INCLUDE_DEPTH
        {
            let included = fetch(href)?;
            parse(&included, fetch, next, regs, depth + 1)?;
        }
    }
    Ok(())
}

/// The value of attribute `key` in a tag's attribute text.
fn attr<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    let mut rest = attrs;
    while let Some(at) = rest.find(key) {
        let before_ok = rest[..at]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace);
        let after = rest[at + key.len()..].trim_start();
        if before_ok && let Some(value) = after.strip_prefix('=') {
            let value = value.trim_start();
            let quote = value.chars().next()?;
            if quote == '"' || quote == '\'' {
                let body = &value[1..];
                return body.find(quote).map(|end| &body[..end]);
            }
        }
        rest = &rest[at + key.len()..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// QEMU's layout: the core registers in one document, the system ones in another.
    #[test]
    fn includes_are_followed_and_numbering_runs_on() {
        let top = r#"<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd">
            <target><architecture>arm</architecture>
            <xi:include href="arm-m-profile.xml"/><xi:include href='arm-m-system.xml'/></target>"#;
        let core = r#"<feature name="org.gnu.gdb.arm.m-profile">
            <reg name="r0" bitsize="32"/><reg name="r1" bitsize="32"/><reg name="r2" bitsize="32"/>
            <reg name="r3" bitsize="32"/><reg name="r4" bitsize="32"/><reg name="r5" bitsize="32"/>
            <reg name="r6" bitsize="32"/><reg name="r7" bitsize="32"/><reg name="r8" bitsize="32"/>
            <reg name="r9" bitsize="32"/><reg name="r10" bitsize="32"/><reg name="r11" bitsize="32"/>
            <reg name="r12" bitsize="32"/><reg name="sp" bitsize="32" type="data_ptr"/>
            <reg name="lr" bitsize="32"/><reg name="pc" bitsize="32" type="code_ptr"/>
            <reg name="xpsr" bitsize="32" regnum="25"/></feature>"#;
        let system = r#"<feature name="org.gnu.gdb.arm.m-system">
            <reg name="msp" bitsize="32" type="data_ptr"/><reg name="psp" bitsize="32"/>
            <reg name="primask" bitsize="1"/><reg name="basepri" bitsize="8"/>
            <reg name="faultmask" bitsize="1"/><reg name="control" bitsize="2"/></feature>"#;
        let mut fetched = Vec::new();
        let map = RegisterMap::from_target_xml(top, &mut |href| {
            fetched.push(href.to_owned());
            Ok(match href {
                "arm-m-profile.xml" => core.to_owned(),
                _ => system.to_owned(),
            })
        })
        .unwrap();
        assert_eq!(fetched, ["arm-m-profile.xml", "arm-m-system.xml"]);
        assert_eq!(
            map.access(13),
            Some(Access::Whole {
                number: 13,
                bytes: 4
            })
        );
        assert_eq!(
            map.access(16),
            Some(Access::Whole {
                number: 25,
                bytes: 4
            })
        );
        assert_eq!(
            map.access(17),
            Some(Access::Whole {
                number: 26,
                bytes: 4
            })
        );
        assert_eq!(
            map.access(18),
            Some(Access::Whole {
                number: 27,
                bytes: 4
            })
        );
        assert_eq!(
            map.access(20),
            Some(Access::Packed([Some(31), Some(30), Some(29), Some(28)]))
        );
        assert_eq!(map.access(0x21), None);
    }

    /// OpenOCD's layout: xPSR right after pc, and doubles for the FPU.
    #[test]
    fn singles_come_from_doubles_when_only_those_exist() {
        let xml = r#"<target><feature name="org.gnu.gdb.arm.m-profile">
            <reg name="pc" bitsize="32" regnum="15"/><reg name="xPSR" bitsize="32"/>
            <reg name="d0" bitsize="64" regnum="42"/><reg name="d1" bitsize="64"/>
            <reg name="fpscr" bitsize="32"/></feature></target>"#;
        let map = RegisterMap::from_target_xml(xml, &mut |_| panic!("no includes")).unwrap();
        assert_eq!(
            map.access(16),
            Some(Access::Whole {
                number: 16,
                bytes: 4
            })
        );
        assert_eq!(
            map.access(0x40 + 3),
            Some(Access::Half {
                number: 43,
                high: true
            })
        );
        assert_eq!(
            map.access(0x40 + 2),
            Some(Access::Half {
                number: 43,
                high: false
            })
        );
        assert_eq!(
            map.access(0x21),
            Some(Access::Whole {
                number: 44,
                bytes: 4
            })
        );
        assert_eq!(map.access(0x40 + 4), None);
    }

    #[test]
    fn attributes_are_matched_whole() {
        assert_eq!(attr(r#" altname="x" name="pc""#, "name"), Some("pc"));
        assert_eq!(attr(r#" name = 'lr' "#, "name"), Some("lr"));
        assert_eq!(attr(r#" bitsize="32""#, "name"), None);
    }

    #[test]
    fn an_include_that_fails_is_an_error() {
        let top = r#"<target><xi:include href="missing.xml"/></target>"#;
        let err = RegisterMap::from_target_xml(top, &mut |_| {
            Err(GdbError::Unsupported {
                addr: "here".into(),
                request: "qXfer".into(),
            })
        });
        assert!(err.is_err());
    }
}

//! The single source of truth for authentication methods.
//!
//! Every place that needs to know whether a method counts as MFA, how strong it is, which
//! physical device it lives on, or what to call it in the report reads it from [`METHODS`].
//! Names are the Graph `methodsRegistered` API values; [`canonical_name`] maps the other
//! spellings consultants are handed (portal display names, older API values, odd casing) onto
//! them. A name that is not in the table is *unknown*: it is kept verbatim, counted and shown,
//! never dropped, and it contributes to no tier or device group.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

/// Strongest-method tier. Exactly one per user; ordered from strongest to weakest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    PhishingResistant,
    Passwordless,
    Authenticator,
    Oath,
    Phone,
    SsprOnly,
    None,
}

impl Tier {
    pub const ALL: [Tier; 7] = [
        Tier::PhishingResistant,
        Tier::Passwordless,
        Tier::Authenticator,
        Tier::Oath,
        Tier::Phone,
        Tier::SsprOnly,
        Tier::None,
    ];

    /// Rank used by the analysis queries: lower is stronger.
    pub fn rank(self) -> u32 {
        self as u32
    }

    pub fn from_rank(rank: u32) -> Option<Tier> {
        Tier::ALL.get(rank as usize).copied()
    }

    /// The key used in the JSON summary and the actions CSV.
    pub fn key(self) -> &'static str {
        match self {
            Tier::PhishingResistant => "phishing_resistant",
            Tier::Passwordless => "passwordless",
            Tier::Authenticator => "authenticator",
            Tier::Oath => "oath",
            Tier::Phone => "phone",
            Tier::SsprOnly => "sspr_only",
            Tier::None => "none",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tier::PhishingResistant => "Phishing-resistant",
            Tier::Passwordless => "Authenticator passwordless",
            Tier::Authenticator => "Authenticator push",
            Tier::Oath => "OATH code",
            Tier::Phone => "Phone (SMS/voice)",
            Tier::SsprOnly => "SSPR only (email / questions)",
            Tier::None => "No method",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Tier::PhishingResistant => {
                "FIDO2 key, passkey, Windows Hello for Business, platform key or certificate"
            }
            Tier::Passwordless => "Microsoft Authenticator phone sign-in",
            Tier::Authenticator => "Microsoft Authenticator notifications",
            Tier::Oath => "software or hardware one-time-passcode token",
            Tier::Phone => "SMS or voice call to a phone number",
            Tier::SsprOnly => {
                "only email or security questions: usable for password reset, not MFA"
            }
            Tier::None => "nothing registered that counts",
        }
    }
}

/// The physical thing a method lives on. Two MFA methods in the same group fail together
/// (lost phone, broken laptop), so a backup must come from a *different* group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceGroup {
    PhoneApp,
    PhoneNumber,
    SecurityKey,
    Computer,
    SyncedPasskey,
    Certificate,
    External,
}

impl DeviceGroup {
    pub const ALL: [DeviceGroup; 7] = [
        DeviceGroup::PhoneApp,
        DeviceGroup::PhoneNumber,
        DeviceGroup::SecurityKey,
        DeviceGroup::Computer,
        DeviceGroup::SyncedPasskey,
        DeviceGroup::Certificate,
        DeviceGroup::External,
    ];

    pub fn key(self) -> &'static str {
        match self {
            DeviceGroup::PhoneApp => "phone_app",
            DeviceGroup::PhoneNumber => "phone_number",
            DeviceGroup::SecurityKey => "security_key",
            DeviceGroup::Computer => "computer",
            DeviceGroup::SyncedPasskey => "synced_passkey",
            DeviceGroup::Certificate => "certificate",
            DeviceGroup::External => "external",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DeviceGroup::PhoneApp => "App on a phone",
            DeviceGroup::PhoneNumber => "Phone number",
            DeviceGroup::SecurityKey => "Security key / hardware token",
            DeviceGroup::Computer => "Computer (Windows Hello, Secure Enclave)",
            DeviceGroup::SyncedPasskey => "Synced passkey",
            DeviceGroup::Certificate => "Certificate",
            DeviceGroup::External => "External MFA provider",
        }
    }
}

/// What a method is good for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A second factor: counts towards MFA, has a tier and a device group.
    Mfa { tier: Tier, group: DeviceGroup },
    /// Password reset only (email, security questions).
    SsprOnly,
    /// Onboarding / recovery credential, not a standing method (Temporary Access Pass).
    Onboarding,
}

/// One authentication method as Entra names it.
#[derive(Debug, Clone, Copy)]
pub struct Method {
    /// Graph `methodsRegistered` API value.
    pub name: &'static str,
    /// What the portal and this report call it.
    pub display: &'static str,
    pub role: Role,
    /// Other spellings that mean this method (portal display names, older API values).
    pub aliases: &'static [&'static str],
}

impl Method {
    pub fn is_mfa(&self) -> bool {
        matches!(self.role, Role::Mfa { .. })
    }

    pub fn tier(&self) -> Tier {
        match self.role {
            Role::Mfa { tier, .. } => tier,
            Role::SsprOnly => Tier::SsprOnly,
            Role::Onboarding => Tier::None,
        }
    }

    pub fn group(&self) -> Option<DeviceGroup> {
        match self.role {
            Role::Mfa { group, .. } => Some(group),
            _ => None,
        }
    }

    pub fn is_phone(&self) -> bool {
        self.group() == Some(DeviceGroup::PhoneNumber)
    }

    pub fn is_phishing_resistant(&self) -> bool {
        self.tier() == Tier::PhishingResistant
    }

    pub fn is_authenticator(&self) -> bool {
        matches!(
            self.name,
            "microsoftAuthenticatorPush" | "microsoftAuthenticatorPasswordless"
        )
    }
}

const fn mfa(tier: Tier, group: DeviceGroup) -> Role {
    Role::Mfa { tier, group }
}

use DeviceGroup as G;
use Tier as T;

/// Every method the tool knows. Order is the display order of the method-mix chart.
pub const METHODS: &[Method] = &[
    Method {
        name: "fido2SecurityKey",
        display: "FIDO2 security key",
        role: mfa(T::PhishingResistant, G::SecurityKey),
        aliases: &["FIDO2 security key", "fido2", "FIDO2 key", "Security key"],
    },
    Method {
        name: "passKeyDeviceBound",
        display: "Passkey (device-bound)",
        role: mfa(T::PhishingResistant, G::SecurityKey),
        aliases: &["Passkey (device-bound)", "Passkey"],
    },
    Method {
        name: "passKeyDeviceBoundAuthenticator",
        display: "Passkey in Microsoft Authenticator",
        role: mfa(T::PhishingResistant, G::PhoneApp),
        aliases: &[
            "Passkey in Microsoft Authenticator",
            "Passkey (Microsoft Authenticator)",
        ],
    },
    Method {
        name: "passKeyDeviceBoundWindowsHello",
        display: "Passkey in Windows Hello",
        role: mfa(T::PhishingResistant, G::Computer),
        aliases: &["Passkey in Windows Hello", "Passkey (Windows Hello)"],
    },
    Method {
        name: "windowsHelloForBusiness",
        display: "Windows Hello for Business",
        role: mfa(T::PhishingResistant, G::Computer),
        aliases: &["Windows Hello for Business", "windowsHellowForBusiness"],
    },
    Method {
        name: "macOsSecureEnclaveKey",
        display: "macOS Platform Credential",
        role: mfa(T::PhishingResistant, G::Computer),
        aliases: &["macOS Platform Credential", "macOS Secure Enclave key"],
    },
    Method {
        name: "passKeySynced",
        display: "Synced passkey",
        role: mfa(T::PhishingResistant, G::SyncedPasskey),
        aliases: &["Synced passkey", "Passkey (synced)"],
    },
    Method {
        name: "certificateBasedAuthentication",
        display: "Certificate-based authentication",
        role: mfa(T::PhishingResistant, G::Certificate),
        aliases: &["Certificate-based authentication", "x509Certificate"],
    },
    Method {
        name: "microsoftAuthenticatorPasswordless",
        display: "Microsoft Authenticator phone sign-in",
        role: mfa(T::Passwordless, G::PhoneApp),
        aliases: &[
            "Microsoft Passwordless phone sign-in",
            "Microsoft Authenticator passwordless",
            "Microsoft Authenticator phone sign-in",
        ],
    },
    Method {
        name: "microsoftAuthenticatorPush",
        display: "Microsoft Authenticator app",
        role: mfa(T::Authenticator, G::PhoneApp),
        aliases: &[
            "Microsoft Authenticator app",
            "Microsoft Authenticator",
            "Authenticator app",
            "appNotification",
        ],
    },
    Method {
        name: "softwareOneTimePasscode",
        display: "Software OATH token",
        role: mfa(T::Oath, G::PhoneApp),
        aliases: &["Software OATH token", "appCode"],
    },
    Method {
        name: "hardwareOneTimePasscode",
        display: "Hardware OATH token",
        role: mfa(T::Oath, G::SecurityKey),
        aliases: &["Hardware OATH token"],
    },
    // The strength of an external authentication method depends on the provider behind it, so
    // it is placed in the lowest app tier rather than guessed to be stronger.
    Method {
        name: "externalAuthMethod",
        display: "External authentication method",
        role: mfa(T::Oath, G::External),
        aliases: &["External authentication method"],
    },
    Method {
        name: "mobilePhone",
        display: "Mobile phone",
        role: mfa(T::Phone, G::PhoneNumber),
        aliases: &["Mobile phone", "sms"],
    },
    Method {
        name: "alternateMobilePhone",
        display: "Alternate mobile phone",
        role: mfa(T::Phone, G::PhoneNumber),
        aliases: &["Alternate Mobile Phone", "Alternate phone"],
    },
    Method {
        name: "officePhone",
        display: "Office phone",
        role: mfa(T::Phone, G::PhoneNumber),
        aliases: &["Office phone"],
    },
    Method {
        name: "email",
        display: "Email",
        role: Role::SsprOnly,
        aliases: &["Email", "Email address"],
    },
    Method {
        name: "securityQuestion",
        display: "Security questions",
        role: Role::SsprOnly,
        aliases: &["Security questions", "Security question"],
    },
    Method {
        name: "temporaryAccessPass",
        display: "Temporary Access Pass",
        role: Role::Onboarding,
        aliases: &["Temporary Access Pass", "TAP"],
    },
];

/// Fold a name for comparison: case and every kind of white space are ignored.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The known method for any accepted spelling, or `None` for an unknown name.
pub fn lookup(name: &str) -> Option<&'static Method> {
    // Fast path: the API name as written (what nearly every export contains).
    if let Some(m) = METHODS.iter().find(|m| m.name == name) {
        return Some(m);
    }
    static BY_SPELLING: OnceLock<HashMap<String, &'static Method>> = OnceLock::new();
    let index = BY_SPELLING.get_or_init(|| {
        let mut index = HashMap::new();
        for m in METHODS {
            index.insert(fold(m.name), m);
            for alias in m.aliases {
                index.insert(fold(alias), m);
            }
        }
        index
    });
    index.get(&fold(name)).copied()
}

/// The API name for any accepted spelling; unknown names are returned trimmed but otherwise
/// verbatim so that they can be counted and shown.
pub fn canonical_name(name: &str) -> String {
    match lookup(name) {
        Some(method) => method.name.to_string(),
        None => name.trim().to_string(),
    }
}

/// Display name for an API name, or the name itself when unknown.
pub fn display_name(name: &str) -> String {
    lookup(name)
        .map(|m| m.display.to_string())
        .unwrap_or_else(|| name.to_string())
}

/// Values of `defaultMfaMethod` (an API enum) that mean "no default".
pub fn is_no_default(value: &str) -> bool {
    let v = value.trim();
    v.is_empty() || v.eq_ignore_ascii_case("none")
}

/// Map `userPreferredMethodForSecondaryAuthentication` (or `systemPreferred…`) values onto the
/// `defaultMfaMethod` vocabulary, so both columns can feed the same default-method statistic.
pub fn default_from_user_preferred(value: &str) -> String {
    let v = value.trim();
    if is_no_default(v) {
        return "none".to_string();
    }
    match fold(v).as_str() {
        "push" => "microsoftAuthenticatorPush".to_string(),
        "oath" => "softwareOneTimePasscode".to_string(),
        "sms" | "voicemobile" => "mobilePhone".to_string(),
        "voicealternatemobile" => "alternateMobilePhone".to_string(),
        "voiceoffice" => "officePhone".to_string(),
        _ => v.to_string(),
    }
}

/// Canonical spelling of a `defaultMfaMethod` value: `none` for every "no default" spelling,
/// the API name for known methods, and the trimmed value itself otherwise.
pub fn canonical_default(value: &str) -> String {
    if is_no_default(value) {
        "none".to_string()
    } else {
        canonical_name(value)
    }
}

/// Whether a default method counts as "Microsoft Authenticator or stronger" for guidance 4.
pub fn is_authenticator_default(default: &str) -> bool {
    default == "microsoftAuthenticatorPush"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_and_alias_resolves_to_exactly_one_method() {
        for m in METHODS {
            for spelling in std::iter::once(&m.name).chain(m.aliases.iter()) {
                let hits: Vec<_> = METHODS
                    .iter()
                    .filter(|other| {
                        fold(other.name) == fold(spelling)
                            || other.aliases.iter().any(|a| fold(a) == fold(spelling))
                    })
                    .map(|other| other.name)
                    .collect();
                assert_eq!(hits, vec![m.name], "spelling {spelling:?} is ambiguous");
            }
        }
    }

    #[test]
    fn portal_display_names_map_to_api_names() {
        let pairs = [
            ("Alternate Mobile Phone", "alternateMobilePhone"),
            ("Email", "email"),
            ("FIDO2 security key", "fido2SecurityKey"),
            ("Hardware OATH token", "hardwareOneTimePasscode"),
            ("Microsoft Authenticator app", "microsoftAuthenticatorPush"),
            (
                "Microsoft Passwordless phone sign-in",
                "microsoftAuthenticatorPasswordless",
            ),
            ("Mobile phone", "mobilePhone"),
            ("Office phone", "officePhone"),
            ("Security questions", "securityQuestion"),
            ("Software OATH token", "softwareOneTimePasscode"),
            ("Temporary Access Pass", "temporaryAccessPass"),
            ("Windows Hello for Business", "windowsHelloForBusiness"),
            ("fido2", "fido2SecurityKey"),
            (
                "  MICROSOFTAUTHENTICATORPUSH ",
                "microsoftAuthenticatorPush",
            ),
        ];
        for (given, expected) in pairs {
            assert_eq!(canonical_name(given), expected, "{given}");
        }
        assert_eq!(canonical_name(" qrCodePin "), "qrCodePin");
        assert!(lookup("qrCodePin").is_none());
    }

    #[test]
    fn taxonomy_matches_the_documented_tiers_and_groups() {
        let pr = [
            "fido2SecurityKey",
            "windowsHelloForBusiness",
            "passKeyDeviceBound",
            "passKeyDeviceBoundAuthenticator",
            "passKeyDeviceBoundWindowsHello",
            "macOsSecureEnclaveKey",
            "passKeySynced",
            "certificateBasedAuthentication",
        ];
        for name in pr {
            assert_eq!(
                lookup(name).unwrap().tier(),
                Tier::PhishingResistant,
                "{name}"
            );
        }
        let tier = |n: &str| lookup(n).unwrap().tier();
        assert_eq!(
            tier("microsoftAuthenticatorPasswordless"),
            Tier::Passwordless
        );
        assert_eq!(tier("microsoftAuthenticatorPush"), Tier::Authenticator);
        assert_eq!(tier("softwareOneTimePasscode"), Tier::Oath);
        assert_eq!(tier("hardwareOneTimePasscode"), Tier::Oath);
        for phone in ["mobilePhone", "alternateMobilePhone", "officePhone"] {
            assert_eq!(tier(phone), Tier::Phone);
            assert!(lookup(phone).unwrap().is_phone());
        }
        for not_mfa in ["email", "securityQuestion", "temporaryAccessPass"] {
            assert!(!lookup(not_mfa).unwrap().is_mfa(), "{not_mfa}");
        }
        let group = |n: &str| lookup(n).unwrap().group().unwrap();
        // Push, passwordless, software OATH and the Authenticator passkey share one phone.
        for n in [
            "microsoftAuthenticatorPush",
            "microsoftAuthenticatorPasswordless",
            "softwareOneTimePasscode",
            "passKeyDeviceBoundAuthenticator",
        ] {
            assert_eq!(group(n), DeviceGroup::PhoneApp, "{n}");
        }
        for n in [
            "fido2SecurityKey",
            "passKeyDeviceBound",
            "hardwareOneTimePasscode",
        ] {
            assert_eq!(group(n), DeviceGroup::SecurityKey, "{n}");
        }
        for n in [
            "windowsHelloForBusiness",
            "passKeyDeviceBoundWindowsHello",
            "macOsSecureEnclaveKey",
        ] {
            assert_eq!(group(n), DeviceGroup::Computer, "{n}");
        }
        assert_eq!(group("passKeySynced"), DeviceGroup::SyncedPasskey);
        assert_eq!(
            group("certificateBasedAuthentication"),
            DeviceGroup::Certificate
        );
    }

    #[test]
    fn tiers_are_ordered_strongest_first() {
        let mut sorted = Tier::ALL;
        sorted.sort();
        assert_eq!(sorted, Tier::ALL);
        for t in Tier::ALL {
            assert_eq!(Tier::from_rank(t.rank()), Some(t));
        }
    }

    #[test]
    fn user_preferred_values_map_to_default_vocabulary() {
        assert_eq!(
            default_from_user_preferred("push"),
            "microsoftAuthenticatorPush"
        );
        assert_eq!(
            default_from_user_preferred("oath"),
            "softwareOneTimePasscode"
        );
        assert_eq!(default_from_user_preferred("sms"), "mobilePhone");
        assert_eq!(default_from_user_preferred("voiceMobile"), "mobilePhone");
        assert_eq!(
            default_from_user_preferred("voiceAlternateMobile"),
            "alternateMobilePhone"
        );
        assert_eq!(default_from_user_preferred("voiceOffice"), "officePhone");
        assert_eq!(default_from_user_preferred(""), "none");
        assert_eq!(default_from_user_preferred("none"), "none");
        assert_eq!(canonical_default(" None "), "none");
        assert_eq!(canonical_default("mobilePhone"), "mobilePhone");
    }
}

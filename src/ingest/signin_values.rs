//! What sign-in log values mean, whatever the portal language: legacy-protocol client apps,
//! how an MFA requirement was met, method families, the security-info registration app.
//! Each function is applied once per distinct value of a column (see
//! [`super::signin_table`]), never per row.

/// The security-info registration app ("My Signins", aka.ms/mysecurityinfo).
pub const MY_SIGNINS_APP_ID: &str = "19db86c3-b2b9-44cc-b339-36da233a3be2";

/// Client app values of legacy authentication (formats §4.3), as Microsoft documents them.
/// Logs spell some differently (`AutoDiscover`, `MAPI Over HTTP`), so they match ignoring case.
/// Legacy protocols cannot do MFA: a successful legacy sign-in is a password-only sign-in.
pub const LEGACY_CLIENTS: &[&str] = &[
    "Authenticated SMTP",
    "Autodiscover",
    "Exchange ActiveSync",
    "Exchange Online PowerShell",
    "Exchange Web Services",
    "IMAP4",
    "MAPI over HTTP",
    "Offline Address Book",
    "Outlook Anywhere (RPC over HTTP)",
    "Outlook Service",
    "POP3",
    "Reporting Web Services",
    "Other clients",
];

/// Localized names of legacy client values (the protocol names themselves are not translated).
const LEGACY_ALIASES: &[(&str, &str)] = &[
    ("Autres clients", "Other clients"),
    ("Otros clientes", "Other clients"),
];

/// The documented spelling of a legacy client app value, or `None` for a modern client.
pub fn legacy_protocol(client_app: &str) -> Option<&'static str> {
    let v = client_app.trim();
    LEGACY_CLIENTS
        .iter()
        .find(|c| c.eq_ignore_ascii_case(v))
        .copied()
        .or_else(|| {
            LEGACY_ALIASES
                .iter()
                .find(|(alias, _)| alias.to_lowercase() == v.to_lowercase())
                .map(|(_, canonical)| *canonical)
        })
}

pub fn is_legacy(client_app: &str) -> bool {
    legacy_protocol(client_app).is_some()
}

/// How an MFA requirement was met on one sign-in, from "Multifactor authentication result".
pub fn mfa_kind(result: &str) -> Option<&'static str> {
    let v = result.to_lowercase();
    if v.is_empty() {
        None
    } else if [
        "external",
        "federated",
        "externe",
        "fédéré",
        "externo",
        "federado",
    ]
    .iter()
    .any(|w| v.contains(w))
    {
        Some("external")
    } else if [
        "claim",
        "token",
        "previously satisfied",
        "jeton",
        "revendication",
    ]
    .iter()
    .any(|w| v.contains(w))
    {
        Some("token")
    } else if [
        "completed",
        "successfully",
        "effectuée",
        "réussie",
        "completad",
        "correctamente",
    ]
    .iter()
    .any(|w| v.contains(w))
    {
        Some("completed")
    } else {
        // "MFA required", "MFA denied; …" and other texts: no MFA was completed.
        None
    }
}

/// The family of an MFA method as sign-in logs name it ("Mobile app notification", "Text
/// message", …), for comparing real usage with registrations.
pub fn mfa_family(method: &str) -> &'static str {
    let v = method.to_lowercase();
    if [
        "passkey",
        "fido",
        "security key",
        "clé de sécurité",
        "clave de seguridad",
        "clave de acceso",
        "clé d'accès",
    ]
    .iter()
    .any(|w| v.contains(w))
    {
        "passkey_or_fido2"
    } else if v.contains("windows hello") {
        "windows_hello"
    } else if ["certificate", "certificat", "certificado"]
        .iter()
        .any(|w| v.contains(w))
    {
        "certificate"
    } else if v.contains("passwordless") {
        "authenticator_passwordless"
    } else if [
        "oath",
        "verification code",
        "code from",
        "code de vérification",
        "código de verificación",
    ]
    .iter()
    .any(|w| v.contains(w))
    {
        "oath_code"
    } else if ["text message", "sms", "message texte", "mensaje de texto"]
        .iter()
        .any(|w| v.contains(w))
    {
        "sms"
    } else if ["phone call", "voice", "appel", "llamada"]
        .iter()
        .any(|w| v.contains(w))
    {
        "voice"
    } else if ["notification", "notificación", "authenticator"]
        .iter()
        .any(|w| v.contains(w))
    {
        "authenticator_push"
    } else if v.contains("previously satisfied") || v.contains("satisfied by") {
        "token"
    } else {
        "other"
    }
}

/// Every value [`mfa_family`] returns, in a fixed order (codes of the `mfa_family` column).
pub const MFA_FAMILIES: &[&str] = &[
    "passkey_or_fido2",
    "windows_hello",
    "certificate",
    "authenticator_passwordless",
    "oath_code",
    "sms",
    "voice",
    "authenticator_push",
    "token",
    "other",
];

/// Every value [`mfa_kind`] returns, in a fixed order (codes of the `mfa_kind` column).
pub const MFA_KINDS: &[&str] = &["completed", "token", "external"];

/// Whether a sign-in went to the security-info registration app, by id or by name.
pub fn is_registration_app(app_id: Option<&str>, app: Option<&str>) -> bool {
    app_id.is_some_and(|id| id.eq_ignore_ascii_case(MY_SIGNINS_APP_ID))
        || app.is_some_and(|n| n.eq_ignore_ascii_case("My Signins"))
}

/// Whether a join type is hybrid: "hybrid" in English, "hybride" in French, "híbrido" in Spanish.
pub fn is_hybrid(join_type: &str) -> bool {
    let j = join_type.to_lowercase();
    j.contains("hybrid") || j.contains("híbrid") || j.contains("hibrid")
}

/// The country of a portal location (`Tokyo, Tokyo, JP` → `JP`), upper-cased; a JSON download
/// gives the code alone.
pub fn country(location: &str) -> Option<String> {
    location
        .rsplit(',')
        .next()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_and_kind_codes_cover_every_value() {
        for m in [
            "Passkey (device-bound)",
            "Windows Hello for Business",
            "Certificate",
            "Passwordless phone sign-in",
            "OATH verification code",
            "Text message",
            "Phone call",
            "Mobile app notification",
            "Previously satisfied",
            "Something new",
        ] {
            assert!(MFA_FAMILIES.contains(&mfa_family(m)), "{m}");
        }
        for r in [
            "MFA completed in Azure AD",
            "MFA requirement satisfied by claim in the token",
            "MFA requirement satisfied by external provider",
        ] {
            assert!(MFA_KINDS.contains(&mfa_kind(r).unwrap()), "{r}");
        }
    }

    #[test]
    fn location_gives_the_country_code() {
        assert_eq!(country("Tokyo, Tokyo, JP").as_deref(), Some("JP"));
        assert_eq!(country("fr").as_deref(), Some("FR"));
        assert_eq!(country(" , "), None);
    }
}

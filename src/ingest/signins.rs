//! Sign-in log downloads (Entra admin center > Monitoring & health > Sign-in logs > Download):
//! user sign-ins (interactive and non-interactive share one layout, in 56-, 49- and 44-column
//! variants), their `_AuthDetails_` companions, and application / managed-identity sign-ins.
//!
//! Columns are matched **by name** through [`HEADERS`], one table of English, French and
//! Spanish portal names that is easy to extend; localized enum values are folded by
//! [`status`], [`requirement`] and [`ca_status`]. A malformed row (wrong field count) is counted
//! and skipped, a row with an unreadable date is kept without a time and counted: neither stops
//! the run.

use polars::prelude::*;

use super::text::{csv_error, csv_reader, fold_header, CsvLayout, LineCounter};
use super::values::{parse_bool, parse_datetime};
use crate::error::InputError;

/// The portal stops a sign-in download at this many rows.
pub const PORTAL_ROW_LIMIT: usize = 100_000;

/// Canonical sign-in fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum F {
    Date,
    RequestId,
    CorrelationId,
    UserId,
    User,
    Upn,
    UserType,
    App,
    AppId,
    IpAddress,
    Location,
    Status,
    ErrorCode,
    FailureReason,
    ClientApp,
    DeviceId,
    Compliant,
    Managed,
    JoinType,
    MfaResult,
    MfaMethod,
    Requirement,
    ConditionalAccess,
    TokenIssuerType,
    ServicePrincipalId,
    ServicePrincipalName,
    ManagedIdentityType,
    // AuthDetails steps
    AuthMethod,
    AuthMethodDetail,
    Succeeded,
    ResultDetail,
    StepRequirement,
}

/// Header names per field: English portal names first, then aliases seen in other tools, then
/// French and Spanish portal names. Matching is exact first, then with case, spaces and
/// apostrophe style folded (`Application ID ` with its trailing space, `Autonomous system  number`).
pub const HEADERS: &[(F, &[&str])] = &[
    (
        F::Date,
        &[
            "Date (UTC)",
            "Date",
            "Fecha (UTC)",
            "Fecha",
            "createdDateTime",
        ],
    ),
    (
        F::RequestId,
        &[
            "Request ID",
            "ID de la demande",
            "ID de demande",
            "Id. de solicitud",
            "Id de solicitud",
        ],
    ),
    (
        F::CorrelationId,
        &[
            "Correlation ID",
            "ID de corrélation",
            "Id. de correlación",
            "Id de correlación",
        ],
    ),
    (
        F::UserId,
        &[
            "User ID",
            "ID d'utilisateur",
            "ID utilisateur",
            "Id. de usuario",
            "Id de usuario",
        ],
    ),
    (F::User, &["User", "Utilisateur", "Usuario"]),
    (
        F::Upn,
        &[
            "Username",
            "User principal name",
            "Nom d'utilisateur",
            "Nombre de usuario",
        ],
    ),
    (
        F::UserType,
        &["User type", "Type d'utilisateur", "Tipo de usuario"],
    ),
    (F::App, &["Application", "Aplicación"]),
    (
        F::AppId,
        &[
            "Application ID",
            "App ID",
            "ID d'application",
            "Id. de aplicación",
            "Id de aplicación",
        ],
    ),
    (F::IpAddress, &["IP address", "Adresse IP", "Dirección IP"]),
    (F::Location, &["Location", "Emplacement", "Ubicación"]),
    (F::Status, &["Status", "Statut", "Estado"]),
    (
        F::ErrorCode,
        &[
            "Sign-in error code",
            "Sign in error code",
            "Error code",
            "Code d'erreur de connexion",
            "Código de error de inicio de sesión",
        ],
    ),
    (
        F::FailureReason,
        &["Failure reason", "Raison de l'échec", "Motivo del error"],
    ),
    (
        F::ClientApp,
        &["Client app", "Application cliente", "Aplicación cliente"],
    ),
    (
        F::DeviceId,
        &["Device ID", "ID de l'appareil", "Id. de dispositivo"],
    ),
    (F::Compliant, &["Compliant", "Conforme"]),
    (F::Managed, &["Managed", "Géré", "Administrado"]),
    (
        F::JoinType,
        &["Join Type", "Type de jointure", "Tipo de unión"],
    ),
    (
        F::MfaResult,
        &[
            "Multifactor authentication result",
            "Multifactor auth result",
            "Résultat de l'authentification multifacteur",
            "Resultado de la autenticación multifactor",
        ],
    ),
    (
        F::MfaMethod,
        &[
            "Multifactor authentication auth method",
            "Multifactor auth method",
            "Méthode d'authentification multifacteur",
            "Método de autenticación multifactor",
        ],
    ),
    (
        F::Requirement,
        &[
            "Authentication requirement",
            "Exigence d'authentification",
            "Requisito de autenticación",
        ],
    ),
    (
        F::ConditionalAccess,
        &[
            "Conditional Access",
            "Accès conditionnel",
            "Acceso condicional",
        ],
    ),
    (
        F::TokenIssuerType,
        &[
            "Token issuer type",
            "Type d'émetteur de jeton",
            "Tipo de emisor del token",
        ],
    ),
    (
        F::ServicePrincipalId,
        &[
            "Service principal ID",
            "ID du principal de service",
            "Id. de entidad de servicio",
        ],
    ),
    (
        F::ServicePrincipalName,
        &[
            "Service principal name",
            "Nom du principal de service",
            "Nombre de entidad de servicio",
        ],
    ),
    (
        F::ManagedIdentityType,
        &[
            "Managed Identity type",
            "Type d'identité managée",
            "Tipo de identidad administrada",
        ],
    ),
    (
        F::AuthMethod,
        &[
            "Authentication method",
            "Méthode d'authentification",
            "Método de autenticación",
        ],
    ),
    (
        F::AuthMethodDetail,
        &[
            "Authentication method detail",
            "Détail de la méthode d'authentification",
            "Detalle del método de autenticación",
        ],
    ),
    (F::Succeeded, &["Succeeded", "Réussi", "Correcto"]),
    (
        F::ResultDetail,
        &[
            "Result detail",
            "Détail du résultat",
            "Detalle del resultado",
        ],
    ),
    (
        F::StepRequirement,
        &["Requirement", "Exigence", "Requisito"],
    ),
];

/// What a sign-in file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInKind {
    User,
    AuthDetails,
    App,
    ManagedIdentity,
}

/// How a file's headers map onto [`F`].
#[derive(Debug, Clone)]
pub struct SignInHeaders {
    /// Column index per field (first occurrence wins; `Incoming token type` appears twice).
    pub index: Vec<(F, usize, String)>,
    pub ignored: Vec<String>,
    pub width: usize,
}

impl SignInHeaders {
    pub fn new(headers: &[String]) -> Self {
        let mut index: Vec<(F, usize, String)> = Vec::new();
        let mut ignored = Vec::new();
        // Exact names first, so that a folded alias never steals a column another field names exactly.
        let mut taken = vec![false; headers.len()];
        for (field, names) in HEADERS {
            if let Some(i) = headers
                .iter()
                .enumerate()
                .position(|(i, h)| !taken[i] && names.iter().any(|n| h == n))
            {
                taken[i] = true;
                index.push((*field, i, headers[i].clone()));
            }
        }
        for (field, names) in HEADERS {
            if index.iter().any(|(f, _, _)| f == field) {
                continue;
            }
            let folded: Vec<String> = names.iter().map(|n| fold_header(n)).collect();
            if let Some(i) = headers
                .iter()
                .enumerate()
                .position(|(i, h)| !taken[i] && folded.contains(&fold_header(h)))
            {
                taken[i] = true;
                index.push((*field, i, headers[i].clone()));
            }
        }
        for (i, h) in headers.iter().enumerate() {
            if !taken[i] {
                ignored.push(h.clone());
            }
        }
        SignInHeaders {
            index,
            ignored,
            width: headers.len(),
        }
    }

    pub fn get(&self, field: F) -> Option<usize> {
        self.index
            .iter()
            .find(|(f, _, _)| *f == field)
            .map(|(_, i, _)| *i)
    }

    pub fn has(&self, field: F) -> bool {
        self.get(field).is_some()
    }

    /// The kind of sign-in file these headers belong to, if any.
    pub fn kind(&self) -> Option<SignInKind> {
        let status = self.has(F::Status) || self.has(F::ErrorCode);
        if self.has(F::ServicePrincipalId) && self.has(F::Date) && status {
            return Some(
                if self.has(F::ManagedIdentityType) && !self.has(F::ServicePrincipalName) {
                    SignInKind::ManagedIdentity
                } else {
                    SignInKind::App
                },
            );
        }
        if self.has(F::Date) && (self.has(F::Upn) || self.has(F::UserId)) && status {
            return Some(SignInKind::User);
        }
        if self.has(F::RequestId)
            && self.has(F::AuthMethod)
            && (self.has(F::Succeeded) || self.has(F::StepRequirement) || self.has(F::ResultDetail))
        {
            return Some(SignInKind::AuthDetails);
        }
        None
    }

    /// Which historical layout a user sign-in file has.
    pub fn variant(&self) -> String {
        // The current layout is documented as "56 columns" but has 57 fields, one of them the
        // repeated `Incoming token type`; accept both counts.
        match self.width {
            56 | 57 => format!("current layout, {} columns", self.width),
            49 => "2024 layout, 49 columns".into(),
            44 => "2023 layout, 44 columns".into(),
            n => format!("{n} columns"),
        }
    }

    /// Header (as written) of a field, for messages.
    pub fn name(&self, field: F) -> String {
        self.index
            .iter()
            .find(|(f, _, _)| *f == field)
            .map(|(_, _, h)| h.clone())
            .unwrap_or_default()
    }
}

/// Fold a sign-in status in any portal language onto `success`, `failure` or `interrupted`;
/// anything else is kept (lower-cased) and shown as an unknown value.
pub fn status(raw: &str) -> String {
    let v = raw.trim().to_lowercase();
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| v.starts_with(p));
    if starts(&[
        "succ",
        "réus",
        "reus",
        "opération réussie",
        "correcto",
        "éxito",
        "exito",
    ]) {
        "success".into()
    } else if starts(&["fail", "échec", "echec", "error", "erreur", "fallo"]) {
        "failure".into()
    } else if starts(&["interrupt", "interrompu", "interrumpid"]) {
        "interrupted".into()
    } else {
        v
    }
}

/// `single_factor`, `multi_factor`, or the value itself (lower-cased) when unknown.
pub fn requirement(raw: &str) -> String {
    let v = raw.trim().to_lowercase();
    if v.contains("multi") {
        "multi_factor".into()
    } else if [
        "single",
        "unique",
        "único",
        "unico",
        "solo factor",
        "seul facteur",
    ]
    .iter()
    .any(|w| v.contains(w))
    {
        "single_factor".into()
    } else {
        v
    }
}

/// Conditional Access result: `success`, `failure`, `not_applied`, or the value itself.
pub fn ca_status(raw: &str) -> String {
    let v: String = raw.trim().to_lowercase();
    let compact: String = v.chars().filter(|c| c.is_alphanumeric()).collect();
    match compact.as_str() {
        "notapplied" | "nonappliqué" | "nonapplique" | "noaplicado" => "not_applied".into(),
        _ => match status(&v).as_str() {
            "success" => "success".into(),
            "failure" => "failure".into(),
            _ => v,
        },
    }
}

fn cell(record: &csv::StringRecord, index: Option<usize>) -> &str {
    index.and_then(|i| record.get(i)).unwrap_or("").trim()
}

fn opt(record: &csv::StringRecord, index: Option<usize>) -> Option<String> {
    let v = cell(record, index);
    (!v.is_empty()).then(|| v.to_string())
}

/// Problems with single rows: counted and reported, never fatal.
#[derive(Debug, Default, Clone)]
pub struct RowProblems {
    /// (line, reason) of rows left out.
    pub skipped: Vec<(u64, String)>,
    /// Rows kept without a time because the date could not be read.
    pub bad_dates: usize,
    pub bad_date_example: Option<(u64, String)>,
}

/// User sign-ins of every file, one entry per row.
#[derive(Debug, Default)]
pub struct UserSignInBuilder {
    source: Vec<u32>,
    interactive: Vec<bool>,
    time_us: Vec<Option<i64>>,
    request_id: Vec<Option<String>>,
    correlation_id: Vec<Option<String>>,
    user_id: Vec<Option<String>>,
    upn: Vec<Option<String>>,
    app: Vec<Option<String>>,
    app_id: Vec<Option<String>>,
    status: Vec<Option<String>>,
    error_code: Vec<Option<i64>>,
    client_app: Vec<Option<String>>,
    compliant: Vec<Option<bool>>,
    managed: Vec<Option<bool>>,
    join_type: Vec<Option<String>>,
    mfa_result: Vec<Option<String>>,
    mfa_method: Vec<Option<String>>,
    requirement: Vec<Option<String>>,
    conditional_access: Vec<Option<String>>,
    token_issuer_type: Vec<Option<String>>,
    country: Vec<Option<String>>,
}

/// What reading one sign-in file found.
#[derive(Debug, Default, Clone)]
pub struct SignInOutcome {
    pub rows: usize,
    pub problems: RowProblems,
    pub first_us: Option<i64>,
    pub last_us: Option<i64>,
}

impl SignInOutcome {
    pub(crate) fn see(&mut self, t: Option<i64>) {
        if let Some(t) = t {
            self.first_us = Some(self.first_us.map_or(t, |f| f.min(t)));
            self.last_us = Some(self.last_us.map_or(t, |l| l.max(t)));
        }
    }
}

/// Iterate a CSV table's records with their file line numbers. Rows whose field count differs
/// from the header are reported through `skip` and not yielded.
pub(crate) fn for_each_record(
    path: &str,
    text: &str,
    layout: &CsvLayout,
    width: usize,
    problems: &mut RowProblems,
    mut each: impl FnMut(u64, &csv::StringRecord) -> Result<(), InputError>,
) -> Result<(), InputError> {
    let mut reader = csv_reader(text, layout);
    let mut lines = LineCounter::new(text, layout);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(path, text, layout, &e)),
        }
        let line = lines.line_at(record.position().map(|p| p.byte()).unwrap_or(0));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != width {
            problems.skipped.push((
                line,
                format!("{} fields where the header has {width}", record.len()),
            ));
            continue;
        }
        each(line, &record)?;
    }
    Ok(())
}

fn time_of(
    record: &csv::StringRecord,
    index: Option<usize>,
    line: u64,
    problems: &mut RowProblems,
) -> Option<i64> {
    let raw = cell(record, index);
    match parse_datetime(raw) {
        Ok(t) => t.map(|t| t.timestamp_micros()),
        Err(_) => {
            problems.bad_dates += 1;
            problems
                .bad_date_example
                .get_or_insert((line, raw.to_string()));
            None
        }
    }
}

impl UserSignInBuilder {
    pub fn len(&self) -> usize {
        self.source.len()
    }

    pub fn is_empty(&self) -> bool {
        self.source.is_empty()
    }

    pub fn read_file(
        &mut self,
        path: &str,
        source: u32,
        interactive: bool,
        text: &str,
        layout: &CsvLayout,
        headers: &SignInHeaders,
    ) -> Result<SignInOutcome, InputError> {
        let mut outcome = SignInOutcome::default();
        let mut problems = RowProblems::default();
        let i = |f: F| headers.get(f);
        let (date, upn, user_id, st, code) = (
            i(F::Date),
            i(F::Upn),
            i(F::UserId),
            i(F::Status),
            i(F::ErrorCode),
        );
        for_each_record(
            path,
            text,
            layout,
            headers.width,
            &mut problems,
            |line, r| {
                let upn_v = opt(r, upn);
                let uid = opt(r, user_id).map(|s| s.to_ascii_lowercase());
                if upn_v.is_none() && uid.is_none() {
                    outcome
                        .problems
                        .skipped
                        .push((line, "no user (Username and User ID empty)".into()));
                    return Ok(());
                }
                let time = time_of(r, date, line, &mut outcome.problems);
                let error_code = cell(r, code).parse::<i64>().ok();
                let status_v = match opt(r, st) {
                    Some(s) => Some(status(&s)),
                    None => error_code.map(|c| {
                        if c == 0 {
                            "success".to_string()
                        } else if INTERRUPT_CODES.contains(&c) {
                            "interrupted".to_string()
                        } else {
                            "failure".to_string()
                        }
                    }),
                };
                let bool_at = |f: F| parse_bool(cell(r, i(f))).ok().flatten();
                outcome.see(time);
                self.source.push(source);
                self.interactive.push(interactive);
                self.time_us.push(time);
                self.request_id.push(opt(r, i(F::RequestId)));
                self.correlation_id
                    .push(opt(r, i(F::CorrelationId)).map(|c| c.to_ascii_lowercase()));
                self.user_id.push(uid);
                self.upn.push(upn_v);
                self.app.push(opt(r, i(F::App)));
                self.app_id
                    .push(opt(r, i(F::AppId)).map(|s| s.to_ascii_lowercase()));
                self.status.push(status_v);
                self.error_code.push(error_code);
                self.client_app.push(opt(r, i(F::ClientApp)));
                self.compliant.push(bool_at(F::Compliant));
                self.managed.push(bool_at(F::Managed));
                self.join_type.push(opt(r, i(F::JoinType)));
                self.mfa_result.push(opt(r, i(F::MfaResult)));
                self.mfa_method.push(opt(r, i(F::MfaMethod)));
                self.requirement
                    .push(opt(r, i(F::Requirement)).map(|s| requirement(&s)));
                self.conditional_access
                    .push(opt(r, i(F::ConditionalAccess)).map(|s| ca_status(&s)));
                self.token_issuer_type.push(opt(r, i(F::TokenIssuerType)));
                self.country.push(opt(r, i(F::Location)).and_then(|l| {
                    l.rsplit(',')
                        .next()
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(str::to_string)
                }));
                outcome.rows += 1;
                Ok(())
            },
        )?;
        outcome.problems.skipped.extend(problems.skipped);
        Ok(outcome)
    }

    pub fn into_frame(self) -> PolarsResult<DataFrame> {
        let n = self.source.len();
        let upn_key: Vec<Option<String>> = self
            .upn
            .iter()
            .map(|u| u.as_ref().map(|u| u.to_lowercase()))
            .collect();
        DataFrame::new(
            n,
            vec![
                Column::new("source".into(), self.source),
                Column::new("interactive".into(), self.interactive),
                Column::new("time_us".into(), self.time_us),
                Column::new("request_id".into(), self.request_id),
                Column::new("correlation_id".into(), self.correlation_id),
                Column::new("user_id".into(), self.user_id),
                Column::new("upn".into(), self.upn),
                Column::new("upn_key".into(), upn_key),
                Column::new("app".into(), self.app),
                Column::new("app_id".into(), self.app_id),
                Column::new("status".into(), self.status),
                Column::new("error_code".into(), self.error_code),
                Column::new("client_app".into(), self.client_app),
                Column::new("compliant".into(), self.compliant),
                Column::new("managed".into(), self.managed),
                Column::new("join_type".into(), self.join_type),
                Column::new("mfa_result".into(), self.mfa_result),
                Column::new("mfa_method".into(), self.mfa_method),
                Column::new("requirement".into(), self.requirement),
                Column::new("conditional_access".into(), self.conditional_access),
                Column::new("token_issuer_type".into(), self.token_issuer_type),
                Column::new("country".into(), self.country),
            ],
        )
    }
}

/// Error codes the portal shows with status "Interrupted" (their names end in `Interrupt`); a
/// JSON download has only the code, so these are read as interrupted, any other non-zero code as
/// a failure.
pub const INTERRUPT_CODES: &[i64] = &[50072, 50074, 50125, 50140, 50199];

/// Whether JSON objects are Graph `signIn` records of users.
pub fn is_user_signin_json(items: &[serde_json::Value]) -> bool {
    let non_empty = |o: &serde_json::Value, key: &str| {
        o.get(key)
            .and_then(serde_json::Value::as_str)
            .is_some_and(|s| !s.trim().is_empty())
    };
    items.iter().find(|o| o.is_object()).is_some_and(|o| {
        o.get("createdDateTime").is_some()
            && o.get("status").is_some()
            && (non_empty(o, "userPrincipalName") || non_empty(o, "userId"))
            && !non_empty(o, "servicePrincipalId")
    })
}

fn jstr(v: &serde_json::Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for key in path {
        cur = cur.get(key)?;
    }
    match cur {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl UserSignInBuilder {
    /// Read the JSON download: a top-level array of Graph `signIn` objects. Their
    /// `authenticationDetails` become AuthDetails steps.
    pub fn read_json(
        &mut self,
        source: u32,
        file_interactive: bool,
        items: &[serde_json::Value],
        details: &mut AuthDetailsBuilder,
    ) -> SignInOutcome {
        let mut outcome = SignInOutcome::default();
        for (i, o) in items.iter().enumerate() {
            let item = i as u64 + 1;
            if !o.is_object() {
                outcome
                    .problems
                    .skipped
                    .push((item, "not a sign-in object".into()));
                continue;
            }
            if jstr(o, &["userPrincipalName"]).is_none() && jstr(o, &["userId"]).is_none() {
                outcome
                    .problems
                    .skipped
                    .push((item, "no user (userPrincipalName and userId empty)".into()));
                continue;
            }
            let time = match jstr(o, &["createdDateTime"]).map(|t| parse_datetime(&t)) {
                Some(Ok(t)) => t.map(|t| t.timestamp_micros()),
                Some(Err(_)) | None => {
                    outcome.problems.bad_dates += 1;
                    outcome
                        .problems
                        .bad_date_example
                        .get_or_insert((item, jstr(o, &["createdDateTime"]).unwrap_or_default()));
                    None
                }
            };
            let upn = jstr(o, &["userPrincipalName"]);
            let uid = jstr(o, &["userId"]).map(|s| s.to_ascii_lowercase());
            let code = o
                .get("status")
                .and_then(|s| s.get("errorCode"))
                .and_then(serde_json::Value::as_i64);
            let status = code.map(|c| {
                if c == 0 {
                    "success"
                } else if INTERRUPT_CODES.contains(&c) {
                    "interrupted"
                } else {
                    "failure"
                }
                .to_string()
            });
            let request = jstr(o, &["id"]);
            let steps = o
                .get("authenticationDetails")
                .and_then(serde_json::Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mfa_step_method = steps.iter().find_map(|s| {
                let req = jstr(s, &["authenticationStepRequirement"]).unwrap_or_default();
                let method = jstr(s, &["authenticationMethod"])?;
                (requirement(&req) == "multi_factor" && is_second_factor(&method)).then_some(method)
            });
            if let Some(r) = &request {
                for s in &steps {
                    details.push(
                        r.clone(),
                        jstr(s, &["authenticationMethod"]),
                        s.get("succeeded").and_then(serde_json::Value::as_bool),
                        jstr(s, &["authenticationStepResultDetail"]),
                        jstr(s, &["authenticationStepRequirement"]).map(|v| requirement(&v)),
                    );
                }
            }
            let interactive = o
                .get("isInteractive")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(file_interactive);
            let device_bool = |key: &str| {
                o.get("deviceDetail")
                    .and_then(|d| d.get(key))
                    .and_then(serde_json::Value::as_bool)
            };
            outcome.see(time);
            self.source.push(source);
            self.interactive.push(interactive);
            self.time_us.push(time);
            self.request_id.push(request);
            self.correlation_id
                .push(jstr(o, &["correlationId"]).map(|c| c.to_ascii_lowercase()));
            self.user_id.push(uid);
            self.upn.push(upn);
            self.app.push(jstr(o, &["appDisplayName"]));
            self.app_id
                .push(jstr(o, &["appId"]).map(|s| s.to_ascii_lowercase()));
            self.status.push(status);
            self.error_code.push(code);
            self.client_app.push(jstr(o, &["clientAppUsed"]));
            self.compliant.push(device_bool("isCompliant"));
            self.managed.push(device_bool("isManaged"));
            self.join_type.push(jstr(o, &["deviceDetail", "trustType"]));
            self.mfa_result
                .push(jstr(o, &["status", "additionalDetails"]));
            self.mfa_method
                .push(jstr(o, &["mfaDetail", "authMethod"]).or(mfa_step_method));
            self.requirement
                .push(jstr(o, &["authenticationRequirement"]).map(|s| requirement(&s)));
            self.conditional_access
                .push(jstr(o, &["conditionalAccessStatus"]).map(|s| ca_status(&s)));
            self.token_issuer_type.push(jstr(o, &["tokenIssuerType"]));
            self.country.push(jstr(o, &["location", "countryOrRegion"]));
            outcome.rows += 1;
        }
        outcome
    }
}

/// Whether an authentication step's method is a second factor (not the password or a
/// previously satisfied claim).
fn is_second_factor(method: &str) -> bool {
    let m = method.to_lowercase();
    let is_password = m.contains("password") && !m.contains("passwordless");
    !is_password && !m.contains("previously satisfied")
}

/// Authentication steps from the `_AuthDetails_` files.
#[derive(Debug, Default)]
pub struct AuthDetailsBuilder {
    request_id: Vec<String>,
    method: Vec<Option<String>>,
    succeeded: Vec<Option<bool>>,
    result_detail: Vec<Option<String>>,
    requirement: Vec<Option<String>>,
}

impl AuthDetailsBuilder {
    pub fn is_empty(&self) -> bool {
        self.request_id.is_empty()
    }

    fn push(
        &mut self,
        request_id: String,
        method: Option<String>,
        succeeded: Option<bool>,
        result_detail: Option<String>,
        requirement: Option<String>,
    ) {
        self.request_id.push(request_id);
        self.method.push(method);
        self.succeeded.push(succeeded);
        self.result_detail.push(result_detail);
        self.requirement.push(requirement);
    }

    pub fn read_file(
        &mut self,
        path: &str,
        text: &str,
        layout: &CsvLayout,
        headers: &SignInHeaders,
    ) -> Result<SignInOutcome, InputError> {
        let mut outcome = SignInOutcome::default();
        let mut problems = RowProblems::default();
        let i = |f: F| headers.get(f);
        for_each_record(
            path,
            text,
            layout,
            headers.width,
            &mut problems,
            |line, r| {
                let time = time_of(r, i(F::Date), line, &mut outcome.problems);
                let Some(request) = opt(r, i(F::RequestId)) else {
                    outcome
                        .problems
                        .skipped
                        .push((line, "no Request ID".into()));
                    return Ok(());
                };
                outcome.see(time);
                self.request_id.push(request);
                self.method.push(opt(r, i(F::AuthMethod)));
                self.succeeded
                    .push(parse_bool(cell(r, i(F::Succeeded))).ok().flatten());
                self.result_detail.push(opt(r, i(F::ResultDetail)));
                self.requirement
                    .push(opt(r, i(F::StepRequirement)).map(|s| requirement(&s)));
                outcome.rows += 1;
                Ok(())
            },
        )?;
        outcome.problems.skipped.extend(problems.skipped);
        Ok(outcome)
    }

    pub fn into_frame(self) -> PolarsResult<DataFrame> {
        let n = self.request_id.len();
        DataFrame::new(
            n,
            vec![
                Column::new("request_id".into(), self.request_id),
                Column::new("method".into(), self.method),
                Column::new("succeeded".into(), self.succeeded),
                Column::new("result_detail".into(), self.result_detail),
                Column::new("requirement".into(), self.requirement),
            ],
        )
    }
}

/// Application and managed-identity sign-ins are summarized per file: they have no user.
pub fn read_service_file(
    path: &str,
    text: &str,
    layout: &CsvLayout,
    headers: &SignInHeaders,
) -> Result<(SignInOutcome, ServiceSummary), InputError> {
    let mut outcome = SignInOutcome::default();
    let mut problems = RowProblems::default();
    let mut summary = ServiceSummary::default();
    let mut principals = std::collections::HashSet::new();
    let i = |f: F| headers.get(f);
    for_each_record(
        path,
        text,
        layout,
        headers.width,
        &mut problems,
        |line, r| {
            let time = time_of(r, i(F::Date), line, &mut outcome.problems);
            outcome.see(time);
            match status(cell(r, i(F::Status))).as_str() {
                "success" => summary.success += 1,
                "failure" => summary.failure += 1,
                _ => {}
            }
            if let Some(p) = opt(r, i(F::ServicePrincipalId)) {
                principals.insert(p.to_ascii_lowercase());
            }
            outcome.rows += 1;
            Ok(())
        },
    )?;
    summary.principals = principals.len() as u64;
    outcome.problems.skipped.extend(problems.skipped);
    Ok((outcome, summary))
}

/// Per-file summary of application or managed-identity sign-ins.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ServiceSummary {
    pub success: u64,
    pub failure: u64,
    /// Distinct service principals.
    pub principals: u64,
}

/// Whether a file holds non-interactive sign-ins. The two layouts are identical, so only the
/// portal's file name (`NonInteractiveSignIns_…`) can tell; everything else counts as interactive.
pub fn is_non_interactive(file_name: &str) -> bool {
    let folded: String = file_name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    folded.contains("noninteractive")
}

#[cfg(test)]
mod tests {
    use super::*;

    const VARIANT_A: &str = "Date (UTC),Request ID,User agent,Correlation ID,User ID,User,Username,User type,Cross tenant access type,Incoming token type,Authentication Protocol,Unique token identifier,Original transfer method,Client credential type,Token Protection - Sign In Session,Token Protection - Sign In Session StatusCode,Application,Application ID ,App owner tenant ID,Resource,Resource ID ,Resource tenant ID,Resource owner tenant ID,Home tenant ID,Home tenant name,IP address,Location,Status,Sign-in error code,Failure reason,Client app,Device ID,Browser,Operating System,Compliant,Managed,Join Type,Multifactor authentication result,Multifactor authentication auth method,Multifactor authentication auth detail,Authentication requirement,Sign-in identifier,Session ID,IP address (seen by resource),Through Global Secure Access,Global Secure Access IP address,Autonomous system  number,Flagged for review,Token issuer type,Incoming token type,Token issuer name,Latency,Conditional Access,Managed Identity type,Associated Resource Id,Federated Token Id,Federated Token Issuer";

    fn split(h: &str) -> Vec<String> {
        h.split(',').map(str::to_string).collect()
    }

    #[test]
    fn current_layout_is_user_sign_ins_matched_by_name() {
        let h = SignInHeaders::new(&split(VARIANT_A));
        assert_eq!(h.width, 57);
        assert_eq!(h.kind(), Some(SignInKind::User));
        assert_eq!(h.variant(), "current layout, 57 columns");
        assert_eq!(
            h.get(F::AppId),
            Some(17),
            "'Application ID ' with its trailing space"
        );
        assert_eq!(h.get(F::Upn), Some(6));
        assert_eq!(h.get(F::User), Some(5));
        assert_eq!(h.get(F::Status), Some(27));
        assert!(h.ignored.contains(&"Incoming token type".to_string()));
    }

    #[test]
    fn service_principal_and_auth_details_files_are_told_apart() {
        let app = "Date (UTC),Request ID,Correlation ID,Service principal ID,Service principal name,Credential key ID,Credential thumbprint,Application,Application ID ,App owner tenant ID,Resource,Resource ID ,Resource tenant ID,Resource owner tenant ID,Home tenant ID,Home tenant name,IP address,Location,Status,Sign-in error code,Failure reason,Conditional Access";
        assert_eq!(
            SignInHeaders::new(&split(app)).kind(),
            Some(SignInKind::App)
        );
        let details = "Request ID,Date (UTC),Authentication method,Authentication method detail,Succeeded,Result detail,Requirement";
        let h = SignInHeaders::new(&split(details));
        assert_eq!(h.kind(), Some(SignInKind::AuthDetails));
        assert_eq!(h.get(F::StepRequirement), Some(6));
        assert_eq!(h.get(F::Requirement), None);
        let reg = "userPrincipalName,isMfaCapable,methodsRegistered";
        assert_eq!(SignInHeaders::new(&split(reg)).kind(), None);
    }

    #[test]
    fn french_and_spanish_headers() {
        let fr = "Date (UTC),ID de la demande,Nom d’utilisateur,Statut,Code d'erreur de connexion,Application cliente,Exigence d’authentification,Conforme,Géré";
        let h = SignInHeaders::new(&split(fr));
        assert_eq!(h.kind(), Some(SignInKind::User));
        assert_eq!(h.get(F::Upn), Some(2));
        assert_eq!(h.get(F::Requirement), Some(6));
        let es = "Fecha (UTC),Id. de usuario,Usuario,Nombre de usuario,Estado,Aplicación cliente,Requisito de autenticación,Motivo del error";
        let h = SignInHeaders::new(&split(es));
        assert_eq!(h.kind(), Some(SignInKind::User));
        assert_eq!((h.get(F::User), h.get(F::Upn)), (Some(2), Some(3)));
    }

    #[test]
    fn localized_values_fold_to_canonical_ones() {
        for s in [
            "Success",
            "success",
            "Opération réussie",
            "Réussite",
            "Correcto",
            "Éxito",
        ] {
            assert_eq!(status(s), "success", "{s}");
        }
        for s in ["Failure", "Échec", "Error"] {
            assert_eq!(status(s), "failure", "{s}");
        }
        for s in ["Interrupted", "Interrompu", "Interrumpido"] {
            assert_eq!(status(s), "interrupted", "{s}");
        }
        assert_eq!(status("Pending"), "pending");
        assert_eq!(requirement("Single-factor authentication"), "single_factor");
        assert_eq!(requirement("multiFactorAuthentication"), "multi_factor");
        assert_eq!(
            requirement("Authentification à facteur unique"),
            "single_factor"
        );
        assert_eq!(requirement("Autenticación multifactor"), "multi_factor");
        assert_eq!(ca_status("Not Applied"), "not_applied");
        assert_eq!(ca_status("notApplied"), "not_applied");
        assert_eq!(ca_status("Non appliqué"), "not_applied");
        assert_eq!(ca_status("Failure"), "failure");
    }

    #[test]
    fn interactive_flag_comes_from_the_portal_file_name() {
        assert!(is_non_interactive(
            "NonInteractiveSignIns_2025-11-29_2025-12-29.csv"
        ));
        assert!(is_non_interactive("non-interactive sign-ins.csv"));
        assert!(!is_non_interactive(
            "InteractiveSignIns_2026-09-13_2026-09-14.csv"
        ));
    }
}

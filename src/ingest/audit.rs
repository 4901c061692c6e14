//! Audit log downloads (Entra admin center > Monitoring & health > Audit logs > Download): the
//! portal's fixed 86-column CSV (quoted or not, BOM, `,` or `;`, English, Spanish and French
//! headers through [`HEADERS`]) and the JSON download of Graph `directoryAudit` objects.
//!
//! Every row is kept with its service, so the analysis can count what it skips. A malformed row
//! is counted and skipped, an unreadable date kept without a time and counted.

use polars::prelude::*;

use super::signins::{for_each_record, RowProblems, SignInOutcome};
use super::text::{fold_header, CsvLayout};
use super::values::parse_datetime;
use crate::error::InputError;

/// The portal stops an audit download at this many rows.
pub const PORTAL_ROW_LIMIT: usize = 250_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum A {
    Date,
    CorrelationId,
    Service,
    Category,
    Activity,
    Result,
    ResultReason,
    ActorType,
    ActorUpn,
    ActorId,
    IpAddress,
    TargetType,
    TargetUpn,
    TargetId,
    TargetName,
}

/// Header names per field: portal names, then Spanish and French ones.
pub const HEADERS: &[(A, &[&str])] = &[
    (A::Date, &["Date (UTC)", "Fecha (UTC)", "Date"]),
    (
        A::CorrelationId,
        &[
            "CorrelationId",
            "Correlation ID",
            "Id. de correlación",
            "IdDeCorrelación",
            "ID de corrélation",
        ],
    ),
    (A::Service, &["Service", "Servicio"]),
    (
        A::Category,
        &["Category", "Categoría", "Categorie", "Catégorie"],
    ),
    (
        A::Activity,
        &["Activity", "Actividad", "Activite", "Activité"],
    ),
    (A::Result, &["Result", "Resultado", "Resultat", "Résultat"]),
    (
        A::ResultReason,
        &[
            "ResultReason",
            "Result reason",
            "Motivo del resultado",
            "MotivoDelResultado",
            "Raison du résultat",
            "RaisonDuResultat",
        ],
    ),
    (
        A::ActorType,
        &["ActorType", "Actor type", "TipoDeActor", "TypeActeur"],
    ),
    (
        A::ActorUpn,
        &[
            "ActorUserPrincipalName",
            "Actor user principal name",
            "ActorNombrePrincipalDeUsuario",
            "ActeurNomUtilisateurPrincipal",
        ],
    ),
    (
        A::ActorId,
        &["ActorObjectId", "ActorIdDeObjeto", "ActeurIdObjet"],
    ),
    (
        A::IpAddress,
        &["IPAddress", "IP address", "DirecciónIP", "AdresseIP"],
    ),
    (
        A::TargetType,
        &["Target1Type", "Objetivo1Tipo", "Cible1Type", "TypeCible"],
    ),
    (
        A::TargetUpn,
        &[
            "Target1UserPrincipalName",
            "Objetivo1NombrePrincipalDeUsuario",
            "Cible1NomUtilisateurPrincipal",
        ],
    ),
    (
        A::TargetId,
        &["Target1ObjectId", "Objetivo1IdDeObjeto", "Cible1IdObjet"],
    ),
    (
        A::TargetName,
        &[
            "Target1DisplayName",
            "Objetivo1NombreParaMostrar",
            "Cible1NomAffiche",
        ],
    ),
];

/// How a file's headers map onto [`A`], plus the modified-property name columns.
#[derive(Debug, Clone)]
pub struct AuditHeaders {
    pub index: Vec<(A, usize, String)>,
    /// Columns `Target…ModifiedProperty…Name` (any target, any property).
    pub property_names: Vec<usize>,
    pub width: usize,
}

impl AuditHeaders {
    pub fn new(headers: &[String]) -> Self {
        let mut index = Vec::new();
        for (field, names) in HEADERS {
            let folded: Vec<String> = names.iter().map(|n| fold_header(n)).collect();
            let exact = headers.iter().position(|h| names.contains(&h.as_str()));
            let found = exact.or_else(|| {
                headers
                    .iter()
                    .position(|h| folded.contains(&fold_header(h)))
            });
            if let Some(i) = found {
                index.push((*field, i, headers[i].clone()));
            }
        }
        let property_names = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                let f = fold_header(h);
                f.contains("modifiedproperty") && f.ends_with("name")
            })
            .map(|(i, _)| i)
            .collect();
        AuditHeaders {
            index,
            property_names,
            width: headers.len(),
        }
    }

    pub fn get(&self, field: A) -> Option<usize> {
        self.index
            .iter()
            .find(|(f, _, _)| *f == field)
            .map(|(_, i, _)| *i)
    }

    /// Audit downloads have an activity, a service (or category) and a result.
    pub fn is_audit(&self) -> bool {
        self.get(A::Activity).is_some()
            && (self.get(A::Service).is_some() || self.get(A::Category).is_some())
            && (self.get(A::Result).is_some() || self.get(A::ResultReason).is_some())
            && self.get(A::Date).is_some()
    }

    pub fn variant(&self) -> String {
        if self.width == 86 {
            "portal layout, 86 columns".into()
        } else {
            format!("{} columns", self.width)
        }
    }
}

/// Whether JSON objects are Graph `directoryAudit` records.
pub fn is_audit_json(items: &[serde_json::Value]) -> bool {
    items.first().is_some_and(|o| {
        o.get("activityDateTime").is_some() && o.get("activityDisplayName").is_some()
    })
}

/// Audit events of every file, one entry per row.
#[derive(Debug, Default)]
pub struct AuditBuilder {
    time_us: Vec<Option<i64>>,
    correlation_id: Vec<Option<String>>,
    service: Vec<Option<String>>,
    category: Vec<Option<String>>,
    activity: Vec<Option<String>>,
    result: Vec<Option<String>>,
    result_reason: Vec<Option<String>>,
    actor_type: Vec<Option<String>>,
    actor_upn: Vec<Option<String>>,
    actor_id: Vec<Option<String>>,
    ip: Vec<Option<String>>,
    target_upn: Vec<Option<String>>,
    target_id: Vec<Option<String>>,
    /// A `StrongAuthenticationMethod…` property was modified (core directory events).
    strong_auth_change: Vec<bool>,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// `success`, `failure`, `timeout`, or the value itself lower-cased.
pub fn result(raw: &str) -> String {
    let v = raw.trim().to_lowercase();
    if v.starts_with("succ")
        || v.starts_with("réus")
        || v.starts_with("correct")
        || v.starts_with("éxito")
    {
        "success".into()
    } else if v.starts_with("fail")
        || v.starts_with("échec")
        || v.starts_with("error")
        || v.starts_with("erreur")
    {
        "failure".into()
    } else {
        v
    }
}

impl AuditBuilder {
    /// Rows so far, for [`Self::truncate`].
    pub fn mark(&self) -> (usize, usize) {
        (self.time_us.len(), 0)
    }

    /// Forget the rows added after `mark` (a file that failed half-way).
    pub fn truncate(&mut self, len: (usize, usize)) {
        self.time_us.truncate(len.0);
        self.correlation_id.truncate(len.0);
        self.service.truncate(len.0);
        self.category.truncate(len.0);
        self.activity.truncate(len.0);
        self.result.truncate(len.0);
        self.result_reason.truncate(len.0);
        self.actor_type.truncate(len.0);
        self.actor_upn.truncate(len.0);
        self.actor_id.truncate(len.0);
        self.ip.truncate(len.0);
        self.target_upn.truncate(len.0);
        self.target_id.truncate(len.0);
        self.strong_auth_change.truncate(len.0);
    }

    pub fn is_empty(&self) -> bool {
        self.time_us.is_empty()
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        time: Option<i64>,
        correlation: Option<String>,
        service: Option<String>,
        category: Option<String>,
        activity: Option<String>,
        result_v: Option<String>,
        reason: Option<String>,
        actor: (Option<String>, Option<String>, Option<String>),
        ip: Option<String>,
        target: (Option<String>, Option<String>),
        strong_auth_change: bool,
    ) {
        self.time_us.push(time);
        self.correlation_id
            .push(correlation.map(|c| c.to_ascii_lowercase()));
        self.service.push(service);
        self.category.push(category);
        self.activity.push(activity);
        self.result.push(result_v.map(|r| result(&r)));
        self.result_reason.push(reason);
        self.actor_type.push(actor.0);
        self.actor_upn.push(actor.1);
        self.actor_id.push(actor.2.map(|i| i.to_ascii_lowercase()));
        self.ip.push(ip);
        self.target_upn.push(target.0);
        self.target_id
            .push(target.1.map(|i| i.to_ascii_lowercase()));
        self.strong_auth_change.push(strong_auth_change);
    }

    pub fn read_file(
        &mut self,
        path: &str,
        text: &str,
        layout: &CsvLayout,
        headers: &AuditHeaders,
    ) -> Result<SignInOutcome, InputError> {
        let mut outcome = SignInOutcome::default();
        let mut problems = RowProblems::default();
        let cell = |r: &csv::StringRecord, f: A| -> Option<String> {
            headers.get(f).and_then(|i| r.get(i)).and_then(opt)
        };
        for_each_record(
            path,
            text,
            layout,
            headers.width,
            &mut problems,
            |line, record| {
                let raw_date = cell(record, A::Date).unwrap_or_default();
                let time = match parse_datetime(&raw_date) {
                    Ok(t) => t.map(|t| t.timestamp_micros()),
                    Err(_) => {
                        outcome.problems.bad_dates += 1;
                        outcome
                            .problems
                            .bad_date_example
                            .get_or_insert((line, raw_date));
                        None
                    }
                };
                let strong = headers.property_names.iter().any(|i| {
                    record
                        .get(*i)
                        .is_some_and(|n| n.trim().starts_with("StrongAuthentication"))
                });
                outcome.see(time);
                self.push(
                    time,
                    cell(record, A::CorrelationId),
                    cell(record, A::Service),
                    cell(record, A::Category),
                    cell(record, A::Activity),
                    cell(record, A::Result),
                    cell(record, A::ResultReason),
                    (
                        cell(record, A::ActorType),
                        cell(record, A::ActorUpn),
                        cell(record, A::ActorId),
                    ),
                    cell(record, A::IpAddress),
                    (cell(record, A::TargetUpn), cell(record, A::TargetId)),
                    strong,
                );
                outcome.rows += 1;
                Ok(())
            },
        )?;
        outcome.problems.skipped.extend(problems.skipped);
        Ok(outcome)
    }

    /// Read Graph `directoryAudit` objects.
    pub fn read_json(&mut self, items: &[serde_json::Value]) -> SignInOutcome {
        use serde_json::Value;
        let mut outcome = SignInOutcome::default();
        let text = |v: Option<&Value>| v.and_then(Value::as_str).and_then(opt);
        for (i, o) in items.iter().enumerate() {
            let raw_date = text(o.get("activityDateTime")).unwrap_or_default();
            let time = match parse_datetime(&raw_date) {
                Ok(t) => t.map(|t| t.timestamp_micros()),
                Err(_) => {
                    outcome.problems.bad_dates += 1;
                    outcome
                        .problems
                        .bad_date_example
                        .get_or_insert((i as u64 + 1, raw_date));
                    None
                }
            };
            let user = o
                .get("initiatedBy")
                .and_then(|b| b.get("user"))
                .filter(|u| !u.is_null());
            let app = o
                .get("initiatedBy")
                .and_then(|b| b.get("app"))
                .filter(|a| !a.is_null());
            let actor_type = if user.is_some() {
                Some("User".to_string())
            } else if app.is_some() {
                Some("Application".to_string())
            } else {
                None
            };
            let targets = o.get("targetResources").and_then(Value::as_array);
            let target_user = targets.and_then(|t| {
                t.iter()
                    .find(|r| {
                        r.get("type")
                            .and_then(Value::as_str)
                            .is_some_and(|k| k.eq_ignore_ascii_case("user"))
                    })
                    .or_else(|| t.first())
            });
            let strong = targets.is_some_and(|t| {
                t.iter().any(|r| {
                    r.get("modifiedProperties")
                        .and_then(Value::as_array)
                        .is_some_and(|props| {
                            props.iter().any(|p| {
                                p.get("displayName")
                                    .and_then(Value::as_str)
                                    .is_some_and(|n| n.starts_with("StrongAuthentication"))
                            })
                        })
                })
            });
            outcome.see(time);
            self.push(
                time,
                text(o.get("correlationId")),
                text(o.get("loggedByService")),
                text(o.get("category")),
                text(o.get("activityDisplayName")),
                text(o.get("result")),
                text(o.get("resultReason")),
                (
                    actor_type,
                    text(user.and_then(|u| u.get("userPrincipalName"))),
                    text(user.and_then(|u| u.get("id"))),
                ),
                text(user.and_then(|u| u.get("ipAddress"))),
                (
                    text(target_user.and_then(|t| t.get("userPrincipalName"))),
                    text(target_user.and_then(|t| t.get("id"))),
                ),
                strong,
            );
            outcome.rows += 1;
        }
        outcome
    }

    pub fn into_frame(self) -> PolarsResult<DataFrame> {
        let n = self.time_us.len();
        DataFrame::new(
            n,
            vec![
                Column::new("time_us".into(), self.time_us),
                Column::new("correlation_id".into(), self.correlation_id),
                Column::new("service".into(), self.service),
                Column::new("category".into(), self.category),
                Column::new("activity".into(), self.activity),
                Column::new("result".into(), self.result),
                Column::new("result_reason".into(), self.result_reason),
                Column::new("actor_type".into(), self.actor_type),
                Column::new("actor_upn".into(), self.actor_upn),
                Column::new("actor_id".into(), self.actor_id),
                Column::new("ip".into(), self.ip),
                Column::new("target_upn".into(), self.target_upn),
                Column::new("target_id".into(), self.target_id),
                Column::new("strong_auth_change".into(), self.strong_auth_change),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn portal_header() -> Vec<String> {
        let mut h: Vec<String> = [
            "Date (UTC)",
            "CorrelationId",
            "Service",
            "Category",
            "Activity",
            "Result",
            "ResultReason",
            "User Agent",
            "ActorType",
            "ActorDisplayName",
            "ActorObjectId",
            "ActorUserPrincipalName",
            "IPAddress",
            "ActorHomeTenantId",
            "ActorHomeTenantName",
            "ActorServicePrincipalId",
            "ActorServicePrincipalName",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for t in 1..=3 {
            for c in ["Type", "DisplayName", "ObjectId", "UserPrincipalName"] {
                h.push(format!("Target{t}{c}"));
            }
            for p in 1..=5 {
                for c in ["Name", "OldValue", "NewValue"] {
                    h.push(format!("Target{t}ModifiedProperty{p}{c}"));
                }
            }
        }
        for d in 1..=6 {
            h.push(format!("AdditionalDetail{d}Key"));
            h.push(format!("AdditionalDetail{d}Value"));
        }
        h
    }

    #[test]
    fn portal_layout_is_recognized() {
        let h = AuditHeaders::new(&portal_header());
        assert_eq!(h.width, 86);
        assert!(h.is_audit());
        assert_eq!(h.variant(), "portal layout, 86 columns");
        assert_eq!(h.get(A::TargetUpn), Some(20));
        assert_eq!(h.property_names.len(), 15);
    }

    #[test]
    fn spanish_headers() {
        let h: Vec<String> = [
            "Fecha (UTC)",
            "Servicio",
            "Categoría",
            "Actividad",
            "Resultado",
            "Objetivo1NombrePrincipalDeUsuario",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let h = AuditHeaders::new(&h);
        assert!(h.is_audit());
        assert_eq!(h.get(A::TargetUpn), Some(5));
    }

    #[test]
    fn sign_in_and_registration_headers_are_not_audit() {
        let h: Vec<String> = ["Date (UTC)", "Request ID", "Username", "Status"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(!AuditHeaders::new(&h).is_audit());
    }

    #[test]
    fn results_fold() {
        assert_eq!(result("Success"), "success");
        assert_eq!(result("failure"), "failure");
        assert_eq!(result("Échec"), "failure");
        assert_eq!(result("timeout"), "timeout");
    }
}

//! JSON containers: a Graph response (`{"value": [...]}`), or a plain array of objects (a
//! `ConvertTo-Json` export). Objects are flattened into header + records so the per-kind
//! readers treat JSON and CSV alike: booleans become `True`/`False`, arrays stay JSON text
//! (which the list-cell parser reads), `null` becomes an empty cell.

use serde_json::Value;

/// The property names (first-seen order) and one record per object.
#[derive(Debug)]
pub struct Table {
    pub headers: Vec<String>,
    pub records: Vec<csv::StringRecord>,
}

/// The objects of a JSON document: a plain array, or a Graph response's `value` array.
pub fn items(text: &str) -> Result<Vec<Value>, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "is not valid JSON (line {}, column {}: {e})",
            e.line(),
            e.column()
        )
    })?;
    let items = match doc {
        Value::Array(items) => items,
        Value::Object(mut map) => match map.remove("value") {
            Some(Value::Array(items)) => items,
            _ => return Err("is a JSON object without a \"value\" array".into()),
        },
        _ => return Err("is JSON but neither an array nor an object".into()),
    };
    Ok(items)
}

/// Flatten a JSON document into a table, or say why it is not a table of objects.
pub fn table(text: &str) -> Result<Table, String> {
    table_of(&items(text)?)
}

/// Flatten objects into a table (property names in first-seen order).
pub fn table_of(items: &[Value]) -> Result<Table, String> {
    let mut headers: Vec<String> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for item in items {
        let Value::Object(map) = item else {
            return Err("is a JSON array whose items are not objects".into());
        };
        for key in map.keys() {
            if !index.contains_key(key) {
                index.insert(key.clone(), headers.len());
                headers.push(key.clone());
            }
        }
    }
    let records = items
        .iter()
        .map(|item| {
            let mut cells = vec![String::new(); headers.len()];
            if let Value::Object(map) = item {
                for (key, value) in map {
                    cells[index[key]] = cell(value);
                }
            }
            csv::StringRecord::from(cells)
        })
        .collect();
    Ok(Table { headers, records })
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_response_is_flattened() {
        let t = table(
            r#"{"@odata.context":"x","value":[
                {"userPrincipalName":"a@x","isAdmin":true,"methodsRegistered":["email"],"defaultMfaMethod":null},
                {"userPrincipalName":"b@x","isAdmin":false,"methodsRegistered":[],"userType":"guest"}]}"#,
        )
        .unwrap();
        assert_eq!(
            t.headers,
            [
                "userPrincipalName",
                "isAdmin",
                "methodsRegistered",
                "defaultMfaMethod",
                "userType"
            ]
        );
        assert_eq!(
            t.records[0].iter().collect::<Vec<_>>(),
            ["a@x", "True", "[\"email\"]", "", ""]
        );
        assert_eq!(
            t.records[1].iter().collect::<Vec<_>>(),
            ["b@x", "False", "[]", "", "guest"]
        );
    }

    #[test]
    fn other_shapes_are_refused_with_a_reason() {
        assert!(table("{\"a\":1}")
            .unwrap_err()
            .contains("without a \"value\" array"));
        assert!(table("[1,2]").unwrap_err().contains("not objects"));
        assert!(table("[{\"a\":")
            .unwrap_err()
            .contains("not valid JSON (line 1"));
    }
}
